"""`python manage.py import_oruk FILE_OR_URL [--dry-run]`: import an ORUK feed now.

Prints a progress bar on standard error, then the report, record by record, and the totals on
standard output. Exits with an error if the import failed as a whole (nothing was changed).
The import is listed on the directory's imports page like one started there.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from linkwork.directory.models import DirectoryImport
from linkwork.oruk import importer

STAGE_NAMES = {"fetching": "Fetching pages", "checking": "Checking", "saving": "Saving"}


class Command(BaseCommand):
    help = "Import an Open Referral UK (HSDS 3.0) feed into the directory, from a file or URL."

    def add_arguments(self, parser):
        parser.add_argument("source", help="a JSON file, or an http:// or https:// address")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the feed and report what would change, without changing anything",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="do not show the progress bar"
        )
        parser.add_argument(
            "--changes-only",
            action="store_true",
            help="leave unchanged records without warnings out of the report",
        )

    def handle(self, *args, source, dry_run, no_progress, changes_only, verbosity, **options):
        is_url = source.lower().startswith(("http://", "https://"))
        payload = ""
        if not is_url:
            payload = self._read(source)
        bar = tqdm(
            total=0,
            file=getattr(self.stderr, "_out", sys.stderr),
            disable=no_progress or verbosity == 0,
            unit=" records",
            leave=False,
        )

        def progress(stage: str, done: int, total: int) -> None:
            if bar.disable:
                return
            bar.set_description(STAGE_NAMES.get(stage, stage), refresh=False)
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            if dry_run:
                try:
                    data = (
                        importer.fetch(source, progress=progress)
                        if is_url
                        else importer.load_json(payload)
                    )
                except importer.FeedError as error:
                    report = importer.Report(dry_run=True, error=error.message)
                else:
                    report = importer.run_import(
                        data, dry_run=True, source=source, progress=progress
                    )
            else:
                directory_import = DirectoryImport.objects.create(
                    source=(source if is_url else Path(source).name)[:500], payload=payload
                )
                report = importer.run_directory_import(directory_import, progress=progress)
        finally:
            bar.close()

        if verbosity > 0:
            for line in report.lines(with_unchanged=not changes_only):
                self.stdout.write(line)
        if report.failed:
            raise CommandError(importer.render_message(report.error))
        totals = importer.totals_line(report.counts)
        if dry_run:
            totals = _("Dry run, nothing was changed: %(totals)s") % {"totals": totals}
        self.stdout.write(totals)

    def _read(self, source: str) -> str:
        try:
            raw = Path(source).read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(problem)s")
                % {"file": source, "problem": error.strerror or type(error).__name__}
            ) from error
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CommandError(
                importer.render_message(importer.FeedError(importer.E_NOT_TEXT).message)
            ) from error

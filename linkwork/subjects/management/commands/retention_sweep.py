"""`manage.py retention_sweep [--dry-run]`: run the retention sweep now (decision 0027)."""

from django.core.management.base import BaseCommand, CommandError

from linkwork.subjects import sweep
from linkwork.subjects.models import RunStatus


class Command(BaseCommand):
    help = (
        "Anonymise the people, and delete the records, whose retention period has passed "
        "(docs/admin/retention.md), writing a retention run report and an audit line. With "
        "--dry-run, list what would go and change nothing. A real run needs the tables' owner "
        "on PostgreSQL (it lifts the append-only guard for each person's transaction)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Change nothing.")

    def handle(self, *args, dry_run: bool, **options):
        report = sweep.run(dry_run=dry_run)
        verb = "would go" if dry_run else "done"
        for key, count in report.counts.items():
            self.stdout.write(f"{key}: {count} {verb}")
            for reference in report.references.get(key, []):
                self.stdout.write(f"  {reference}")
        if not dry_run:
            self.stdout.write(
                f"{report.people_anonymised} people anonymised, {report.rows_deleted} rows "
                f"deleted, {report.audit_lines_rewritten} audit lines rewritten."
            )
        for error in report.errors:
            self.stderr.write(f"Error: {error}")
        self.stdout.write(f"Report: retention run {report.pk}")
        if report.status == RunStatus.FAILED or report.errors:
            raise CommandError("The sweep did not finish cleanly: see the report.", returncode=1)

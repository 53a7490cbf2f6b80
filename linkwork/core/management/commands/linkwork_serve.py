"""The production server: checks the configuration, applies migrations, collects the static
files, then runs gunicorn (the web server) and the background worker side by side until it is
stopped. `make serve` runs it with the production settings; docs/admin/running.md says how to
run several, and what lives where.

Stopping it (SIGTERM or Ctrl-C) stops both gracefully: gunicorn finishes the requests in hand
and the worker the task in hand. If either ends on its own, the other is stopped too and the
command exits with an error, so whatever supervises it (systemd, a container runtime) restarts
the pair.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

GUNICORN_CONFIG = Path(settings.BASE_DIR) / "linkwork" / "config" / "gunicorn.conf.py"
STOP_WAIT_SECONDS = 40


class Command(BaseCommand):
    help = (
        "Run Linkwork in production: check, migrate, collect static files, then serve with "
        "gunicorn and run the background worker beside it."
    )
    requires_system_checks = []  # run below, with --deploy, and fatal

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--task-workers",
            type=int,
            default=settings.TASK_WORKERS,
            help="Background worker processes to run beside the web server; 0 when they run "
            "elsewhere (default: TASK_WORKERS or 1).",
        )
        parser.add_argument(
            "--no-migrate",
            action="store_true",
            help="Do not apply migrations (when one instance of several applies them).",
        )

    def handle(self, *args, task_workers: int, no_migrate: bool, **options) -> None:
        if settings.DEBUG:
            raise CommandError(
                _("DEBUG is on: this is the production server. Use `make run` to develop.")
            )
        if task_workers < 0:
            raise CommandError(_("--task-workers must be 0 or more."))
        self._check_catalogues()
        call_command("check", deploy=True, fail_level="ERROR")
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=1)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Static files collected in {settings.STATIC_ROOT}")
        self._run(task_workers)

    def _check_catalogues(self) -> None:
        """The service runs in Welsh too: refuse to start without the compiled catalogue rather
        than serve English to someone who chose Welsh."""
        for code, _name in settings.LANGUAGES:
            if code == settings.LANGUAGE_CODE:
                continue
            compiled = [
                Path(path) / code / "LC_MESSAGES" / "django.mo" for path in settings.LOCALE_PATHS
            ]
            if not any(path.exists() for path in compiled):
                raise CommandError(
                    _(
                        "The %(language)s translations are not compiled. Run "
                        "`manage.py compilemessages` (make install does) and start again."
                    )
                    % {"language": code}
                )

    def _run(self, task_workers: int) -> None:
        environment = dict(os.environ)
        here = str(settings.BASE_DIR)
        children = [
            subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONFIG)],
                cwd=here,
                env=environment,
            )
        ]
        children += [
            subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "django", "linkwork_worker", "--no-reload"],
                cwd=here,
                env=environment,
            )
            for _i in range(task_workers)
        ]
        stopping = []

        def stop(signum, _frame) -> None:
            stopping.append(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.2)
        finally:
            ended = [child for child in children if child.poll() is not None]
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + STOP_WAIT_SECONDS
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
        if ended and not stopping:
            raise CommandError(
                _("A process ended on its own (exit code %(code)s): everything was stopped.")
                % {"code": ended[0].returncode}
            )

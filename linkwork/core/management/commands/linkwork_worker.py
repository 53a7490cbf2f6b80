"""The background worker: django-tasks-db's `db_worker`, plus a timer that queues the
reminder sweep every few minutes (django-tasks has no scheduler of its own).

The timer queues the sweep rather than running it, so the sweep runs in the worker's own loop,
one task at a time. Two workers mean two sweeps: harmless, since sweeps are idempotent.
"""

import logging
import os
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.compat import TASKS_LOGGER
from django_tasks_db.management.commands import db_worker

from linkwork.core.tasks import reminder_sweep

logger = logging.getLogger(__name__)


class SweepTimer(threading.Thread):
    """Queues the reminder sweep now, then every `minutes` minutes, until the process ends."""

    def __init__(self, minutes: float):
        super().__init__(name="reminder-sweep-timer", daemon=True)
        self.seconds = minutes * 60
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                reminder_sweep.enqueue()
            except Exception as error:  # a database blip must not end the timer
                logger.error("Could not queue the reminder sweep: %s", type(error).__name__)
            finally:
                connection.close()
            self.stopped.wait(self.seconds)


class Command(db_worker.Command):
    help = (
        "Run the background worker (sends messages to referrers, runs reminder sweeps) and "
        "queue the reminder sweep every --sweep-every minutes."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--sweep-every",
            type=float,
            default=settings.REMINDER_SWEEP_MINUTES,
            help="Minutes between reminder sweeps; 0 for none (default: %(default)s).",
        )

    def configure_logging(self, verbosity: int) -> None:
        # Linkwork's LOGGING already prints to the console: set how much, add no second handler.
        level = {0: logging.CRITICAL, 1: logging.INFO}.get(verbosity, logging.DEBUG)
        for name in (TASKS_LOGGER, "django_tasks_db"):
            logging.getLogger(name).setLevel(level)

    def handle(self, *args, sweep_every: float, **options) -> None:
        # With --reload the first process only watches files and restarts a child that does
        # the work: only that child (or a worker without --reload) runs the timer.
        watcher_only = options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if sweep_every > 0 and not watcher_only and not options["batch"]:
            SweepTimer(sweep_every).start()
        super().handle(*args, **options)

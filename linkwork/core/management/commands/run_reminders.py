"""Queue a reminder sweep for the worker, or run it here and now with --now (for cron)."""

from django.core.management.base import BaseCommand

from linkwork.core import sweeps
from linkwork.core.tasks import reminder_sweep


class Command(BaseCommand):
    help = "Queue the reminder sweep (reviews, end dates, unanswered links, unsent messages)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--now",
            action="store_true",
            help="Run the sweep in this process instead of queueing it for the worker.",
        )

    def handle(self, *args, now: bool, **options) -> None:
        if now:
            for name, done in sweeps.run_sweeps().items():
                self.stdout.write(f"{name}: {done}")
            return
        result = reminder_sweep.enqueue()
        self.stdout.write(f"Reminder sweep queued ({result.id}).")

"""The platform's background tasks, run by the database-backed worker
(`python manage.py linkwork_worker`, see docs/developer/background-tasks.md).

Each task takes only ids or text that is already meant to leave the system, never model
objects: its arguments are stored in the task queue.
"""

from django.tasks import task

from . import sweeps


@task
def reminder_sweep() -> dict[str, int | str]:
    """Run every registered sweep (reminders, chasing, unsent messages). Idempotent."""
    return sweeps.run_sweeps()

"""Background tasks, run by the database-backed worker (`python manage.py linkwork_worker`).

Each task takes only ids, never personal data: its arguments are stored in the task queue.
"""

from django.tasks import task

from . import referrer, sweeps


@task
def send_referrer_message(message_id: int) -> str:
    """Email one message to a referrer. Sends nothing if it has already gone."""
    return referrer.deliver(message_id)


@task
def reminder_sweep() -> dict[str, int | str]:
    """Run every registered sweep (reminders, chasing, unsent messages). Idempotent."""
    return sweeps.run_sweeps()

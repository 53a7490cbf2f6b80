"""Background tasks of messaging, run by the worker (`python manage.py linkwork_worker`).

Each task takes only ids, never personal data: its arguments are stored in the task queue.
"""

from django.tasks import task

from . import referrer


@task
def send_referrer_message(message_id: int) -> str:
    """Email one message to a referrer. Sends nothing if it has already gone."""
    return referrer.deliver(message_id)

"""The one way Linkwork sends email: `email_after_commit`, called from an action inside its
transaction, queues the `send_email` task once the transaction commits (so nothing is sent for a
change that was rolled back, and a slow mail server never holds up a page). The worker sends it.

Messages to referrers have their own task (`messaging.tasks.send_referrer_message`), because the
service keeps each of those messages and whether it went.

Email bodies and addresses are task arguments, so they sit in the task table until the sweep
below removes them, a day after they were sent. A failure is logged by the kind of error only:
an error's text can hold addresses.
"""

import datetime
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from .sweeps import register_sweep

logger = logging.getLogger(__name__)

#: How long a sent email's task (with its body and addresses) is kept.
KEEP_SENT_FOR = datetime.timedelta(days=1)

# Whether emails are queued at all; the demo loader holds them (see `emails_held`).
_emails_on: ContextVar[bool] = ContextVar("linkwork_emails", default=True)


@contextmanager
def emails_held() -> Iterator[None]:
    """Queue no email for the actions inside (the demo loader builds its story through the
    actions, and nobody in it should be emailed)."""
    token = _emails_on.set(False)
    try:
        yield
    finally:
        _emails_on.reset(token)


def messages_on() -> bool:
    """Whether emails and texts are being queued (not inside `emails_held`)."""
    return _emails_on.get()


@task
def send_email(*, subject: str, body: str, to: list[str]) -> str:
    """Send one plain-text email from the default address. Returns "sent" or "failed"."""
    try:
        EmailMessage(subject=subject, body=body, to=to).send()
    except Exception as error:  # the task must not store a traceback with the addresses in it
        logger.error("Could not send an email: %s", type(error).__name__)
        return "failed"
    return "sent"


def email_after_commit(*, to: Iterable[str], subject: str, body: str) -> None:
    """Queue an email to go once the current transaction commits. Nothing if no address."""
    recipients = [address for address in to if address]
    if not recipients or not _emails_on.get():
        return
    transaction.on_commit(
        partial(send_email.enqueue, subject=subject, body=body, to=recipients), robust=True
    )


def forget_finished(sending_task, now: datetime.datetime | None = None) -> int:
    """Remove the finished runs of a task that sends messages (their arguments hold addresses
    and words) a day after they ran. Returns how many went."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another task backend stores nothing
        return 0
    cutoff = (now or timezone.now()) - KEEP_SENT_FOR
    deleted, _ = DBTaskResult.objects.filter(
        task_path=sending_task.module_path, finished_at__lt=cutoff
    ).delete()
    return deleted


@register_sweep
def forget_sent_emails(now: datetime.datetime | None = None) -> int:
    """Remove finished email tasks, with their bodies and addresses, a day after they ran."""
    return forget_finished(send_email, now)

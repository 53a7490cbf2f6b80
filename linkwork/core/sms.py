"""The one way Linkwork sends a text message: `text_after_commit`, called from an action inside
its transaction, queues the `send_text` task once the transaction commits; the worker sends it
through the configured backend (`SMS_BACKEND`):

- `linkwork.core.sms.NotifyBackend`: GOV.UK Notify (`NOTIFY_API_KEY`, and `NOTIFY_SMS_TEMPLATE_ID`,
  a template whose whole text is `((message))`);
- `linkwork.core.sms.ConsoleBackend`: printed by the worker (development);
- `linkwork.core.sms.MemoryBackend`: kept in `MemoryBackend.outbox` (tests);
- empty: texts are off, and the pages that offer them do not.

Only to a UK mobile number (07..., or +44 7...), and only for someone who agreed to texts (the
caller checks). As with email, the number and the text are task arguments until the sweep
removes them a day after sending; a failure is logged by the kind of error only.
"""

import datetime
import logging
import re
import sys
from functools import partial

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils.module_loading import import_string

from .email import forget_finished, messages_on
from .sweeps import register_sweep

logger = logging.getLogger(__name__)

_UK_MOBILE = re.compile(r"07\d{9}")


def uk_digits(phone: str) -> str:
    """The digits of a phone number, with a UK +44 (or 0044) prefix written as 0."""
    digits = re.sub(r"\D", "", phone or "")
    if (phone or "").strip().startswith("+44") or digits.startswith("0044"):
        digits = "0" + digits.removeprefix("00").removeprefix("44").removeprefix("0")
    return digits


def uk_mobile(phone: str) -> str:
    """The number as 11 digits (07...) if it is a UK mobile number, else ""."""
    digits = uk_digits(phone)
    return digits if _UK_MOBILE.fullmatch(digits) else ""


class ConsoleBackend:
    def send(self, *, to: str, message: str, reference: str) -> None:
        sys.stdout.write(f"Text message to {to} ({reference}):\n{message}\n{'-' * 40}\n")
        sys.stdout.flush()


class MemoryBackend:
    outbox: list[dict] = []

    def send(self, *, to: str, message: str, reference: str) -> None:
        MemoryBackend.outbox.append({"to": to, "message": message, "reference": reference})


class NotifyBackend:
    def send(self, *, to: str, message: str, reference: str) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        client = NotificationsAPIClient(settings.NOTIFY_API_KEY)
        client.send_sms_notification(
            phone_number=to,
            template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
            personalisation={"message": message},
            reference=reference,
        )


def texts_on() -> bool:
    """Whether this installation can send text messages at all."""
    return bool(getattr(settings, "SMS_BACKEND", ""))


@task
def send_text(*, to: str, message: str, reference: str) -> str:
    """Send one text message. Returns "sent" or "failed"."""
    try:
        import_string(settings.SMS_BACKEND)().send(to=to, message=message, reference=reference)
    except Exception as error:  # the task must not store a traceback with the number in it
        logger.error("Could not send a text message: %s", type(error).__name__)
        return "failed"
    return "sent"


def text_after_commit(*, to: str, message: str, reference: str) -> bool:
    """Queue a text message to go once the current transaction commits. False (and nothing
    queued) when texts are off or the number is not a UK mobile number. `reference` names what
    the text is about without naming anyone (a link's id, say)."""
    number = uk_mobile(to)
    if not number or not texts_on():
        return False
    if messages_on():
        transaction.on_commit(
            partial(send_text.enqueue, to=number, message=message, reference=reference),
            robust=True,
        )
    return True


@register_sweep
def forget_sent_texts(now: datetime.datetime | None = None) -> int:
    """Remove finished text tasks, with their numbers and messages, a day after they ran."""
    return forget_finished(send_text, now)

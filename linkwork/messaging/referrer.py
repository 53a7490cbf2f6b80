"""Feedback to referrers: telling a referrer, in a few lines, what became of their referral.

`tell_referrer` answers the pathway's `referrer_news` signal (`linkwork.referrals.signals`),
sent inside their transaction by the actions that accept, decline, allocate and close a
referral. It writes the message (which the referrer then sees in Linkwork) and, once the
transaction commits, queues its email. `deliver` sends that email, at most once.

Only where the person agreed to feedback being shared with the referrer; never for a
self-referral (there is no referrer to tell).
"""

import logging
import re
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from linkwork.accounts.models import Role
from linkwork.audit import service as audit
from linkwork.audit.models import AuditAction
from linkwork.core.links import absolute_url
from linkwork.referrals.signals import referrer_news

from .models import ONCE_ONLY_EVENTS, Event, ReferrerMessage

logger = logging.getLogger(__name__)

# The keys a closure message reads from `extra` (see templates/messaging/email/closed.txt).
CLOSURE_KEYS = ("reason", "summary", "goals", "prescriptions", "contact_count", "weeks")


def recipient_for(referral) -> str:
    """The referrer's email address: the referring user's, else the contact recorded with the
    referral if it is an email address; empty if there is none."""
    user = referral.referred_by
    if user is not None and user.role == Role.REFERRER and user.is_active and user.email:
        return user.email
    contact = referral.referrer_contact.strip()
    try:
        validate_email(contact)
    except ValidationError:
        return ""
    return contact


def _subject(referral, event: Event) -> str:
    # No personal data in a subject line: it shows in inbox lists and mail server logs.
    subjects = {
        Event.ACCEPTED: _("Referral %(reference)s accepted"),
        Event.DECLINED: _("Referral %(reference)s not accepted"),
        Event.ALLOCATED: _("Referral %(reference)s: link coordinator allocated"),
        Event.CLOSED: _("Referral %(reference)s: support has ended"),
    }
    return subjects[event] % {"reference": referral.reference}


def _tidy(text: str) -> str:
    """Plain text from a template: no trailing spaces, at most one blank line in a row."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def render_message(referral, event: Event, extra: dict | None = None) -> tuple[str, str]:
    """The subject and plain-text body, in the site language (the referrer is a professional)."""
    extra = extra or {}
    context = {
        "referral": referral,
        "person": referral.person,
        "needs": referral.get_needs_display(),
        "service": referral.site,
        "link": _link_for(referral),
        "message": (extra.get("message") or "").strip(),
        **{key: extra.get(key) for key in CLOSURE_KEYS},
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = _subject(referral, event)
        body = render_to_string(f"messaging/email/{event}.txt", context)
    return subject, _tidy(body)


def _link_for(referral) -> str:
    """A link to the referral in Linkwork, for a referrer who has an account."""
    user = referral.referred_by
    if user is None or user.role != Role.REFERRER:
        return ""
    return absolute_url(reverse("referrals:detail", args=[referral.pk]))


@transaction.atomic
def tell_referrer(referral, event: str, *, by, extra: dict | None = None) -> ReferrerMessage | None:
    """Write the message to the referrer about `event` and queue its email after commit.

    Call it inside the action's transaction. Returns None, and records nothing, when there is
    no referrer (a self-referral), when the person did not consent to feedback being shared,
    or when the referrer has already been told of this once-only event (re-allocation).
    `extra`: "message" (the service's words to the referrer) for any event; for "closed",
    "reason", "summary", "goals" [(text, outcome)], "prescriptions" [(service, status)],
    "contact_count" and "weeks".
    """
    event = Event(event)
    if referral.referring_organisation_id is None or not referral.consent_to_share_feedback:
        return None
    if (
        event in ONCE_ONLY_EVENTS
        and ReferrerMessage.objects.filter(referral=referral, event=event).exists()
    ):
        return None
    subject, body = render_message(referral, event, extra)
    message = ReferrerMessage.objects.create(
        referral=referral,
        event=event,
        subject=subject,
        body=body,
        recipient_email=recipient_for(referral),
        created_by=by if by is not None and by.is_authenticated else None,
    )
    audit.record(
        by=by,
        action=AuditAction.CREATE,
        obj=message,
        person_id=referral.person_id,
        detail=f"message to referrer: {event}",
    )
    if message.recipient_email:
        from .tasks import send_referrer_message

        # After commit, so the worker never looks for a message that was rolled back. If the
        # enqueue itself fails, the retry sweep sends it later.
        transaction.on_commit(partial(send_referrer_message.enqueue, message.pk), robust=True)
    return message


def deliver(message_id: int) -> str:
    """Email one message to the referrer, unless it has already gone. Returns what happened.

    Locks the message row while sending, so a retry sweep and a queued send cannot both send
    it (on PostgreSQL; SQLite runs one worker at a time). A failure keeps the message, marks it
    and records the kind of error only: exception text can hold the recipient's address.
    """
    with transaction.atomic():
        message = (
            ReferrerMessage.objects.select_for_update()
            .select_related("referral")
            .filter(pk=message_id)
            .first()
        )
        if message is None:
            return "missing"
        if message.sent_at is not None:
            return "already sent"
        if not message.recipient_email:
            return "no address"
        message.attempts += 1
        try:
            EmailMessage(
                subject=message.subject,
                body=message.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[message.recipient_email],
            ).send()
        except Exception as error:  # any failure of the mail server
            message.failed_at = timezone.now()
            message.error = type(error).__name__[:100]
            message.save(update_fields=["attempts", "failed_at", "error"])
            logger.warning(
                "Message %s to a referrer not sent (attempt %s): %s",
                message.pk,
                message.attempts,
                message.error,
            )
            return "failed"
        message.sent_at = timezone.now()
        message.error = ""
        message.save(update_fields=["attempts", "sent_at", "error"])
        audit.record(
            by=None,
            action=AuditAction.CHANGE,
            obj=message,
            person_id=message.referral.person_id,
            fields=["sent_at"],
            detail="emailed to referrer",
        )
    return "sent"


def _on_referrer_news(sender, *, referral, event, by, extra=None, **kwargs) -> None:
    tell_referrer(referral, event, by=by, extra=extra)


def listen() -> None:
    """Write a message to the referrer at each moment the pathway announces (see
    `linkwork.referrals.signals`)."""
    referrer_news.connect(_on_referrer_news, dispatch_uid="messaging.tell_referrer")

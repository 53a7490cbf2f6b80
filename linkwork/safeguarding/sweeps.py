"""Chasing escalations nobody has answered, run by the background worker's sweep.

When an escalation passes its response-due date unanswered, the person's link coordinator (now,
or the last one) and every manager at the site get one email saying so. The email carries the
concern's reference and a link, never a name. A chase that sets a new due date starts the clock
again: if that date passes too, they are told again (one `EscalationReminder` per due date).

The escalation itself is already on the coordinator's home page and the managers' list from the
day after it was due; the email makes sure someone looks.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from linkwork.core.email import email_after_commit
from linkwork.core.links import absolute_url
from linkwork.core.sweeps import register_sweep

from .models import Escalation, EscalationReminder
from .notify import responsible_staff


@register_sweep
def chase_overdue_escalations(today: datetime.date | None = None) -> int:
    """Tell the coordinator and managers about each escalation newly past its due date.
    Returns how many escalations they were told about."""
    today = today or timezone.localdate()
    overdue = Escalation.objects.filter(
        responded_at__isnull=True, response_due__lt=today
    ).select_related("concern__referral", "by")
    told = 0
    for escalation in overdue:
        try:
            with transaction.atomic():
                EscalationReminder.objects.create(
                    escalation=escalation, due=escalation.response_due
                )
                recipients = responsible_staff(escalation.concern.referral, fallback=escalation.by)
                if recipients:
                    with translation.override(settings.LANGUAGE_CODE):
                        url = absolute_url(
                            reverse("safeguarding:concern", args=[escalation.concern_id])
                        )
                        body = render_to_string(
                            "safeguarding/email/escalation_overdue.txt",
                            {
                                "escalation": escalation,
                                "reference": escalation.concern.reference,
                                "days": (today - escalation.response_due).days,
                                "url": url,
                            },
                        )
                        subject = _("Linkwork: a safeguarding escalation has not been answered")
                    email_after_commit(to=recipients, subject=subject, body=body)
        except IntegrityError:
            continue  # already told about this due date (another worker got there first)
        told += 1
    return told

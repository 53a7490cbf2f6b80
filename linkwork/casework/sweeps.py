"""Reminders for link coordinators, run by the background worker's sweep.

Once a day at most, each coordinator with something due gets an email saying how many reviews
are due, how many people end support soon or are past their planned end, who has had no
contact for two weeks, whose feedback is still to collect, how many outcome measures are due,
and how many safeguarding checks and overdue escalations are waiting. The email carries counts and a
link, never names: the details are on their home page.
"""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from linkwork.accounts.models import Role, User
from linkwork.core.email import email_after_commit
from linkwork.core.links import absolute_url
from linkwork.core.sweeps import register_sweep
from linkwork.referrals.status import ReferralStatus

from .models import CoordinatorReminder
from .queries import caseload_alerts

# Feedback is asked for in the two weeks after a case closes.
FEEDBACK_DUE_FOR = datetime.timedelta(days=14)


# Counts other parts of the service add to the reminder (outcome measures due, safeguarding
# checks...), by the key the email template (casework/email/reminder.txt) shows them under.
ReminderCount = Callable[[User, datetime.date], int]
_reminder_counts: dict[str, ReminderCount] = {}


def register_reminder_count(key: str, count: ReminderCount) -> None:
    """Add a count to each coordinator's daily reminder, from an app above casework."""
    _reminder_counts[key] = count


def reminders_due(coordinator: User, today: datetime.date) -> dict[str, int]:
    alerts = caseload_alerts(coordinator, today=today)
    feedback_due = (
        coordinator.allocations.filter(
            referral__status=ReferralStatus.CLOSED,
            referral__closures__reopened_at__isnull=True,
            referral__closures__closed_on__gte=today - FEEDBACK_DUE_FOR,
            referral__client_feedback__isnull=True,
        )
        .values("referral")
        .distinct()
        .count()
    )
    return {
        "reviews_due": len(alerts.reviews_due),
        "ending_soon": len(alerts.ending_soon),
        "past_planned_end": len(alerts.past_planned_end),
        "no_recent_contact": len(alerts.no_recent_contact),
        "feedback_due": feedback_due,
        **{key: count(coordinator, today) for key, count in _reminder_counts.items()},
    }


@register_sweep
def remind_coordinators(today: datetime.date | None = None) -> int:
    """Send each coordinator today's reminder, once. Returns how many were sent."""
    today = today or timezone.localdate()
    sent = 0
    coordinators = User.objects.filter(role=Role.COORDINATOR, is_active=True).exclude(email="")
    for coordinator in coordinators:
        counts = reminders_due(coordinator, today)
        if not any(counts.values()):
            continue
        with transaction.atomic():
            reminder, _created = CoordinatorReminder.objects.select_for_update().get_or_create(
                coordinator=coordinator, day=today, defaults={"counts": counts}
            )
            if reminder.sent_at is not None:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                body = render_to_string(
                    "casework/email/reminder.txt",
                    {
                        "coordinator": coordinator,
                        "counts": counts,
                        "url": absolute_url(reverse("home")),
                    },
                )
                subject = _("Linkwork: your caseload today")
            email_after_commit(to=[coordinator.email], subject=subject, body=body)
            reminder.sent_at = timezone.now()
            reminder.save(update_fields=["sent_at"])
        sent += 1
    return sent

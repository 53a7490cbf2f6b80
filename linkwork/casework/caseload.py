"""Casework's columns on the "My caseload" page (`referrals.caseload`): the last contact (and
whether it was too long ago), the next one booked, the weeks left of the plan, and the goals
(with a review due)."""

import datetime

from django.db.models import Max, Min
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from linkwork.referrals.caseload import Fact
from linkwork.referrals.models import Allocation, Referral

from .models import Contact, ContactOutcome, Goal, GoalStatus, SupportPlan
from .presenters import next_review_due, support_length
from .queries import gone_quiet


def last_contact(referrals: list[Referral], today: datetime.date) -> dict[int, Fact]:
    last = dict(
        Contact.objects.filter(referral__in=referrals, outcome=ContactOutcome.ATTENDED)
        .values("referral")
        .annotate(last=Max("at"))
        .values_list("referral", "last")
    )
    allocated = dict(
        Allocation.objects.filter(referral__in=referrals, ended_at__isnull=True).values_list(
            "referral", "started_at"
        )
    )
    now = timezone.now()
    facts = {}
    for referral in referrals:
        at = last.get(referral.pk)
        quiet = gone_quiet(at, allocated.get(referral.pk), now)
        colour = "yellow" if quiet else ""
        if at is None:
            facts[referral.pk] = Fact(_("None yet"), None, needs_action=quiet, colour=colour)
        else:
            text = date_format(timezone.localtime(at), "j M")
            facts[referral.pk] = Fact(text, at, needs_action=quiet, colour=colour)
    return facts


def next_contact(referrals: list[Referral], today: datetime.date) -> dict[int, Fact]:
    booked = (
        Contact.objects.filter(
            referral__in=referrals, outcome=ContactOutcome.BOOKED, at__gt=timezone.now()
        )
        .values("referral")
        .annotate(first=Min("at"))
        .values_list("referral", "first")
    )
    return {pk: Fact(date_format(timezone.localtime(at), "D j M, H:i"), at) for pk, at in booked}


def weeks_left(referrals: list[Referral], today: datetime.date) -> dict[int, Fact]:
    facts = {}
    for plan in SupportPlan.objects.filter(referral__in=referrals):
        length = support_length(plan=plan, first_allocated_at=None, closed_on=None, today=today)
        if length.past_planned_end:
            facts[plan.referral_id] = Fact(
                _("Past its end"), plan.ends_on, needs_action=True, colour="red"
            )
        else:
            weeks = length.weeks_left
            text = ngettext("%(n)s week", "%(n)s weeks", weeks) % {"n": weeks}
            facts[plan.referral_id] = Fact(text, plan.ends_on, needs_action=weeks < 2)
    return facts


def goals(referrals: list[Referral], today: datetime.date) -> dict[int, Fact]:
    active: dict[int, list] = {}
    for goal in Goal.objects.filter(referral__in=referrals, status=GoalStatus.ACTIVE).annotate(
        last_rated=Max("ratings__rated_on")
    ):
        active.setdefault(goal.referral_id, []).append((goal, goal.last_rated))
    facts = {}
    for pk, pairs in active.items():
        due = next_review_due(pairs)
        review = due is not None and due <= today
        text = ngettext("%(n)s goal", "%(n)s goals", len(pairs)) % {"n": len(pairs)}
        if review:
            text += ", " + _("review due")
        facts[pk] = Fact(text, due, needs_action=review, colour="yellow" if review else "")
    return facts

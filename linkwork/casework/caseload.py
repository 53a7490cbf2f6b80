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
from linkwork.referrals.models import Referral

from .models import Contact, ContactOutcome, Goal, GoalStatus, SupportPlan
from .presenters import next_review_due
from .queries import NO_CONTACT_FOR


def last_contact(referrals: list[Referral], today: datetime.date) -> dict[int, Fact]:
    last = dict(
        Contact.objects.filter(referral__in=referrals, outcome=ContactOutcome.ATTENDED)
        .values("referral")
        .annotate(last=Max("at"))
        .values_list("referral", "last")
    )
    quiet_since = timezone.now() - NO_CONTACT_FOR
    facts = {}
    for referral in referrals:
        at = last.get(referral.pk)
        if at is None:
            facts[referral.pk] = Fact(_("None yet"), None, needs_action=True, colour="yellow")
        else:
            facts[referral.pk] = Fact(
                date_format(timezone.localtime(at), "j M"),
                at,
                needs_action=at < quiet_since,
                colour="yellow" if at < quiet_since else "",
            )
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
        if plan.ends_on < today:
            facts[plan.referral_id] = Fact(
                _("Past its end"), plan.ends_on, needs_action=True, colour="red"
            )
        else:
            weeks = (plan.ends_on - today).days // 7
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

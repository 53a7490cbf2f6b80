"""The records a dashboard counts, for a scope and its filters, and the few facts about each that
need more than a column (when triage happened, when the first support contact was).

Every function returns a queryset, so a dashboard counts it with an aggregate and the records
page (`records.py`) lists the same rows: a figure and the list behind it cannot disagree.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth

from linkwork.casework.models import Contact, ContactOutcome
from linkwork.core.months import month_of
from linkwork.referrals.models import Allocation, InterimContact, Referral, StatusChange
from linkwork.referrals.status import TO_TRIAGE, ReferralStatus

from .filters import Filters
from .scope import Scope

S = ReferralStatus

# How a triaged referral ended up, from its status and dates: accepted (whatever came after),
# declined, redirected (declined as above the service's remit, to a named service), or still
# waiting for triage.
ACCEPTED = Q(accepted_at__isnull=False)
DECLINED = Q(status=S.DECLINED, redirected_to="")
REDIRECTED = Q(status=S.DECLINED) & ~Q(redirected_to="")
PENDING = Q(status__in=TO_TRIAGE)
DECISIONS = {"accepted": ACCEPTED, "declined": DECLINED, "redirected": REDIRECTED}


def referrals(scope: Scope, filters: Filters) -> QuerySet[Referral]:
    """Every referral the scope and the filters (other than the period) allow."""
    chosen = Referral.objects.filter(site__in=scope.site_ids)
    if filters.site is not None:
        chosen = chosen.filter(site=filters.site)
    if filters.pathway is not None:
        chosen = chosen.filter(pathway=filters.pathway)
    if filters.organisation is not None:
        chosen = chosen.filter(referring_organisation=filters.organisation)
    coordinator = scope.coordinator or filters.coordinator
    if coordinator is not None:
        chosen = chosen.filter(
            Exists(Allocation.objects.filter(referral=OuterRef("pk"), coordinator=coordinator))
        )
    return chosen


def received(scope: Scope, filters: Filters) -> QuerySet[Referral]:
    """Referrals received in the period."""
    return referrals(scope, filters).filter(
        received_at__gte=filters.start, received_at__lt=filters.end
    )


def with_triage(chosen: QuerySet[Referral]) -> QuerySet[Referral]:
    """`triaged_at`: the first decision on the referral (accepted, declined, or more
    information asked for), from its status history."""
    first = (
        StatusChange.objects.filter(referral=OuterRef("pk"), from_status=S.RECEIVED)
        .exclude(to_status=S.RECEIVED)
        .order_by()
        .values("referral")
        .annotate(first=Min("at"))
        .values("first")
    )
    return chosen.annotate(triaged_at=Subquery(first))


def accepted(scope: Scope, filters: Filters) -> QuerySet[Referral]:
    """Referrals accepted in the period."""
    return referrals(scope, filters).filter(
        accepted_at__gte=filters.start, accepted_at__lt=filters.end
    )


def with_first_contact(chosen: QuerySet[Referral]) -> QuerySet[Referral]:
    """`first_contact_at`: the first support contact that took place (attended)."""
    first = (
        Contact.objects.filter(referral=OuterRef("pk"), outcome=ContactOutcome.ATTENDED)
        .order_by()
        .values("referral")
        .annotate(first=Min("at"))
        .values("first")
    )
    return chosen.annotate(first_contact_at=Subquery(first))


def days_between(start: datetime.datetime, end: datetime.datetime) -> float:
    return max((end - start).total_seconds(), 0) / 86400


def waiting_changes(scope: Scope, filters: Filters) -> QuerySet[StatusChange]:
    """Every move onto or off the waiting list, for the scope's referrals."""
    return StatusChange.objects.filter(referral__in=referrals(scope, filters).values("pk")).filter(
        Q(to_status=S.WAITING) | Q(from_status=S.WAITING)
    )


def waiting_list_by_month(scope: Scope, filters: Filters) -> dict[datetime.date, int]:
    """How many were on the waiting list at the end of each month of the period: those who
    joined it before, less those who left it before. Two aggregate queries."""
    changes = waiting_changes(scope, filters).exclude(from_status=S.WAITING, to_status=S.WAITING)
    before = changes.filter(at__lt=filters.start).aggregate(
        joined=_count(Q(to_status=S.WAITING)), left=_count(Q(from_status=S.WAITING))
    )
    level = (before["joined"] or 0) - (before["left"] or 0)
    monthly = {
        month_of(row["month"]): row
        for row in changes.filter(at__gte=filters.start, at__lt=filters.end)
        .annotate(month=TruncMonth("at"))
        .order_by()
        .values("month")
        .annotate(joined=_count(Q(to_status=S.WAITING)), left=_count(Q(from_status=S.WAITING)))
    }
    levels = {}
    for month in filters.months:
        row = monthly.get(month, {})
        level += (row.get("joined") or 0) - (row.get("left") or 0)
        levels[month] = level
    return levels


def waiting_on(scope: Scope, filters: Filters, moment: datetime.datetime) -> QuerySet[Referral]:
    """The referrals on the waiting list at `moment`: their last move onto or off it before
    then put them on it."""
    last = (
        StatusChange.objects.filter(referral=OuterRef("pk"), at__lt=moment)
        .filter(Q(to_status=S.WAITING) | Q(from_status=S.WAITING))
        .order_by("-at", "-pk")
        .values("to_status")[:1]
    )
    return referrals(scope, filters).annotate(last_move=Subquery(last)).filter(last_move=S.WAITING)


def interim_contacts(scope: Scope, filters: Filters) -> QuerySet[InterimContact]:
    return InterimContact.objects.filter(
        referral__in=referrals(scope, filters).values("pk"),
        at__gte=filters.start,
        at__lt=filters.end,
    )


def waited_in_period(scope: Scope, filters: Filters) -> QuerySet[Referral]:
    """Referrals on the waiting list at some time in the period: on it when the period began,
    or joining it during the period."""
    joined = StatusChange.objects.filter(
        referral=OuterRef("pk"), to_status=S.WAITING, at__gte=filters.start, at__lt=filters.end
    )
    at_start = waiting_on(scope, filters, filters.start).values("pk")
    return referrals(scope, filters).filter(Q(pk__in=at_start) | Exists(joined))


def _count(condition: Q) -> Count:
    return Count("pk", filter=condition)

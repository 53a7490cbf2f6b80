"""The records a dashboard counts, for a scope and its filters, and the facts about them the
actions keep (triage times, stretches on the waiting list, first support contacts; decision
0015).

Every function returns a queryset, so a dashboard counts it with an aggregate and the records
page (`records.py`) lists the same rows: a figure and the list behind it cannot disagree.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth

from linkwork.core.months import month_of
from linkwork.referrals.models import Allocation, InterimContact, Referral, WaitingSpell
from linkwork.referrals.status import OPEN_STATUSES, TO_TRIAGE, ReferralStatus

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


def of_scope(rows: QuerySet, scope: Scope, filters: Filters, referral: str = "referral"):
    """Rows of a table that belong to referrals (contacts, measures, goals...), narrowed to
    the referrals the scope and the filters allow. When those are every referral there is
    (every site, no other filter), the rows are all of them: no join to the referrals."""
    if everything(scope, filters):
        return rows
    return rows.filter(**{f"{referral}__in": referrals(scope, filters).values("pk")})


def everything(scope: Scope, filters: Filters) -> bool:
    """Whether the scope and the filters allow every referral there is."""
    return scope.every_site and not (
        filters.site or filters.pathway or by_referral_only(scope, filters)
    )


def received(scope: Scope, filters: Filters) -> QuerySet[Referral]:
    """Referrals received in the period."""
    return referrals(scope, filters).filter(
        received_at__gte=filters.start, received_at__lt=filters.end
    )


def triaged(chosen: QuerySet[Referral]) -> QuerySet[Referral]:
    """Those of `chosen` triaged so far (`Referral.triaged_at`: the first decision, accepted,
    declined or more information asked for)."""
    return chosen.filter(triaged_at__isnull=False)


def accepted(scope: Scope, filters: Filters) -> QuerySet[Referral]:
    """Referrals accepted in the period."""
    return referrals(scope, filters).filter(
        accepted_at__gte=filters.start, accepted_at__lt=filters.end
    )


def with_first_contact(chosen: QuerySet[Referral]) -> QuerySet[Referral]:
    """`first_contact_at`: when the first support contact took place (attended), kept by the
    contact actions (`casework.FirstContact`)."""
    return chosen.annotate(first_contact_at=F("first_contact__at"))


def not_yet_seen(chosen: QuerySet[Referral]) -> QuerySet[Referral]:
    """Those of `chosen` still open (waiting or in support) with no support contact yet."""
    return with_first_contact(chosen).filter(
        first_contact_at__isnull=True, status__in=OPEN_STATUSES
    )


def narrowed(rows: QuerySet, scope: Scope, filters: Filters, referral: str | None = "referral"):
    """Rows of a table that records its site and pathway (waiting spells, daily contact
    counts), narrowed to the scope and the filters by those columns, with no join. Only when
    the reader or the filters choose by what the referral alone knows (referring organisation,
    link coordinator) are the rows narrowed through `referral`: None for a table without one,
    which cannot answer then."""
    if not scope.every_site:
        rows = rows.filter(site__in=scope.site_ids)
    if filters.site is not None:
        rows = rows.filter(site=filters.site)
    if filters.pathway is not None:
        rows = rows.filter(pathway=filters.pathway)
    if by_referral_only(scope, filters):
        if referral is None:
            raise ValueError("these rows cannot be chosen by organisation or coordinator")
        rows = rows.filter(**{f"{referral}__in": referrals(scope, filters).values("pk")})
    return rows


def by_referral_only(scope: Scope, filters: Filters) -> bool:
    """Whether the reader or the filters choose by referring organisation or coordinator."""
    return bool(scope.coordinator or filters.coordinator or filters.organisation)


def spells(scope: Scope, filters: Filters) -> QuerySet[WaitingSpell]:
    """The scope's stretches on the waiting list."""
    return narrowed(WaitingSpell.objects.all(), scope, filters)


def waited_counts(scope: Scope, filters: Filters) -> tuple[int, int]:
    """How many were on the waiting list at some time in the period, and how many of them had
    a call while waiting in it: the counts of `waited_in_period` and `supported_while_waiting`,
    from the spells."""
    in_period = (
        spells(scope, filters).filter(WaitingSpell.waiting(filters.start, filters.end)).order_by()
    )
    calls = InterimContact.objects.filter(
        referral=OuterRef("referral"), at__gte=filters.start, at__lt=filters.end
    )
    counts = in_period.aggregate(
        waited=Count("referral", distinct=True),
        supported=Count("referral", distinct=True, filter=Exists(calls)),
    )
    return counts["waited"], counts["supported"]


def waiting_list_by_month(scope: Scope, filters: Filters) -> dict[datetime.date, int]:
    """How many were on the waiting list at the end of each month of the period: those who
    joined it before, less those who left it before. Three aggregate queries."""
    chosen = spells(scope, filters).order_by()
    before = chosen.filter(joined_at__lt=filters.start).aggregate(
        joined=Count("pk"), left=Count("pk", filter=Q(left_at__lt=filters.start))
    )
    level = before["joined"] - before["left"]
    joined = _per_month(chosen, "joined_at", filters)
    left = _per_month(chosen, "left_at", filters)
    levels = {}
    for month in filters.months:
        level += joined.get(month, 0) - left.get(month, 0)
        levels[month] = level
    return levels


def _per_month(chosen: QuerySet, field: str, filters: Filters) -> dict[datetime.date, int]:
    rows = (
        chosen.filter(**{f"{field}__gte": filters.start, f"{field}__lt": filters.end})
        .annotate(month=TruncMonth(field))
        .values("month")
        .annotate(n=Count("pk"))
    )
    return {month_of(row["month"]): row["n"] for row in rows}


def waiting_on(scope: Scope, filters: Filters, moment: datetime.datetime) -> QuerySet[Referral]:
    """The referrals on the waiting list at `moment`: they had joined it before then, and had
    not left it before then."""
    on_list = WaitingSpell.objects.filter(WaitingSpell.waiting(moment), referral=OuterRef("pk"))
    return referrals(scope, filters).filter(Exists(on_list))


def interim_contacts(scope: Scope, filters: Filters) -> QuerySet[InterimContact]:
    return of_scope(
        InterimContact.objects.filter(at__gte=filters.start, at__lt=filters.end), scope, filters
    )


def waited_in_period(scope: Scope, filters: Filters) -> QuerySet[Referral]:
    """Referrals on the waiting list at some time in the period: on it when the period began,
    or joining it during the period."""
    spell = WaitingSpell.objects.filter(
        WaitingSpell.waiting(filters.start, filters.end), referral=OuterRef("pk")
    )
    return referrals(scope, filters).filter(Exists(spell))


def supported_while_waiting(scope: Scope, filters: Filters) -> QuerySet[Referral]:
    """Those on the waiting list in the period who had a call while waiting in it."""
    calls = InterimContact.objects.filter(
        referral=OuterRef("pk"), at__gte=filters.start, at__lt=filters.end
    )
    return waited_in_period(scope, filters).filter(Exists(calls))

"""Scoped reads of safeguarding: whose safeguarding a user follows, open checks, active flags,
concerns, and escalations awaiting a response; and, for the pages, one concern, escalation, flag
or check that the user has a permission on (404 otherwise).

Safeguarding records hang off a referral, and the rules (`accounts.permissions`) are checked on
that referral: `concern_for(user, pk, permission)` and friends look the record up, then
`require(user, permission, record.referral)`, which answers 404 for a referral outside the
user's sites, as `referrals.queries.referral_for` does for the referral itself.
"""

import datetime

from django.db.models import Count, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from linkwork.accounts.models import Role
from linkwork.accounts.permissions import Permission, site_ids_of
from linkwork.audit.refusals import require_or_refuse, visible_or_404
from linkwork.core.memo import remembered
from linkwork.referrals.models import Allocation, Referral
from linkwork.referrals.queries import referrals_for
from linkwork.referrals.status import ReferralStatus

from .models import (
    Escalation,
    EscalationChase,
    RiskFlag,
    SafeguardingConcern,
    SafeguardingPrompt,
)


def active_flags(person_id: int) -> QuerySet[RiskFlag]:
    return RiskFlag.objects.filter(person_id=person_id, ended_at__isnull=True).select_related(
        "raised_by"
    )


def person_safeguarding_now(user, referral: Referral) -> tuple[list[RiskFlag], list]:
    """The person's active risk flags (with the referral and site each was raised under),
    newest first, and the item 9 checks still open at the user's sites (`open_person_prompts`):
    read once for a page, whose alerts and safeguarding panel both show them."""
    return remembered(
        referral,
        ("safeguarding_now", user.pk),
        lambda: (
            list(
                active_flags(referral.person_id)
                .select_related("referral__site")
                .order_by("-raised_at", "-pk")
            ),
            list(open_person_prompts(user, referral)),
        ),
    )


def safeguarding_referrals_for(user) -> QuerySet[Referral]:
    """Whose safeguarding a user follows: a manager, everyone at their sites; a coordinator,
    the people they support now, the closed cases they supported, and anyone they raised a
    concern about.

    The coordinator's scope is three uncorrelated subqueries (their allocations, their
    concerns), so the database reads those once rather than once per referral at the site.
    """
    visible = referrals_for(user)
    if user.role == Role.COORDINATOR:
        current = Allocation.objects.filter(coordinator=user, ended_at=None).values("referral_id")
        ever = Allocation.objects.filter(coordinator=user).values("referral_id")
        raised = SafeguardingConcern.objects.filter(raised_by=user).values("referral_id")
        visible = visible.filter(
            Q(pk__in=current) | Q(pk__in=ever, status=ReferralStatus.CLOSED) | Q(pk__in=raised)
        )
    elif user.role != Role.MANAGER:
        return visible.none()
    return visible


def open_prompts_for(user) -> QuerySet[SafeguardingPrompt]:
    """Open item 9 checks on the user's own list (home page, Safeguarding list, daily reminder):
    those about people whose safeguarding they follow (`safeguarding_referrals_for`).

    Deliberately narrower than `open_person_prompts`: a list says what is *yours* to act on,
    while a page about one person warns anyone at that site who opens it (see decision 0007).
    """
    return (
        SafeguardingPrompt.objects.filter(
            handled_at__isnull=True, referral__in=safeguarding_referrals_for(user)
        )
        .select_related("referral__person", "measure")
        .order_by("raised_at")
    )


def open_escalations_for(user) -> QuerySet[Escalation]:
    """Escalations awaiting a response, oldest first, with how often each was chased."""
    chases = (
        EscalationChase.objects.filter(escalation=OuterRef("pk")).order_by().values("escalation")
    )
    return (
        Escalation.objects.filter(
            responded_at__isnull=True,
            concern__referral__in=safeguarding_referrals_for(user),
        )
        .select_related("concern__referral__person", "concern__referral__site", "by")
        # Counted by subqueries: a join and GROUP BY would group on every column of the five
        # tables selected.
        .annotate(
            chase_count=Coalesce(Subquery(chases.annotate(n=Count("pk")).values("n")), 0),
            last_chased=Subquery(chases.annotate(last=Max("at")).values("last")),
        )
        .order_by("at", "pk")
    )


def escalations_awaiting_response_for(referral: Referral) -> QuerySet[Escalation]:
    """The person's escalations still awaiting a response, oldest first."""
    return Escalation.objects.filter(
        concern__referral=referral, responded_at__isnull=True
    ).order_by("at", "pk")


def overdue_escalations_for(user, *, today: datetime.date | None = None):
    today = today or timezone.localdate()
    return open_escalations_for(user).filter(response_due__lt=today)


def concerns_for(referral: Referral) -> QuerySet[SafeguardingConcern]:
    return referral.safeguarding_concerns.select_related("raised_by", "closed_by").prefetch_related(
        Prefetch(
            "escalations",
            queryset=Escalation.objects.select_related("by", "response_recorded_by")
            .prefetch_related("chases__by")
            .order_by("at", "pk"),
        )
    )


# --- One record, for a page about it ------------------------------------------------------------
# Each answers 404 for a record outside the user's scope or that does not exist, and the audit
# log keeps the refusal (`audit.refusals`).


def _require(user, permission: Permission, asked_for, referral: Referral) -> None:
    require_or_refuse(user, permission, referral, person_id=referral.person_id, asked_for=asked_for)


def concern_for(user, pk: int, permission: Permission) -> SafeguardingConcern:
    """The concern `pk`, with its person, site and who raised and closed it, if the user has
    `permission` on its referral; otherwise 404."""
    concern = visible_or_404(
        SafeguardingConcern.objects.select_related(
            "referral__person", "referral__site", "raised_by", "closed_by"
        ),
        pk=pk,
        person="referral__person_id",
    )
    _require(user, permission, concern, concern.referral)
    return concern


def escalation_for(user, pk: int, permission: Permission) -> Escalation:
    """The escalation `pk`, with its concern's person and site, if the user has `permission` on
    the concern's referral; otherwise 404."""
    escalation = visible_or_404(
        Escalation.objects.select_related(
            "concern__referral__person", "concern__referral__site", "by"
        ),
        pk=pk,
        person="concern__referral__person_id",
    )
    _require(user, permission, escalation, escalation.concern.referral)
    return escalation


def prompt_for(user, pk: int, permission: Permission) -> SafeguardingPrompt:
    """The item 9 check `pk`, with its person, site, measure, who handled it and any concern
    raised, if the user has `permission` on its referral; otherwise 404."""
    prompt = visible_or_404(
        SafeguardingPrompt.objects.select_related(
            "referral__person", "referral__site", "measure", "handled_by", "concern"
        ),
        pk=pk,
        person="referral__person_id",
    )
    _require(user, permission, prompt, prompt.referral)
    return prompt


def flag_for(user, pk: int, permission: Permission, *, person_id: int) -> RiskFlag:
    """The risk flag `pk` on this person, if the user has `permission` on the referral it was
    raised under; otherwise 404. A flag is on the person (it shows wherever they are known), but
    belongs to the site whose referral it was raised under."""
    flag = visible_or_404(
        RiskFlag.objects.select_related("raised_by", "referral"),
        pk=pk,
        person_id=person_id,
        person="person_id",
    )
    _require(user, permission, flag, flag.referral)
    return flag


# --- A person's safeguarding --------------------------------------------------------------------
# The caller has checked VIEW_SAFEGUARDING on `referral`: these read about the person it is for.


def flags_on(person_id: int) -> QuerySet[RiskFlag]:
    """Every risk flag on the person, from any site: active ones first, then newest first."""
    return (
        RiskFlag.objects.filter(person_id=person_id)
        .select_related("raised_by", "ended_by", "referral__site")
        .order_by(F("ended_at").asc(nulls_first=True), "-raised_at", "-pk")
    )


def has_active_flag(person_id: int, kind: str) -> bool:
    return RiskFlag.objects.filter(person_id=person_id, kind=kind, ended_at__isnull=True).exists()


def person_concerns(user, referral: Referral) -> QuerySet[SafeguardingConcern]:
    """Every concern about the person raised at the user's sites (under this referral or an
    earlier one), newest first, with their escalations oldest first. Three queries."""
    return (
        SafeguardingConcern.objects.filter(
            referral__person_id=referral.person_id, referral__site_id__in=site_ids_of(user)
        )
        .select_related("raised_by", "closed_by")
        .prefetch_related(
            Prefetch(
                "escalations",
                queryset=Escalation.objects.select_related("by").order_by("at", "pk"),
            )
        )
        .order_by("-raised_at", "-pk")
    )


def person_prompts(user, referral: Referral) -> QuerySet[SafeguardingPrompt]:
    """Every item 9 check on the person's referrals at the user's sites, newest first."""
    return (
        SafeguardingPrompt.objects.filter(
            referral__person_id=referral.person_id, referral__site_id__in=site_ids_of(user)
        )
        .select_related("measure", "handled_by", "concern")
        .order_by("-raised_at", "-pk")
    )


def open_person_prompts(user, referral: Referral) -> QuerySet[SafeguardingPrompt]:
    """Item 9 checks still open on the person's referrals at the user's sites (another site's
    are theirs to act on), oldest first, with their referral and measure: what a page about the
    person warns of, whoever at the site opens it (`open_prompts_for` is the user's own list)."""
    return (
        SafeguardingPrompt.objects.filter(
            referral__person_id=referral.person_id,
            referral__site_id__in=site_ids_of(user),
            handled_at__isnull=True,
        )
        .select_related("referral", "measure")
        .order_by("raised_at", "pk")
    )


def escalations_of(concern: SafeguardingConcern) -> QuerySet[Escalation]:
    """The concern's escalations, oldest first, with who made them, who recorded the response
    and each chase and who made it."""
    return (
        concern.escalations.select_related("by", "response_recorded_by")
        .prefetch_related(Prefetch("chases", queryset=EscalationChase.objects.select_related("by")))
        .order_by("at", "pk")
    )

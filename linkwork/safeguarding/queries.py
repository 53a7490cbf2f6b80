"""Scoped reads of safeguarding: whose safeguarding a user follows, open checks, active flags,
concerns, and escalations awaiting a response."""

import datetime

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from linkwork.accounts.models import Role
from linkwork.referrals.models import Allocation, Referral
from linkwork.referrals.queries import referrals_for
from linkwork.referrals.status import ReferralStatus

from .models import Escalation, RiskFlag, SafeguardingConcern, SafeguardingPrompt


def active_flags(person_id: int) -> QuerySet[RiskFlag]:
    return RiskFlag.objects.filter(person_id=person_id, ended_at__isnull=True).select_related(
        "raised_by"
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
    return (
        SafeguardingPrompt.objects.filter(
            handled_at__isnull=True, referral__in=safeguarding_referrals_for(user)
        )
        .select_related("referral__person", "measure")
        .order_by("raised_at")
    )


def open_escalations_for(user) -> QuerySet[Escalation]:
    """Escalations awaiting a response, oldest first, with how often each was chased."""
    return (
        Escalation.objects.filter(
            responded_at__isnull=True,
            concern__referral__in=safeguarding_referrals_for(user),
        )
        .select_related("concern__referral__person", "concern__referral__site", "by")
        .annotate(chase_count=Count("chases"), last_chased=Max("chases__at"))
        .order_by("at", "pk")
    )


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

"""Scoped reads for casework: who a user may see in support, and a person's whole record."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from linkwork.accounts.models import Role
from linkwork.core.days import start_of_day
from linkwork.core.signed_links import hash_token
from linkwork.referrals.models import Allocation, Referral
from linkwork.referrals.queries import referral_for, referrals_for
from linkwork.referrals.status import ReferralStatus

from .models import (
    Contact,
    ContactNoteCorrection,
    ContactOutcome,
    DiaryFeed,
    Goal,
    GoalRating,
    GoalStatus,
    SupportPlan,
)
from .presenters import next_review_due

IN_SUPPORT = (ReferralStatus.ALLOCATED, ReferralStatus.CLOSED)
# "No contact" means none in this long (goal reviews: `presenters.REVIEW_EVERY`).
NO_CONTACT_FOR = datetime.timedelta(days=14)
ENDING_WITHIN = datetime.timedelta(days=14)


def people_in_support_for(user) -> QuerySet[Referral]:
    """People in (or after) support the user may see: a coordinator's own, a manager's sites'."""
    visible = referrals_for(user).filter(status__in=IN_SUPPORT)
    if user.role == Role.COORDINATOR:
        visible = visible.filter(
            Exists(Allocation.objects.filter(referral=OuterRef("pk"), coordinator=user))
        )
    return visible


def people_list_for(user, *, statuses) -> QuerySet[Referral]:
    """The "People in support" list: people the user may see with one of these statuses, by
    name, each with their support plan and `allocation_list` (their allocations, newest first,
    with the coordinator)."""
    return (
        people_in_support_for(user)
        .filter(status__in=statuses)
        .select_related("support_plan")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=Allocation.objects.select_related("coordinator").order_by("-started_at"),
                to_attr="allocation_list",
            )
        )
        .order_by("person__family_name", "person__given_name", "pk")
    )


def plan_of(referral: Referral) -> SupportPlan | None:
    """The person's support plan, if one is set."""
    return SupportPlan.objects.filter(referral=referral).first()


def replaced_goal(goal: Goal) -> Goal | None:
    """The goal this one replaced (when a goal is changed, the new one replaces it), if any."""
    return Goal.objects.filter(replaced_by=goal).first()


def goals_with_progress(referral: Referral) -> QuerySet[Goal]:
    return referral.goals.prefetch_related(
        Prefetch("ratings", queryset=GoalRating.objects.order_by("rated_on", "pk")),
        "steps",
    ).select_related("replaced_by")


@dataclass
class CaseloadAlerts:
    """What a coordinator's home page asks them to look at."""

    reviews_due: list = field(default_factory=list)
    ending_soon: list = field(default_factory=list)
    past_planned_end: list = field(default_factory=list)
    no_recent_contact: list = field(default_factory=list)


def gone_quiet(last_contact, allocated_at, now: datetime.datetime) -> bool:
    """No contact attended for `NO_CONTACT_FOR`, counting from the allocation when there has
    been none: the one rule for "no contact for 14 days", wherever it is shown."""
    since = last_contact or allocated_at
    return since is not None and since <= now - NO_CONTACT_FOR


def caseload_alerts(coordinator, *, today: datetime.date | None = None) -> CaseloadAlerts:
    """Reviews due, support ending in two weeks or already past its end, and silence.

    A goal is due a review when it has not been rated for four weeks (counting from when it
    was set). Silence counts attended contacts, from when the person was allocated.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    active_goals = Goal.objects.filter(status=GoalStatus.ACTIVE).annotate(
        last_rated=Max("ratings__rated_on")
    )
    caseload = (
        Referral.objects.filter(
            status=ReferralStatus.ALLOCATED,
            allocations__coordinator=coordinator,
            allocations__ended_at__isnull=True,
        )
        .select_related("person", "support_plan")
        .annotate(
            last_contact=Max("contacts__at", filter=Q(contacts__outcome="attended")),
            allocated_at=Max("allocations__started_at", filter=Q(allocations__ended_at=None)),
        )
        .prefetch_related(Prefetch("goals", queryset=active_goals, to_attr="active_goals"))
        .order_by("person__family_name", "person__given_name")
    )
    alerts = CaseloadAlerts()
    for referral in caseload:
        plan: SupportPlan | None = getattr(referral, "support_plan", None)
        if plan is not None:
            if plan.ends_on < today:
                alerts.past_planned_end.append(referral)
            elif plan.ends_on <= today + ENDING_WITHIN:
                alerts.ending_soon.append(referral)
        rated = [goal.last_rated for goal in referral.active_goals if goal.last_rated]
        referral.last_review = max(rated) if rated else None  # for "last reviewed …"
        due = next_review_due((goal, goal.last_rated) for goal in referral.active_goals)
        if due is not None and due <= today:
            alerts.reviews_due.append(referral)
        if gone_quiet(referral.last_contact, referral.allocated_at, now):
            alerts.no_recent_contact.append(referral)
    return alerts


def contacts_for(referral: Referral) -> QuerySet[Contact]:
    """The referral's contacts, each with its note's corrections (oldest first)."""
    return referral.contacts.select_related("by").prefetch_related(
        Prefetch(
            "corrections",
            queryset=ContactNoteCorrection.objects.select_related("by").order_by("at", "pk"),
        )
    )


def person_in_support_for(user, pk: int, permission) -> Referral:
    """The referral of someone in support (or whose support has closed) that the user may see,
    with `permission` on it: `referrals.queries.referral_for` narrowed to people in support.
    404 otherwise, as every page about a person."""
    return referral_for(user, pk, permission, scope=people_in_support_for)


# --- the diary ----------------------------------------------------------------------------------

#: How far the calendar feed reaches: the last two weeks (to see what is still to record) and
#: the next thirteen.
FEED_BEFORE = datetime.timedelta(days=14)
FEED_AFTER = datetime.timedelta(days=91)


def booked_contacts_of(coordinator) -> QuerySet[Contact]:
    """Booked contacts (still to happen, or happened with nothing yet recorded) of the people on
    the coordinator's caseload now, soonest first, with the person."""
    return (
        Contact.objects.filter(
            outcome=ContactOutcome.BOOKED,
            referral__status=ReferralStatus.ALLOCATED,
            referral__allocations__coordinator=coordinator,
            referral__allocations__ended_at__isnull=True,
        )
        .select_related("referral__person")
        .order_by("at", "pk")
    )


@dataclass
class DiaryDay:
    day: datetime.date
    contacts: list[Contact]


def diary_week(coordinator, monday: datetime.date) -> list[DiaryDay]:
    """The coordinator's booked contacts day by day, Monday to Sunday of one week."""
    start = start_of_day(monday)
    end = start_of_day(monday + datetime.timedelta(days=7))
    days = {monday + datetime.timedelta(days=n): [] for n in range(7)}
    for contact in booked_contacts_of(coordinator).filter(at__gte=start, at__lt=end):
        days[timezone.localtime(contact.at).date()].append(contact)
    return [DiaryDay(day, contacts) for day, contacts in days.items()]


@dataclass
class DiarySummary:
    """The home page's diary: today's booked contacts, the rest of this week's, and those
    whose time has passed with what happened not yet recorded."""

    today: list[Contact] = field(default_factory=list)
    this_week: list[Contact] = field(default_factory=list)
    to_record: list[Contact] = field(default_factory=list)


def diary_summary(coordinator, *, now: datetime.datetime | None = None) -> DiarySummary:
    now = now or timezone.now()
    today = timezone.localdate(now)
    tomorrow = start_of_day(today + datetime.timedelta(days=1))
    next_monday = start_of_day(today + datetime.timedelta(days=7 - today.weekday()))
    summary = DiarySummary()
    booked = booked_contacts_of(coordinator).filter(at__lt=max(next_monday, tomorrow))
    for contact in booked:
        if contact.at < now and timezone.localtime(contact.at).date() < today:
            summary.to_record.append(contact)
        elif contact.at < tomorrow:
            summary.today.append(contact)
        else:
            summary.this_week.append(contact)
    return summary


def feed_contacts(coordinator, *, now: datetime.datetime | None = None) -> QuerySet[Contact]:
    """What the coordinator's calendar feed lists: references and times only (the view reads
    nothing else)."""
    now = now or timezone.now()
    return (
        booked_contacts_of(coordinator)
        .filter(at__gte=now - FEED_BEFORE, at__lt=now + FEED_AFTER)
        .select_related(None)
        .only("at", "minutes", "mode", "referral_id")
    )


def live_diary_feed(user) -> DiaryFeed | None:
    return DiaryFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def diary_feed_from(token: str) -> DiaryFeed | None:
    """The live feed whose address holds `token`, with its owner; None for any other."""
    return (
        DiaryFeed.objects.filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .select_related("user")
        .filter(user__is_active=True)
        .first()
    )

"""What the person's record and the coordinator's home page show about casework, worked out once,
outside views and templates: when goals are due a review, how far through their support someone
is, which contacts are still to come.

One rule for goal reviews serves both pages: a goal is due a review four weeks (`REVIEW_EVERY`)
after it was last rated, or after it was set if it has not been rated yet; the person's next
review is the soonest of their active goals'.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from .models import ContactOutcome

REVIEW_EVERY = datetime.timedelta(days=28)


def review_due_on(goal, last_rated: datetime.date | None) -> datetime.date:
    """When `goal` is due its next review, given the date it was last rated (None: never)."""
    return (last_rated or goal.started_on) + REVIEW_EVERY


def next_review_due(goals_and_ratings) -> datetime.date | None:
    """The soonest review due among (active goal, last rated) pairs; None without any."""
    due = [review_due_on(goal, last_rated) for goal, last_rated in goals_and_ratings]
    return min(due) if due else None


def goals_for_record(goals) -> list:
    """Each goal (with `ratings` and `steps` prefetched, ratings oldest first) with its latest
    rating, how many of its steps are done and how many there are."""
    shown = list(goals)
    for goal in shown:
        ratings = list(goal.ratings.all())
        goal.latest_rating = ratings[-1] if ratings else None
        steps = list(goal.steps.all())
        goal.steps_done = sum(1 for step in steps if step.done_on)
        goal.step_count = len(steps)
    return shown


def next_review_on_record(goals, *, closed: bool) -> datetime.date | None:
    """The next goal review on the record (goals from `goals_for_record`); none once closed."""
    if closed:
        return None
    return next_review_due(
        (goal, goal.latest_rating.rated_on if goal.latest_rating else None)
        for goal in goals
        if goal.is_active
    )


@dataclass(frozen=True)
class SupportLength:
    """How long someone has been supported, and how long is left of the plan."""

    started: datetime.date | None
    weeks_in_support: int | None
    weeks_left: int | None
    past_planned_end: bool


def support_length(
    *, plan, first_allocated_at, closed_on: datetime.date | None, today: datetime.date
) -> SupportLength:
    """Support starts on the plan's start date, or else on the first allocation; it runs to the
    closure (or today). Weeks left count only while the plan's end is still ahead."""
    started = plan.starts_on if plan else None
    if started is None and first_allocated_at is not None:
        started = timezone.localdate(first_allocated_at)
    end = closed_on or today
    open_plan = plan is not None and closed_on is None
    return SupportLength(
        started=started,
        weeks_in_support=max((end - started).days, 0) // 7 if started else None,
        weeks_left=(plan.ends_on - today).days // 7
        if open_plan and plan.ends_on >= today
        else None,
        past_planned_end=bool(open_plan and plan.ends_on < today),
    )


def split_contacts(contacts, now: datetime.datetime) -> tuple[list, list]:
    """Contacts that happened (newest first, as given) and booked ones still to come (soonest
    first)."""
    happened, upcoming = [], []
    for contact in contacts:
        still_to_come = contact.outcome == ContactOutcome.BOOKED and contact.at > now
        (upcoming if still_to_come else happened).append(contact)
    return happened, sorted(upcoming, key=lambda c: c.at)


def last_attended(contacts):
    """The latest contact the person attended (contacts newest first, as the record has them)."""
    return next((c for c in contacts if c.outcome == ContactOutcome.ATTENDED), None)


def sessions_attended(contacts) -> int:
    return sum(1 for c in contacts if c.outcome == ContactOutcome.ATTENDED)

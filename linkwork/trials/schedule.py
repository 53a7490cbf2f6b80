"""When a randomised participant's trial measures are due, and which measure counts for which
time point: the one definition the person's record, the coordinator's home page, the CONSORT
diagram, the analysis and the export all use.

A time point `w` weeks after randomisation targets the randomisation date + w weeks. It opens
two weeks before the target and is due by two weeks after; after that it is overdue, and it is
missed four weeks later (as the service's own measures). A measure counts for the time point if
it is a current measure of the instrument completed inside [opens, missed], whatever the
service recorded it as (an end-of-support measure at 12 weeks is the 12-week trial measure too,
so nobody is asked the same questions twice); the one closest to the target wins. The baseline
is the current baseline measure, completed on or before the day of randomisation.

A participant who withdrew and agreed only to keeping what was collected has nothing counted
after the date they withdrew; one who asked for none of their data to be used has nothing
counted at all.

Each function takes a `Participant`, or a row read for a report with the fields it uses
(`randomised_at` or `randomised_day`, `withdrawn_on`, `data_kept`).
"""

import datetime
from typing import NamedTuple

from django.db.models import QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

# The service's own windows and states, so trial measures are due, overdue and missed exactly as
# the site's are.
from linkwork.outcomes.queries import (
    DONE,
    DUE,
    MISSED,
    MISSED_AFTER,
    NOT_YET,
    OVERDUE,
    WINDOW,
)

from .models import DataKept

OPENS_BEFORE = DUE_AFTER = WINDOW
STOPPED = "stopped"  # withdrew, no further follow-up


class Window(NamedTuple):
    """A time point's window (a tuple: reports make one per participant and time point)."""

    weeks: int
    target: datetime.date
    opens_on: datetime.date
    due_by: datetime.date
    missed_after: datetime.date

    def holds(self, day: datetime.date) -> bool:
        return self.opens_on <= day <= self.missed_after


def window(randomised_on: datetime.date, weeks: int) -> Window:
    target = randomised_on + datetime.timedelta(weeks=weeks)
    due_by = target + DUE_AFTER
    return Window(
        weeks=weeks,
        target=target,
        opens_on=target - OPENS_BEFORE,
        due_by=due_by,
        missed_after=due_by + MISSED_AFTER,
    )


def randomised_between(
    weeks: list[int], today: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """The first and last day of randomisation for which one of these time points can be
    collected today (its window open, due or overdue, not yet missed)."""
    earliest = today - datetime.timedelta(weeks=max(weeks)) - DUE_AFTER - MISSED_AFTER
    latest = today - datetime.timedelta(weeks=min(weeks)) + OPENS_BEFORE
    return earliest, latest


def randomised_on(participant) -> datetime.date:
    """The local day of randomisation. The reports' rows carry it already, worked out in the
    database (`with_randomised_day`); a participant object works it out once per moment (the
    CONSORT diagram asks for it three times each for thousands of people)."""
    day = getattr(participant, "randomised_day", None)
    if day is not None:
        return day
    at = participant.randomised_at
    known = participant.__dict__.get("_randomised_on")
    if known is None or known[0] != at:
        known = participant.__dict__["_randomised_on"] = (at, timezone.localdate(at))
    return known[1]


def with_randomised_day(participants: QuerySet) -> QuerySet:
    """The participants with `randomised_day`, the local day of randomisation (None before),
    for reports that read thousands of them as rows rather than objects."""
    return participants.annotate(
        randomised_day=TruncDate("randomised_at", tzinfo=timezone.get_current_timezone())
    )


def usable_until(participant) -> datetime.date | None:
    """The last day whose measures the trial may use (None: no limit)."""
    if participant.data_kept == DataKept.COLLECTED and participant.withdrawn_on:
        return participant.withdrawn_on
    return None


def uses_no_data(participant) -> bool:
    return participant.data_kept == DataKept.NONE


def baseline_measure(participant, measures: list, instrument: str):
    """The baseline that counts: current, of the instrument, on or before randomisation."""
    if uses_no_data(participant):
        return None
    day = randomised_on(participant)
    found = [
        m
        for m in measures
        if m.instrument == instrument and m.timepoint == "baseline" and m.completed_on <= day
    ]
    return max(found, key=lambda m: (m.completed_on, m.pk)) if found else None


def measure_for(
    participant, measures: list, instrument: str, weeks: int, win: Window | None = None
):
    """The measure that counts for the time point, or None. `win`: its window, if the caller
    has worked it out already."""
    if uses_no_data(participant):
        return None
    win = win or window(randomised_on(participant), weeks)
    until = usable_until(participant)
    found = [
        m
        for m in measures
        if m.instrument == instrument
        and m.timepoint != "baseline"
        and win.opens_on <= m.completed_on <= win.missed_after
        and (until is None or m.completed_on <= until)
    ]
    if not found:
        return None
    return min(found, key=lambda m: (abs((m.completed_on - win.target).days), m.pk))


def state(participant, measure, win: Window, today: datetime.date) -> str:
    if measure is not None:
        return DONE
    if participant.withdrawn_on is not None and participant.data_kept != DataKept.FOLLOW_UP:
        return STOPPED
    if today < win.opens_on:
        return NOT_YET
    if today <= win.due_by:
        return DUE
    if today <= win.missed_after:
        return OVERDUE
    return MISSED

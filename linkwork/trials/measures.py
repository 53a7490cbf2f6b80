"""A randomised participant's trial measures, as the service's measure schedule shows them.

When each is due and which measure counts for it is `schedule`'s to say; this module turns that
into the outcomes app's slots:

- `trial_slots` is registered with `linkwork.outcomes.schedules` (from `TrialsConfig.ready()`):
  for each randomised participant still followed up, each of the trial's instruments at each of
  its time points. The person's record, their coordinator's home page and the daily reminder
  count then show and chase them with the service's other measures, and a measure the service
  asks for at the same time (an end-of-support measure at 12 weeks) is asked for once.
- `participant_points` is the same for one participant, for their trial page, including the
  time points of someone who withdrew without further follow-up (shown as stopped).

A trial measure is recorded as a measure "during support" unless the service's schedule asks
for the instrument at the same time: then as that (`Point.recorded_as`). Someone randomised to
wait is not in support yet: their trial page records it (`views.enrolment.measure`), and the
managers' home page chases it (`queries.trial_measures_due_while_waiting`).
"""

import datetime
import functools
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from linkwork.outcomes.instruments import Instrument, get_instrument
from linkwork.outcomes.models import Measure, Timepoint
from linkwork.outcomes.queries import Slot, slots_for
from linkwork.referrals.status import ReferralStatus

from . import schedule
from .models import DataKept, Participant, ParticipantStatus, TrialTimepoint

SOURCE = "trials"


def label(weeks: int) -> str:
    """The time point, short, where the service shows a timepoint: "Trial: 12 weeks"."""
    return _label(weeks, get_language())


def counts_as(weeks: int) -> str:
    """The time point as a phrase: "the trial's 12-week measure"."""
    return _counts_as(weeks, get_language())


# Worked out once for each time point and language: a list of slots asks thousands of times.
@functools.lru_cache(maxsize=512)
def _label(weeks: int, _language: str | None) -> str:
    return ngettext("Trial: %(weeks)s week", "Trial: %(weeks)s weeks", weeks) % {"weeks": weeks}


@functools.lru_cache(maxsize=512)
def _counts_as(weeks: int, _language: str | None) -> str:
    return _("the trial's %(weeks)s-week measure") % {"weeks": weeks}


def participant_pk_of(slot: Slot) -> int:
    """The participant a trial slot is for (from its `key`, see `Point.key`)."""
    return int(slot.key.split(":", 1)[0])


def followed_up(participant: Participant) -> bool:
    """Randomised, and not withdrawn from further follow-up."""
    return participant.status == ParticipantStatus.RANDOMISED and (
        participant.withdrawn_on is None or participant.data_kept == DataKept.FOLLOW_UP
    )


@dataclass
class Point:
    """One of the trial's instruments at one time point, for one participant."""

    participant: Participant
    weeks: int
    instrument: Instrument
    window: schedule.Window
    state: str
    measure: Measure | None = None
    # The service's own slot that stands for this one (asked for at the same time), if any.
    service_slot: Slot | None = None

    @property
    def key(self) -> str:
        """The slot's `key`: which participant, time point and instrument."""
        return f"{self.participant.pk}:{self.weeks}:{self.instrument.code}"

    @property
    def collectable(self) -> bool:
        return self.state in (schedule.DUE, schedule.OVERDUE)

    @property
    def recorded_as(self) -> str:
        """The timepoint a measure collected for it now is recorded as."""
        return self.service_slot.timepoint if self.service_slot else Timepoint.REVIEW


def points_for(
    participant: Participant, weeks: list[int], measures: list[Measure], today: datetime.date
) -> list[Point]:
    """Each instrument at each time point, in order, and where it stands (`schedule`).
    `measures` are the person's current measures (at least those not at baseline)."""
    start = schedule.randomised_on(participant)
    points = []
    for week in sorted(weeks):
        window = schedule.window(start, week)
        for code in participant.trial.instruments:
            measure = schedule.measure_for(participant, measures, code, week, window)
            points.append(
                Point(
                    participant=participant,
                    weeks=week,
                    instrument=get_instrument(code),
                    window=window,
                    state=schedule.state(participant, measure, window, today),
                    measure=measure,
                )
            )
    return points


def _weeks_of(trial_ids) -> dict[int, list[int]]:
    weeks: dict[int, list[int]] = {}
    for trial_id, week in TrialTimepoint.objects.filter(trial_id__in=trial_ids).values_list(
        "trial_id", "weeks"
    ):
        weeks.setdefault(trial_id, []).append(week)
    return weeks


def _measures_of(referral_ids, instruments) -> dict[int, list[Measure]]:
    found: dict[int, list[Measure]] = {}
    for measure in Measure.objects.filter(
        referral_id__in=referral_ids, instrument__in=instruments, withdrawn_at__isnull=True
    ).exclude(timepoint=Timepoint.BASELINE):
        found.setdefault(measure.referral_id, []).append(measure)
    return found


def as_slot(point: Point, referral, words: tuple[str, str] | None = None) -> Slot:
    """The point as the service's slot. `words`: its `label` and `counts_as`, when the caller
    has them already (a list of slots asks thousands of times)."""
    window = point.window
    slot_label, slot_counts_as = words or (label(point.weeks), counts_as(point.weeks))
    return Slot(
        referral=referral,
        instrument=point.instrument,
        timepoint=Timepoint.REVIEW,
        state=point.state,
        opens_on=window.opens_on,
        due_by=window.due_by,
        missed_after=window.missed_after,
        measure=point.measure,
        label=slot_label,
        counts_as=slot_counts_as,
        source=SOURCE,
        key=point.key,
    )


SLOT_FIELDS = ("trial", "referral_id", "status", "randomised_at", "withdrawn_on", "data_kept")


def trial_slots(referrals: list, today: datetime.date) -> dict[int, list[Slot]]:
    """The trial measures of these referrals' participants still followed up, as slots, by
    referral pk: three queries (participants, time points, measures) however many referrals,
    one when none of them takes part."""
    by_pk = {referral.pk: referral for referral in referrals}
    # Of each participant and trial, only what the time points are worked out from.
    participants = list(
        schedule.with_randomised_day(
            Participant.objects.filter(
                referral_id__in=list(by_pk), status=ParticipantStatus.RANDOMISED
            )
        )
        .filter(Q(withdrawn_on__isnull=True) | Q(data_kept=DataKept.FOLLOW_UP))
        .select_related("trial")
        .only(*SLOT_FIELDS, "trial__instruments")
        .order_by("randomised_at", "pk")
    )
    if not participants:
        return {}
    weeks = _weeks_of({p.trial_id for p in participants})
    instruments = {code for p in participants for code in p.trial.instruments}
    measures = _measures_of({p.referral_id for p in participants}, instruments)
    words = {w: (label(w), counts_as(w)) for ws in weeks.values() for w in ws}
    slots: dict[int, list[Slot]] = {}
    for participant in participants:
        referral = by_pk[participant.referral_id]
        for point in points_for(
            participant,
            weeks.get(participant.trial_id, []),
            measures.get(participant.referral_id, []),
            today,
        ):
            slots.setdefault(referral.pk, []).append(as_slot(point, referral, words[point.weeks]))
    return slots


def participant_points(participant: Participant, today: datetime.date) -> list[Point]:
    """The participant's trial measures, for their trial page (nothing before randomisation).
    While they are in support (or after), each collectable one names the service's slot that
    stands for it, if the service asks for the instrument at the same time."""
    if participant.status != ParticipantStatus.RANDOMISED:
        return []
    referral = participant.referral
    weeks = _weeks_of([participant.trial_id]).get(participant.trial_id, [])
    measures = _measures_of([referral.pk], participant.trial.instruments).get(referral.pk, [])
    points = points_for(participant, weeks, measures, today)
    if followed_up(participant) and referral.status in (
        ReferralStatus.ALLOCATED,
        ReferralStatus.CLOSED,
    ):
        hosts = {
            extra.key: slot
            for slot in slots_for([referral], today=today).get(referral.pk, [])
            for extra in slot.also_for
            if extra.source == SOURCE
        }
        for point in points:
            point.service_slot = hosts.get(point.key)
    return points

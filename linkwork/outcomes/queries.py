"""Scoped reads: which measures are due when, and a person's scores over time with reliable
change.

When a measure is due, for a timepoint an instrument is scheduled at by the person's site:

- baseline: from allocation, due by the first attended session or two weeks after allocation,
  whichever comes first ("before or at the first session");
- end of support: from two weeks before the planned end, due by the planned end; once support
  has closed, due within two weeks of closing;
- follow-up: from two weeks before, due by two weeks after the site's follow-up date (by default
  three months after support closed).

It is overdue after its due date, and counted as missed four weeks after that (it then leaves
the home page, and the record shows it as missed).

Parts of the service above outcomes may ask for more (a research trial's measures, weeks after
randomisation): their slots come from the sources registered with `schedules`, and are listed
with the site's, once (see `schedules` for how one measure stands for both).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Max, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from linkwork.referrals.models import Allocation, Referral
from linkwork.referrals.status import ReferralStatus

from .actions import change_parameters, instrument_settings, is_enabled
from .instruments import (
    Instrument,
    InstrumentError,
    all_instruments,
    get_instrument,
    reliable_change,
)
from .models import (
    DEFAULT_FOLLOW_UP_MONTHS,
    InstrumentSetting,
    Measure,
    ScheduledInstrument,
    SiteOutcomeSettings,
    Timepoint,
)
from .schedules import extra_slots_for

WINDOW = datetime.timedelta(days=14)
MISSED_AFTER = datetime.timedelta(days=28)

DONE = "done"
DUE = "due"
OVERDUE = "overdue"
NOT_YET = "not_yet"
MISSED = "missed"
STATE_LABELS = {
    DONE: pgettext_lazy("measure state", "Done"),
    DUE: pgettext_lazy("measure state", "Due"),
    OVERDUE: pgettext_lazy("measure state", "Overdue"),
    NOT_YET: pgettext_lazy("measure state", "Not yet due"),
    MISSED: pgettext_lazy("measure state", "Missed"),
}


@dataclass
class Slot:
    """One scheduled instrument at one timepoint for one person, and where it stands.

    The site's schedule makes most slots; a source registered with `schedules` (a research
    trial) may add more, with a `label` shown instead of the timepoint's, and `source` set.
    """

    referral: Referral
    instrument: Instrument
    timepoint: str
    state: str
    opens_on: datetime.date | None = None
    due_by: datetime.date | None = None
    measure: Measure | None = None
    # What a registered source adds (see `schedules`): empty for the site's own slots.
    label: str = ""
    counts_as: str = ""
    source: str = ""
    key: str = ""
    missed_after: datetime.date | None = None
    # The extra slots a measure for this one counts for too, and for an extra slot, the
    # service's slot that stands for it (see `schedules`).
    also_for: list["Slot"] = field(default_factory=list, repr=False, compare=False)
    counted_with: "Slot | None" = field(default=None, repr=False, compare=False)

    @property
    def timepoint_label(self):
        return self.label or Timepoint(self.timepoint).label

    @property
    def is_extra(self) -> bool:
        return bool(self.source)

    @property
    def closes_on(self) -> datetime.date | None:
        """The last day a measure counts for the slot (it is missed after)."""
        if self.missed_after is not None:
            return self.missed_after
        return self.due_by + MISSED_AFTER if self.due_by is not None else None

    @property
    def state_label(self):
        return STATE_LABELS[self.state]

    @property
    def collectable(self) -> bool:
        return self.state in (DUE, OVERDUE)


@dataclass
class _Facts:
    """What the windows are worked out from, for one referral."""

    allocated_on: datetime.date | None
    first_session_on: datetime.date | None
    planned_end: datetime.date | None
    closed_on: datetime.date | None


def _window(
    timepoint: str, facts: _Facts, status: str, follow_up_months: int
) -> tuple[datetime.date, datetime.date] | None:
    """When the timepoint opens and when it is due by, or None if it cannot be known yet."""
    closed = status == ReferralStatus.CLOSED
    if timepoint == Timepoint.BASELINE:
        if facts.allocated_on is None:
            return None
        due_by = facts.allocated_on + WINDOW
        if facts.first_session_on is not None:
            due_by = max(min(due_by, facts.first_session_on), facts.allocated_on)
        return facts.allocated_on, due_by
    if timepoint == Timepoint.END:
        if closed and facts.closed_on is not None:
            opens = facts.closed_on
            if facts.planned_end is not None:
                opens = min(opens, facts.planned_end - WINDOW)
            return opens, facts.closed_on + WINDOW
        if facts.planned_end is None:
            return None
        return facts.planned_end - WINDOW, facts.planned_end
    if timepoint == Timepoint.FOLLOW_UP:
        if not closed or facts.closed_on is None:
            return None
        target = facts.closed_on + relativedelta(months=follow_up_months)
        return target - WINDOW, target + WINDOW
    return None


def _state(window, status: str, timepoint: str, today: datetime.date) -> str:
    if window is None:
        return NOT_YET
    opens_on, due_by = window
    if timepoint == Timepoint.BASELINE and status == ReferralStatus.CLOSED:
        return MISSED
    if timepoint == Timepoint.END and status == ReferralStatus.ALLOCATED and today > due_by:
        # Past the planned end and still in support: due until support closes.
        return OVERDUE
    if today < opens_on:
        return NOT_YET
    if today <= due_by:
        return DUE
    if today <= due_by + MISSED_AFTER:
        return OVERDUE
    return MISSED


def _facts_for(referrals: list[Referral]) -> dict[int, _Facts]:
    """The dates each window is worked out from: a fixed number of queries for any number."""
    from linkwork.casework.models import Closure, Contact, ContactOutcome, SupportPlan

    ids = [r.pk for r in referrals]
    allocated = dict(
        Allocation.objects.filter(referral_id__in=ids)
        .values("referral_id")
        .annotate(first=Min("started_at"))
        .values_list("referral_id", "first")
    )
    sessions = dict(
        Contact.objects.filter(referral_id__in=ids, outcome=ContactOutcome.ATTENDED)
        .values("referral_id")
        .annotate(first=Min("at"))
        .values_list("referral_id", "first")
    )
    plans = dict(
        SupportPlan.objects.filter(referral_id__in=ids).values_list("referral_id", "ends_on")
    )
    closures = dict(
        Closure.objects.filter(referral_id__in=ids, reopened_at__isnull=True)
        .values("referral_id")
        .annotate(on=Max("closed_on"))
        .values_list("referral_id", "on")
    )
    return {
        pk: _Facts(
            allocated_on=timezone.localdate(allocated[pk]) if pk in allocated else None,
            first_session_on=timezone.localdate(sessions[pk]) if pk in sessions else None,
            planned_end=plans.get(pk),
            closed_on=closures.get(pk),
        )
        for pk in ids
    }


# --- Settings: which instruments are in use, and which are due when at each site ----------------


def configured_instruments() -> dict[str, InstrumentSetting]:
    """Each instrument's settings, by code, with who confirmed its registration (instruments
    never configured have none)."""
    return {
        setting.instrument: setting
        for setting in InstrumentSetting.objects.select_related("registration_confirmed_by")
    }


def instrument_setting(code: str) -> InstrumentSetting | None:
    return InstrumentSetting.objects.filter(instrument=code).first()


def scheduled_instruments(site_ids) -> QuerySet[ScheduledInstrument]:
    """Which instruments the sites schedule, and at which timepoints: a row per site and
    instrument."""
    return ScheduledInstrument.objects.filter(site_id__in=site_ids)


def follow_up_months_at(site_ids) -> dict[int, int]:
    """Months after closing that the follow-up is due, for each of the sites that has set it
    (the others use `DEFAULT_FOLLOW_UP_MONTHS`)."""
    return dict(
        SiteOutcomeSettings.objects.filter(site_id__in=site_ids).values_list(
            "site_id", "follow_up_months"
        )
    )


# --- When measures are due ----------------------------------------------------------------------


def slots_for(
    referrals: list[Referral], *, today: datetime.date | None = None
) -> dict[int, list[Slot]]:
    """For each referral, every scheduled (instrument, timepoint) and where it stands: the
    site's schedule first, then what registered sources ask for besides (`schedules`)."""
    today = today or timezone.localdate()
    if not referrals:
        return {}
    site_ids = {r.site_id for r in referrals}
    settings_by_code = instrument_settings()
    schedule = defaultdict(list)
    for row in scheduled_instruments(site_ids):
        instrument = get_instrument(row.instrument)
        if is_enabled(instrument, settings_by_code.get(row.instrument)):
            schedule[row.site_id].append((instrument, row.timepoints()))
    months = follow_up_months_at(site_ids)
    done = {}
    for measure in Measure.objects.filter(
        referral__in=referrals, withdrawn_at__isnull=True
    ).exclude(timepoint=Timepoint.REVIEW):
        done[(measure.referral_id, measure.instrument, measure.timepoint)] = measure
    facts = _facts_for(referrals)
    extra = extra_slots_for(referrals, today)
    result = {}
    for referral in referrals:
        slots = []
        for instrument, timepoints in schedule.get(referral.site_id, []):
            for timepoint in timepoints:
                window = _window(
                    timepoint,
                    facts[referral.pk],
                    referral.status,
                    months.get(referral.site_id, DEFAULT_FOLLOW_UP_MONTHS),
                )
                measure = done.get((referral.pk, instrument.code, timepoint))
                slot = Slot(
                    referral=referral,
                    instrument=instrument,
                    timepoint=timepoint,
                    state=DONE if measure else _state(window, referral.status, timepoint, today),
                    opens_on=window[0] if window else None,
                    due_by=window[1] if window else None,
                    measure=measure,
                )
                slots.append(slot)
        result[referral.pk] = slots + _not_asked_yet(slots, extra.get(referral.pk, []))
    return result


def _not_asked_yet(service: list[Slot], extra: list[Slot]) -> list[Slot]:
    """The extra slots the service's own do not already stand for (those that one does are
    named in its `also_for`)."""
    kept = []
    for slot in extra:
        host = next((s for s in service if _stands_for(s, slot)), None)
        if host is None:
            kept.append(slot)
        else:
            host.also_for.append(slot)
            slot.counted_with = host
    return kept


def _stands_for(service: Slot, extra: Slot) -> bool:
    """Whether one measure for the service's slot is the extra slot's measure too: the same
    instrument, not a baseline (the starting point counts for nothing later), and either both
    collectable now (so a measure taken today falls in both windows) or done by the same
    measure (so it fell in both)."""
    if service.instrument.code != extra.instrument.code or service.timepoint == Timepoint.BASELINE:
        return False
    if service.state == DONE and extra.state == DONE:
        return (
            service.measure is not None
            and extra.measure is not None
            and (service.measure.pk == extra.measure.pk)
        )
    return service.collectable and extra.collectable


def due_for_coordinator(coordinator, *, today: datetime.date | None = None) -> list[Slot]:
    """Measures due or overdue for the people a coordinator supports now, or supported last
    (end-of-support and follow-up measures fall after closure), registered sources' included.
    Overdue first, then by date.

    Closed cases are looked at only as far back as anything can still be collectable: the
    longest follow-up at the coordinator's sites, plus its window and the weeks before it
    counts as missed."""
    today = today or timezone.localdate()
    site_ids = list(coordinator.sites.values_list("pk", flat=True))
    longest = max(
        SiteOutcomeSettings.objects.filter(site_id__in=site_ids).values_list(
            "follow_up_months", flat=True
        ),
        default=DEFAULT_FOLLOW_UP_MONTHS,
    )
    longest = max(longest, DEFAULT_FOLLOW_UP_MONTHS)
    since = today - relativedelta(months=longest) - WINDOW - MISSED_AFTER
    last_coordinator = Subquery(
        Allocation.objects.filter(referral=OuterRef("pk"))
        .order_by("-started_at", "-pk")
        .values("coordinator_id")[:1]
    )
    theirs = Allocation.objects.filter(coordinator=coordinator).values("referral_id")
    people = list(
        Referral.objects.filter(
            pk__in=theirs,
            status__in=(ReferralStatus.ALLOCATED, ReferralStatus.CLOSED),
            site_id__in=site_ids,
        )
        .filter(
            Q(status=ReferralStatus.ALLOCATED)
            | Q(closures__reopened_at__isnull=True, closures__closed_on__gte=since)
        )
        .annotate(last_coordinator=last_coordinator)
        .filter(last_coordinator=coordinator.pk)
        .select_related("person")
        .distinct()
    )
    return _collectable(slots_for(people, today=today))


def _collectable(slots_by_referral: dict[int, list[Slot]]) -> list[Slot]:
    slots = [s for slots in slots_by_referral.values() for s in slots if s.collectable]
    return sorted(slots, key=lambda s: (s.state != OVERDUE, s.due_by, s.referral.pk))


# --- Scores over time ---------------------------------------------------------------------------


@dataclass
class ScoredMeasure:
    measure: Measure
    change: object | None = None  # a Change, when reliable change applies
    difference: Decimal | int | None = None
    subscore_changes: dict = field(default_factory=dict)


@dataclass
class InstrumentHistory:
    instrument: Instrument
    measures: list[ScoredMeasure]
    baseline: Measure | None
    reliability: float | None
    sd: float | None


def history_for(referral: Referral) -> list[InstrumentHistory]:
    """Each instrument's current measures, oldest first, each later one with its change from
    baseline: the difference, and (where the instrument has a total and a stated reliability)
    whether it is reliable by the Jacobson-Truax index, and for SWEMWBS whether it is
    meaningful. Two queries."""
    settings_by_code = instrument_settings()
    by_instrument = defaultdict(list)
    for measure in (
        referral.measures.filter(withdrawn_at__isnull=True)
        .select_related("by")
        .order_by("completed_on", "pk")
    ):
        by_instrument[measure.instrument].append(measure)
    histories = []
    for code, measures in by_instrument.items():
        instrument = get_instrument(code)
        reliability, sd = change_parameters(instrument, settings_by_code.get(code))
        baseline = next((m for m in measures if m.timepoint == Timepoint.BASELINE), None)
        scored = []
        for measure in measures:
            item = ScoredMeasure(measure=measure)
            if baseline is not None and measure is not baseline:
                _compare(item, instrument, baseline, measure, reliability, sd)
            scored.append(item)
        histories.append(
            InstrumentHistory(
                instrument=instrument,
                measures=scored,
                baseline=baseline,
                reliability=reliability,
                sd=sd,
            )
        )
    order = {code: i for i, code in enumerate(i.code for i in all_instruments())}
    return sorted(histories, key=lambda h: order[h.instrument.code])


def _compare(item, instrument, baseline, measure, reliability, sd) -> None:
    if baseline.total is None or measure.total is None:
        item.subscore_changes = {
            code: measure.subscores.get(code, 0) - value
            for code, value in baseline.subscores.items()
        }
        return
    item.difference = measure.total - baseline.total
    if reliability is None or sd is None:
        return
    try:
        item.change = reliable_change(
            instrument,
            baseline.total,
            measure.total,
            reliability=reliability,
            sd=sd,
        )
    except InstrumentError:
        item.change = None

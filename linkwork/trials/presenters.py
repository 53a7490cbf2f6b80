"""What a person's trial page shows: the enrolment steps and where each stands, the allocation,
its notes, the trial measures, withdrawal and GP attendance, worked out once for the template."""

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from linkwork.accounts.permissions import Permission
from linkwork.outcomes.instruments import get_instrument
from linkwork.outcomes.models import Timepoint
from linkwork.outcomes.presenters import describe, may
from linkwork.referrals.status import ReferralStatus

from . import schedule, strata
from .measures import Point
from .models import (
    AttendancePeriod,
    DataKept,
    DeclineReason,
    IneligibleOther,
    NoteKind,
    Participant,
    ParticipantStatus,
    WithdrawalReason,
)

S = ParticipantStatus

DONE = "done"
TO_DO = "to_do"
NOT_YET = "not_yet"
STOPPED = "stopped"


@dataclass
class Step:
    label: str
    state: str
    detail: str = ""
    url: str = ""
    action: str = ""
    lines: list[str] = field(default_factory=list)


@dataclass
class Summary:
    steps: list[Step]
    status_label: str
    status_colour: str
    delay: str = ""
    may_start_early: bool = False
    may_release: bool = False
    attendance: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def _date(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _eligibility(participant: Participant) -> Step:
    step = Step(label=_("Eligibility checklist"), state=DONE)
    if participant.status == S.INELIGIBLE:
        step.state = STOPPED
        step.detail = _("Not eligible")
        step.lines = [str(c) for c in participant.unmet_criteria.all()]
        if participant.ineligible_other:
            step.lines.append(str(IneligibleOther(participant.ineligible_other).label))
    else:
        step.detail = _("Eligible")
    return step


def _consent(participant: Participant) -> Step:
    step = Step(label=_("Informed consent"), state=NOT_YET)
    pk = participant.pk
    if participant.status == S.INELIGIBLE:
        return step
    if participant.status == S.DECLINED:
        step.state = STOPPED
        step.detail = _("Declined: %(reason)s") % {
            "reason": DeclineReason(participant.decline_reason).label
        }
        return step
    if participant.status == S.ELIGIBLE:
        step.state = TO_DO
        step.url = reverse("trials:consent", args=[pk])
        step.action = _("Record consent")
        return step
    step.state = DONE
    step.detail = _("Taken on %(date)s by %(who)s") % {
        "date": _date(participant.consented_on),
        "who": participant.consent_taken_by,
    }
    step.lines = [
        _("Information sheet %(sheet)s; consent form %(form)s")
        % {"sheet": participant.information_sheet.version, "form": participant.consent_form.version}
    ]
    answers = participant.consent_answers
    for item in participant.trial.consent_items.all():
        if not item.required:
            agreed = answers.get(str(item.pk))
            step.lines.append(f"{item.text}: {_('Yes') if agreed else _('No')}")
    return step


def _baseline(participant: Participant) -> Step:
    step = Step(label=_("Baseline measures"), state=NOT_YET)
    if participant.status in (S.INELIGIBLE, S.DECLINED, S.ELIGIBLE):
        return step
    measures = {
        m.instrument: m
        for m in participant.referral.measures.filter(
            withdrawn_at__isnull=True, timepoint="baseline"
        )
    }
    missing = []
    for code in participant.trial.instruments:
        instrument = get_instrument(code)
        measure = measures.get(code)
        if measure is None:
            missing.append(instrument)
            step.lines.append(_("%(name)s: to do") % {"name": instrument.name})
        else:
            step.lines.append(
                _("%(name)s: %(score)s on %(date)s")
                % {
                    "name": instrument.name,
                    "score": describe(measure).text,
                    "date": _date(measure.completed_on),
                }
            )
    if missing and participant.status == S.CONSENTED:
        step.state = TO_DO
        step.url = reverse("trials:baseline", args=[participant.pk, missing[0].code])
        step.action = _("Complete %(name)s with them") % {"name": missing[0].name}
    else:
        step.state = DONE if not missing else NOT_YET
    return step


def _randomisation(participant: Participant, baseline: Step) -> Step:
    step = Step(label=_("Randomisation"), state=NOT_YET)
    if participant.status == S.RANDOMISED:
        slot = participant.allocation
        step.state = DONE
        step.detail = str(participant.arm)
        step.lines = [
            _("Randomised on %(date)s by %(who)s")
            % {"date": _date(participant.randomised_at.date()), "who": slot.used_by},
            _("Stratum: %(stratum)s") % {"stratum": strata.label(participant.stratum)},
            _("Allocation reference: %(reference)s") % {"reference": slot.reference},
        ]
    elif participant.status == S.CONSENTED and baseline.state == DONE:
        if participant.trial.is_open:
            step.state = TO_DO
            step.url = reverse("trials:randomise", args=[participant.pk])
            step.action = _("Randomise")
        else:
            step.state = STOPPED
            step.detail = _("The trial closed before randomisation")
    return step


def participant_summary(participant: Participant, *, today: datetime.date) -> Summary:
    baseline = _baseline(participant)
    steps = [
        _eligibility(participant),
        _consent(participant),
        baseline,
        _randomisation(participant, baseline),
    ]
    colours = {
        S.ELIGIBLE: "blue",
        S.CONSENTED: "blue",
        S.INELIGIBLE: "grey",
        S.DECLINED: "grey",
        S.RANDOMISED: "green",
    }
    summary = Summary(
        steps=steps,
        status_label=str(ParticipantStatus(participant.status).label),
        status_colour=colours[participant.status],
    )
    if participant.is_withdrawn:
        summary.status_label = _("Withdrew from the trial on %(date)s") % {
            "date": _date(participant.withdrawn_on)
        }
        summary.status_colour = "orange"
    if participant.status == S.RANDOMISED:
        notes = list(participant.notes.select_related("by"))
        summary.notes = notes
        released = any(n.kind in (NoteKind.EARLY_START, NoteKind.RELEASED) for n in notes)
        waiting = participant.not_before is not None and participant.not_before > today
        if participant.is_withdrawn:
            summary.delay = ""
        elif waiting and not released:
            summary.delay = _("Support may not start before %(date)s.") % {
                "date": _date(participant.not_before)
            }
            summary.may_start_early = True
        elif waiting and released:
            summary.delay = _("Support may start now (see the notes below).")
        else:
            summary.delay = _("Support may start.")
        summary.may_release = participant.trial.is_closed and not released and waiting
        summary.attendance = _attendance(participant)
    return summary


def _attendance(participant: Participant) -> list[dict]:
    reports = {r.period: r for r in participant.attendance_reports.select_related("practice")}
    return [
        {"period": label, "report": reports.get(period)}
        for period, label in AttendancePeriod.choices
    ]


def withdrawal_lines(participant: Participant) -> list[str]:
    if not participant.is_withdrawn:
        return []
    return [
        str(WithdrawalReason(participant.withdrawal_reason).label),
        str(DataKept(participant.data_kept).label),
    ]


# --- Trial measures -------------------------------------------------------------------------------

MEASURE_STATES = {
    schedule.DONE: (pgettext_lazy("measure state", "Done"), "green"),
    schedule.DUE: (pgettext_lazy("measure state", "Due"), "yellow"),
    schedule.OVERDUE: (pgettext_lazy("measure state", "Overdue"), "red"),
    schedule.NOT_YET: (pgettext_lazy("measure state", "Not yet due"), ""),
    schedule.MISSED: (pgettext_lazy("measure state", "Missed"), "grey"),
    schedule.STOPPED: (pgettext_lazy("trial measure state", "Not followed up"), "grey"),
}


@dataclass
class TrialMeasure:
    """One instrument at one time point, in words, with where to complete it."""

    name: str
    short_name: str
    state: str
    state_label: str
    colour: str
    detail: str
    url: str = ""
    note: str = ""


@dataclass
class TimePoint:
    weeks: int
    heading: str
    window: str
    measures: list[TrialMeasure] = field(default_factory=list)


def _detail(point: Point) -> str:
    window = point.window
    if point.state == schedule.DONE:
        detail = _("%(score)s on %(date)s") % {
            "score": describe(point.measure).text,
            "date": _date(point.measure.completed_on),
        }
        if point.measure.timepoint != Timepoint.REVIEW:
            detail += " " + _("(recorded as %(timepoint)s)") % {
                "timepoint": str(Timepoint(point.measure.timepoint).label).lower()
            }
        return detail
    if point.state == schedule.DUE:
        return _("Due by %(date)s") % {"date": _date(window.due_by)}
    if point.state == schedule.OVERDUE:
        return _("Overdue since %(date)s; missed after %(missed)s") % {
            "date": _date(window.due_by),
            "missed": _date(window.missed_after),
        }
    if point.state == schedule.NOT_YET:
        return _("Opens on %(date)s") % {"date": _date(window.opens_on)}
    if point.state == schedule.MISSED:
        return _("Nothing recorded from %(opens)s to %(missed)s") % {
            "opens": _date(window.opens_on),
            "missed": _date(window.missed_after),
        }
    return _("They withdrew from further follow-up.")


def _where_to_complete(point: Point, participant: Participant, user) -> tuple[str, str]:
    """The link to complete a collectable measure, and a note: on the trial page while the
    person waits; on their record, as the service's other measures, once in support."""
    referral = participant.referral
    if referral.status == ReferralStatus.WAITING:
        url = reverse(
            "trials:record_measure", args=[participant.pk, point.weeks, point.instrument.code]
        )
        return url, ""
    if referral.status not in (ReferralStatus.ALLOCATED, ReferralStatus.CLOSED):
        return "", ""
    note = ""
    if point.service_slot is not None:
        note = _(
            "The service asks for its %(timepoint)s measure now too: one questionnaire, "
            "recorded as that, counts for both."
        ) % {"timepoint": str(point.service_slot.timepoint_label).lower()}
    if not may(user, Permission.RECORD_OUTCOME_MEASURE, referral):
        return "", note or _("Their link coordinator completes it with them.")
    query = urlencode({"instrument": point.instrument.code, "timepoint": point.recorded_as})
    url = reverse("outcomes:record_measure", args=[referral.pk]) + "?" + query
    return url, note


def trial_measures(participant: Participant, points: list[Point], *, user) -> list[TimePoint]:
    """The trial's time points after randomisation, each instrument's state, and where to
    complete those due."""
    by_weeks: dict[int, TimePoint] = {}
    for point in points:
        time_point = by_weeks.setdefault(
            point.weeks,
            TimePoint(
                weeks=point.weeks,
                heading=ngettext(
                    "%(weeks)s week after randomisation",
                    "%(weeks)s weeks after randomisation",
                    point.weeks,
                )
                % {"weeks": point.weeks},
                window=_("Target %(target)s (from %(opens)s, due by %(due)s)")
                % {
                    "target": _date(point.window.target),
                    "opens": _date(point.window.opens_on),
                    "due": _date(point.window.due_by),
                },
            ),
        )
        label, colour = MEASURE_STATES[point.state]
        item = TrialMeasure(
            name=point.instrument.name,
            short_name=point.instrument.short_name,
            state=point.state,
            state_label=label,
            colour=colour,
            detail=_detail(point),
        )
        if point.collectable:
            item.url, item.note = _where_to_complete(point, participant, user)
        time_point.measures.append(item)
    return list(by_weeks.values())

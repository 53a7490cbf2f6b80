"""The trial's analysis data set: one row per randomised participant, pseudonymised.

What is in a row, and what is not:

- a stable pseudonym (`pseudonyms.pseudonym`), never the referral's or the person's id;
- the arm and the stratum (site and factors), which are not identifying;
- the month of randomisation, and every other time as days or weeks after randomisation, so no
  date of anything that happened to the person appears;
- each instrument's baseline and score at each time point (`schedule` decides which measure
  counts), and how many days after randomisation it was completed;
- withdrawal (coded reason, what may be kept, weeks after randomisation), whether support was
  received and how many days after randomisation it started, the optional consents (yes/no),
  and GP attendance counts per period;
- no name, contact detail, NHS number, address, date of birth, referral reference or free text.

A participant who asked for none of their data to be used is left out (the CONSORT diagram
counts them as excluded from the analysis).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, Min
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from linkwork.outcomes.instruments import get_instrument
from linkwork.outcomes.models import Measure
from linkwork.referrals.models import Allocation

from . import schedule, strata
from .models import (
    AttendancePeriod,
    AttendanceReport,
    DataKept,
    Participant,
    ParticipantStatus,
    Trial,
    WithdrawalReason,
)
from .pseudonyms import pseudonyms_for


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    kind: str  # "text", "integer", "number", "yes/no", "code", "month"
    values: str = ""  # the codes a column may hold, for the data dictionary


def randomised(trial: Trial):
    """The trial's randomised participants, in randomisation order."""
    return Participant.objects.filter(trial=trial, status=ParticipantStatus.RANDOMISED).order_by(
        "randomised_at", "pk"
    )


# What a row reads of each participant: nothing of their referral but its site's short name.
ROW_FIELDS = (
    "pk",
    "referral_id",
    "randomised_at",
    "randomised_day",
    "arm_name",
    "site_slug",
    "stratum_id",
    "gp_data_consent",
    "withdrawn_on",
    "withdrawal_reason",
    "data_kept",
)


def score(measure) -> float | None:
    if measure is None or measure.total is None:
        return None
    return float(measure.total)


def columns(trial: Trial) -> list[Column]:
    cols = [
        Column("participant", _("Pseudonym: stable for the participant within this trial"), "text"),
        Column(
            "arm",
            _("Arm allocated at randomisation (analysed as allocated)"),
            "text",
            "; ".join(arm.name for arm in trial.arms.all()),
        ),
        Column("site", _("Site (a stratification factor)"), "text"),
        Column("stratum", _("Stratum randomised in"), "text"),
        Column("randomised_month", _("Month of randomisation (YYYY-MM)"), "month"),
        Column("gp_data_consent", _("Consented to GP attendance data"), "yes/no"),
    ]
    for code in trial.instruments:
        name = get_instrument(code).name
        cols.append(
            Column(f"{code}_baseline", _("%(name)s at baseline (total)") % {"name": name}, "number")
        )
        cols.append(
            Column(
                f"{code}_baseline_day",
                _("Days from randomisation to the baseline %(name)s (0 or less)") % {"name": name},
                "integer",
            )
        )
        for tp in trial.timepoints.all():
            cols.append(
                Column(
                    f"{code}_week_{tp.weeks}",
                    _("%(name)s at %(weeks)s weeks (total)") % {"name": name, "weeks": tp.weeks},
                    "number",
                )
            )
            cols.append(
                Column(
                    f"{code}_week_{tp.weeks}_day",
                    _("Days from randomisation to the %(weeks)s-week %(name)s")
                    % {"name": name, "weeks": tp.weeks},
                    "integer",
                )
            )
    cols += [
        Column(
            "received_support", _("Support started (allocated to a link coordinator)"), "yes/no"
        ),
        Column(
            "support_start_day",
            _("Days from randomisation to the start of support"),
            "integer",
        ),
        Column("withdrawn", _("Withdrew from the trial"), "yes/no"),
        Column("withdrawn_week", _("Weeks from randomisation to withdrawal"), "integer"),
        Column(
            "withdrawal_reason",
            _("Why they withdrew (code)"),
            "code",
            "; ".join(f"{c.value} = {c.label}" for c in WithdrawalReason),
        ),
        Column(
            "data_kept",
            _("What of their data may be kept (code)"),
            "code",
            "; ".join(f"{c.value} = {c.label}" for c in DataKept),
        ),
    ]
    for period, label in AttendancePeriod.choices:
        cols.append(
            Column(
                f"gp_attendances_{period}",
                _("GP attendances reported by the practice: %(period)s") % {"period": label},
                "integer",
            )
        )
    return cols


def _days(day, origin) -> int | None:
    return None if day is None else (day - origin).days


def rows(trial: Trial, *, progress=None) -> list[dict]:
    """The data set, in randomisation order. `progress(done, total)` is called as it goes."""
    # Rows rather than objects: a large trial has tens of thousands of participants.
    participants = [
        p
        for p in schedule.with_randomised_day(randomised(trial))
        .annotate(arm_name=F("arm__name"), site_slug=F("referral__site__slug"))
        .values_list(*ROW_FIELDS, named=True)
        if not schedule.uses_no_data(p)
    ]
    # The trial's randomised referrals as a subquery (not thousands of ids), and of each
    # measure only what the data set reads.
    referral_ids = randomised(trial).values("referral_id")
    measures = defaultdict(list)
    for measure in (
        Measure.objects.filter(
            referral_id__in=referral_ids,
            withdrawn_at__isnull=True,
            instrument__in=trial.instruments,
        )
        .order_by("completed_on", "pk")
        .values_list(
            "pk", "referral_id", "instrument", "timepoint", "completed_on", "total", named=True
        )
    ):
        measures[measure.referral_id].append(measure)
    # The local day support started, worked out in the database.
    started = dict(
        Allocation.objects.filter(referral_id__in=referral_ids)
        .values("referral_id")
        .annotate(first=Min(TruncDate("started_at", tzinfo=timezone.get_current_timezone())))
        .values_list("referral_id", "first")
    )
    attendance = defaultdict(dict)
    for participant_pk, period, attendances in AttendanceReport.objects.filter(
        participant__trial=trial
    ).values_list("participant_id", "period", "attendances"):
        attendance[participant_pk][period] = attendances
    periods = AttendancePeriod.values
    weeks = list(trial.timepoints.values_list("weeks", flat=True))
    # Each instrument's column names, once.
    named = [
        (
            code,
            f"{code}_baseline",
            f"{code}_baseline_day",
            [(w, f"{code}_week_{w}", f"{code}_week_{w}_day") for w in weeks],
        )
        for code in trial.instruments
    ]
    stratum_labels = strata.labels(trial.strata.all())
    pseudonym = pseudonyms_for(trial.pk)
    result = []
    total = len(participants)
    for index, participant in enumerate(participants, start=1):
        origin = schedule.randomised_on(participant)
        windows = {w: schedule.window(origin, w) for w in weeks}
        theirs = measures[participant.referral_id]
        row = {
            "participant": pseudonym(participant.pk),
            "arm": participant.arm_name,
            "site": participant.site_slug,
            "stratum": stratum_labels[participant.stratum_id],
            "randomised_month": f"{origin.year:04d}-{origin.month:02d}",
            "gp_data_consent": participant.gp_data_consent,
        }
        for code, baseline, baseline_day, at_weeks in named:
            base = schedule.baseline_measure(participant, theirs, code)
            row[baseline] = score(base)
            row[baseline_day] = _days(base.completed_on if base else None, origin)
            for w, week, week_day in at_weeks:
                found = schedule.measure_for(participant, theirs, code, w, windows[w])
                row[week] = score(found)
                row[week_day] = _days(found.completed_on if found else None, origin)
        start = started.get(participant.referral_id)
        row["received_support"] = start is not None
        row["support_start_day"] = _days(start, origin)
        row["withdrawn"] = participant.withdrawn_on is not None
        row["withdrawn_week"] = (
            (participant.withdrawn_on - origin).days // 7 if participant.withdrawn_on else None
        )
        row["withdrawal_reason"] = participant.withdrawal_reason
        row["data_kept"] = participant.data_kept
        for period in periods:
            row[f"gp_attendances_{period}"] = attendance[participant.pk].get(period)
        result.append(row)
        if progress is not None and (index % 50 == 0 or index == total):
            progress(index, total)
    return result

"""The CONSORT 2010 flow, counted from the records: who is in each box and why.

`groups(trial)` puts every participant in the boxes they belong to, keyed so that a count can
link to the records behind it (`trials:records?group=<key>`); `consort_flow(trial, url_for=...)`
turns the groups into the `consort.ConsortFlow` the diagram is drawn from.

- Assessed for eligibility: everyone offered the trial (the checklist was recorded).
- Excluded: not eligible (each criterion not met, and other coded reasons), declined (coded),
  and other reasons: enrolment not finished while the trial is open, or the trial closed before
  they were randomised.
- Randomised, then per arm:
  - received the allocated intervention: support started (allocated to a link coordinator);
    did not receive it: why (withdrew from the service, with its coded reason; still waiting);
  - lost to follow-up: no primary outcome and its window has passed, or they withdrew from the
    trial without further follow-up; discontinued the intervention: support ended early (the
    closure's coded reason);
  - analysed: primary outcome and baseline present (complete cases, by allocated arm); excluded
    from the analysis: why.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from linkwork.casework.models import Closure
from linkwork.outcomes.models import Measure
from linkwork.referrals.models import Allocation, StatusChange
from linkwork.referrals.status import ClosureReason, ReferralStatus, WithdrawalReason

from . import schedule
from .consort import ArmFlow, ConsortFlow, Count, Reason
from .models import (
    DeclineReason,
    IneligibleOther,
    Participant,
    ParticipantStatus,
    Trial,
)

S = ParticipantStatus

#: Closure reasons that mean support ended before it had run its course.
EARLY_ENDINGS = frozenset(
    {
        ClosureReason.PERSON_CHOSE_TO_END,
        ClosureReason.DISENGAGED,
        ClosureReason.MOVED_AWAY,
        ClosureReason.REFERRED_TO_STATUTORY,
        ClosureReason.NEEDS_ABOVE_REMIT,
        ClosureReason.DIED,
    }
)


@dataclass
class Group:
    key: str
    label: str
    ids: list[int] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.ids)


def labels(choices) -> dict[str, str]:
    """A choice's labels by value, in the language in use."""
    return {value: str(label) for value, label in choices.choices}


class Groups(dict):
    """key -> Group, adding groups as people are put in them (in a stable order)."""

    def put(self, key: str, label: str, pk: int) -> None:
        group = self.get(key)
        if group is None:
            group = self[key] = Group(key, label)
        group.ids.append(pk)

    def make(self, key: str, label: str) -> Group:
        return self.setdefault(key, Group(key, label))

    def under(self, prefix: str) -> list[Group]:
        return [g for k, g in self.items() if k.startswith(prefix)]


FLOW_FIELDS = (
    "pk",
    "referral_id",
    "status",
    "ineligible_other",
    "decline_reason",
    "randomised_at",
    "arm_id",
    "withdrawn_on",
    "data_kept",
)


def groups(trial: Trial, *, today=None) -> Groups:
    today = today or timezone.localdate()
    # Rows, not objects (a large trial has tens of thousands of participants), with the fields
    # the boxes and `schedule` read: not the consent answers.
    participants = list(
        schedule.with_randomised_day(Participant.objects.filter(trial=trial))
        .annotate(referral_status=F("referral__status"))
        .order_by("screened_at", "pk")
        .values_list(*FLOW_FIELDS, "referral_status", "randomised_day", named=True)
    )
    unmet = defaultdict(list)  # participant pk -> the criteria they did not meet
    for participant_pk, criterion_pk, text in (
        Participant.unmet_criteria.through.objects.filter(participant__trial=trial)
        .order_by("eligibilitycriterion__order", "eligibilitycriterion_id")
        .values_list("participant_id", "eligibilitycriterion_id", "eligibilitycriterion__text")
    ):
        unmet[participant_pk].append((criterion_pk, text))
    # The boxes' words, once (not once per person).
    ineligible_labels = labels(IneligibleOther)
    decline_labels = labels(DeclineReason)
    out = Groups()
    out.make("assessed", _("Assessed for eligibility"))
    out.make("excluded", _("Excluded"))
    out.make("ineligible", _("Not meeting inclusion criteria"))
    out.make("declined", _("Declined to participate"))
    out.make("other", _("Other reasons"))
    out.make("randomised", _("Randomised"))
    for p in participants:
        out.put("assessed", "", p.pk)
        if p.status == S.INELIGIBLE:
            out.put("excluded", "", p.pk)
            out.put("ineligible", "", p.pk)
            for criterion_pk, text in unmet[p.pk]:
                out.put(f"ineligible:c{criterion_pk}", text, p.pk)
            if p.ineligible_other:
                label = ineligible_labels[p.ineligible_other]
                out.put(f"ineligible:{p.ineligible_other}", label, p.pk)
        elif p.status == S.DECLINED:
            out.put("excluded", "", p.pk)
            out.put("declined", "", p.pk)
            out.put(f"declined:{p.decline_reason}", decline_labels[p.decline_reason], p.pk)
        elif p.status in (S.ELIGIBLE, S.CONSENTED):
            out.put("excluded", "", p.pk)
            out.put("other", "", p.pk)
            if trial.is_closed:
                out.put("other:closed", _("Trial closed before randomisation"), p.pk)
            else:
                out.put("other:pending", _("Enrolment not finished yet"), p.pk)
    randomised = [p for p in participants if p.status == S.RANDOMISED]
    for p in randomised:
        out.put("randomised", "", p.pk)
    _arms(trial, randomised, out, today)
    return out


def _arms(trial: Trial, randomised: list, out: Groups, today) -> None:
    # The trial's randomised referrals as a subquery, not a list of thousands of ids; and only
    # the columns the boxes need (a measure's answers are not read).
    in_arms = Participant.objects.filter(trial=trial, status=S.RANDOMISED)
    referral_ids = in_arms.values("referral_id")
    # Support started: allocated to a link coordinator (as the analysis data set counts it).
    allocated = set(
        Allocation.objects.filter(referral_id__in=referral_ids).values_list(
            "referral_id", flat=True
        )
    )
    # Why those who left the service before support did: only theirs are read.
    withdrawn = dict(
        StatusChange.objects.filter(
            referral_id__in=in_arms.filter(referral__status=ReferralStatus.WITHDRAWN).values(
                "referral_id"
            ),
            to_status=ReferralStatus.WITHDRAWN,
        ).values_list("referral_id", "reason")
    )
    closures = dict(
        Closure.objects.filter(
            referral_id__in=referral_ids, reopened_at__isnull=True, reason__in=EARLY_ENDINGS
        ).values_list("referral_id", "reason")
    )
    measures = defaultdict(list)
    for m in Measure.objects.filter(
        referral_id__in=referral_ids,
        withdrawn_at__isnull=True,
        instrument=trial.primary_instrument,
    ).values_list("pk", "referral_id", "instrument", "timepoint", "completed_on", named=True):
        measures[m.referral_id].append(m)  # rows with the fields `schedule` reads
    # The boxes' words, once (not once per person).
    waiting_label = _("Still waiting for support")
    withdrew_label = _("Withdrew from the service")
    lost_labels = {True: _("Withdrew from the trial"), False: _("Primary outcome not collected")}
    no_data = _("Withdrew consent to the use of their data")
    no_baseline = _("No baseline measure")
    no_outcome = _("No primary outcome (lost to follow-up)")
    not_yet = _("Primary time point not reached yet")
    withdrawal_labels = labels(WithdrawalReason)
    closure_labels = labels(ClosureReason)
    for arm in trial.arms.all():
        prefix = f"arm{arm.pk}"
        out.make(prefix, _("Allocated to %(arm)s") % {"arm": arm.name})
        for key, label in (
            ("received", _("Received allocated intervention")),
            ("not_received", _("Did not receive allocated intervention")),
            ("lost", _("Lost to follow-up")),
            ("discontinued", _("Discontinued intervention")),
            ("analysed", _("Analysed")),
            ("excluded", _("Excluded from analysis")),
        ):
            out.make(f"{prefix}:{key}", label)
    for p in randomised:
        prefix = f"arm{p.arm_id}"
        out.put(prefix, "", p.pk)
        referral_pk = p.referral_id
        if referral_pk in allocated:
            out.put(f"{prefix}:received", "", p.pk)
        else:
            out.put(f"{prefix}:not_received", "", p.pk)
            if p.referral_status == ReferralStatus.WITHDRAWN:
                reason = withdrawn.get(referral_pk, "")
                label = withdrawal_labels.get(reason, withdrew_label)
                out.put(f"{prefix}:not_received:{reason or 'withdrawn'}", label, p.pk)
            else:
                out.put(f"{prefix}:not_received:waiting", waiting_label, p.pk)
        closure = closures.get(referral_pk)
        if closure is not None:
            out.put(f"{prefix}:discontinued", "", p.pk)
            out.put(f"{prefix}:discontinued:{closure}", closure_labels[closure], p.pk)
        theirs = measures[referral_pk]
        window = schedule.window(schedule.randomised_on(p), trial.primary_weeks)
        outcome = schedule.measure_for(
            p, theirs, trial.primary_instrument, trial.primary_weeks, window
        )
        baseline = schedule.baseline_measure(p, theirs, trial.primary_instrument)
        state = schedule.state(p, outcome, window, today)
        if outcome is None and state in (schedule.MISSED, schedule.STOPPED):
            out.put(f"{prefix}:lost", "", p.pk)
            withdrew = p.withdrawn_on is not None
            key = "withdrew" if withdrew else "missed"
            out.put(f"{prefix}:lost:{key}", lost_labels[withdrew], p.pk)
        if schedule.uses_no_data(p):
            _excluded(out, prefix, "no_data", no_data, p)
        elif outcome is not None and baseline is not None:
            out.put(f"{prefix}:analysed", "", p.pk)
        elif baseline is None:
            _excluded(out, prefix, "no_baseline", no_baseline, p)
        elif state in (schedule.MISSED, schedule.STOPPED):
            _excluded(out, prefix, "no_outcome", no_outcome, p)
        else:
            _excluded(out, prefix, "not_yet", not_yet, p)


def _excluded(out: Groups, prefix: str, key: str, label: str, p) -> None:
    out.put(f"{prefix}:excluded", "", p.pk)
    out.put(f"{prefix}:excluded:{key}", label, p.pk)


def consort_flow(
    trial: Trial, *, url_for: Callable[[str], str | None] | None = None, today=None
) -> tuple[ConsortFlow, Groups]:
    """The diagram's flow and the groups it was counted from. `url_for(key)` gives the link
    for a count the user may follow (None: no link)."""
    found = groups(trial, today=today)

    def count(key: str) -> Count:
        group = found.get(key)
        n = group.n if group else 0
        return Count(n, url_for(key) if url_for and n else None)

    def reasons(prefix: str) -> list[Reason]:
        return [
            Reason(g.label, count(g.key))
            for g in found.under(prefix + ":")
            if g.key.count(":") == prefix.count(":") + 1
        ]

    excluded = [
        Reason(found[key].label, count(key), reasons(key))
        for key in ("ineligible", "declined", "other")
    ]
    arms = []
    for arm in trial.arms.all():
        prefix = f"arm{arm.pk}"
        arms.append(
            ArmFlow(
                name=arm.name,
                allocated=count(prefix),
                received=count(f"{prefix}:received"),
                not_received=count(f"{prefix}:not_received"),
                not_received_reasons=reasons(f"{prefix}:not_received"),
                lost_to_follow_up=count(f"{prefix}:lost"),
                lost_reasons=reasons(f"{prefix}:lost"),
                discontinued=count(f"{prefix}:discontinued"),
                discontinued_reasons=reasons(f"{prefix}:discontinued"),
                analysed=count(f"{prefix}:analysed"),
                excluded_from_analysis=count(f"{prefix}:excluded"),
                excluded_from_analysis_reasons=reasons(f"{prefix}:excluded"),
            )
        )
    flow = ConsortFlow(
        title=trial.name,
        assessed=count("assessed"),
        excluded=count("excluded"),
        excluded_reasons=excluded,
        randomised=count("randomised"),
        arms=arms,
        follow_up_label=_("Follow-up (%(weeks)s weeks after randomisation)")
        % {"weeks": trial.primary_weeks},
    )
    return flow, found

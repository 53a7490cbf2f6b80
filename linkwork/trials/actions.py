"""Everything that changes a trial or someone's part in it. Each action is one transaction
and writes the audit log; none deletes anything.

Set-up (`create_trial`, `open_trial`, `close_trial`), enrolment (`screen`, `record_consent`,
`record_decline`, `randomise`, `withdraw`), what happens after the allocation
(`add_note`, `allow_early_start`, `release_from_path`) and GP attendance
(`record_attendance`).
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linkwork.accounts.models import Role, User
from linkwork.audit import service as audit
from linkwork.audit.models import AuditAction
from linkwork.core.errors import ActionRefused
from linkwork.outcomes.instruments import get_instrument
from linkwork.referrals.models import Referral
from linkwork.referrals.status import ReferralStatus

from . import randomisation
from .models import (
    AllocationNote,
    AllocationSlot,
    Arm,
    AttendancePeriod,
    AttendanceReport,
    ConsentItem,
    DataKept,
    DeclineReason,
    DocumentKind,
    EligibilityCriterion,
    IneligibleOther,
    NoteKind,
    Participant,
    ParticipantStatus,
    StratificationFactor,
    Trial,
    TrialDocument,
    TrialStatus,
    TrialTimepoint,
    WithdrawalReason,
)
from .strata import strata_at_opening, stratum_of

WAITLIST_DAYS = 28


# --- Set-up ---------------------------------------------------------------------------------------


@dataclass
class ArmSpec:
    name: str
    ratio: int = 1
    delay_days: int = 0
    is_control: bool = False


@dataclass
class TrialSpec:
    """Everything a trial is set up with, as the set-up form or the demo gives it."""

    name: str
    registration: str
    sites: list
    pathways: list
    starts_on: datetime.date
    ends_on: datetime.date
    arms: list[ArmSpec] = field(
        default_factory=lambda: [
            ArmSpec(_("Immediate support")),
            ArmSpec(_("Waitlist"), delay_days=WAITLIST_DAYS, is_control=True),
        ]
    )
    stratify_by: list[str] = field(default_factory=list)
    block_multiples: list[int] = field(default_factory=lambda: [1, 2, 3])
    instruments: list[str] = field(default_factory=lambda: ["swemwbs"])
    primary_instrument: str = "swemwbs"
    timepoints: list[int] = field(default_factory=lambda: [4, 12])
    primary_weeks: int = 12
    criteria: list[str] = field(default_factory=list)
    consent_items: list[tuple[str, bool, bool]] = field(default_factory=list)
    information_sheet: tuple[str, datetime.date] | None = None
    consent_form: tuple[str, datetime.date] | None = None
    list_length: int = 120
    attendance_months: int = 6


def _check_spec(spec: TrialSpec) -> None:
    if not spec.name.strip():
        raise ActionRefused(_("Enter the trial's name."), field="name")
    if spec.ends_on < spec.starts_on:
        raise ActionRefused(_("Recruitment must end after it starts."), field="ends_on")
    if len(spec.arms) < 2:
        raise ActionRefused(_("A trial needs at least two arms."), field="arms")
    if len({arm.name for arm in spec.arms}) != len(spec.arms):
        raise ActionRefused(_("Give each arm a different name."), field="arms")
    if sum(arm.is_control for arm in spec.arms) != 1:
        raise ActionRefused(_("Choose one arm as the comparison arm."), field="arms")
    if not spec.block_multiples or any(m < 1 or m > 10 for m in spec.block_multiples):
        raise ActionRefused(
            _("Block sizes are whole multiples of the ratio, from 1 to 10."),
            field="block_multiples",
        )
    unknown = set(spec.stratify_by) - set(StratificationFactor.values)
    if unknown:
        raise ActionRefused(_("Choose stratification factors from the list."), field="stratify_by")
    for code in [*spec.instruments, spec.primary_instrument]:
        get_instrument(code)  # InstrumentError for an unknown code: the form offers the list
    if spec.primary_instrument not in spec.instruments:
        raise ActionRefused(
            _("The primary outcome must be one of the trial's instruments."),
            field="primary_instrument",
        )
    if spec.primary_weeks not in spec.timepoints:
        raise ActionRefused(
            _("The primary time point must be one of the trial's time points."),
            field="primary_weeks",
        )


TRIAL_FIELDS = (
    "name",
    "registration",
    "starts_on",
    "ends_on",
    "stratify_by",
    "block_multiples",
    "instruments",
    "primary_instrument",
    "primary_weeks",
    "list_length",
    "attendance_months",
)


def _apply_spec(trial: Trial, spec: TrialSpec) -> None:
    """Write the spec onto a trial being set up: its fields, then (afresh) its arms, time
    points, criteria, consent statements and document versions. Nothing refers to those until
    the trial opens."""
    trial.name = spec.name.strip()
    trial.registration = spec.registration.strip().upper()
    trial.starts_on, trial.ends_on = spec.starts_on, spec.ends_on
    trial.stratify_by = list(spec.stratify_by)
    trial.block_multiples = sorted(set(spec.block_multiples))
    trial.instruments = list(dict.fromkeys(spec.instruments))
    trial.primary_instrument = spec.primary_instrument
    trial.primary_weeks = spec.primary_weeks
    trial.list_length = spec.list_length
    trial.attendance_months = spec.attendance_months
    trial.full_clean(exclude=["sites", "pathways", "team", "created_by"])
    trial.save()
    trial.sites.set(spec.sites)
    trial.pathways.set(spec.pathways)
    for model in (Arm, TrialTimepoint, EligibilityCriterion, ConsentItem, TrialDocument):
        model.objects.filter(trial=trial).delete()
    Arm.objects.bulk_create(
        Arm(
            trial=trial,
            name=arm.name,
            ratio=arm.ratio,
            delay_days=arm.delay_days,
            is_control=arm.is_control,
            order=order,
        )
        for order, arm in enumerate(spec.arms)
    )
    TrialTimepoint.objects.bulk_create(
        TrialTimepoint(trial=trial, weeks=weeks) for weeks in sorted(set(spec.timepoints))
    )
    EligibilityCriterion.objects.bulk_create(
        EligibilityCriterion(trial=trial, text=text, order=order)
        for order, text in enumerate(spec.criteria)
    )
    ConsentItem.objects.bulk_create(
        ConsentItem(trial=trial, text=text, required=required, gp_attendance=gp, order=order)
        for order, (text, required, gp) in enumerate(spec.consent_items)
    )
    for kind, document in (
        (DocumentKind.INFORMATION_SHEET, spec.information_sheet),
        (DocumentKind.CONSENT_FORM, spec.consent_form),
    ):
        if document is not None:
            TrialDocument.objects.create(
                trial=trial, kind=kind, version=document[0], dated=document[1]
            )


@transaction.atomic
def create_trial(spec: TrialSpec, *, by: User) -> Trial:
    """Set a trial up, ready to be opened. The person setting it up joins its team."""
    _check_spec(spec)
    trial = Trial(created_by=by)
    _apply_spec(trial, spec)
    trial.team.add(by)
    audit.record(by=by, action=AuditAction.CREATE, obj=trial)
    return trial


@transaction.atomic
def change_set_up(trial: Trial, spec: TrialSpec, *, by: User) -> Trial:
    """Change a trial's set-up before it opens (afterwards, only new document versions)."""
    trial = Trial.objects.select_for_update().get(pk=trial.pk)
    if trial.status != TrialStatus.DRAFT:
        raise ActionRefused(_("The set-up cannot change once the trial has opened."))
    _check_spec(spec)
    _apply_spec(trial, spec)
    audit.record(by=by, action=AuditAction.CHANGE, obj=trial, fields=TRIAL_FIELDS)
    return trial


@transaction.atomic
def add_document(
    trial: Trial, *, by: User, kind: str, version: str, dated: datetime.date
) -> TrialDocument:
    """A new version of the information sheet or consent form: used from now on; the
    versions before stay, so each consent still says which it was."""
    trial = Trial.objects.select_for_update().get(pk=trial.pk)
    if trial.is_closed:
        raise ActionRefused(_("The trial has closed."))
    if not version.strip():
        raise ActionRefused(_("Enter the version."), field="version")
    if trial.documents.filter(kind=kind, version=version.strip()).exists():
        raise ActionRefused(_("That version is already recorded."), field="version")
    trial.documents.filter(kind=kind, in_use=True).update(in_use=False)
    document = TrialDocument.objects.create(
        trial=trial, kind=kind, version=version.strip(), dated=dated
    )
    audit.record(by=by, action=AuditAction.CREATE, obj=document)
    return document


def opening_problems(trial: Trial) -> list[str]:
    """What stops the trial from opening, in words."""
    problems = []
    if not trial.sites.exists():
        problems.append(_("Choose at least one site."))
    if not trial.pathways.exists():
        problems.append(_("Choose at least one participating pathway."))
    if trial.arms.count() < 2:
        problems.append(_("A trial needs at least two arms."))
    if not trial.criteria.exists():
        problems.append(_("Add the eligibility criteria."))
    if not trial.consent_items.filter(required=True).exists():
        problems.append(_("Add the consent form's statements."))
    for kind in DocumentKind:
        if not trial.documents.filter(kind=kind, in_use=True).exists():
            problems.append(
                _("Record the version of the %(document)s in use.")
                % {"document": str(kind.label).lower()}
            )
    return problems


@transaction.atomic
def open_trial(trial: Trial, *, by: User, seed: bytes | None = None) -> Trial:
    """Open enrolment: draw the secret seed and generate every stratum's allocation list.

    `seed` is for the demo and for tests, which need the same list on every load; no page can
    pass one, so a real trial's seed always comes from `secrets`."""
    trial = Trial.objects.select_for_update().get(pk=trial.pk)
    if trial.status != TrialStatus.DRAFT:
        raise ActionRefused(_("The trial has already been opened."))
    if problems := opening_problems(trial):
        raise ActionRefused(" ".join(problems))
    randomisation.generate(trial, strata_at_opening(trial), seed=seed or randomisation.new_seed())
    trial.status = TrialStatus.OPEN
    trial.opened_at = timezone.now()
    trial.opened_by = by
    trial.save(update_fields=["status", "opened_at", "opened_by"])
    audit.record(by=by, action=AuditAction.TRANSITION, obj=trial, detail="opened")
    return trial


@transaction.atomic
def close_trial(trial: Trial, *, by: User, closed_on: datetime.date, reason: str) -> Trial:
    """End enrolment. Everyone not yet randomised continues under the service's usual rules;
    those randomised keep their allocated path until a manager releases them; every record
    stays."""
    trial = Trial.objects.select_for_update().get(pk=trial.pk)
    if trial.status != TrialStatus.OPEN:
        raise ActionRefused(_("Only an open trial can be closed."))
    if not reason.strip():
        raise ActionRefused(_("Say why the trial is closing."), field="reason")
    if closed_on > timezone.localdate():
        raise ActionRefused(_("The closing date cannot be in the future."), field="closed_on")
    if trial.opened_at and closed_on < timezone.localdate(trial.opened_at):
        raise ActionRefused(_("The trial cannot close before it opened."), field="closed_on")
    trial.status = TrialStatus.CLOSED
    trial.closed_on = closed_on
    trial.closed_at = timezone.now()
    trial.closed_by = by
    trial.closure_reason = reason.strip()
    trial.save(update_fields=["status", "closed_on", "closed_at", "closed_by", "closure_reason"])
    audit.record(by=by, action=AuditAction.TRANSITION, obj=trial, detail="closed")
    return trial


# --- Enrolment ------------------------------------------------------------------------------------


def _locked_participant(participant: Participant) -> Participant:
    return (
        Participant.objects.select_for_update()
        .select_related("trial", "referral")
        .get(pk=participant.pk)
    )


def offer_problems(trial: Trial, referral: Referral) -> list[str]:
    """Why this person cannot be offered this trial, if they cannot."""
    problems = []
    if not trial.is_open:
        problems.append(_("The trial is not open to enrolment."))
    if referral.status != ReferralStatus.WAITING:
        problems.append(_("The trial is offered to people accepted and waiting for support."))
    if not trial.sites.filter(pk=referral.site_id).exists():
        problems.append(_("The trial does not run at this person's site."))
    if not trial.pathways.filter(pk=referral.pathway_id).exists():
        problems.append(_("This person's pathway does not take part in the trial."))
    return problems


@transaction.atomic
def screen(
    trial: Trial,
    referral: Referral,
    *,
    by: User,
    unmet: list[EligibilityCriterion],
    other: str = "",
) -> Participant:
    """Record the eligibility checklist: eligible when every criterion is met and there is no
    other reason (coded) to exclude them."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if problems := offer_problems(trial, referral):
        raise ActionRefused(" ".join(problems))
    if Participant.objects.filter(trial=trial, referral=referral).exists():
        raise ActionRefused(_("This person has already been offered the trial."))
    if any(criterion.trial_id != trial.pk for criterion in unmet):
        raise ActionRefused(_("Choose criteria from this trial's checklist."), field="unmet")
    if other and other not in IneligibleOther.values:
        raise ActionRefused(_("Choose a reason from the list."), field="other")
    eligible = not unmet and not other
    participant = Participant.objects.create(
        trial=trial,
        referral=referral,
        status=ParticipantStatus.ELIGIBLE if eligible else ParticipantStatus.INELIGIBLE,
        screened_by=by,
        ineligible_other=other,
    )
    participant.unmet_criteria.set(unmet)
    audit.record(
        by=by,
        action=AuditAction.CREATE,
        obj=participant,
        person_id=referral.person_id,
        detail="eligible" if eligible else "ineligible",
    )
    return participant


@transaction.atomic
def record_consent(
    participant: Participant,
    *,
    by: User,
    consented_on: datetime.date,
    information_sheet: TrialDocument,
    consent_form: TrialDocument,
    answers: dict[int, bool],
) -> Participant:
    """Informed consent: the versions of the sheet and form, the date, who took it, and each
    statement agreed or not. Every required statement must be agreed; someone who does not
    agree to one has declined (`record_decline`)."""
    participant = _locked_participant(participant)
    trial = participant.trial
    if participant.status != ParticipantStatus.ELIGIBLE:
        raise ActionRefused(_("Consent is taken from someone found eligible and not yet asked."))
    if not trial.is_open:
        raise ActionRefused(_("The trial is not open to enrolment."))
    if consented_on > timezone.localdate():
        raise ActionRefused(_("The date of consent cannot be in the future."), field="consented_on")
    if consented_on < timezone.localdate(participant.screened_at):
        raise ActionRefused(
            _("Consent cannot be dated before the eligibility check."), field="consented_on"
        )
    for document, kind, name in (
        (information_sheet, DocumentKind.INFORMATION_SHEET, "information_sheet"),
        (consent_form, DocumentKind.CONSENT_FORM, "consent_form"),
    ):
        if document is None or document.trial_id != trial.pk or document.kind != kind:
            raise ActionRefused(_("Choose the version used."), field=name)
    items = list(trial.consent_items.all())
    for item in items:
        if item.required and not answers.get(item.pk):
            raise ActionRefused(
                _(
                    "Every required statement must be agreed to take part. If the person does "
                    "not agree, record that they declined."
                ),
                field=f"item_{item.pk}",
            )
    participant.status = ParticipantStatus.CONSENTED
    participant.consented_on = consented_on
    participant.consent_taken_by = by
    participant.information_sheet = information_sheet
    participant.consent_form = consent_form
    participant.consent_answers = {str(item.pk): bool(answers.get(item.pk)) for item in items}
    participant.gp_data_consent = any(item.gp_attendance and answers.get(item.pk) for item in items)
    participant.save()
    audit.record(
        by=by,
        action=AuditAction.CHANGE,
        obj=participant,
        person_id=participant.referral.person_id,
        fields=["status", "consented_on", "consent_answers"],
    )
    return participant


@transaction.atomic
def record_decline(
    participant: Participant, *, by: User, reason: str, on: datetime.date | None = None
) -> Participant:
    """The person chose not to take part: they continue under the service's usual rules."""
    participant = _locked_participant(participant)
    if participant.status not in (ParticipantStatus.ELIGIBLE, ParticipantStatus.CONSENTED):
        raise ActionRefused(_("Only someone offered the trial and not randomised can decline."))
    if reason not in DeclineReason.values:
        raise ActionRefused(_("Choose the reason."), field="reason")
    participant.status = ParticipantStatus.DECLINED
    participant.declined_on = on or timezone.localdate()
    participant.decline_reason = reason
    participant.save(update_fields=["status", "declined_on", "decline_reason"])
    audit.record(
        by=by,
        action=AuditAction.CHANGE,
        obj=participant,
        person_id=participant.referral.person_id,
        fields=["status", "decline_reason"],
    )
    return participant


def baseline_missing(participant: Participant) -> list[str]:
    """The trial's instruments with no current baseline measure for this person yet."""
    done = set(
        participant.referral.measures.filter(
            withdrawn_at__isnull=True, timepoint="baseline"
        ).values_list("instrument", flat=True)
    )
    return [code for code in participant.trial.instruments if code not in done]


@transaction.atomic
def randomise(participant: Participant, *, by: User) -> AllocationSlot:
    """Take the next unused allocation of the person's stratum: once, in this transaction.
    The allocation cannot be changed or undone afterwards."""
    participant = _locked_participant(participant)
    trial = participant.trial
    if participant.status == ParticipantStatus.RANDOMISED:
        raise ActionRefused(_("This person has already been randomised."))
    if participant.status != ParticipantStatus.CONSENTED:
        raise ActionRefused(_("Randomise someone who has consented."))
    if not trial.is_open:
        raise ActionRefused(_("The trial is not open to enrolment."))
    if participant.referral.status != ReferralStatus.WAITING:
        raise ActionRefused(_("Randomise people while they are on the waiting list."))
    if missing := baseline_missing(participant):
        raise ActionRefused(
            _("Complete the baseline measures first: %(missing)s.")
            % {"missing": ", ".join(get_instrument(code).name for code in missing)}
        )
    slot = randomisation.take_next(trial, stratum_of(trial, participant.referral))
    now = timezone.now()
    slot.participant = participant
    slot.used_at = now
    slot.used_by = by
    slot.save(update_fields=["participant", "used_at", "used_by"])
    participant.status = ParticipantStatus.RANDOMISED
    participant.stratum = slot.stratum
    participant.randomised_at = now
    participant.arm = slot.arm
    participant.not_before = timezone.localdate(now) + datetime.timedelta(days=slot.arm.delay_days)
    participant.save(update_fields=["status", "stratum", "randomised_at", "arm", "not_before"])
    audit.record(
        by=by,
        action=AuditAction.CREATE,
        obj=slot,
        person_id=participant.referral.person_id,
        detail=f"randomised participant {participant.pk}",
    )
    return slot


@transaction.atomic
def withdraw(
    participant: Participant,
    *,
    by: User,
    on: datetime.date,
    reason: str,
    data_kept: str,
) -> Participant:
    """The participant leaves the trial (not the service): when, why, and what of their data
    may be kept. Their allocation stays on record."""
    participant = _locked_participant(participant)
    if participant.status != ParticipantStatus.RANDOMISED:
        raise ActionRefused(_("Only a randomised participant can withdraw from the trial."))
    if participant.withdrawn_on is not None:
        raise ActionRefused(_("This participant has already withdrawn."))
    if reason not in WithdrawalReason.values:
        raise ActionRefused(_("Choose the reason."), field="reason")
    if data_kept not in DataKept.values:
        raise ActionRefused(_("Say what of their data may be kept."), field="data_kept")
    if on > timezone.localdate():
        raise ActionRefused(_("The date cannot be in the future."), field="on")
    if on < timezone.localdate(participant.randomised_at):
        raise ActionRefused(_("The date cannot be before randomisation."), field="on")
    participant.withdrawn_on = on
    participant.withdrawal_reason = reason
    participant.data_kept = data_kept
    participant.withdrawal_recorded_by = by
    participant.save(
        update_fields=["withdrawn_on", "withdrawal_reason", "data_kept", "withdrawal_recorded_by"]
    )
    audit.record(
        by=by,
        action=AuditAction.CHANGE,
        obj=participant,
        person_id=participant.referral.person_id,
        fields=["withdrawn_on", "withdrawal_reason", "data_kept"],
    )
    return participant


# --- After the allocation -------------------------------------------------------------------------


def _note(participant: Participant, *, by: User, kind: str, text: str) -> AllocationNote:
    if not text.strip():
        raise ActionRefused(_("Enter the note."), field="text")
    note = AllocationNote.objects.create(
        participant=participant, kind=kind, text=text.strip(), by=by
    )
    audit.record(
        by=by,
        action=AuditAction.CREATE,
        obj=note,
        person_id=participant.referral.person_id,
        detail=kind,
    )
    return note


@transaction.atomic
def add_note(participant: Participant, *, by: User, kind: str, text: str) -> AllocationNote:
    """Annotate an allocation (a note, or a protocol deviation). The allocation is unchanged."""
    participant = _locked_participant(participant)
    if participant.status != ParticipantStatus.RANDOMISED:
        raise ActionRefused(_("Only an allocation can be annotated."))
    if kind not in (NoteKind.NOTE, NoteKind.DEVIATION):
        raise ActionRefused(_("Choose what kind of note this is."), field="kind")
    return _note(participant, by=by, kind=kind, text=text)


def is_released(participant: Participant) -> bool:
    return participant.notes.filter(kind__in=(NoteKind.EARLY_START, NoteKind.RELEASED)).exists()


@transaction.atomic
def allow_early_start(participant: Participant, *, by: User, text: str) -> AllocationNote:
    """Let support start before the arm's delay has passed: recorded as a protocol deviation,
    with the reason."""
    participant = _locked_participant(participant)
    if participant.status != ParticipantStatus.RANDOMISED:
        raise ActionRefused(_("Only a randomised participant has a delay to lift."))
    if participant.not_before is None or participant.not_before <= timezone.localdate():
        raise ActionRefused(_("Support may already start: there is no delay to lift."))
    if is_released(participant):
        raise ActionRefused(_("Support has already been allowed to start."))
    return _note(participant, by=by, kind=NoteKind.EARLY_START, text=text)


@transaction.atomic
def release_from_path(participant: Participant, *, by: User, text: str) -> AllocationNote:
    """After the trial has closed, a manager decides that this person no longer follows their
    allocated path (the waitlist delay is lifted). Recorded, with the reason."""
    participant = _locked_participant(participant)
    if not participant.trial.is_closed:
        raise ActionRefused(_("People leave their allocated path only after the trial has closed."))
    if participant.status != ParticipantStatus.RANDOMISED:
        raise ActionRefused(_("Only a randomised participant has an allocated path."))
    if is_released(participant):
        raise ActionRefused(_("This person has already been released from their path."))
    return _note(participant, by=by, kind=NoteKind.RELEASED, text=text)


# --- GP attendance --------------------------------------------------------------------------------


@transaction.atomic
def record_attendance(
    participant: Participant,
    *,
    by: User,
    practice,
    period: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    attendances: int,
    sent_by: str,
    received_on: datetime.date,
) -> AttendanceReport:
    """Record a practice's count of a participant's GP attendances for one period. A second
    report for the same period replaces the first (the change is audited)."""
    participant = _locked_participant(participant)
    if participant.status != ParticipantStatus.RANDOMISED:
        raise ActionRefused(_("GP attendance is recorded for randomised participants."))
    if not participant.gp_data_consent:
        raise ActionRefused(_("This participant did not consent to GP attendance data."))
    if period not in AttendancePeriod.values:
        raise ActionRefused(_("Choose the period."), field="period")
    if ends_on < starts_on:
        raise ActionRefused(_("The period must end after it starts."), field="ends_on")
    if attendances < 0 or attendances > 500:
        raise ActionRefused(_("Enter a number of attendances from 0 to 500."), field="attendances")
    if not sent_by.strip():
        raise ActionRefused(_("Say who at the practice sent the count."), field="sent_by")
    if received_on > timezone.localdate():
        raise ActionRefused(_("The date received cannot be in the future."), field="received_on")
    values = {
        "practice": practice,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "attendances": attendances,
        "sent_by": sent_by.strip(),
        "received_on": received_on,
        "recorded_by": by,
        "recorded_at": timezone.now(),
    }
    report, created = AttendanceReport.objects.update_or_create(
        participant=participant, period=period, defaults=values
    )
    audit.record(
        by=by,
        action=AuditAction.CREATE if created else AuditAction.CHANGE,
        obj=report,
        person_id=participant.referral.person_id,
        fields=[] if created else sorted(values),
    )
    return report


# --- The trial team -------------------------------------------------------------------------------


@transaction.atomic
def add_to_team(trial: Trial, *, by: User, member: User) -> None:
    """Put a trial manager or researcher on the trial's team: they then see it, by pseudonym."""
    trial = Trial.objects.select_for_update().get(pk=trial.pk)
    if member.role not in (Role.TRIAL_MANAGER, Role.RESEARCHER) or not member.is_active:
        raise ActionRefused(_("Choose a trial manager or a researcher."), field="member")
    if trial.team.filter(pk=member.pk).exists():
        raise ActionRefused(_("They are already on the team."), field="member")
    trial.team.add(member)
    audit.record(by=by, action=AuditAction.CHANGE, obj=trial, detail=f"team + user {member.pk}")


@transaction.atomic
def remove_from_team(trial: Trial, *, by: User, member: User) -> None:
    """Take someone off the team. The trial always keeps at least one trial manager."""
    trial = Trial.objects.select_for_update().get(pk=trial.pk)
    if not trial.team.filter(pk=member.pk).exists():
        raise ActionRefused(_("They are not on the team."))
    managers = trial.team.filter(role=Role.TRIAL_MANAGER, is_active=True)
    if member.role == Role.TRIAL_MANAGER and not managers.exclude(pk=member.pk).exists():
        raise ActionRefused(_("The trial needs at least one trial manager on its team."))
    trial.team.remove(member)
    audit.record(by=by, action=AuditAction.CHANGE, obj=trial, detail=f"team - user {member.pk}")

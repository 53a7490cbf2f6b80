"""A randomised trial run inside the service.

Set-up: a `Trial` (registration, sites, participating pathways, dates, instruments, time points,
stratification and block sizes), its `Arm`s with their ratio and delay, the `EligibilityCriterion`
checklist, the versions of the participant information sheet and consent form
(`TrialDocument`) and the consent form's items (`ConsentItem`, some optional).

Enrolment: a `Participant` is one referral offered the trial, from screening to randomisation,
with ineligibility and refusal coded for the CONSORT diagram, and withdrawal with what data may
be kept.

Randomisation: the concealed list is `AllocationSlot` rows, generated per `Stratum` in permuted
blocks of random size from a secret `AllocationSeed` when the trial opens. A slot is used once,
by one participant, and never changed after; nothing in the service shows an unused slot or the
seed. What happens after (deviations, an early start, a person released from their path after
the trial closed) is written as append-only `AllocationNote`s.

GP attendance counts (`AttendanceReport`) are recorded per participant and period as practices
send them.

State changes happen only in `trials.actions` and `trials.randomisation`.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkwork.audit.append_only import AppendOnlyModel
from linkwork.outcomes.models import INSTRUMENT_CHOICES

isrctn = RegexValidator(
    r"^ISRCTN\d{8}$", _("Enter the registration number as ISRCTN followed by 8 digits.")
)


class TrialStatus(models.TextChoices):
    DRAFT = "draft", _("Being set up")
    OPEN = "open", _("Open to enrolment")
    CLOSED = "closed", _("Closed")


class StratificationFactor(models.TextChoices):
    """Factors recorded at referral that randomisation may be stratified by, besides the site."""

    FREQUENT_ATTENDER = "frequent_attender", _("Frequent attender")
    SOURCE_TYPE = "source_type", _("Who referred (type of referrer)")
    PRIORITY = "priority", _("Priority")


def default_block_multiples() -> list[int]:
    return [1, 2, 3]


def default_instruments() -> list[str]:
    return ["swemwbs"]


class Trial(models.Model):
    """One trial: how it randomises, what it measures, and where and when it runs."""

    name = models.CharField(_("name"), max_length=200)
    registration = models.CharField(
        _("registration number (ISRCTN)"), max_length=14, blank=True, validators=[isrctn]
    )
    status = models.CharField(
        max_length=10, choices=TrialStatus.choices, default=TrialStatus.DRAFT, db_index=True
    )
    sites = models.ManyToManyField("partners.Site", verbose_name=_("sites"), related_name="+")
    pathways = models.ManyToManyField(
        "referrals.Pathway", verbose_name=_("participating pathways"), related_name="+"
    )
    starts_on = models.DateField(_("recruitment starts"))
    ends_on = models.DateField(_("recruitment planned to end"))
    stratify_by = models.JSONField(_("stratify by, besides the site"), default=list, blank=True)
    block_multiples = models.JSONField(
        _("block sizes, as multiples of the ratio"), default=default_block_multiples
    )
    instruments = models.JSONField(_("outcome instruments"), default=default_instruments)
    primary_instrument = models.CharField(
        _("primary outcome"), max_length=20, choices=INSTRUMENT_CHOICES, default="swemwbs"
    )
    primary_weeks = models.PositiveSmallIntegerField(
        _("primary time point, weeks after randomisation"), default=12
    )
    list_length = models.PositiveSmallIntegerField(
        _("allocations generated per stratum when the trial opens"), default=120
    )
    attendance_months = models.PositiveSmallIntegerField(
        _("GP attendance periods, months"),
        default=6,
        help_text=_("The length of the periods before and after support that practices count."),
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("trial team"), related_name="trials", blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closure_reason = models.TextField(_("why the trial closed"), blank=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("trial")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="trial_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False),
                name="closed_trial_has_date",
            ),
            models.CheckConstraint(
                condition=Q(primary_weeks__gte=1) & Q(primary_weeks__lte=104),
                name="trial_primary_weeks_sane",
            ),
            models.CheckConstraint(
                condition=Q(list_length__gte=2) & Q(list_length__lte=5000),
                name="trial_list_length_sane",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == TrialStatus.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == TrialStatus.CLOSED


class Arm(models.Model):
    """One arm: its share of the allocations (the ratio) and how long support waits after
    randomisation (none for immediate support, 4 weeks for the waitlist by default)."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="arms")
    name = models.CharField(_("name"), max_length=100)
    ratio = models.PositiveSmallIntegerField(_("ratio"), default=1)
    delay_days = models.PositiveSmallIntegerField(_("support starts after, days"), default=0)
    is_control = models.BooleanField(
        _("comparison arm"),
        default=False,
        help_text=_("The arm the others are compared with in the analysis."),
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["trial", "order", "pk"]
        verbose_name = _("arm")
        constraints = [
            models.UniqueConstraint(fields=["trial", "name"], name="arm_name_unique_in_trial"),
            models.CheckConstraint(
                condition=Q(ratio__gte=1) & Q(ratio__lte=10), name="arm_ratio_sane"
            ),
            models.CheckConstraint(condition=Q(delay_days__lte=365), name="arm_delay_sane"),
        ]

    def __str__(self) -> str:
        return self.name


class EligibilityCriterion(models.Model):
    """One line of the eligibility checklist shown at enrolment: all must be met."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="criteria")
    text = models.CharField(_("criterion"), max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["trial", "order", "pk"]
        verbose_name = _("eligibility criterion")

    def __str__(self) -> str:
        return self.text


class DocumentKind(models.TextChoices):
    INFORMATION_SHEET = "information_sheet", _("Participant information sheet")
    CONSENT_FORM = "consent_form", _("Consent form")


class TrialDocument(models.Model):
    """A version of the participant information sheet or the consent form. The one in use is
    offered at consent; older ones stay so each consent says which version it was."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
    version = models.CharField(_("version"), max_length=30)
    dated = models.DateField(_("dated"))
    in_use = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["trial", "kind", "-dated", "-pk"]
        verbose_name = _("trial document")
        constraints = [
            models.UniqueConstraint(
                fields=["trial", "kind", "version"], name="document_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.version} ({self.dated:%d/%m/%Y})"


class ConsentItem(models.Model):
    """One statement on the consent form. Required ones must all be agreed; optional ones (such
    as consent to GP attendance data) are recorded yes or no."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="consent_items")
    text = models.CharField(_("statement"), max_length=400)
    required = models.BooleanField(_("required to take part"), default=True)
    gp_attendance = models.BooleanField(
        _("consent to GP attendance data"),
        default=False,
        help_text=_("Agreeing to this item lets the trial collect GP attendance counts."),
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["trial", "order", "pk"]
        verbose_name = _("consent item")

    def __str__(self) -> str:
        return self.text


class TrialTimepoint(models.Model):
    """A follow-up time point: the trial's instruments are due this many weeks after
    randomisation (the baseline, before randomisation, is always there)."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="timepoints")
    weeks = models.PositiveSmallIntegerField(_("weeks after randomisation"))

    class Meta:
        ordering = ["trial", "weeks"]
        verbose_name = _("trial time point")
        constraints = [
            models.UniqueConstraint(fields=["trial", "weeks"], name="timepoint_unique_in_trial"),
            models.CheckConstraint(
                condition=Q(weeks__gte=1) & Q(weeks__lte=104), name="timepoint_weeks_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weeks} weeks"


# --- Enrolment ------------------------------------------------------------------------------------


class ParticipantStatus(models.TextChoices):
    ELIGIBLE = "eligible", _("Eligible: consent to take")
    INELIGIBLE = "ineligible", _("Not eligible")
    DECLINED = "declined", _("Declined to take part")
    CONSENTED = "consented", _("Consented: baseline and randomisation to do")
    RANDOMISED = "randomised", _("Randomised")


class DeclineReason(models.TextChoices):
    NO_RESEARCH = "no_research", _("Does not want to take part in research")
    NO_WAIT = "no_wait", _("Does not want to risk waiting for support")
    QUESTIONNAIRES = "questionnaires", _("Does not want to complete the questionnaires")
    NOT_NOW = "not_now", _("Not the right time")
    OTHER = "other", _("Other reason")


class IneligibleOther(models.TextChoices):
    """Reasons someone is not eligible that are not a criterion of the checklist."""

    CANNOT_CONSENT = "cannot_consent", _("Unable to give informed consent")
    ALREADY_IN_STUDY = "already_in_study", _("Already taking part in another study")


class WithdrawalReason(models.TextChoices):
    NO_LONGER_WISHES = "no_longer_wishes", _("No longer wishes to take part")
    QUESTIONNAIRES = "questionnaires", _("The questionnaires were too much")
    UNWELL = "unwell", _("Too unwell to continue")
    MOVED_AWAY = "moved_away", _("Moved out of the area")
    OTHER = "other", _("Other reason")


class DataKept(models.TextChoices):
    """What a withdrawing participant agrees may be kept and used."""

    FOLLOW_UP = "follow_up", _("Keep what was collected and continue follow-up measures")
    COLLECTED = "collected", _("Keep what was collected; no further follow-up")
    NONE = "none", _("Use none of their trial data")


class Participant(models.Model):
    """A referral offered the trial: screening, consent (or refusal), randomisation and
    withdrawal. Created when the eligibility checklist is recorded."""

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="participants")
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="trial_participations"
    )
    status = models.CharField(max_length=12, choices=ParticipantStatus.choices, db_index=True)
    screened_at = models.DateTimeField(default=timezone.now)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    unmet_criteria = models.ManyToManyField(
        EligibilityCriterion, blank=True, related_name="+", verbose_name=_("criteria not met")
    )
    ineligible_other = models.CharField(max_length=20, choices=IneligibleOther.choices, blank=True)
    # Consent
    consented_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    information_sheet = models.ForeignKey(
        TrialDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consent_form = models.ForeignKey(
        TrialDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: {consent item pk (as a string): agreed}
    consent_answers = models.JSONField(default=dict, blank=True)
    gp_data_consent = models.BooleanField(default=False)
    # Refusal
    declined_on = models.DateField(null=True, blank=True)
    decline_reason = models.CharField(max_length=20, choices=DeclineReason.choices, blank=True)
    # Randomisation (the allocation itself is the slot used: `allocation`)
    stratum = models.ForeignKey(
        "Stratum", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    randomised_at = models.DateTimeField(null=True, blank=True)
    arm = models.ForeignKey(Arm, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    not_before = models.DateField(_("support not before"), null=True, blank=True)
    # Withdrawal from the trial (not from the service)
    withdrawn_on = models.DateField(_("withdrew on"), null=True, blank=True)
    withdrawal_reason = models.CharField(
        max_length=20, choices=WithdrawalReason.choices, blank=True
    )
    data_kept = models.CharField(max_length=12, choices=DataKept.choices, blank=True)
    withdrawal_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["trial", "screened_at", "pk"]
        verbose_name = _("trial participant")
        constraints = [
            models.UniqueConstraint(
                fields=["trial", "referral"], name="one_participation_per_referral"
            ),
            models.CheckConstraint(
                condition=~Q(status="randomised")
                | Q(arm__isnull=False, randomised_at__isnull=False, stratum__isnull=False),
                name="randomised_participant_has_arm",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(status="randomised"),
                name="only_randomised_participants_withdraw",
            ),
        ]

    def __str__(self) -> str:
        return f"participant {self.pk}"

    @property
    def is_randomised(self) -> bool:
        return self.status == ParticipantStatus.RANDOMISED

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_on is not None


# --- The concealed allocation list ----------------------------------------------------------------


class AllocationSeed(models.Model):
    """The secret the trial's allocation list is generated from. Never shown, exported or
    registered in the admin; kept so that a trials unit can regenerate and verify the list
    after the trial."""

    trial = models.OneToOneField(Trial, on_delete=models.PROTECT, related_name="+")
    seed = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"seed for trial {self.trial_id}"


class Stratum(models.Model):
    """One stratum of the trial (a site, crossed with any other stratification factors) and
    the position of its next unused allocation. Randomisation locks this row."""

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="strata")
    #: "site=3|frequent_attender=yes": its words come from `strata.describe`, in the reader's
    #: language.
    key = models.CharField(max_length=200)
    next_position = models.PositiveIntegerField(default=1)
    generated = models.PositiveIntegerField(default=0)
    blocks = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["trial", "key"]
        verbose_name = _("stratum")
        constraints = [
            models.UniqueConstraint(fields=["trial", "key"], name="stratum_key_unique"),
        ]

    def __str__(self) -> str:
        return self.key


class AllocationSlot(models.Model):
    """One entry of the concealed list: the arm for the n-th person randomised in a stratum.
    Used once (by one participant), never changed after."""

    stratum = models.ForeignKey(Stratum, on_delete=models.PROTECT, related_name="slots")
    position = models.PositiveIntegerField()
    block = models.PositiveIntegerField()
    block_size = models.PositiveSmallIntegerField()
    arm = models.ForeignKey(Arm, on_delete=models.PROTECT, related_name="+")
    #: Shown once the allocation is used, as an envelope's number was: "allocation 3F9A0C12".
    reference = models.CharField(max_length=8)
    participant = models.OneToOneField(
        Participant, null=True, blank=True, on_delete=models.PROTECT, related_name="allocation"
    )
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["stratum", "position"]
        verbose_name = _("allocation")
        constraints = [
            models.UniqueConstraint(fields=["stratum", "position"], name="slot_position_unique"),
            models.CheckConstraint(
                condition=Q(participant__isnull=True, used_at__isnull=True)
                | Q(participant__isnull=False, used_at__isnull=False, used_by__isnull=False),
                name="used_slot_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"allocation {self.stratum_id}/{self.position}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            before = type(self).objects.filter(pk=self.pk).values("used_at").first()
            if before is not None and before["used_at"] is not None:
                raise RuntimeError("An allocation cannot be changed once used.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("The allocation list is never deleted from.")


class NoteKind(models.TextChoices):
    NOTE = "note", _("Note")
    DEVIATION = "deviation", _("Protocol deviation")
    EARLY_START = "early_start", _("Protocol deviation: support started before the delay ended")
    RELEASED = "released", _("Released from the allocated path after the trial closed")


class AllocationNote(AppendOnlyModel):
    """Something said about a participant's allocation after it was made. Append-only: the
    allocation itself cannot be edited or undone."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(_("kind"), max_length=12, choices=NoteKind.choices)
    text = models.TextField(_("note"))
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("allocation note")

    def __str__(self) -> str:
        return f"{self.kind} on participant {self.participant_id}"


# --- GP attendance --------------------------------------------------------------------------------


class AttendancePeriod(models.TextChoices):
    BEFORE = "before", _("Before support")
    DURING = "during", _("During support")
    AFTER = "after", _("After support")


class AttendanceReport(models.Model):
    """How many times a participant attended their GP practice in one period, as the practice
    reported it."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="attendance_reports"
    )
    practice = models.ForeignKey(
        "partners.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=8, choices=AttendancePeriod.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    attendances = models.PositiveSmallIntegerField(_("attendances"))
    sent_by = models.CharField(_("sent by"), max_length=200)
    received_on = models.DateField(_("received on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["participant", "starts_on"]
        verbose_name = _("GP attendance report")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "period"], name="one_attendance_report_per_period"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="attendance_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} attendance for participant {self.participant_id}"


# --- Pseudonymised exports ------------------------------------------------------------------------


#: How long an export's file may be downloaded after it was made; the sweep then deletes it.
KEEP_EXPORTS_FOR_DAYS = 7


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV files")
    XLSX = "xlsx", _("Excel workbook (.xlsx)")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Deleted")


class TrialExport(models.Model):
    """One export of the trial's pseudonymised data set for the trial team: a zip with the
    data (CSV or Excel), its data dictionary, the CONSORT diagram and a README. Made in the
    background by `trials.tasks.make_export`; the file is kept in the row (`content`) for
    `KEEP_EXPORTS_FOR_DAYS`, then deleted by a sweep, leaving the row as the record of it.

    `error` holds the kind of failure only (an exception's class name), never its text."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="exports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    #: The language of the data dictionary and README (the requester's).
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(
        max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED, db_index=True
    )
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(null=True, blank=True)
    content = models.BinaryField(default=b"", blank=True, editable=False)
    size = models.PositiveIntegerField(default=0)
    filename = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: Until when the file may be downloaded (`KEEP_EXPORTS_FOR_DAYS` after it was made).
    expires_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    downloaded_count = models.PositiveIntegerField(default=0)
    last_downloaded_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("trial export")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done")
                | Q(finished_at__isnull=False, expires_at__isnull=False),
                name="finished_export_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.pk} of trial {self.trial_id}"

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED, ExportStatus.EXPIRED)

    @property
    def percent_done(self) -> int:
        if self.finished:
            return 100
        if not self.total:
            return 0
        return min(100, round(100 * self.processed / self.total))

    @property
    def downloadable(self) -> bool:
        return (
            self.status == ExportStatus.DONE
            and self.expires_at is not None
            and timezone.now() < self.expires_at
        )

"""A subject access request (UK GDPR article 15): everything the service holds about one person,
made in the background as a machine-readable JSON and a readable PDF, and kept until the
service deletes the request.

`error` holds the kind of failure only (an exception's class name), never its text."""

import calendar
import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def one_calendar_month_after(day: datetime.date) -> datetime.date:
    """The same day of the next month, or its last day when it has no such day (31 January is
    due on 28 or 29 February): the ICO's reading of "one month"."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class DueInAMonth:
    """A request from a person about their data (a copy, a correction, erasure), which the
    service must answer within one calendar month of the day it was received (`received_on`)."""

    @property
    def due_on(self) -> datetime.date:
        """The statutory deadline: one calendar month after the request was received."""
        return one_calendar_month_after(self.received_on)


class SubjectAccessRequest(DueInAMonth, models.Model):
    person = models.ForeignKey(
        "referrals.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="subject_access_requests",
    )
    # The referral the manager asked from: the way back to the person's pages.
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="+", verbose_name=_("referral")
    )
    received_on = models.DateField(_("date the request was received"))
    note = models.TextField(_("who asked, and how their identity was checked"))
    language = models.CharField(max_length=10, default="en")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED, db_index=True
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    json = models.BinaryField(default=b"", blank=True, editable=False)
    pdf = models.BinaryField(default=b"", blank=True, editable=False)
    sections_to_review = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True)
    downloads = models.PositiveIntegerField(default=0)
    # When retention (or the person's anonymisation) deleted the files; the request is kept.
    files_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("subject access request")
        verbose_name_plural = _("subject access requests")

    def __str__(self) -> str:
        return f"subject access request {self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CORRECTED = "corrected", _("Corrected")
    REFUSED = "refused", _("Refused")


class RectificationRequest(DueInAMonth, models.Model):
    """A person asked the service to correct what it holds about them (UK GDPR article 16,
    decision 0026). The service answers within one calendar month of receiving it: by
    correcting (a change to their details, or a corrected note, made for it), or by refusing
    with a reason, after which the person is told and may give a statement, kept here with
    the request.

    A correction made at once, with the reason "the person asked", records its request as
    already answered; one to look into is recorded open, and listed with its deadline."""

    person = models.ForeignKey(
        "referrals.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="rectification_requests",
    )
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="+", verbose_name=_("referral")
    )
    received_on = models.DateField(_("date the request was received"))
    asked_for = models.TextField(_("what the person asked to be corrected"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
        db_index=True,
    )
    # What answered it, when it was corrected here.
    details_change = models.ForeignKey(
        "referrals.PersonDetailsChange",
        verbose_name=_("change to their details"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note_correction = models.ForeignKey(
        "casework.ContactNoteCorrection",
        verbose_name=_("correction to a contact note"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    interim_note_correction = models.ForeignKey(
        "referrals.InterimContactCorrection",
        verbose_name=_("correction to an interim support note"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refusal_reason = models.TextField(_("why the correction was refused"), blank=True)
    person_told_on = models.DateField(_("the person was told on"), null=True, blank=True)
    statement = models.TextField(_("the person's statement"), blank=True)
    statement_recorded_at = models.DateTimeField(_("statement recorded"), null=True, blank=True)
    statement_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("statement recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("rectification request")
        verbose_name_plural = _("rectification requests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", decided_at__isnull=True)
                | (~models.Q(status="open") & models.Q(decided_at__isnull=False)),
                name="rectification_answered_once_decided",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                name="rectification_refusal_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"rectification request {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == RectificationStatus.OPEN

    def overdue(self, today: datetime.date | None = None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())


class ProcessingRecord(models.Model):
    """The controller's own part of the record of processing activities (UK GDPR article 30):
    who is responsible, who processes data for them, and what the data protection officer has
    decided. One row for the service; everything else on the record is read live from what
    Linkwork holds (`linkwork.subjects.processing`)."""

    controller_name = models.CharField(
        _("organisation responsible (the controller)"), max_length=200, blank=True
    )
    controller_address = models.TextField(_("its address"), max_length=1000, blank=True)
    controller_contact = models.CharField(_("how to contact it"), max_length=200, blank=True)
    ico_registration = models.CharField(_("ICO registration number"), max_length=10, blank=True)
    dpo_name = models.CharField(_("data protection officer"), max_length=200, blank=True)
    dpo_contact = models.CharField(
        _("how to contact the data protection officer"), max_length=200, blank=True
    )
    processors = models.TextField(
        _("organisations that process data for the service (processors)"),
        max_length=4000,
        blank=True,
    )
    transfers = models.TextField(_("transfers outside the UK"), max_length=2000, blank=True)
    lawful_basis_notes = models.TextField(
        _("the controller's notes on purposes and lawful bases"), max_length=4000, blank=True
    )
    dpia = models.CharField(_("data protection impact assessment"), max_length=300, blank=True)
    reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )

    class Meta:
        verbose_name = _("record of processing")
        verbose_name_plural = _("record of processing")

    def __str__(self) -> str:
        return "record of processing"

    @classmethod
    def current(cls) -> "ProcessingRecord":
        """The service's one record (an empty one until an administrator fills it in)."""
        return cls.objects.select_related("reviewed_by").filter(pk=1).first() or cls(pk=1)


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed")


class RetentionRun(models.Model):
    """One run of the retention sweep (decision 0027): a dry run, which lists what would go, or
    a real one, which anonymises and deletes it. The report of what each rule found or did is
    kept; it names referrals by their references only. `errors` holds, for each person who
    could not be anonymised, their reference and the kind of failure (never its text)."""

    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=True)
    # Who asked for it; empty for the worker's daily run and the command.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING)
    # Per rule key: how many records it found due (dry run) or acted on (real run).
    counts = models.JSONField(default=dict, blank=True)
    # Per rule key: the references of the referrals whose people were (or would be) anonymised.
    references = models.JSONField(default=dict, blank=True)
    people_anonymised = models.PositiveIntegerField(default=0)
    rows_deleted = models.PositiveIntegerField(default=0)
    audit_lines_rewritten = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"retention run {self.pk}"

    @property
    def finished(self) -> bool:
        return self.status != RunStatus.RUNNING


class Anonymisation(models.Model):
    """A person whose record was anonymised: by the retention sweep (`run`, `rule`) or on an
    erasure request (`erasure`). One per person: it is what makes the sweep idempotent and safe
    when two workers run it."""

    person = models.OneToOneField(
        "referrals.Person", on_delete=models.PROTECT, related_name="anonymisation"
    )
    at = models.DateTimeField(default=timezone.now)
    rule = models.CharField(max_length=32, blank=True)
    run = models.ForeignKey(
        RetentionRun, null=True, blank=True, on_delete=models.PROTECT, related_name="anonymised"
    )
    erasure = models.ForeignKey(
        "ErasureRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rows_changed = models.PositiveIntegerField(default=0)
    audit_lines_rewritten = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("anonymisation")

    def __str__(self) -> str:
        return f"anonymisation {self.pk}"


class ErasureDecision(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    ERASED = "erased", _("Erased (anonymised)")
    REFUSED = "refused", _("Refused")


class ErasureRequest(DueInAMonth, models.Model):
    """A request to erase a person's data (UK GDPR article 17), the decision and its reason.
    Erasing anonymises the record as retention does (decision 0027); a refused request keeps
    its reason."""

    person = models.ForeignKey(
        "referrals.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="erasure_requests",
    )
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="+", verbose_name=_("referral")
    )
    received_on = models.DateField(_("date the request was received"))
    note = models.TextField(_("who asked, and how their identity was checked"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(
        _("decision"),
        max_length=8,
        choices=ErasureDecision.choices,
        default=ErasureDecision.PENDING,
        db_index=True,
    )
    reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")

    def __str__(self) -> str:
        return f"erasure request {self.pk}"

    @property
    def decided(self) -> bool:
        return self.decision != ErasureDecision.PENDING

"""The service timeline's own events: dated changes to the service that a manager records
("lockdown: telephone only", "frequent-attender rule dropped"). Pathway openings and closings,
trial dates and link coordinators' first and last days come from their own records
(`timeline.py`); only what no other record knows is stored here."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ServiceEvent(models.Model):
    on = models.DateField(_("date"))
    title = models.CharField(_("what changed"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    sites = models.ManyToManyField(
        "partners.Site", verbose_name=_("sites"), related_name="service_events"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["on", "pk"]
        verbose_name = _("service event")
        verbose_name_plural = _("service events")

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.title}"


class CaseStudy(models.Model):
    """A story of someone's support, written by a manager for the funder report, with nothing
    that could identify them: Linkwork refuses one that holds a name, a date of birth, an NHS
    number, a postcode or a phone number (`identifiers.py`)."""

    site = models.ForeignKey(
        "partners.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("the case study"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")

    def __str__(self) -> str:
        return self.title


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class FunderReport(models.Model):
    """One report for the funder and the steering group: a period at some sites, made in the
    background as a PDF (in the language of whoever asked) and a spreadsheet, and kept.

    `error` holds the kind of failure only (an exception's class name), never its text."""

    first_month = models.DateField(_("from"))
    last_month = models.DateField(_("to"))
    sites = models.ManyToManyField("partners.Site", verbose_name=_("sites"), related_name="+")
    case_studies = models.ManyToManyField(
        CaseStudy, verbose_name=_("case studies"), related_name="reports", blank=True
    )
    language = models.CharField(max_length=10, default="en")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=8, choices=ReportStatus.choices, default=ReportStatus.QUEUED, db_index=True
    )
    steps_done = models.PositiveSmallIntegerField(default=0)
    steps = models.PositiveSmallIntegerField(default=0)
    step_name = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pdf = models.BinaryField(default=b"", blank=True, editable=False)
    xlsx = models.BinaryField(default=b"", blank=True, editable=False)
    error = models.CharField(max_length=200, blank=True)
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("funder report")
        verbose_name_plural = _("funder reports")

    def __str__(self) -> str:
        return f"{self.first_month:%Y-%m} to {self.last_month:%Y-%m}"

    @property
    def finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)

    @property
    def percent_done(self) -> int:
        if self.status == ReportStatus.DONE:
            return 100
        return round(100 * self.steps_done / self.steps) if self.steps else 0

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


class SubjectAccessRequest(models.Model):
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

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("subject access request")
        verbose_name_plural = _("subject access requests")

    def __str__(self) -> str:
        return f"subject access request {self.pk}"

    @property
    def due_on(self) -> datetime.date:
        """The statutory deadline: one calendar month after the request was received."""
        return one_calendar_month_after(self.received_on)

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

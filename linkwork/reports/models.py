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

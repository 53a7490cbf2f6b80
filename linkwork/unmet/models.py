"""Needs link coordinators looked for in the directory and found nothing for."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UnmetNeed(models.Model):
    """A need a coordinator could find nothing in the directory for."""

    site = models.ForeignKey(
        "partners.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        "directory.TaxonomyTerm",
        verbose_name=_("kind of need"),
        on_delete=models.PROTECT,
        related_name="unmet_needs",
    )
    area = models.CharField(_("area"), max_length=100)
    note = models.TextField(_("what was needed"), blank=True)
    referral = models.ForeignKey(
        "referrals.Referral",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unmet_needs",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("unmet need")

    def __str__(self) -> str:
        return f"Unmet need {self.pk}"

"""Partners and the service's engagement with them.

A partner is either a referring organisation (`partners.Organisation`: a GP practice, the
ambulance service, a crisis team...) or a receiving one (`directory.Organization`: a community
organisation whose services people are referred on to). Contacts and engagement activities
point at exactly one of the two, which the database checks. Changes happen only in
`engagement.actions`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: A referring organisation that has referred before but sent nothing for this many days has
#: gone quiet, unless the site's managers choose another number.
DEFAULT_QUIET_AFTER_DAYS = 60
MIN_QUIET_AFTER_DAYS = 7
MAX_QUIET_AFTER_DAYS = 365


class PartnerKind(models.TextChoices):
    REFERRING = "referring", _("Referring organisation")
    RECEIVING = "receiving", _("Receiving organisation")


class ActivityKind(models.TextChoices):
    """What the service did to engage a partner."""

    LETTER = "letter", _("Letter sent")
    EMAIL = "email", _("Email sent")
    VISIT = "practice_visit", _("Practice or service visit")
    MDT_MEETING = "mdt_meeting", _("MDT meeting attended")
    STEERING_GROUP = "steering_group", _("Steering group attended")
    TRAINING = "training", _("Training given to referrers")
    OTHER = "other", _("Other")


def _one_organisation(name: str) -> models.CheckConstraint:
    """Exactly one of the two organisation keys is set."""
    return models.CheckConstraint(
        condition=(
            Q(referring_organisation__isnull=False, receiving_organisation__isnull=True)
            | Q(referring_organisation__isnull=True, receiving_organisation__isnull=False)
        ),
        name=name,
    )


class PartnerRecord(models.Model):
    """Something kept about one partner: a referring or a receiving organisation, never both."""

    referring_organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("referring organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    receiving_organisation = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("receiving organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def organisation(self):
        return self.referring_organisation or self.receiving_organisation

    @property
    def partner_kind(self) -> str:
        if self.referring_organisation_id is not None:
            return PartnerKind.REFERRING
        return PartnerKind.RECEIVING


class PartnerContact(PartnerRecord):
    """A named person at a partner organisation: who to write to, ring or invite."""

    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role or job title"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_current = models.BooleanField(_("current contact"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_current", "name", "pk"]
        verbose_name = _("partner contact")
        constraints = [_one_organisation("partner_contact_one_organisation")]

    def __str__(self) -> str:
        return self.name


class EngagementActivity(PartnerRecord):
    """One thing done to engage a partner, on a day, for one of the service's sites.

    Append-mostly: its author, or a manager at its site, may correct it; each correction is
    audited and the record says it was corrected, by whom and when."""

    site = models.ForeignKey(
        "partners.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("what was done"), max_length=32, choices=ActivityKind.choices)
    happened_on = models.DateField(_("date"))
    summary = models.CharField(_("summary"), max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    corrected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-happened_on", "-pk"]
        verbose_name = _("engagement activity")
        verbose_name_plural = _("engagement activities")
        indexes = [
            models.Index(fields=["referring_organisation", "site", "happened_on"]),
            models.Index(fields=["receiving_organisation", "site", "happened_on"]),
        ]
        constraints = [
            _one_organisation("engagement_activity_one_organisation"),
            models.CheckConstraint(
                condition=Q(kind__in=ActivityKind.values), name="engagement_activity_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.happened_on}"


class SiteEngagementSettings(models.Model):
    """A site's own rule for when a referring organisation has gone quiet."""

    site = models.OneToOneField(
        "partners.Site", on_delete=models.CASCADE, related_name="engagement_settings"
    )
    quiet_after_days = models.PositiveSmallIntegerField(
        _("gone quiet after (days)"), default=DEFAULT_QUIET_AFTER_DAYS
    )

    class Meta:
        verbose_name = _("engagement settings")
        verbose_name_plural = _("engagement settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_after_days__gte=MIN_QUIET_AFTER_DAYS)
                & Q(quiet_after_days__lte=MAX_QUIET_AFTER_DAYS),
                name="engagement_quiet_after_days_sane",
            )
        ]

    def __str__(self) -> str:
        return f"{self.site_id}: quiet after {self.quiet_after_days} days"

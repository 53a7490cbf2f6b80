"""What every part of the service builds on, as abstract models (the platform has no tables of
its own)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OneTimeLinkQuerySet(models.QuerySet):
    def open(self, now=None):
        """Links that can still be used: not used, not withdrawn, not expired."""
        return self.filter(
            used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now or timezone.now()
        )


class OneTimeLink(models.Model):
    """A link someone without an account uses once: a receiving organisation answering a social
    prescription, a person giving feedback or completing a questionnaire.

    Only a SHA-256 of the link's random token is stored, unique across links of a kind; the token
    itself travels only in the signed URL (`linkwork.core.signed_links`). The database holds the
    rest: used once, expiry after creation, withdrawal. Every kind of link has the same fields
    and the same constraints.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = OneTimeLinkQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="%(app_label)s_%(class)s_expires_after_creation",
            ),
        ]

    def state(self, now=None) -> str:
        """used, revoked, expired or open."""
        now = now or timezone.now()
        if self.used_at is not None:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "open"

    def is_usable(self, now=None) -> bool:
        return self.state(now) == "open"

    @property
    def state_label(self) -> str:
        return {
            "used": _("Used"),
            "revoked": _("Withdrawn"),
            "expired": _("Expired"),
            "open": _("Waiting for an answer"),
        }[self.state()]

"""What every part of the service builds on: abstract models, and the one table of the platform's
own, the keys that stop a form being saved twice (`SubmissionKey`)."""

from django.conf import settings
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


class SubmissionKey(models.Model):
    """A form that creates something was sent with this key (`linkwork.core.idempotency`): it
    was saved once, and sending it again (a double click, a retried or resubmitted POST) leads
    to what the first one made, `result_url`, instead of making it again.

    `key` is the random part of the hidden field; its signature (who the form was for and where
    it is sent) is checked before it gets here. `session_data` holds what the first submission
    put in the session for the page it led to (a questionnaire's "where to get help now"), so a
    second one shows the same. Rows are swept after `SUBMISSION_KEY_HOURS`."""

    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    result_url = models.CharField(max_length=2000, blank=True)
    session_data = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"Submission at {self.created_at:%Y-%m-%d %H:%M}"

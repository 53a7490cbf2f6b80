"""Social prescriptions: a link coordinator referring someone on to a community service (a
`directory.Service`), and the secure links through which the service answers without an account.

State changes happen only in `prescriptions.actions`; the allowed moves are in
`prescriptions.status`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkwork.audit.append_only import AppendOnlyModel
from linkwork.core.models import OneTimeLink

from .status import TAG_COLOURS, PrescriptionStatus


class SocialPrescription(models.Model):
    """An onward referral of one person (through their allocated referral) to one service."""

    referral = models.ForeignKey(
        "referrals.Referral",
        verbose_name=_("referral"),
        on_delete=models.PROTECT,
        related_name="social_prescriptions",
    )
    service = models.ForeignKey(
        "directory.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="prescriptions",
    )
    asked_for = models.TextField(_("what is asked for"))
    accompany_first_visit = models.BooleanField(
        _("the link coordinator will go with them to the first visit"), default=False
    )
    # What the person agreed the service may be told: their first name and how to reach them.
    share_contact_details = models.BooleanField(
        _("the person agrees to their name and contact details being shared"), default=False
    )
    status = models.CharField(
        _("status"),
        max_length=32,
        choices=PrescriptionStatus.choices,
        default=PrescriptionStatus.SUGGESTED,
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    # Set when a link went unanswered and the service was chased; cleared when things move.
    needs_attention_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("social prescription")
        indexes = [models.Index(fields=["referral", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PrescriptionStatus.values),
                name="social_prescription_status_known",
            )
        ]

    def __str__(self) -> str:
        return f"SP{self.pk:06d}"

    @property
    def reference(self) -> str:
        return str(self)

    @property
    def status_colour(self) -> str:
        return TAG_COLOURS.get(self.status, "grey")

    @property
    def needs_attention(self) -> bool:
        return self.needs_attention_since is not None

    @property
    def last_update(self):
        """The latest history row (uses the prefetched history when there is one)."""
        updates = list(self.updates.all())
        return updates[-1] if updates else None


class PrescriptionUpdate(AppendOnlyModel):
    """One step of a social prescription: who (a user, or the service through a link), when,
    and what they said. Append-only."""

    prescription = models.ForeignKey(
        SocialPrescription, on_delete=models.PROTECT, related_name="updates"
    )
    from_status = models.CharField(max_length=32, choices=PrescriptionStatus.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=PrescriptionStatus.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    via_link = models.ForeignKey(
        "ServiceLink", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("social prescription update")

    def __str__(self) -> str:
        return f"{self.prescription_id}: {self.from_status} -> {self.to_status}"

    @property
    def by_service(self) -> bool:
        return self.via_link_id is not None

    @property
    def to_status_colour(self) -> str:
        return TAG_COLOURS.get(self.to_status, "grey")


class LinkPurpose(models.TextChoices):
    RESPOND = "respond", _("Accept or decline")
    OUTCOME = "outcome", _("Report the outcome")


class ServiceLink(OneTimeLink):
    """A one-time link a receiving organisation uses, without an account, to answer (see
    `prescriptions.tokens`)."""

    prescription = models.ForeignKey(
        SocialPrescription, on_delete=models.PROTECT, related_name="links"
    )
    purpose = models.CharField(max_length=10, choices=LinkPurpose.choices)
    # When this link, unanswered, was chased with a reminder. A reminder's own link is not
    # chased again (`is_reminder`): the coordinator is flagged instead.
    chased_at = models.DateTimeField(null=True, blank=True)
    is_reminder = models.BooleanField(default=False)

    class Meta(OneTimeLink.Meta):
        verbose_name = _("service link")
        indexes = [models.Index(fields=["used_at", "revoked_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link {self.pk}"

"""Messages to referrers: what the service told a referrer about their referral, and whether the
email reached them. Written only by `messaging.referrer`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    """The moments a referrer hears about: the ones the service promises to tell them about."""

    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    ALLOCATED = "allocated", _("Allocated to a link coordinator")
    CLOSED = "closed", _("Support ended")


# A referral is accepted, declined or first allocated once; it may be closed again if reopened.
ONCE_ONLY_EVENTS = (Event.ACCEPTED, Event.DECLINED, Event.ALLOCATED)

MAX_ATTEMPTS = 3


class ReferrerMessage(models.Model):
    """One message back to the referrer about a referral (the PRSB "message back to the
    referrer"), as it was worded when written, and what happened to its email."""

    # What identifies the person, or where it went: never written to logs or the audit log.
    PERSONAL_DATA_FIELDS = ("subject", "body", "recipient_email")

    referral = models.ForeignKey(
        "referrals.Referral",
        verbose_name=_("referral"),
        on_delete=models.PROTECT,
        related_name="referrer_messages",
    )
    event = models.CharField(_("about"), max_length=20, choices=Event.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    recipient_email = models.EmailField(
        _("emailed to"),
        blank=True,
        help_text=_("Empty when there is no email address: the referrer sees it in Linkwork."),
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts to email"), default=0)
    failed_at = models.DateTimeField(_("last failed"), null=True, blank=True)
    # The kind of failure (an exception's class name), never its text, which may hold an address.
    error = models.CharField(_("error"), max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("message to a referrer")
        verbose_name_plural = _("messages to referrers")
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "event"],
                condition=Q(event__in=[e.value for e in ONCE_ONLY_EVENTS]),
                name="referrer_message_once_per_event",
            ),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | ~Q(recipient_email=""),
                name="referrer_message_sent_only_with_an_address",
            ),
        ]
        indexes = [
            # The retry sweep looks for unsent messages.
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True),
                name="referrer_message_unsent_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.event}"

    @property
    def delivery(self) -> str:
        """Where the email is: "sent", "failed" (gave up), "sending" or "not_emailed"."""
        if self.sent_at:
            return "sent"
        if not self.recipient_email:
            return "not_emailed"
        if self.attempts >= MAX_ATTEMPTS:
            return "failed"
        return "sending"

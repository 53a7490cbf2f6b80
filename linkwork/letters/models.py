"""Letters: the wording managers keep for each kind of letter, in English and Welsh; each
site's letterhead; and every letter made, kept exactly as it was sent. Letters are written only
by `letters.actions`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkwork.audit.append_only import AppendOnlyModel
from linkwork.referrals.models import Language


class LetterKind(models.TextChoices):
    """What a letter is for. Each kind has its own placeholders (`placeholders.PLACEHOLDERS`)."""

    APPOINTMENT = "appointment", _("Appointment")
    NO_CONTACT = "no_contact", _("We have been unable to contact you")
    END_OF_SUPPORT = "end_of_support", _("End of support")
    REFERRER = "referrer", _("To the referrer: the outcome of the referral")


class LetterTemplate(models.Model):
    """The wording of one kind of letter in one language, with `{placeholders}` filled in from
    the person's record when a letter is made. One per kind and language, for the whole service;
    seeded by migration 0002, changed by managers (`actions.change_template`)."""

    kind = models.CharField(_("kind of letter"), max_length=20, choices=LetterKind.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    subject = models.CharField(_("heading"), max_length=200)
    body = models.TextField(_("wording"))
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)
    # Who changed it last (the audit log keeps every change). Kept if they are removed.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["kind", "language"]
        verbose_name = _("letter template")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "language"], name="one_letter_template_per_kind_and_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_language_display()})"


class Letterhead(models.Model):
    """What a site's letters carry at the top: the service's name, the site's postal address
    and how to get in touch. Kept by the site's managers (or administrators)."""

    site = models.OneToOneField(
        "partners.Site", verbose_name=_("site"), on_delete=models.CASCADE, related_name="letterhead"
    )
    service_name = models.CharField(_("service name"), max_length=120)
    address = models.TextField(_("postal address"))
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    email = models.EmailField(_("email address"), blank=True)

    class Meta:
        verbose_name = _("letterhead")

    def __str__(self) -> str:
        return f"Letterhead of site {self.site_id}"


class Letter(AppendOnlyModel):
    """One letter, as it was made: to whom, in which language, every word of it, who made it
    and when. Never changed afterwards (a letter that needs correcting is made again), so the
    record shows what the person or the referrer received."""

    # What identifies the person, or says where they live: never written to logs.
    PERSONAL_DATA_FIELDS = ("recipient_name", "recipient_address", "subject", "body")

    referral = models.ForeignKey(
        "referrals.Referral",
        verbose_name=_("referral"),
        on_delete=models.PROTECT,
        related_name="letters",
    )
    kind = models.CharField(_("kind of letter"), max_length=20, choices=LetterKind.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    # The booked contact an appointment letter is about (the letter keeps its own words of it).
    contact = models.ForeignKey(
        "casework.Contact",
        verbose_name=_("appointment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient_name = models.CharField(_("recipient's name"), max_length=200)
    recipient_address = models.TextField(_("recipient's address"))
    letterhead = models.TextField(_("letterhead"))
    dated = models.DateField(_("date of the letter"))
    subject = models.CharField(_("heading"), max_length=300)
    body = models.TextField(_("wording"))
    signed_by_name = models.CharField(_("signed by"), max_length=200)
    signed_by_role = models.CharField(_("signer's role"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("made"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("letter")
        indexes = [models.Index(fields=["referral", "created_at"], name="letter_referral_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="appointment") | Q(contact__isnull=True),
                name="letter_contact_only_for_appointments",
            ),
        ]

    def __str__(self) -> str:
        return f"Letter {self.pk}"

    @property
    def file_name(self) -> str:
        """The PDF's name: the reference and kind, never the person's name."""
        return f"letter-{self.referral.reference}-{self.kind}-{self.pk}.pdf"

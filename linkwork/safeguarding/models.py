"""Safeguarding, about anyone referred (the waiting list included).

The check a positive PHQ-9 item 9 raises (`SafeguardingPrompt`, which stays open until someone
records what they did), risk flags on a person (`RiskFlag`), concerns (`SafeguardingConcern`)
and their escalations to other organisations (`Escalation`), each chased (`EscalationChase`)
until a response is recorded.

State changes happen only in `safeguarding.actions`.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkwork.audit.append_only import AppendOnlyModel


class PromptAction(models.TextChoices):
    SAFETY_PLAN = "safety_plan", _("Talked it through with the person and agreed a safety plan")
    CONCERN = "concern", _("Raised a safeguarding concern")
    CRISIS_TEAM = "crisis_team", _("Contacted the crisis team")
    EMERGENCY = "emergency", _("Called emergency services")
    GP = "gp", _("Contacted their GP")
    NO_RISK = "no_risk", _("Checked with the person: no current risk")
    OTHER = "other", _("Something else (say what)")


class SafeguardingPrompt(models.Model):
    """Raised the moment a PHQ-9 is recorded with item 9 answered other than "not at all".

    It stays open, on the person's pages and the coordinator's home page, until someone
    records what they did.
    """

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="safeguarding_prompts"
    )
    measure = models.OneToOneField(
        "outcomes.Measure", on_delete=models.PROTECT, related_name="safeguarding_prompt"
    )
    answer = models.PositiveSmallIntegerField()
    raised_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(
        _("what you did"), max_length=20, choices=PromptAction.choices, blank=True
    )
    note = models.TextField(_("details"), blank=True)
    concern = models.ForeignKey(
        "SafeguardingConcern",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prompts",
    )

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(handled_at__isnull=True) | ~Q(action=""),
                name="handled_prompt_says_what_was_done",
            )
        ]

    def __str__(self) -> str:
        return f"safeguarding prompt {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.handled_at is None


class RiskKind(models.TextChoices):
    SUICIDAL_THOUGHTS = "suicidal_thoughts", _("Suicidal thoughts")
    SELF_HARM = "self_harm", _("Self-harm")
    FALLS = "falls", _("Falls")
    ABUSE = "abuse", _("Abuse or violence")
    SELF_NEGLECT = "self_neglect", _("Self-neglect")
    DOMESTIC_ABUSE = "domestic_abuse", _("Domestic abuse")
    RISK_TO_OTHERS = "risk_to_others", _("Risk to others")
    OTHER = "other", _("Other")


class FlagNote(models.TextChoices):
    """What Linkwork itself says about why a flag was raised: stored as a code and parameters
    (`RiskFlag.note_code`, `note_params`) and written out in the reader's language."""

    RAISED_WITH_CONCERN = "raised_with_concern", _("Raised with a safeguarding concern")
    PHQ9_ITEM9 = "phq9_item9", _("PHQ-9 question 9")


class RiskFlag(models.Model):
    """A risk known about a person. Active flags show on every page about them.

    `note` is what staff typed; `note_code` and `note_params` what the service wrote itself
    (`note_text` puts the two together in the reader's language).
    """

    person = models.ForeignKey(
        "referrals.Person", on_delete=models.PROTECT, related_name="risk_flags"
    )
    # The referral it was raised under: which site's staff raised it.
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="risk_flags"
    )
    kind = models.CharField(_("risk"), max_length=20, choices=RiskKind.choices)
    note = models.TextField(_("details"), blank=True)
    note_code = models.CharField(max_length=32, choices=FlagNote.choices, blank=True)
    note_params = models.JSONField(default=dict, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.TextField(_("why the flag is no longer needed"), blank=True)

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["person", "ended_at"])]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    @property
    def note_text(self) -> str:
        """What the service wrote (in the reader's language), then what staff typed."""
        from .presenters import flag_note  # presenters read the instruments' answers

        return "\n".join(part for part in (flag_note(self), self.note) if part)


class SafeguardingConcern(models.Model):
    """A safeguarding concern about a person, at any stage (the waiting list included)."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="safeguarding_concerns"
    )
    kind = models.CharField(_("risk"), max_length=20, choices=RiskKind.choices)
    summary = models.TextField(_("what happened"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"SG-{self.pk:05d}" if self.pk else "SG"

    @property
    def reference(self) -> str:
        return str(self)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class EscalatedTo(models.TextChoices):
    SOCIAL_SERVICES = "social_services", _("Social services")
    POLICE = "police", _("Police")
    CRISIS_TEAM = "crisis_team", _("Crisis team")
    GP = "gp", _("GP")
    AMBULANCE = "ambulance", _("Ambulance service")
    OTHER = "other", _("Other")


class EscalationMethod(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    ONLINE_FORM = "online_form", _("Online referral form")
    LETTER = "letter", _("Letter")
    IN_PERSON = "in_person", _("In person")
    OTHER = "other", _("Other")


class Escalation(models.Model):
    """A concern passed to another organisation, chased until they respond."""

    concern = models.ForeignKey(
        SafeguardingConcern, on_delete=models.PROTECT, related_name="escalations"
    )
    to = models.CharField(_("escalated to"), max_length=20, choices=EscalatedTo.choices)
    to_detail = models.CharField(_("team or person"), max_length=200, blank=True)
    at = models.DateTimeField(_("when"))
    method = models.CharField(_("how"), max_length=20, choices=EscalationMethod.choices)
    reference = models.CharField(_("their reference number"), max_length=100, blank=True)
    response_due = models.DateField(_("response due by"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(_("response received"), null=True, blank=True)
    response = models.TextField(_("their response"), blank=True)
    response_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["responded_at", "response_due"])]

    def __str__(self) -> str:
        return f"{self.get_to_display()} {self.at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.responded_at is None

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.is_open and (today or timezone.localdate()) > self.response_due

    def days_unanswered(self, now=None) -> int:
        end = self.responded_at or now or timezone.now()
        return max((end - self.at).days, 0)


class EscalationChase(AppendOnlyModel):
    """One chase of an escalation that has not been answered."""

    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="chases")
    at = models.DateTimeField(_("when"), default=timezone.now)
    method = models.CharField(_("how"), max_length=20, choices=EscalationMethod.choices)
    note = models.TextField(_("what was said"))
    next_due = models.DateField(_("new response due date"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"chase {self.pk}"


class EscalationReminder(models.Model):
    """That the coordinator and managers were told an escalation is overdue, for one due date:
    the sweep tells them once, and again only if a chase sets a new due date that passes."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="+")
    due = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["escalation", "due"], name="one_reminder_per_due_date")
        ]

    def __str__(self) -> str:
        return f"reminder {self.escalation_id} {self.due}"

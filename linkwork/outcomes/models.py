"""Outcome measures collected from people in support, and safeguarding.

Measures: which instruments an installation may use (`InstrumentSetting`: the licensed ones
only once registration is confirmed, and the reliability and SD used for reliable change), which
are due when at each site (`ScheduledInstrument`), the completed measures themselves (`Measure`,
answers plus the score worked out by `linkwork.outcomes.instruments`) and one-time links for the
person to complete one on their phone (`MeasureLink`).

Safeguarding: the prompt a positive PHQ-9 item 9 raises (`SafeguardingPrompt`, which stays open
until the coordinator records what they did), risk flags on a person (`RiskFlag`), concerns
(`SafeguardingConcern`) and their escalations to other organisations (`Escalation`), each chased
(`EscalationChase`) until a response is recorded.

State changes happen only in `outcomes.actions` and `outcomes.safeguarding`.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linkwork.audit.append_only import AppendOnlyQuerySet

from .instruments import all_instruments, get_instrument

INSTRUMENT_CHOICES = [(i.code, i.name) for i in all_instruments()]


class Timepoint(models.TextChoices):
    BASELINE = "baseline", pgettext_lazy("measure timepoint", "Baseline")
    END = "end", pgettext_lazy("measure timepoint", "End of support")
    FOLLOW_UP = "follow_up", pgettext_lazy("measure timepoint", "Follow-up")
    REVIEW = "review", pgettext_lazy("measure timepoint", "During support")


class InstrumentSetting(models.Model):
    """One instrument's settings for this installation.

    An instrument that needs registration (WEMWBS, SWEMWBS) can be switched on only once someone
    records that the service has registered its use; the others are on unless switched off.
    The reliability and SD used for reliable change default to the instrument's published
    values and can be set to the service's own.
    """

    instrument = models.CharField(_("instrument"), max_length=20, unique=True)
    enabled = models.BooleanField(_("in use"), default=False)
    registration_confirmed_at = models.DateTimeField(null=True, blank=True)
    registration_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registration_reference = models.CharField(
        _("registration reference"), max_length=200, blank=True
    )
    reliability = models.DecimalField(
        _("reliability (Cronbach's alpha)"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
    )
    sd = models.DecimalField(
        _("standard deviation"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(reliability__isnull=True) | Q(reliability__gt=0, reliability__lt=1),
                name="instrument_reliability_between_0_and_1",
            ),
            models.CheckConstraint(
                condition=Q(sd__isnull=True) | Q(sd__gt=0), name="instrument_sd_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.instrument


class ScheduledInstrument(models.Model):
    """At one site, an instrument and the timepoints it is due at."""

    site = models.ForeignKey(
        "partners.Site", on_delete=models.CASCADE, related_name="scheduled_instruments"
    )
    instrument = models.CharField(_("instrument"), max_length=20, choices=INSTRUMENT_CHOICES)
    at_baseline = models.BooleanField(_("at baseline"), default=True)
    at_end = models.BooleanField(_("at the end of support"), default=True)
    at_follow_up = models.BooleanField(_("at follow-up"), default=False)

    class Meta:
        ordering = ["site", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "instrument"], name="one_schedule_row_per_instrument"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.instrument}"

    def timepoints(self) -> list[str]:
        return [
            timepoint
            for timepoint, due in (
                (Timepoint.BASELINE, self.at_baseline),
                (Timepoint.END, self.at_end),
                (Timepoint.FOLLOW_UP, self.at_follow_up),
            )
            if due
        ]


#: Follow-up falls this many months after support closed, unless the site says otherwise.
DEFAULT_FOLLOW_UP_MONTHS = 3


class SiteOutcomeSettings(models.Model):
    """When a site's follow-up falls: this many months after support closed."""

    site = models.OneToOneField(
        "partners.Site", on_delete=models.CASCADE, related_name="outcome_settings"
    )
    follow_up_months = models.PositiveSmallIntegerField(
        _("follow-up, months after support ends"), default=DEFAULT_FOLLOW_UP_MONTHS
    )

    def __str__(self) -> str:
        return f"{self.site_id}: follow-up at {self.follow_up_months} months"


class CollectedBy(models.TextChoices):
    COORDINATOR = "coordinator", _("With the link coordinator")
    LINK = "link", _("By the person, through a secure link")


class Measure(models.Model):
    """One completed instrument: the answers, and the score worked out from them.

    The score is stored as worked out when it was recorded, by the instrument registry; the
    answers are kept so it can be checked. A measure entered in error is withdrawn (with a
    reason), never deleted.
    """

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="measures"
    )
    instrument = models.CharField(_("instrument"), max_length=20, choices=INSTRUMENT_CHOICES)
    timepoint = models.CharField(_("when"), max_length=12, choices=Timepoint.choices)
    completed_on = models.DateField(_("completed on"))
    answers = models.JSONField()
    total = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    raw = models.PositiveSmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=30, blank=True)
    subscores = models.JSONField(default=dict, blank=True)
    flags = models.JSONField(default=dict, blank=True)
    collected_by = models.CharField(max_length=12, choices=CollectedBy.choices)
    language = models.CharField(max_length=2, default="en")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["completed_on", "pk"]
        indexes = [models.Index(fields=["referral", "instrument", "completed_on"])]
        constraints = [
            # One current measure per instrument at baseline, at the end and at follow-up.
            models.UniqueConstraint(
                fields=["referral", "instrument", "timepoint"],
                condition=Q(withdrawn_at__isnull=True) & ~Q(timepoint="review"),
                name="one_measure_per_timepoint",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.timepoint} {self.completed_on}"

    @property
    def definition(self):
        return get_instrument(self.instrument)

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None


class MeasureLink(models.Model):
    """A one-time link the person uses to complete one instrument on their own device."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="measure_links"
    )
    instrument = models.CharField(max_length=20, choices=INSTRUMENT_CHOICES)
    timepoint = models.CharField(max_length=12, choices=Timepoint.choices)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="measure_link_expires_after_creation",
            )
        ]

    def __str__(self) -> str:
        return f"measure link {self.pk}"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.revoked_at is None and now < self.expires_at


# --- Safeguarding -------------------------------------------------------------------------------


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
        Measure, on_delete=models.PROTECT, related_name="safeguarding_prompt"
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


class RiskFlag(models.Model):
    """A risk known about a person. Active flags show on every page about them."""

    person = models.ForeignKey(
        "referrals.Person", on_delete=models.PROTECT, related_name="risk_flags"
    )
    # The referral it was raised under: which site's staff raised it.
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="risk_flags"
    )
    kind = models.CharField(_("risk"), max_length=20, choices=RiskKind.choices)
    note = models.TextField(_("details"), blank=True)
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


class EscalationChase(models.Model):
    """One chase of an escalation that has not been answered."""

    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="chases")
    at = models.DateTimeField(_("when"), default=timezone.now)
    method = models.CharField(_("how"), max_length=20, choices=EscalationMethod.choices)
    note = models.TextField(_("what was said"))
    next_due = models.DateField(_("new response due date"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = AppendOnlyQuerySet.as_manager()

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

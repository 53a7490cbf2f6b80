"""Outcome measures collected from people in support.

Measures: which instruments an installation may use (`InstrumentSetting`: the licensed ones
only once registration is confirmed, and the reliability and SD used for reliable change), which
are due when at each site (`ScheduledInstrument`), the completed measures themselves (`Measure`,
answers plus the score worked out by `linkwork.outcomes.instruments`) and one-time links for the
person to complete one on their phone (`MeasureLink`).

A PHQ-9 item 9 answered other than "not at all" is announced (`signals.measure_recorded`) for
the safeguarding app to raise its check.

State changes happen only in `outcomes.actions`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linkwork.core.models import OneTimeLink

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


class MeasureLink(OneTimeLink):
    """A one-time link the person uses to complete one instrument on their own device."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="measure_links"
    )
    instrument = models.CharField(max_length=20, choices=INSTRUMENT_CHOICES)
    timepoint = models.CharField(max_length=12, choices=Timepoint.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta(OneTimeLink.Meta):
        pass

    def __str__(self) -> str:
        return f"measure link {self.pk}"

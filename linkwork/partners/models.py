"""The service's own sites, and the organisations that refer people in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Site(models.Model):
    """A place the service runs from, with its own link coordinators and waiting list."""

    class Setting(models.TextChoices):
        RURAL = "rural", _("Rural")
        VALLEYS = "valleys", _("Valleys town")
        URBAN = "urban", _("Urban")

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("short name"), unique=True)
    health_board = models.CharField(_("health board"), max_length=120, blank=True)
    setting = models.CharField(_("setting"), max_length=20, choices=Setting.choices)
    support_weeks = models.PositiveSmallIntegerField(
        _("weeks of support"),
        default=12,
        help_text=_("The planned length of support, from its start."),
    )
    max_active_goals = models.PositiveSmallIntegerField(
        _("goals at a time"),
        default=3,
        help_text=_("How many goals a person may be working on at once."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(support_weeks__gte=1) & models.Q(support_weeks__lte=104),
                name="site_support_weeks_sane",
            ),
            models.CheckConstraint(
                condition=models.Q(max_active_goals__gte=1) & models.Q(max_active_goals__lte=10),
                name="site_max_active_goals_sane",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SourceType(models.TextChoices):
    """Kinds of referrer. Each pathway takes referrals from one source type."""

    GP_PRACTICE = "gp_practice", _("GP practice")
    AMBULANCE = "ambulance_service", _("Ambulance service")
    CRISIS_TEAM = "crisis_team", _("Mental health crisis team")
    PRIMARY_MENTAL_HEALTH = "primary_mental_health", _("Primary mental health team")
    LOCAL_AUTHORITY = "local_authority", _("Local authority")
    MIDWIFERY = "midwifery", _("Midwife service")
    THIRD_SECTOR = "third_sector", _("Third sector")
    SELF_REFERRAL = "self_referral", _("Self-referral")


class Organisation(models.Model):
    """A partner that refers people to the service (a GP practice, the ambulance service...)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    source_type = models.CharField(
        _("type"),
        max_length=32,
        choices=[c for c in SourceType.choices if c[0] != SourceType.SELF_REFERRAL],
    )
    code = models.CharField(
        _("code"), max_length=20, blank=True, help_text=_("For example the practice code.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("referring organisation")

    def __str__(self) -> str:
        return self.name

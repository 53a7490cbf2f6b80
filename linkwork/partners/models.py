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

    class CoordinatorAccess(models.TextChoices):
        """Which referrals a link coordinator at the site may read in full (decision 0023).
        Managers read every referral at their sites whichever is chosen."""

        CASELOAD = "caseload", _("Their own caseload and the waiting list")
        REASON = (
            "reason",
            _(
                "Their own caseload and the waiting list, and anyone else at the site after giving "
                "a reason"
            ),
        )
        SITE = "site", _("Everyone at the site")

    coordinator_access = models.CharField(
        _("what link coordinators may read"),
        max_length=10,
        choices=CoordinatorAccess.choices,
        default=CoordinatorAccess.REASON,
        help_text=_(
            "Their own caseload: the people they support or supported. The waiting list: those "
            "waiting for support, whom the site's coordinators keep in touch with. Anyone "
            "else's referral (awaiting triage, declined, withdrawn, or supported by a colleague) "
            "stays with the site's managers, or is opened only after giving a reason, which "
            "managers review."
        ),
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

"""People who sign in to Linkwork, their roles and the sites they work at."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Link coordinator")
    MANAGER = "manager", _("Service manager")
    REFERRER = "referrer", _("Referrer")
    RESEARCHER = "researcher", _("Researcher")
    TRIAL_MANAGER = "trial_manager", _("Trial manager")
    ADMINISTRATOR = "administrator", _("Administrator")


DEFAULT_CASELOAD_CAP = 15


class User(AbstractUser):
    """A person who signs in. Staff belong to sites; referrers belong to an organisation."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    sites = models.ManyToManyField(
        "partners.Site", verbose_name=_("sites"), blank=True, related_name="staff"
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    caseload_cap = models.PositiveSmallIntegerField(
        _("caseload cap"),
        default=DEFAULT_CASELOAD_CAP,
        help_text=_("The most people this link coordinator can support at once."),
    )
    # On the service timeline: when a link coordinator started, and their last day.
    started_on = models.DateField(_("started in the service"), null=True, blank=True)
    left_on = models.DateField(_("last day in the service"), null=True, blank=True)
    # Raised by "sign out everywhere": sessions begun before it stop (`core.sessions`).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    # Set when an administrator sets the password: the owner must choose their own before
    # anything else (`core.sessions`), so no one else knows it.
    must_change_password = models.BooleanField(_("must change their password"), default=False)
    # Made by the demo loader: exempt from having to set up a second factor, but only while
    # DEBUG is on (`accounts.two_factor`), so never in production.
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="referrer") | Q(organisation__isnull=False),
                name="referrer_has_organisation",
            ),
            models.CheckConstraint(condition=Q(caseload_cap__lte=100), name="caseload_cap_sane"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return str(self)

    def current_caseload(self) -> int:
        """How many people are allocated to this link coordinator now."""
        return self.allocations.filter(ended_at__isnull=True).count()

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def is_referrer(self) -> bool:
        return self.role == Role.REFERRER

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR

    @property
    def is_researcher(self) -> bool:
        return self.role == Role.RESEARCHER

    @property
    def is_trial_manager(self) -> bool:
        return self.role == Role.TRIAL_MANAGER

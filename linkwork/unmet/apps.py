from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnmetConfig(AppConfig):
    """Needs nothing in the directory met: recorded by coordinators, counted for managers with
    the social prescriptions that ended "service unavailable"."""

    name = "linkwork.unmet"
    verbose_name = _("Unmet needs")

    def ready(self) -> None:
        from . import timeline  # noqa: F401  (puts unmet needs on the person's timeline)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The top layer: what each role sees first, built from every part of the service."""

    name = "linkwork.home"
    verbose_name = _("Home pages")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo service (`manage.py load_demo`). Installed by the development and test settings
    only: production settings leave it out, so its builders are never importable there."""

    name = "linkwork.demo"
    verbose_name = _("Demo service")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "linkwork.outcomes"
    verbose_name = _("Outcome measures and safeguarding")

    def ready(self):
        from . import timeline  # noqa: F401  (registers the timeline sources)

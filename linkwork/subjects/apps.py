from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubjectsConfig(AppConfig):
    """The people's rights over what the service holds about them (UK GDPR): subject access
    exports (decision 0024) and rectification (decision 0026). It reads every domain app,
    beside reports; none reads it."""

    name = "linkwork.subjects"
    verbose_name = _("Subject rights")

    def ready(self) -> None:
        from linkwork.casework.panels import record_panels
        from linkwork.referrals.panels import referral_panels

        from .panels import rectification_section

        referral_panels.register("subjects.rectification", rectification_section)
        record_panels.register("subjects.rectification", rectification_section)

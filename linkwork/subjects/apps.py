from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubjectsConfig(AppConfig):
    """The people's rights over what the service holds about them (UK GDPR): subject access
    exports first. It reads every domain app, beside reports; none reads it (decision 0024)."""

    name = "linkwork.subjects"
    verbose_name = _("Subject rights")

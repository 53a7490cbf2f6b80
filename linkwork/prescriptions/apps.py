from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrescriptionsConfig(AppConfig):
    name = "linkwork.prescriptions"
    verbose_name = _("Prescriptions")

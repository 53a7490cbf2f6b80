from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrescriptionsConfig(AppConfig):
    name = "linkwork.prescriptions"
    verbose_name = _("Prescriptions")

    def ready(self) -> None:
        from linkwork.directory.panels import service_panels

        from .panels import service_counts

        service_panels.register("prescriptions.service_counts", service_counts)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrescriptionsConfig(AppConfig):
    name = "linkwork.prescriptions"
    verbose_name = _("Prescriptions")

    def ready(self) -> None:
        from linkwork.directory.panels import service_panels

        from .panels import service_counts

        service_panels.register("prescriptions.service_counts", service_counts)

        from linkwork.referrals.caseload import register_caseload_column

        from .caseload import needing_attention

        register_caseload_column(
            "prescriptions", _("Social prescriptions"), needing_attention, position=60
        )

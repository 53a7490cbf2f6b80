from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "linkwork.casework"
    verbose_name = _("Casework")

    def ready(self) -> None:
        from linkwork.referrals.caseload import register_caseload_column
        from linkwork.referrals.panels import referral_panels

        from . import caseload
        from .panels import loose_ends_at_handover

        register_caseload_column(
            "last_contact", _("Last contact"), caseload.last_contact, position=10
        )
        register_caseload_column(
            "next_contact", _("Next contact"), caseload.next_contact, position=20
        )
        register_caseload_column("weeks_left", _("Plan"), caseload.weeks_left, position=30)
        register_caseload_column("goals", _("Goals"), caseload.goals, position=40)

        # Re-allocating someone (the referrals app's page) shows what is still open for them.
        referral_panels.register("casework.loose_ends", loose_ends_at_handover, slot="handover")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "linkwork.casework"
    verbose_name = _("Casework")

    def ready(self) -> None:
        from linkwork.referrals.panels import referral_panels

        from .panels import loose_ends_at_handover

        # Re-allocating someone (the referrals app's page) shows what is still open for them.
        referral_panels.register("casework.loose_ends", loose_ends_at_handover, slot="handover")

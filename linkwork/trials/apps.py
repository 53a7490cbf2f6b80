from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrialsConfig(AppConfig):
    """A randomised trial run inside the service: set-up, enrolment, concealed randomisation,
    trial measures, GP attendance data, closure, the CONSORT diagram, the primary analysis and
    the pseudonymised export. It sits on referrals, casework and outcomes; they do not import it.
    """

    name = "linkwork.trials"
    verbose_name = _("Research trials")

    def ready(self) -> None:
        from linkwork.casework.panels import record_panels
        from linkwork.outcomes.schedules import register_slot_source
        from linkwork.referrals.holds import register_allocation_hold
        from linkwork.referrals.panels import referral_panels

        from .measures import SOURCE, trial_slots
        from .panels import trial_section
        from .queries import holds_for_referrals

        register_allocation_hold("trials", holds_for_referrals)
        register_slot_source(SOURCE, trial_slots)
        referral_panels.register("trials.participation", trial_section)
        record_panels.register("trials.participation", trial_section)

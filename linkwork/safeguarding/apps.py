from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafeguardingConfig(AppConfig):
    """Safeguarding, about anyone referred: item 9 checks, risk flags, concerns, escalations."""

    name = "linkwork.safeguarding"
    verbose_name = _("Safeguarding")

    def ready(self) -> None:
        from linkwork.casework.loose_ends import register_loose_ends
        from linkwork.casework.panels import record_panels
        from linkwork.casework.sweeps import register_reminder_count
        from linkwork.core.templatetags.page_alerts import register_page_alert
        from linkwork.outcomes.models import Measure
        from linkwork.outcomes.signals import measure_recorded, register_hold
        from linkwork.referrals.panels import referral_panels

        from . import actions, queries, timeline  # noqa: F401  (timeline registers its sources)
        from .alerts import person_alerts
        from .loose_ends import escalations_awaiting_a_response
        from .panels import safeguarding_section

        measure_recorded.connect(
            actions.raise_prompt, sender=Measure, dispatch_uid="safeguarding.raise_prompt"
        )
        register_hold("safeguarding.open_prompt", actions.prompt_hold)
        register_reminder_count(
            "safeguarding_checks", lambda user, today: queries.open_prompts_for(user).count()
        )
        register_reminder_count(
            "escalations_overdue",
            lambda user, today: queries.overdue_escalations_for(user, today=today).count(),
        )
        record_panels.register("safeguarding.panel", safeguarding_section)
        referral_panels.register("safeguarding.panel", safeguarding_section)
        register_page_alert("safeguarding.person_alerts", person_alerts)
        register_loose_ends("safeguarding.escalations", escalations_awaiting_a_response)

        from linkwork.referrals.caseload import register_caseload_column

        from .caseload import risk_flags

        register_caseload_column("risk", _("Risk flags"), risk_flags, position=5)

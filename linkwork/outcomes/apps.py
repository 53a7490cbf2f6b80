from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "linkwork.outcomes"
    verbose_name = _("Outcome measures and safeguarding")

    def ready(self):
        from linkwork.casework.sweeps import register_reminder_count

        from . import queries, timeline  # noqa: F401  (timeline registers its sources)

        register_reminder_count(
            "measures_due", lambda user, today: len(queries.due_for_coordinator(user, today=today))
        )
        register_reminder_count(
            "safeguarding_checks", lambda user, today: queries.open_prompts_for(user).count()
        )
        register_reminder_count(
            "escalations_overdue",
            lambda user, today: queries.overdue_escalations_for(user, today=today).count(),
        )

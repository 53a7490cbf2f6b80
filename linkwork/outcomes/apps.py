from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "linkwork.outcomes"
    verbose_name = _("Outcome measures")

    def ready(self):
        from linkwork.casework.loose_ends import register_loose_ends
        from linkwork.casework.panels import record_panels
        from linkwork.casework.sweeps import register_reminder_count

        from . import queries, timeline  # noqa: F401  (timeline registers its source)
        from .loose_ends import measures_to_take
        from .panels import measures_section

        register_reminder_count(
            "measures_due", lambda user, today: len(queries.due_for_coordinator(user, today=today))
        )
        record_panels.register("outcomes.measures", measures_section)
        register_loose_ends("outcomes.measures", measures_to_take)

        from linkwork.referrals.caseload import register_caseload_column

        from .caseload import measures_due

        register_caseload_column("measures", _("Measures"), measures_due, position=50)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "linkwork.referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from linkwork.audit.presenters import register_person_names

        from .models import Person

        def names(ids):
            people = Person.objects.filter(pk__in=ids).only("given_name", "family_name")
            return {person.pk: (person.reference, person.full_name) for person in people}

        # The audit log names whose record each line is about.
        register_person_names(names)

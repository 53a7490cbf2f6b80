"""A pathway's eligibility rules, explained in words a referrer understands."""

import datetime

from django.utils.translation import gettext as _

from .models import Pathway


def eligibility_problems(
    pathway: Pathway, *, date_of_birth: datetime.date, frequent_attender: bool, on: datetime.date
) -> dict[str, str]:
    """Field name -> why the person does not meet this pathway's rules. Empty when eligible."""
    problems: dict[str, str] = {}
    age = (
        on.year
        - date_of_birth.year
        - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    )
    if date_of_birth > on:
        problems["date_of_birth"] = _("Date of birth must be in the past")
    elif age < pathway.minimum_age:
        problems["date_of_birth"] = _(
            "This service is for people aged %(minimum)s or over. The person is %(age)s. "
            "Contact the service to talk about other support."
        ) % {"minimum": pathway.minimum_age, "age": age}
    if pathway.frequent_attender_required and not frequent_attender:
        problems["frequent_attender"] = _(
            "The %(pathway)s pathway only takes people who frequently attend their GP or "
            "emergency services"
        ) % {"pathway": pathway.label}
    return problems

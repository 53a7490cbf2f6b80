"""Safeguarding's part of the warnings before a person's support is closed or handed over
(`casework.loose_ends`): escalations still awaiting a response."""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from linkwork.casework.loose_ends import LooseEnd
from linkwork.referrals.models import Referral

from .queries import escalations_awaiting_response_for


def escalations_awaiting_a_response(referral: Referral) -> list[LooseEnd]:
    return [
        LooseEnd(
            _(
                "The escalation to %(to)s made on %(day)s is still awaiting a response "
                "(due by %(due)s)."
            )
            % {
                "to": escalation.get_to_display(),
                "day": date_format(escalation.at.date()),
                "due": date_format(escalation.response_due),
            },
            reverse("safeguarding:person", args=[referral.pk]),
            _("See the safeguarding record"),
        )
        for escalation in escalations_awaiting_response_for(referral)
    ]

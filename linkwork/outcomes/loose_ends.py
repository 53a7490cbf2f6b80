"""Outcome measures' part of the warnings before a person's support is closed or handed over
(`casework.loose_ends`): measures due or overdue, and the end-of-support measures not yet
recorded (they are asked for as support ends)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from linkwork.casework.loose_ends import LooseEnd
from linkwork.referrals.models import Referral

from .models import Timepoint
from .queries import DONE, MISSED, slots_for


def measures_to_take(referral: Referral) -> list[LooseEnd]:
    ends = []
    for slot in slots_for([referral]).get(referral.pk, []):
        at_the_end = slot.timepoint == Timepoint.END and slot.state not in (DONE, MISSED)
        if not (slot.collectable or at_the_end):
            continue
        ends.append(
            LooseEnd(
                _("%(instrument)s (%(when)s) is not recorded yet.")
                % {"instrument": slot.instrument.short_name, "when": slot.timepoint_label},
                reverse("outcomes:measures", args=[referral.pk]),
                _("Record it, or send the person a link"),
            )
        )
    return ends

"""Outcome measures' column on the "My caseload" page (`referrals.caseload`): how many are due,
and whether any is overdue."""

import datetime

from django.utils.translation import gettext as _

from linkwork.referrals.caseload import Fact
from linkwork.referrals.models import Referral

from .queries import OVERDUE, slots_for


def measures_due(referrals: list[Referral], today: datetime.date) -> dict[int, Fact]:
    facts = {}
    for pk, slots in slots_for(referrals, today=today).items():
        due = [slot for slot in slots if slot.collectable]
        if not due:
            continue
        overdue = any(slot.state == OVERDUE for slot in due)
        names = ", ".join(sorted({slot.instrument.short_name for slot in due}))
        text = (_("Overdue: %(names)s") if overdue else _("Due: %(names)s")) % {"names": names}
        soonest = min((slot.due_by for slot in due if slot.due_by), default=None)
        colour = "red" if overdue else "yellow"
        facts[pk] = Fact(text, soonest, needs_action=True, colour=colour)
    return facts

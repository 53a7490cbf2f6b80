"""What is still open for a person when their support is closed or handed to another
coordinator: contacts still booked, social prescriptions awaiting the service's answer, and
what other parts of the service register (safeguarding escalations awaiting a response,
outcome measures due). The close page and the re-allocation page show them before their form,
each with a link to where it is dealt with.

A part of the service above casework registers a source in its `AppConfig.ready()`:

    from linkwork.casework.loose_ends import register_loose_ends

    register_loose_ends("safeguarding.escalations", open_escalations_of)

A source is `(referral) -> list[LooseEnd]`; the page calls it only for a referral the user may
work with.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from linkwork.prescriptions.queries import awaiting_an_answer
from linkwork.referrals.models import Referral

from .models import Contact, ContactOutcome


@dataclass(frozen=True)
class LooseEnd:
    what: str  # in words, for the person closing
    url: str
    link_text: str


LooseEndSource = Callable[[Referral], list[LooseEnd]]
_sources: dict[str, LooseEndSource] = {}


def register_loose_ends(name: str, source: LooseEndSource) -> None:
    """Add (or, under the same name, replace) a source of loose ends."""
    _sources[name] = source


def _when(moment) -> str:
    local = timezone.localtime(moment)
    return f"{date_format(local, 'D j M')}, {local:%H:%M}"


def booked_contacts(referral: Referral) -> list[LooseEnd]:
    now = timezone.now()
    ends = []
    booked = Contact.objects.filter(referral=referral, outcome=ContactOutcome.BOOKED)
    for contact in booked.order_by("at", "pk"):
        mode = contact.get_mode_display().lower()
        if contact.at > now:
            what = _("A contact is booked for %(when)s (%(mode)s). Closing support cancels it.") % {
                "mode": mode,
                "when": _when(contact.at),
            }
            ends.append(
                LooseEnd(
                    what,
                    reverse("casework:record", args=[referral.pk]) + "#contacts",
                    _("See their contacts"),
                )
            )
        else:
            what = _(
                "What happened at the contact booked for %(when)s (%(mode)s) is not recorded."
            ) % {
                "mode": mode,
                "when": _when(contact.at),
            }
            ends.append(
                LooseEnd(
                    what,
                    reverse("casework:contact_outcome", args=[referral.pk, contact.pk]),
                    _("Record what happened"),
                )
            )
    return ends


def prescriptions_awaiting_an_answer(referral: Referral) -> list[LooseEnd]:
    return [
        LooseEnd(
            _("%(service)s has not yet answered the social prescription sent on %(day)s.")
            % {
                "service": prescription.service.name,
                "day": date_format(timezone.localdate(prescription.status_changed_at)),
            },
            reverse("prescriptions:detail", args=[referral.pk, prescription.pk]),
            _("See the social prescription"),
        )
        for prescription in awaiting_an_answer(referral)
    ]


register_loose_ends("casework.booked_contacts", booked_contacts)
register_loose_ends("prescriptions.awaiting_an_answer", prescriptions_awaiting_an_answer)


def loose_ends(referral: Referral) -> list[LooseEnd]:
    """Everything still open for the person, in the order the sources were registered."""
    return [end for source in _sources.values() for end in source(referral)]

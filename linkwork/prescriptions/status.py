"""A social prescription's life as an explicit state machine.

Every change goes through `prescriptions.actions`, which checks it against `TRANSITIONS` and
appends a `PrescriptionUpdate`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PrescriptionStatus(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    SENT = "sent", _("Referral sent")
    ACCEPTED = "accepted", _("Accepted by service")
    ATTENDING = "attending", _("Attending")
    COMPLETED = "completed", _("Completed")
    DECLINED_BY_PERSON = "declined_by_person", _("Declined by person")
    DECLINED_BY_SERVICE = "declined_by_service", _("Declined by service")
    UNAVAILABLE = "unavailable", _("Service unavailable")


P = PrescriptionStatus

# from-status -> statuses it may move to. Attending -> attending is a progress report
# ("attended 4 sessions"). The last four statuses are final: a new try is a new prescription.
TRANSITIONS: dict[str, frozenset[str]] = {
    P.SUGGESTED: frozenset({P.SENT, P.DECLINED_BY_PERSON, P.UNAVAILABLE}),
    P.SENT: frozenset({P.ACCEPTED, P.DECLINED_BY_SERVICE, P.DECLINED_BY_PERSON, P.UNAVAILABLE}),
    P.ACCEPTED: frozenset({P.ATTENDING, P.COMPLETED, P.DECLINED_BY_PERSON, P.UNAVAILABLE}),
    P.ATTENDING: frozenset({P.ATTENDING, P.COMPLETED, P.DECLINED_BY_PERSON, P.UNAVAILABLE}),
    P.COMPLETED: frozenset(),
    P.DECLINED_BY_PERSON: frozenset(),
    P.DECLINED_BY_SERVICE: frozenset(),
    P.UNAVAILABLE: frozenset(),
}

FINAL_STATUSES = frozenset(status for status, moves in TRANSITIONS.items() if not moves)

# What a service may say through each kind of link.
RESPOND_STATUSES = frozenset({P.ACCEPTED, P.DECLINED_BY_SERVICE})
OUTCOME_STATUSES = frozenset({P.ATTENDING, P.COMPLETED, P.DECLINED_BY_PERSON, P.UNAVAILABLE})

# Which link, if any, a service should hold in each status.
LINK_FOR_STATUS = {P.SENT: "respond", P.ACCEPTED: "outcome", P.ATTENDING: "outcome"}

TAG_COLOURS = {
    P.SUGGESTED: "blue",
    P.SENT: "light-blue",
    P.ACCEPTED: "turquoise",
    P.ATTENDING: "green",
    P.COMPLETED: "purple",
    P.DECLINED_BY_PERSON: "grey",
    P.DECLINED_BY_SERVICE: "orange",
    P.UNAVAILABLE: "red",
}


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())

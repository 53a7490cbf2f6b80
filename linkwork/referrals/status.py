"""The referral pathway as an explicit state machine.

Every change of status goes through `referrals.actions`, which checks it against
`TRANSITIONS` and writes an append-only `StatusChange` row.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferralStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    INFORMATION_REQUESTED = "information_requested", _("Information requested")
    ACCEPTED = "accepted", _("Accepted")
    WAITING = "waiting", _("Waiting")
    ALLOCATED = "allocated", _("Allocated")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CLOSED = "closed", _("Closed")


S = ReferralStatus

# from-status -> statuses it may move to. Re-allocation is allocated -> allocated.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.INFORMATION_REQUESTED, S.ACCEPTED, S.DECLINED}),
    S.INFORMATION_REQUESTED: frozenset({S.RECEIVED, S.ACCEPTED, S.DECLINED}),
    S.ACCEPTED: frozenset({S.WAITING}),
    S.WAITING: frozenset({S.ALLOCATED, S.WITHDRAWN}),
    S.ALLOCATED: frozenset({S.ALLOCATED, S.WAITING, S.WITHDRAWN, S.CLOSED}),
    S.DECLINED: frozenset(),
    S.WITHDRAWN: frozenset(),
    # Reopening puts the person back with their link coordinator.
    S.CLOSED: frozenset({S.ALLOCATED}),
}

# Statuses in which a referral is still being dealt with ("open").
OPEN_STATUSES = frozenset({S.RECEIVED, S.INFORMATION_REQUESTED, S.ACCEPTED, S.WAITING, S.ALLOCATED})
TO_TRIAGE = frozenset({S.RECEIVED, S.INFORMATION_REQUESTED})

# GOV.UK tag colour for each status.
TAG_COLOURS = {
    S.RECEIVED: "blue",
    S.INFORMATION_REQUESTED: "yellow",
    S.ACCEPTED: "turquoise",
    S.WAITING: "orange",
    S.ALLOCATED: "green",
    S.DECLINED: "grey",
    S.WITHDRAWN: "grey",
    S.CLOSED: "purple",
}


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


class DeclineReason(models.TextChoices):
    """Coded so the service can see whether its criteria are at the right level."""

    OUTSIDE_CRITERIA = "outside_criteria", _("Outside the service's criteria")
    NEEDS_ABOVE_REMIT = "needs_above_remit", _("Needs above the service's remit (redirected)")
    SUPPORTED_ELSEWHERE = "supported_elsewhere", _("Already supported elsewhere")
    PERSON_DECLINED = "person_declined", _("Person declined")
    UNABLE_TO_CONTACT = "unable_to_contact", _("Unable to contact")
    # Linked to the referral it repeats (`Referral.duplicate_of`), so nothing it says is lost.
    DUPLICATE = "duplicate", _("Duplicate of another referral for the same person")
    OTHER = "other", _("Other")


class WithdrawalReason(models.TextChoices):
    PERSON_DECLINED = "person_declined", _("Person no longer wants support")
    UNABLE_TO_CONTACT = "unable_to_contact", _("Unable to contact")
    SUPPORTED_ELSEWHERE = "supported_elsewhere", _("Now supported elsewhere")
    MOVED_AWAY = "moved_away", _("Moved out of the area")
    OTHER = "other", _("Other")


class ClosureReason(models.TextChoices):
    """Why support ended."""

    GOALS_ACHIEVED = "goals_achieved", _("Goals achieved")
    PERSON_CHOSE_TO_END = "person_chose_to_end", _("The person chose to end")
    DISENGAGED = "disengaged", _("Disengaged after attempts to contact")
    MOVED_AWAY = "moved_away", _("Moved away")
    REFERRED_TO_STATUTORY = "referred_to_statutory", _("Referred to statutory services")
    NEEDS_ABOVE_REMIT = "needs_above_remit", _("Needs above the service's remit")
    DIED = "died", _("Died")
    OTHER = "other", _("Other")


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    ROUTINE = "routine", _("Routine")

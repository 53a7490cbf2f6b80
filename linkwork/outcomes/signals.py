"""What the parts of the service above outcome measures hear from them, and may ask of them,
without outcomes importing those parts.

`measure_recorded` is sent inside the action's transaction, once a measure is saved, with
`measure`, `flags` (the scorer's flags, such as `ITEM_9_FLAG` for a PHQ-9 item 9 answered other
than "not at all") and `by` (None when the person answered through their link). The safeguarding
app raises its check from it, in the same transaction.

A *hold* stops another measure being entered for a person until something is done first (an
open item 9 check must be recorded before anything more is entered). A hold is a function
`(referral, user) -> Hold | None`, registered with `register_hold` from the app's `ready()`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.dispatch import Signal

measure_recorded = Signal()


@dataclass(frozen=True)
class Hold:
    """Why no measure can be entered now, and where `user` can clear it ("" if they can't)."""

    message: str
    url: str = ""


_holds: dict[str, Callable[..., Hold | None]] = {}


def register_hold(name: str, hold: Callable[..., Hold | None]) -> None:
    _holds[name] = hold


def hold_on(referral, user) -> Hold | None:
    """The first hold on entering a measure for this referral, if any."""
    for hold in _holds.values():
        found = hold(referral, user)
        if found is not None:
            return found
    return None

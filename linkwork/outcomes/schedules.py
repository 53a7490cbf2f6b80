"""Measures that parts of the service above outcomes ask for, besides the site's own schedule,
without outcomes importing them.

A research trial, for example, asks for its instruments a fixed number of weeks after each
participant was randomised. Those are shown and chased like the site's measures: on the
person's record, on their coordinator's home page and in the daily reminder count
(`queries.slots_for` and `queries.due_for_coordinator` add them). An app registers a *source*
from its `AppConfig.ready()`:

    register_slot_source("trials", trial_slots)

A source is a function `(referrals, today) -> {referral pk: [Slot, ...]}` returning the extra
slots (`queries.Slot`) it asks for, for the referrals it has any for, in a fixed number of
queries however many referrals it is given. Each extra slot gives:

- `timepoint`: what a measure collected for it is recorded as ("review", "During support",
  unless a service timepoint applies: see below);
- `label`: shown instead of the timepoint's label ("Trial: 12 weeks"), and `counts_as`, the same
  as a phrase ("the trial's 12-week measure");
- `source` (the registered name) and `key` (the source's own name for the slot);
- `state`, `opens_on`, `due_by`, `missed_after` (the last day a measure counts for it), and the
  `measure` that counted, if one did.

Not asking twice: an extra slot the service's own schedule already asks for at the same time (the
same instrument, at the end of support or follow-up, both collectable now, or done by the same
measure) is not listed again. The service's slot stands for both and names the other in its
`also_for`; the extra slot's `counted_with` is the service's slot. A baseline never stands for
anything else: it is the starting point.

A measure "during support" is only recorded while the person is in support, except when a
registered source asks for one: then it may be recorded while they wait or after support has
closed, within that slot's window (`asks_for`).

Rules for a source: it must not change anything, its labels are in the active language
(`gettext`), and it returns slots only for people the page already shows (it is given them).
"""

import datetime
from collections.abc import Callable

SlotSource = Callable[[list, datetime.date], dict[int, list]]

_sources: dict[str, SlotSource] = {}


def register_slot_source(name: str, source: SlotSource) -> None:
    """Add a source of extra slots. Registering the same name again replaces it."""
    _sources[name] = source


def extra_slots_for(referrals: list, today: datetime.date) -> dict[int, list]:
    """Every registered source's slots for these referrals, by referral pk."""
    found: dict[int, list] = {}
    if not referrals:
        return found
    for source in _sources.values():
        for pk, slots in source(referrals, today).items():
            found.setdefault(pk, []).extend(slots)
    return found


def asks_for(referral, instrument: str, on: datetime.date, today: datetime.date) -> bool:
    """Whether a registered source asks now for a measure of `instrument` from this person that
    one completed on `on` would count for."""
    return any(
        slot.instrument.code == instrument
        and slot.collectable
        and slot.opens_on is not None
        and slot.opens_on <= on <= slot.closes_on
        for slot in extra_slots_for([referral], today).get(referral.pk, [])
    )

"""Reasons a person on the waiting list may not be allocated yet, from apps above this one.

A research trial, for example, holds a person who has not yet been offered the trial, or who
was randomised to wait four weeks: they stay on the waiting list with a "not before" date, and
the allocation is refused until the hold is settled where it comes from (the trial records a
protocol deviation to let someone start early). Referrals knows nothing of trials: an app
registers a source from its `AppConfig.ready()`:

    register_allocation_hold("trials", holds_for_referrals)

A source takes a list of referrals and returns `{referral pk: AllocationHold}` for those it
holds, in a fixed number of queries however many it is given (the waiting list asks for all of
its entries at once).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class AllocationHold:
    """Why a person cannot be allocated yet, and where that is settled."""

    label: str  # short, for a tag on the waiting list: "Trial: not before 3 Jan"
    message: str  # a sentence, for the allocation page and the refusal
    not_before: datetime.date | None = None
    url: str = ""  # where the hold is settled (the person's trial page)
    link_text: str = ""


HoldSource = Callable[[list], dict[int, AllocationHold]]

_sources: dict[str, HoldSource] = {}


def register_allocation_hold(name: str, source: HoldSource) -> None:
    _sources[name] = source


def holds_for(referrals: Iterable) -> dict[int, AllocationHold]:
    """The first hold on each referral that has one."""
    referrals = list(referrals)
    holds: dict[int, AllocationHold] = {}
    if not referrals:
        return holds
    for source in _sources.values():
        for pk, hold in source(referrals).items():
            holds.setdefault(pk, hold)
    return holds


def hold_on(referral) -> AllocationHold | None:
    return holds_for([referral]).get(referral.pk)

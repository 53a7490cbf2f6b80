"""The registry of validated outcome instruments, each defined as data plus a small scorer.

    from linkwork.outcomes.instruments import get_instrument
    get_instrument("swemwbs").score([4, 3, 3, 4, 3, 4, 4])

Documented in docs/developer/outcome-instruments.md.
"""

from linkwork.outcomes.instruments.base import (
    DEFAULT_UCLA_THRESHOLD,
    Band,
    Change,
    Instrument,
    InstrumentError,
    Score,
    SubScore,
)
from linkwork.outcomes.instruments.change import reliable_change
from linkwork.outcomes.instruments.registry import all_instruments, get_instrument

__all__ = [
    "DEFAULT_UCLA_THRESHOLD",
    "Band",
    "Change",
    "Instrument",
    "InstrumentError",
    "Score",
    "SubScore",
    "all_instruments",
    "get_instrument",
    "reliable_change",
]

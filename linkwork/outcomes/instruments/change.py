"""Jacobson-Truax reliable change between a baseline and a follow-up score.

    SE_diff = SD × √2 × √(1 − reliability)
    RCI = (follow-up − baseline) / SE_diff;  reliable when |RCI| > 1.96

Jacobson & Truax (1991), J Consult Clin Psychol 59(1):12-19. The reliability (Cronbach's
alpha) and SD of each instrument are stated on the instrument, with their source, and can be
overridden per call.
"""

import math
from decimal import Decimal

from django.utils.translation import pgettext_lazy

from linkwork.outcomes.instruments.base import Change, Instrument, InstrumentError, Score
from linkwork.outcomes.instruments.registry import get_instrument

#: The two-sided 95% critical value of the standard normal distribution.
CRITICAL_VALUE = 1.96

IMPROVED = "improved"
DETERIORATED = "deteriorated"
NO_RELIABLE_CHANGE = "no_reliable_change"
DIRECTION_LABELS = {
    IMPROVED: pgettext_lazy("outcome change", "Reliable improvement"),
    DETERIORATED: pgettext_lazy("outcome change", "Reliable deterioration"),
    NO_RELIABLE_CHANGE: pgettext_lazy("outcome change", "No reliable change"),
}


def _value(instrument: Instrument, score, which: str):
    if isinstance(score, Score):
        if score.instrument != instrument.code:
            raise InstrumentError(
                f"The {which} score is for {score.instrument}, not {instrument.code}."
            )
        score = score.total
    if isinstance(score, bool) or not isinstance(score, int | Decimal):
        raise InstrumentError(
            f"{instrument.name}: the {which} score must be a Score, an int or a Decimal, "
            f"not {score!r}."
        )
    return score


def _positive(name: str, value, upper=None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise InstrumentError(f"{name} must be a number, not {value!r}.")
    value = float(value)
    if not value > 0 or (upper is not None and not value < upper):
        bound = f"between 0 and {upper}" if upper is not None else "greater than 0"
        raise InstrumentError(f"{name} must be {bound}, not {value}.")
    return value


def reliable_change(
    instrument,
    baseline,
    follow_up,
    *,
    reliability=None,
    sd=None,
    meaningful_threshold=None,
) -> Change:
    """Reliable change from ``baseline`` to ``follow_up`` (Scores, or totals: for SWEMWBS the
    metric score). ``reliability`` and ``sd`` override the instrument's stated values;
    ``meaningful_threshold`` overrides SWEMWBS's meaningful-change threshold."""
    if not isinstance(instrument, Instrument):
        instrument = get_instrument(instrument)
    if reliability is None:
        reliability = instrument.reliability
    if sd is None:
        sd = instrument.sd
    if reliability is None or sd is None:
        raise InstrumentError(
            f"{instrument.name} has no total with a published reliability; reliable change "
            "needs reliability= and sd= to be given."
        )
    reliability = _positive("reliability", reliability, upper=1)
    sd = _positive("sd", sd)
    start = _value(instrument, baseline, "baseline")
    end = _value(instrument, follow_up, "follow-up")

    difference = end - start
    se_diff = sd * math.sqrt(2) * math.sqrt(1 - reliability)
    rci = float(difference) / se_diff
    reliable = abs(rci) > CRITICAL_VALUE
    if not reliable:
        direction = NO_RELIABLE_CHANGE
    elif (difference > 0) == instrument.higher_is_better:
        direction = IMPROVED
    else:
        direction = DETERIORATED

    meaningful = None
    if meaningful_threshold is None:
        meaningful_threshold = instrument.meaningful_change
    if meaningful_threshold is not None:
        meaningful = abs(difference) >= meaningful_threshold

    return Change(
        instrument=instrument.code,
        baseline=start,
        follow_up=end,
        difference=difference,
        rci=rci,
        reliable=reliable,
        direction=direction,
        direction_label=DIRECTION_LABELS[direction],
        reliability=reliability,
        sd=sd,
        se_diff=se_diff,
        meaningful=meaningful,
        meaningful_threshold=meaningful_threshold,
    )

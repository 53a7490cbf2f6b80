"""Change from baseline to the end of support on each outcome instrument, counted in the
database: one join of each end measure to the same person's baseline on the same instrument,
aggregated per instrument, so a service of any size sends back one row per instrument.

Reliable change is classified in SQL by comparing the change with a per-instrument threshold
worked out here from `linkwork.outcomes.instruments.change.reliable_change` itself (see
`reliable_threshold`), so the two cannot disagree; `tests/reports/test_measure_change.py`
checks them against each other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db import connections
from django.db.models import QuerySet
from scipy import stats

from linkwork.outcomes.actions import change_parameters, instrument_settings
from linkwork.outcomes.instruments import all_instruments
from linkwork.outcomes.instruments.base import Instrument, InstrumentError
from linkwork.outcomes.instruments.change import reliable_change
from linkwork.outcomes.models import Measure, Timepoint

#: Totals are stored with two decimal places (`Measure.total`), so every change is a whole
#: number of hundredths; the SQL counts in hundredths, exactly, on every database.
STEPS = 100
#: No change between two totals can reach this many hundredths (`Measure.total` has 6 digits).
BEYOND_ANY_CHANGE = 2 * 10**6


def reliable_threshold(
    instrument: Instrument, reliability: float | None, sd: float | None
) -> int | None:
    """The smallest change, in hundredths, that `reliable_change` calls reliable for this
    instrument with this reliability and SD; None when it cannot assess change at all (it
    raises `InstrumentError`: no reliability or SD, or values out of range).

    `reliable_change` depends on the two totals only through their difference (exact, as
    Decimals), and whether it is reliable grows with the difference's size (|float(d)| / SE is
    monotone in |d|, and the same for d and -d), so a change of d hundredths is reliable exactly
    when |d| is at least this threshold. Found by bisection with `reliable_change` as the judge.
    """

    def reliable(steps: int) -> bool:
        change = reliable_change(
            instrument,
            Decimal(0),
            Decimal(steps) / STEPS,
            reliability=reliability,
            sd=sd,
        )
        return change.reliable

    try:
        if not reliable(BEYOND_ANY_CHANGE):
            return BEYOND_ANY_CHANGE
    except InstrumentError:
        return None
    low, high = 0, BEYOND_ANY_CHANGE  # no change is never reliable; the largest is
    while high - low > 1:
        middle = (low + high) // 2
        if reliable(middle):
            high = middle
        else:
            low = middle
    return high


def thresholds() -> dict[str, tuple[int, int]]:
    """For each instrument that can assess reliable change with the installation's settings:
    (threshold in hundredths, +1 if higher is better else -1)."""
    settings_by_code = instrument_settings()
    found = {}
    for instrument in all_instruments():
        reliability, sd = change_parameters(instrument, settings_by_code.get(instrument.code))
        threshold = reliable_threshold(instrument, reliability, sd)
        if threshold is not None:
            found[instrument.code] = (threshold, 1 if instrument.higher_is_better else -1)
    return found


@dataclass(frozen=True)
class Change:
    """Change from baseline to the end on one instrument, over everyone with both."""

    instrument: str
    n: int
    total: int  # sum of the changes, in hundredths
    squares: int  # sum of their squares, in hundredths squared
    improved: int
    no_reliable_change: int
    deteriorated: int

    @property
    def mean(self) -> float | None:
        return float(Fraction(self.total, self.n * STEPS)) if self.n else None

    @property
    def sd(self) -> float | None:
        """The sample standard deviation of the changes."""
        if self.n < 2:
            return None
        variance = Fraction(self.n * self.squares - self.total**2, self.n * (self.n - 1))
        return math.sqrt(variance) / STEPS

    @property
    def assessed(self) -> int:
        return self.improved + self.no_reliable_change + self.deteriorated

    def confidence_interval(self, level: float = 0.95) -> tuple[float | None, float | None]:
        """The t-based interval for the mean change."""
        if self.n < 2:
            return None, None
        half = stats.t.ppf((1 + level) / 2, self.n - 1) * self.sd / math.sqrt(self.n)
        return self.mean - half, self.mean + half


def _joined(ended: QuerySet[Measure], select: str, tail: str = "") -> tuple[str, list]:
    """SQL selecting `select` over each end measure in `ended` (aliased e) joined to the same
    person's current baseline on the same instrument (b): one row per pair, the join the
    `one_measure_per_timepoint` unique index serves."""
    using = ended.db
    inner = ended.order_by().values("referral_id", "instrument", "total")
    inner_sql, inner_params = inner.query.get_compiler(using=using).as_sql()
    table = connections[using].ops.quote_name(Measure._meta.db_table)
    sql = (
        f"SELECT {select} FROM ({inner_sql}) e JOIN {table} b"  # noqa: S608 - no input in it
        " ON b.referral_id = e.referral_id AND b.instrument = e.instrument"
        f" AND b.timepoint = %s AND b.withdrawn_at IS NULL AND b.total IS NOT NULL {tail}"
    )
    return sql, [*inner_params, Timepoint.BASELINE]


def _fetch(ended: QuerySet[Measure], sql: str, params: list) -> list[tuple]:
    with connections[ended.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _total(value) -> Decimal:
    # PostgreSQL gives a Decimal; SQLite an int or a float with at most two decimals.
    return Decimal(str(value)).quantize(Decimal(1) / STEPS)


def pairs(ended: QuerySet[Measure]) -> list[tuple[str, Decimal, Decimal]]:
    """(instrument, baseline total, end total) for each end measure in `ended` that has a
    baseline."""
    sql, params = _joined(ended, "e.instrument, b.total, e.total")
    return [(code, _total(b), _total(e)) for code, b, e in _fetch(ended, sql, params)]


def _case(values: dict[str, int]) -> tuple[str, list]:
    """A CASE giving each instrument its value (NULL for the others)."""
    if not values:
        return "NULL", []
    whens = " ".join("WHEN %s THEN %s" for _code in values)
    return f"CASE instrument {whens} END", [x for item in values.items() for x in item]


# A pair's change in whole hundredths (rounded as the totals are read back: exact on
# PostgreSQL's numeric, and clean of binary fractions on SQLite's floating point).
_CHANGE = (
    f"(CAST(ROUND(end_total * {STEPS}) AS BIGINT)"
    f" - CAST(ROUND(baseline_total * {STEPS}) AS BIGINT))"
)


def changes(ended: QuerySet[Measure]) -> dict[str, Change]:
    """For each instrument: how many end measures in `ended` have a baseline, the sum of the
    changes and of their squares (for the mean and SD), and how many changed reliably each way
    (an instrument that cannot assess reliable change counts none in any of the three).

    The pairs are first counted by (instrument, baseline total, end total), a few thousand
    rows at most however many people, and the arithmetic is done on those."""
    by_code = thresholds()
    sign_sql, sign_params = _case({code: s for code, (_t, s) in by_code.items()})
    threshold_sql, threshold_params = _case({code: t for code, (t, _s) in by_code.items()})
    grouped_sql, grouped_params = _joined(
        ended,
        "e.instrument AS instrument, b.total AS baseline_total, e.total AS end_total,"
        " COUNT(*) AS n",
        "GROUP BY e.instrument, b.total, e.total",
    )
    # better: the change signed so that improvement is positive.
    sql = (
        "SELECT instrument, SUM(n), SUM(n * change), SUM(n * change * change),"  # noqa: S608
        " SUM(CASE WHEN better >= threshold THEN n ELSE 0 END),"
        " SUM(CASE WHEN better > -threshold AND better < threshold THEN n ELSE 0 END),"
        " SUM(CASE WHEN better <= -threshold THEN n ELSE 0 END)"
        f" FROM (SELECT instrument, n, {_CHANGE} AS change, {_CHANGE} * {sign_sql} AS better,"
        f" {threshold_sql} AS threshold FROM ({grouped_sql}) grouped) pairs"
        " GROUP BY instrument"
    )
    params = [*sign_params, *threshold_params, *grouped_params]
    return {
        code: Change(code, *(int(value) for value in counts))
        for code, *counts in _fetch(ended, sql, params)
    }

"""Medians and percentiles of durations in days, worked out by the database.

On PostgreSQL `percentile_cont` gives them grouped by month (or not grouped) in one query, so a
dashboard over hundreds of thousands of referrals fetches a dozen rows, not every duration. On
SQLite, which has no percentile function and serves one small service, the durations are
fetched and the same percentiles taken with numpy. Both interpolate linearly between the two
nearest values (`percentile_cont` and numpy's default), so they agree.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

import numpy
from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Func, QuerySet
from django.db.models.functions import TruncMonth

from linkwork.core import months

PERCENTILES = (50, 90)


@dataclass(frozen=True)
class Spread:
    """How many durations, and their percentiles (50 -> the median, in days)."""

    n: int
    percentiles: dict[int, float] = field(default_factory=dict)

    @classmethod
    def of(cls, values, percentiles=PERCENTILES) -> Spread:
        values = list(values)
        if not values:
            return cls(0)
        return cls(len(values), {p: float(numpy.percentile(values, p)) for p in percentiles})

    def __bool__(self) -> bool:
        return self.n > 0

    def at(self, percentile: float) -> float:
        return self.percentiles[percentile]


class _Days(Func):
    """Days from `start` to `end` (0 when `end` is earlier): SQL for SQLite (`sqlite`) and for
    PostgreSQL (`postgresql`), each naming {end} before {start}."""

    arity = 2
    output_field = FloatField()
    sqlite = postgresql = ""

    def _sql(self, compiler, template: str):
        start, end = (compiler.compile(e) for e in self.get_source_expressions())
        return template.format(start=start[0], end=end[0]), (*end[1], *start[1])

    def as_sql(self, compiler, connection, **extra_context):
        return self._sql(compiler, self.sqlite)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self._sql(compiler, self.postgresql)


class DaysBetween(_Days):
    """Days between two dates and times, as a fraction."""

    sqlite = "MAX(julianday({end}) - julianday({start}), 0)"
    postgresql = "GREATEST(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0, 0)"


class DaysFrom(_Days):
    """Whole days between two dates."""

    sqlite = "MAX(CAST(julianday({end}) - julianday({start}) AS INTEGER), 0)"
    postgresql = "GREATEST(({end} - {start}), 0)::float"


class PercentileCont(Aggregate):
    """PostgreSQL's `percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def aggregate(
    queryset: QuerySet, counts: dict, values: dict, percentiles=PERCENTILES
) -> tuple[dict, dict[str, Spread]]:
    """`queryset.aggregate(n=Count("pk"), **counts)`, and the `Spread` of each of `values`
    (name -> expression) over the same rows: on PostgreSQL in that one query
    (`percentile_cont`), elsewhere from the fetched values."""
    chosen = queryset.order_by()
    if connection.vendor == "postgresql":
        row = chosen.aggregate(
            n=Count("pk"),
            **counts,
            **{
                f"_{name}_{p}": PercentileCont(value, p / 100)
                for name, value in values.items()
                for p in percentiles
            },
        )
        spreads = {
            name: Spread(row["n"], {p: row[f"_{name}_{p}"] for p in percentiles})
            if row["n"]
            else Spread(0)
            for name in values
        }
        return row, spreads
    row = chosen.aggregate(n=Count("pk"), **counts)
    names = [f"_{name}" for name in values]
    fetched = list(
        chosen.annotate(**dict(zip(names, values.values(), strict=True))).values_list(*names)
    )
    spreads = {
        name: Spread.of([r[i] for r in fetched], percentiles) for i, name in enumerate(values)
    }
    return row, spreads


def _durations(queryset: QuerySet, start: str, end: str) -> QuerySet:
    return queryset.filter(**{f"{start}__isnull": False, f"{end}__isnull": False}).order_by()


def spread(queryset: QuerySet, start: str, end: str, percentiles=PERCENTILES) -> Spread:
    """The spread of days from field `start` to field `end` over `queryset`'s rows (those with
    both)."""
    days = DaysBetween(F(start), F(end))
    return aggregate(_durations(queryset, start, end), {}, {"days": days}, percentiles)[1]["days"]


def spreads_by_month_and_all(
    queryset: QuerySet, start: str, end: str, month_of: str, percentiles=PERCENTILES
) -> tuple[dict, Spread]:
    """The spread of days from `start` to `end` per calendar month of the datetime field
    `month_of` (month -> Spread), and over all the rows, in one pass: on PostgreSQL by GROUPING
    SETS (each month, and all of them), elsewhere from the fetched durations."""
    chosen = (
        _durations(queryset, start, end)
        .annotate(_month=TruncMonth(month_of), _days=DaysBetween(F(start), F(end)))
        .values("_month", "_days")
    )
    if connection.vendor != "postgresql":
        by_month, everyone = defaultdict(list), []
        for month, days in chosen.values_list("_month", "_days"):
            by_month[months.month_of(month)].append(days)
            everyone.append(days)
        return (
            {month: Spread.of(values, percentiles) for month, values in by_month.items()},
            Spread.of(everyone, percentiles),
        )
    sql, params = chosen.query.get_compiler(using=chosen.db).as_sql()
    columns = ", ".join(
        f"PERCENTILE_CONT({p / 100}) WITHIN GROUP (ORDER BY rows._days)" for p in percentiles
    )
    by_month, everyone = {}, Spread(0)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT GROUPING(rows._month), rows._month, COUNT(*), {columns} "  # noqa: S608 - Django's own SQL and numbers
            f"FROM ({sql}) AS rows GROUP BY GROUPING SETS ((rows._month), ())",
            params,
        )
        for grouped, month, n, *values in cursor.fetchall():
            spread = Spread(n, dict(zip(percentiles, values, strict=True)))
            if grouped:
                everyone = spread
            else:
                # The month as PostgreSQL truncated it in the current time zone (a naive
                # local time), so its calendar month as it stands.
                by_month[datetime.date(month.year, month.month, 1)] = spread
    return by_month, everyone

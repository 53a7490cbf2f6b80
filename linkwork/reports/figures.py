"""What a dashboard is made of, once counted: figures, tables of figures, charts, sections.

A `Figure` is one number as the reader may see it: its value (None when there is nothing to show,
or it is suppressed), the text shown for it ("12", "34%", "fewer than 5", "no data"), and where
the records behind it are listed (`href`, empty when the reader may not follow it). `Figures`
makes them for one reader: it knows whether small numbers are suppressed and whether figures
link to records, so the dashboards never decide either themselves.

The same objects are rendered as HTML, CSV and JSON (`formats.py`), so the twins can only ever
say what the page says.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from linkwork.core.charts import Bar, Cell, Chart, Point

from .scope import SMALL_NUMBER, Scope
from .spread import Spread


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: float | None
    text: str
    href: str = ""
    suppressed: bool = False
    unit: str = ""  # "count", "percent", "days", "mean"; for the machine-readable twins

    def cell(self) -> Cell:
        return Cell(self.text, self.href)

    def point(self, month, series: str) -> Point:
        return Point(month, series, self.value, self.text, self.href)

    def bar(self, label: str, series: str = "") -> Bar:
        return Bar(label, self.value, series, self.text, self.href)


@dataclass
class Row:
    label: str
    figures: list[Figure]
    key: str = ""  # machine name of the row (a pathway's id, a month), for the twins


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]  # the first names the rows; then one per figure
    rows: list[Row]
    caption: str = ""

    @property
    def cells(self) -> list[list[Cell]]:
        return [[Cell(row.label)] + [f.cell() for f in row.figures] for row in self.rows]


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Dashboard:
    key: str
    title: str
    description: str
    sections: list[Section]


def fewer_than() -> str:
    return _("fewer than %(n)s") % {"n": SMALL_NUMBER}


class Figures:
    """Makes figures for one reader's scope, with `link(**params)` giving the address of the
    records behind a figure (called only when the reader may follow figures)."""

    def __init__(self, scope: Scope, link: Callable[..., str]):
        self.scope = scope
        self._link = link

    def _href(self, link: dict | None) -> str:
        if link is None or not self.scope.names:
            return ""
        return self._link(**link)

    def _small(self, n: int) -> bool:
        return not self.scope.exact and 0 < n < SMALL_NUMBER

    def count(self, key: str, label: str, n: int, link: dict | None = None) -> Figure:
        if self._small(n):
            return Figure(key, label, None, fewer_than(), suppressed=True, unit="count")
        return Figure(
            key, label, n, number_format(n, force_grouping=True), self._href(link), unit="count"
        )

    def rate(self, key: str, label: str, part: int, whole: int, link: dict | None = None) -> Figure:
        """`part` of `whole` as a percentage. Suppressed when the part is a small number (the
        whole is shown beside it, so the rate would give it away)."""
        if whole == 0:
            return Figure(key, label, None, _("no data"), unit="percent")
        if self._small(part) or self._small(whole):
            return Figure(key, label, None, fewer_than(), suppressed=True, unit="percent")
        share = part / whole
        text = _("%(percent)s%%") % {"percent": number_format(round(share * 100))}
        return Figure(key, label, share, text, self._href(link), unit="percent")

    def share(self, key: str, label: str, part: int, whole: int, link: dict | None = None):
        """A rate written with its counts: "12 of 40 (30%)"."""
        figure = self.rate(key, label, part, whole, link)
        if figure.value is None:
            return figure
        text = _("%(part)s of %(whole)s (%(percent)s)") % {
            "part": number_format(part, force_grouping=True),
            "whole": number_format(whole, force_grouping=True),
            "percent": figure.text,
        }
        return Figure(key, label, figure.value, text, figure.href, unit="percent")

    def per_month(self, key: str, label: str, n: int, months: int) -> Figure:
        if months <= 0:
            return Figure(key, label, None, _("no data"), unit="count per month")
        if self._small(n):
            return Figure(key, label, None, fewer_than(), suppressed=True, unit="count per month")
        value = n / months
        return Figure(
            key, label, value, number_format(round(value, 1), decimal_pos=1), unit="count per month"
        )

    def days(
        self,
        key: str,
        label: str,
        values: Sequence[float] | Spread,
        percentile: float = 50,
        link: dict | None = None,
    ) -> Figure:
        """A percentile of durations in days (the median by default), from at least
        `SMALL_NUMBER` people where suppression applies. `values`: the durations, or their
        `Spread` as the database worked it out."""
        spread = values if isinstance(values, Spread) else Spread.of(values, [percentile])
        if not spread.n:
            return Figure(key, label, None, _("no data"), unit="days")
        if self._small(spread.n):
            return Figure(key, label, None, fewer_than(), suppressed=True, unit="days")
        value = spread.at(percentile)
        shown = round(value)
        text = ngettext("%(days)s day", "%(days)s days", shown) % {"days": number_format(shown)}
        return Figure(key, label, value, text, self._href(link), unit="days")

    def median(
        self,
        key: str,
        label: str,
        values: Sequence[float] | Spread,
        decimals: int = 1,
        unit: str = "",
    ) -> Figure:
        """The median of some values (weeks of support, say), or of their `Spread`, from at
        least `SMALL_NUMBER` records where suppression applies."""
        spread = values if isinstance(values, Spread) else Spread.of(values, [50])
        if not spread.n:
            return Figure(key, label, None, _("no data"), unit=unit or "median")
        if self._small(spread.n):
            return Figure(key, label, None, fewer_than(), suppressed=True, unit=unit or "median")
        value = spread.at(50)
        text = number_format(round(value, decimals), decimal_pos=decimals)
        return Figure(key, label, value, text, unit=unit or "median")

    def mean(self, key: str, label: str, values: Sequence[float], decimals: int = 1) -> Figure:
        total = float(numpy.sum(values)) if len(values) else 0.0
        if math.isnan(total):
            return Figure(key, label, None, _("no data"), unit="mean")
        return self.ratio(key, label, total, len(values), decimals)

    def ratio(self, key: str, label: str, total: float, count: int, decimals: int = 1) -> Figure:
        """An average from its total and how many it is over (contacts per person seen), from
        at least `SMALL_NUMBER` where suppression applies: the mean without the values."""
        if not count:
            return Figure(key, label, None, _("no data"), unit="mean")
        if self._small(count):
            return Figure(key, label, None, fewer_than(), suppressed=True, unit="mean")
        value = total / count
        return Figure(
            key,
            label,
            value,
            number_format(round(value, decimals), decimal_pos=decimals),
            unit="mean",
        )

    def text(self, key: str, label: str, text: str, value: float | None = None) -> Figure:
        return Figure(key, label, value, text)

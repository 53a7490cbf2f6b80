"""What every dashboard is built from."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from linkwork.core.charts import Marker

from ..figures import Figure, Figures, Row, Section, Table
from ..filters import Filters, pathway_label
from ..scope import Scope


@dataclass
class Context:
    scope: Scope
    filters: Filters
    figures: Figures
    markers: list[Marker]

    @property
    def several_sites(self) -> bool:
        return self.filters.site is None and len(self.scope.sites) > 1

    def pathway_label(self, pathway) -> str:
        return pathway_label(pathway, self.several_sites)

    def link(self, metric: str, **narrowing) -> dict:
        """The records behind a figure: the metric, narrowed (a month, a pathway...)."""
        return {"metric": metric, **narrowing}


def comparison(ctx: Context, per_period: list[list[Figure]], notes=()) -> Section:
    """The "Before and after" section: the same figures for each part of the period cut at the
    chosen events (`Filters.periods`), one column per part, one row per figure."""
    columns = [_("Figure"), *(name for name, _start, _end, _days in ctx.filters.periods())]
    rows = [
        Row(first.label, [part[i] for part in per_period], first.key)
        for i, first in enumerate(per_period[0])
    ]
    table = Table("comparison", _("The period, cut at the chosen events"), columns, rows)
    return Section("comparison", _("Before and after"), tables=[table], notes=list(notes))


def median_and_p90_points(ctx: Context, by_month: dict) -> list:
    """Each month's median and 90th percentile of durations in days (`by_month`: month ->
    the durations or their `Spread`), as points of a time chart; months with nothing are left
    out."""
    f = ctx.figures
    median_label, p90_label = _("Median"), _("90th percentile")
    points = []
    for month in ctx.filters.months:
        values = by_month.get(month, [])
        if values:
            points.append(f.days("median", median_label, values).point(month, median_label))
            points.append(f.days("p90", p90_label, values, 90).point(month, p90_label))
    return points

"""What every dashboard is built from."""

from __future__ import annotations

from dataclasses import dataclass

from linkwork.core.charts import Marker

from ..figures import Figures
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

"""Reads for the unmet needs pages. The report's own reads are in `report.py`."""

from __future__ import annotations

from .models import UnmetNeed


def last_site_recorded_at(user, sites) -> int | None:
    """The id of the site, among `sites`, where the user last recorded an unmet need, if any."""
    return (
        UnmetNeed.objects.filter(recorded_by=user, site__in=sites)
        .order_by("-recorded_at", "-pk")
        .values_list("site_id", flat=True)
        .first()
    )

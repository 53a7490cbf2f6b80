"""Reads for the unmet needs pages. The report's own reads are in `report.py`."""

from __future__ import annotations

import datetime

from django.utils import timezone

from .models import UnmetNeed


def last_site_recorded_at(user, sites) -> int | None:
    """The id of the site, among `sites`, where the user last recorded an unmet need, if any."""
    return (
        UnmetNeed.objects.filter(recorded_by=user, site__in=sites)
        .order_by("-recorded_at", "-pk")
        .values_list("site_id", flat=True)
        .first()
    )


def recorded_this_month(sites, today: datetime.date | None = None) -> int:
    """How many needs were recorded at these sites since the first of this month."""
    today = today or timezone.localdate()
    month_start = timezone.make_aware(
        datetime.datetime.combine(today.replace(day=1), datetime.time())
    )
    return UnmetNeed.objects.filter(site__in=sites, recorded_at__gte=month_start).count()

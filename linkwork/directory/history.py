"""What was available when: a service's availability on any past day, from its append-only
`AvailabilityChange` history. Reports use this rather than today's `Service.availability`."""

import calendar
import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from .models import Availability, AvailabilityChange, Service


def availability_on(day: datetime.date, services: Iterable[Service]) -> dict[int, str]:
    """Each service's availability at the end of `day`. A service with no change on or before
    that day was not in the directory yet and is left out."""
    return _states_on([day], [s.pk for s in services])[day]


def _states_on(days: list[datetime.date], service_ids: list[int]) -> dict:
    """For each day: {service id: availability}, from one query over the services' history."""
    changes = (
        AvailabilityChange.objects.filter(service_id__in=service_ids)
        .order_by("service_id", "effective_on", "recorded_at", "pk")
        .values_list("service_id", "effective_on", "availability")
    )
    by_service: dict[int, list[tuple[datetime.date, str]]] = {}
    for service_id, effective_on, availability in changes:
        by_service.setdefault(service_id, []).append((effective_on, availability))
    states = {}
    for day in days:
        today = {}
        for service_id, history in by_service.items():
            current = None
            for effective_on, availability in history:
                if effective_on > day:
                    break
                current = availability
            if current is not None:
                today[service_id] = current
        states[day] = today
    return states


@dataclass
class MonthRow:
    month: datetime.date  # the 1st of the month
    as_of: datetime.date  # the day counted: the month's last day, or today for this month
    counts: dict[str, int]
    total: int

    @property
    def cells(self) -> list[int]:
        return [self.counts.get(state, 0) for state in Availability.values]


def availability_by_month(services, months: int = 12, today=None) -> list[MonthRow]:
    """How many of these services were open, limited, temporarily closed or closed at the end
    of each of the last `months` months (this month counted as of today), oldest first."""
    today = today or timezone.localdate()
    firsts = []
    year, month = today.year, today.month
    for _ in range(months):
        firsts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    firsts.reverse()
    days = [
        min(today, first.replace(day=calendar.monthrange(first.year, first.month)[1]))
        for first in firsts
    ]
    states = _states_on(days, list(services.values_list("pk", flat=True)))
    rows = []
    for first, day in zip(firsts, days, strict=True):
        counts = Counter(states[day].values())
        rows.append(MonthRow(first, day, dict(counts), sum(counts.values())))
    return rows

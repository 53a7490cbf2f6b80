"""Local days as moments: what a "from this day" filter on a timestamp compares with."""

import datetime

from django.utils import timezone


def start_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment of `day`, in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

"""Calendar months, as reports count by them: a month is the date of its 1st, in the user's
local time zone; `MonthField` reads one from a select of months ("2025-03")."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils import formats, timezone

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def add_months(day: datetime.date, count: int) -> datetime.date:
    """The 1st of the month `count` months after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The 1st of every month from `first`'s month to `last`'s, inclusive."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(datetime.date(year, month, 1))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return months


def start_of(month: datetime.date, tz=None) -> datetime.datetime:
    """The first moment of the month, in `tz` (the current time zone by default)."""
    tz = tz or timezone.get_current_timezone()
    return timezone.make_aware(datetime.datetime(month.year, month.month, 1), tz)


def month_of(value: datetime.datetime | datetime.date, tz=None) -> datetime.date:
    """The month a (truncated) date or time falls in, in `tz`'s calendar."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(tz or timezone.get_current_timezone())
        return value.date().replace(day=1)
    return value.replace(day=1)


def month_value(month: datetime.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def parse_month(value: str) -> datetime.date | None:
    """A month typed as YYYY-MM (its 1st), or None."""
    match = _MONTH.match((value or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1900 <= year <= 9999 and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)


def month_choices(this_month: datetime.date, count: int, also: datetime.date | None = None):
    """The last `count` months, newest first (and `also`, if typed in the address), as
    (value, "March 2025") choices."""
    months = [add_months(this_month, -i) for i in range(count)]
    if also is not None and also not in months:
        months = sorted([*months, also], reverse=True)
    return [(month_value(m), formats.date_format(m, "F Y")) for m in months]


class MonthField(forms.CharField):
    """A month from a select of months, cleaned to its 1st."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Select)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        month = parse_month(value)
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month


class FromToNames:
    """For a form with `from_month` and `to_month`: the address and the posted form call them
    `from` and `to`."""

    prefix_names = {"from_month": "from", "to_month": "to"}

    def add_prefix(self, field_name: str) -> str:
        return self.prefix_names.get(field_name, field_name)

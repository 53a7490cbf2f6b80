"""Ids read from a query string or a posted form, parsed one way everywhere.

A value such as `?site=99999999999999999999` is too big for the database's integer columns:
SQLite refuses it with an `OverflowError` (a 500) and PostgreSQL with an error of its own, and
Django guards only some lookups (`pk=`), not foreign keys or `__in`. `"²".isdigit()` is true but
`int("²")` fails. So an id is only ever ASCII digits, from 1 up to the largest value of the
primary key (`DEFAULT_AUTO_FIELD` is `BigAutoField`: 64 bits); anything else is "no id", which
the page treats as not asked (a filter ignored) or as not found (404), never a 500.
"""

import re
from collections.abc import Iterable

from django.http import Http404, HttpRequest, QueryDict

#: The largest id a `BigAutoField` (signed 64-bit integer) holds.
MAX_ID = 2**63 - 1

_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(value: object) -> int | None:
    """The id `value` spells (surrounding spaces allowed), or None if it is not one: blank, not
    plain ASCII digits, zero, or beyond `MAX_ID`."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1 <= value <= MAX_ID else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def _data(request: HttpRequest, source: str) -> Iterable[QueryDict]:
    if source == "GET":
        return (request.GET,)
    if source == "POST":
        return (request.POST,)
    # "either": posted first, then the query string (a form posted back to its own address).
    return (request.POST, request.GET) if request.method == "POST" else (request.GET,)


def id_param(request: HttpRequest, name: str, *, source: str = "GET") -> int | None:
    """The id in parameter `name` (`source`: "GET", "POST" or "either"), or None when it is
    absent, blank or not a usable id (see `parse_id`)."""
    for data in _data(request, source):
        value = data.get(name)
        if value not in (None, ""):
            return parse_id(value)
    return None


def id_param_or_404(request: HttpRequest, name: str, *, source: str = "GET") -> int | None:
    """Like `id_param`, but a value that is given and is not an id is a 404 (someone edited
    the address), where `id_param` would ignore it. None only when the parameter is absent or
    blank."""
    for data in _data(request, source):
        value = (data.get(name) or "").strip()
        if value:
            parsed = parse_id(value)
            if parsed is None:
                raise Http404
            return parsed
    return None


def parse_ids(text: str, *, separator: str = ",") -> list[int] | None:
    """The ids in `text`, separated by `separator` ("3,5,8"), or None if any part is not one."""
    ids = [parse_id(part) for part in text.split(separator)]
    if not ids or any(i is None for i in ids):
        return None
    return ids  # type: ignore[return-value]

"""Keyset (cursor) pages for very long lists, newest first, such as the audit log.

A numbered page costs a COUNT(*) of the whole list and an OFFSET that reads every row before
it, so both grow with history. A keyset page reads only its own rows: "older" asks for the rows
after the last one shown, "newer" for those before the first, each by an index on
(timestamp, pk). The total is counted up to a cap, so it costs at most that many index entries.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from .params import parse_id

COUNT_CAP = 10_000


@dataclass
class KeysetPage:
    object_list: list
    older: str = ""  # the cursor for the next, older page; "" when this is the oldest
    newer: str = ""  # the cursor for the previous, newer page; "" when this is the newest
    total: int = 0  # how many there are, up to `capped`
    capped: bool = False  # there are more than COUNT_CAP


def _cursor(row, timestamp: str) -> str:
    return f"{getattr(row, timestamp).isoformat()}~{row.pk}"


def _parse(cursor: str) -> tuple[datetime.datetime, int] | None:
    """A cursor as sent back by a link; anything else (edited by hand) is no cursor at all."""
    stamp, _sep, pk = (cursor or "").partition("~")
    try:
        at = datetime.datetime.fromisoformat(stamp)
    except ValueError:
        return None
    number = parse_id(pk)
    if at.tzinfo is None or number is None:
        return None
    return at, number


def keyset_page(
    rows: QuerySet, *, size: int, older: str = "", newer: str = "", timestamp: str = "at"
) -> KeysetPage:
    """The page of `rows` (newest first by `timestamp`, then pk) after the `older` cursor, or
    before the `newer` one, or the newest page when neither is a cursor."""
    newest_first = rows.order_by(f"-{timestamp}", "-pk")
    if (after := _parse(older)) is not None:
        at, pk = after
        fetched = list(
            newest_first.filter(Q(**{f"{timestamp}__lt": at}) | Q(**{timestamp: at, "pk__lt": pk}))[
                : size + 1
            ]
        )
        shown, more_older, more_newer = fetched[:size], len(fetched) > size, True
    elif (before := _parse(newer)) is not None:
        at, pk = before
        fetched = list(
            rows.order_by(timestamp, "pk").filter(
                Q(**{f"{timestamp}__gt": at}) | Q(**{timestamp: at, "pk__gt": pk})
            )[: size + 1]
        )
        shown, more_older, more_newer = fetched[:size][::-1], True, len(fetched) > size
    else:
        fetched = list(newest_first[: size + 1])
        shown, more_older, more_newer = fetched[:size], len(fetched) > size, False
    total = rows.order_by()[: COUNT_CAP + 1].count()
    return KeysetPage(
        object_list=shown,
        older=_cursor(shown[-1], timestamp) if shown and more_older else "",
        newer=_cursor(shown[0], timestamp) if shown and more_newer else "",
        total=min(total, COUNT_CAP),
        capped=total > COUNT_CAP,
    )


def keyset_links(request: HttpRequest, page: KeysetPage) -> dict:
    """The newer and older pages' addresses, each keeping the rest of the query string (the
    list's filters), for `includes/keyset_pagination.html`."""

    def url(name: str, cursor: str) -> str:
        params = request.GET.copy()
        for key in ("older", "newer", "page"):
            params.pop(key, None)
        params[name] = cursor
        return "?" + params.urlencode()

    return {
        "newer": url("newer", page.newer) if page.newer else "",
        "older": url("older", page.older) if page.older else "",
    }

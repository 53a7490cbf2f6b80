"""Helpers for query-count tests: a page that lists records runs the same number of SQL queries
however many records it shows (no N+1).

A test renders the page with N rows of what it lists, adds 2N more of the same (each with its
own related rows: people, users, organisations, sites), renders it again and asserts that the
query count did not change (`assert_flat`). For a page about one record whose lists grow (a
referral's history, a partner's engagement), render one small and one large record and compare
them (`assert_same_count`). Either way the page must really show more rows with more data, so
an empty page cannot pass.

Used by `tests/referrals/test_query_counts.py` and each app's `test_list_query_counts.py`.
"""

import re
from collections import Counter
from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

N = 3  # rows in the small data set; the large one has 3N

# What grows when a page lists more: table rows, list items, summary list rows (their keys),
# and the radio buttons and checkboxes of a choice among records.
ROW_MARKERS = ("<tr", "<li", "<dt", 'type="radio"', 'type="checkbox"')


def shape(sql: str) -> str:
    """A query without its literal values: the same query for another id compares equal."""
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


class Page:
    """A page as rendered, with the SQL its GET ran (after one warm-up request)."""

    def __init__(self, client, url: str):
        assert client.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        self.queries = [query["sql"] for query in captured.captured_queries]
        self.content = response.content.decode()
        self.rows_shown = sum(self.content.count(marker) for marker in ROW_MARKERS)


def assert_flat(client, url: str, add: Callable[[int], object], *, n: int = N) -> None:
    """The page at `url` runs as many queries with 3n rows as with n (`add(k)` adds k rows)."""
    add(n)
    small = Page(client, url)
    add(2 * n)
    assert_same_count(url, small, Page(client, url), n)


def assert_same_count(url: str, small: Page, large: Page, n: int = N) -> None:
    """`large` (3n rows) ran as many queries as `small` (n rows), and shows more rows."""
    # The data really is on the page: otherwise an empty page would pass.
    assert large.rows_shown > small.rows_shown, f"{url} shows no more with {3 * n} rows"
    extra = Counter(map(shape, large.queries)) - Counter(map(shape, small.queries))
    assert len(large.queries) == len(small.queries), (
        f"{url}: {len(small.queries)} queries with {n} rows, {len(large.queries)} with {3 * n}; "
        "more of these:\n" + "\n".join(f"{count} x {sql[:300]}" for sql, count in extra.items())
    )


def assert_record_flat(client, url_name: str, make: Callable[[int, str], object], n: int = N):
    """A page about one record runs as many queries for a record with 3n rows of its history
    as for one with n (`make(k, label)` makes a record with k, its people named by `label`)."""
    small, large = make(n, "Small"), make(3 * n, "Large")
    assert_same_count(
        url_name,
        Page(client, reverse(url_name, args=[small.pk])),
        Page(client, reverse(url_name, args=[large.pk])),
        n,
    )

"""Reads shared by the parts of one page: `remembered(obj, key, read)`.

A page about a record is drawn by several parts that do not know of each other: the view, the
alerts in base.html, the panels other apps add. Where two of them show the same rows (a
person's active risk flags, say), each asks for them through `remembered`, keyed by what the
read depends on, and the database is asked once. The answers live on the object the page is
about (its referral, say), so they last as long as it does: one request. Only for reads that
draw a page: code that changes something must read afresh.
"""

from collections.abc import Callable, Hashable

_ATTRIBUTE = "_linkwork_reads"


def remembered[T](obj: object, key: Hashable, read: Callable[[], T]) -> T:
    """`read()`, the first time it is asked for with this key about this object; after that,
    the same answer."""
    reads = obj.__dict__.setdefault(_ATTRIBUTE, {})
    if key not in reads:
        reads[key] = read()
    return reads[key]

"""One import's records, from collection to the report: `Feed`.

Its three steps each have their own module: collect (collect.py), check (check.py) and save
(store.py). The state they share is set up here.
"""

from __future__ import annotations

import uuid

from .check import Checking
from .collect import Collecting
from .records import KIND_ORDER, Record
from .store import Saving


class Feed(Collecting, Checking, Saving):
    """One import's records, from collection to the report."""

    def __init__(self, *, hint: str | None = None):
        self.hint = hint  # the kind of record the feed's address or file name suggests
        self.records: dict[tuple[str, str], Record] = {}
        self.unknown: list[Record] = []  # objects of no kind Linkwork can tell
        self.notes: list[dict] = []
        # A dataset's details, by owner (kind, key, collection), and all of them in order.
        self.flat: dict[tuple[str, str, str], list[dict]] = {}
        self.flat_all: list[tuple[str, dict]] = []
        self.flat_used: set[int] = set()  # id() of the details a record has taken
        self.dataset_keys: set[str] = set()  # the lists a dataset gives
        self.detail_ids: dict[str, set[uuid.UUID]] = {}
        self.db_pks: dict[tuple[str, str], int | None] = {}  # records already in the directory
        self._counter = 0

    def ordered(self) -> list[Record]:
        """The records in the order they are checked and saved in."""
        return sorted(self.records.values(), key=lambda r: (KIND_ORDER.index(r.kind), r.order))

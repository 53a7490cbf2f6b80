"""Step 1 of an import, collect (`Feed.collect`): walk the feed and gather each record by kind
and id. A record nested in another (a service's `organization`) is a record of its own. A
record met more than once (the same organisation nested in every service of a list) is merged;
if two copies disagree on a field, the record is rejected as a duplicate id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .fetch import FeedPages, int_or
from .records import (
    DATASET_DETAILS,
    DATASET_RECORDS,
    DETAILS,
    NESTED_RECORD_KEYS,
    OWNER_FIELDS,
    Record,
    Ref,
    as_list,
    detect_kind,
    key_of,
    ref_name,
)
from .report import (
    E_NOT_A_FEED,
    INFO,
    M_NOT_OBJECT,
    M_PAGE_ONLY,
    M_UNKNOWN_KIND,
    FeedError,
    message,
    show_value,
)


class Collecting:
    """The collecting part of `Feed` (see feed.py for the state it keeps)."""

    def collect(self, data: Any) -> None:
        if isinstance(data, FeedPages):
            for page in data:
                self._collect_one(page, whole=True)
        else:
            self._collect_one(data, whole=False)

    def _collect_one(self, data: Any, *, whole: bool) -> None:
        if isinstance(data, list):
            for item in data:
                self._walk_detected(item)
        elif isinstance(data, dict) and isinstance(data.get("contents"), list):
            pages = int_or(data.get("total_pages"), 1)
            if not whole and pages > 1:
                self.notes.append(
                    message(INFO, M_PAGE_ONLY, page=int_or(data.get("page_number"), 1), pages=pages)
                )
            for item in data["contents"]:
                self._walk_detected(item)
        elif isinstance(data, dict) and "id" not in data and self._is_dataset(data):
            self._collect_dataset(data)
        elif isinstance(data, dict) and detect_kind(data, self.hint):
            self._walk_detected(data)
        else:
            raise FeedError(E_NOT_A_FEED)

    @staticmethod
    def _is_dataset(data: dict) -> bool:
        return any(isinstance(data.get(key), list) for key in (*DATASET_RECORDS, *DATASET_DETAILS))

    def _collect_dataset(self, data: dict) -> None:
        for key, kind in DATASET_RECORDS.items():
            for item in as_list(data.get(key)):
                self.walk(kind, item)
        if isinstance(data.get("service_at_locations"), list):
            self.dataset_keys.add("service_at_locations")
        for key, (kind, collection) in DATASET_DETAILS.items():
            items = data.get(key)
            if not isinstance(items, list):
                continue
            self.dataset_keys.add(collection)
            for item in items:
                self._add_flat(kind, collection, item)

    def _add_flat(self, kind: str, collection: str, item: Any) -> None:
        self.flat_all.append((kind, item))
        if not isinstance(item, dict):
            return
        owner = None
        if kind == "attribute":
            entity = item.get("link_entity")
            if entity in (None, "", "service"):
                owner = ("service", item.get("service_id") or item.get("link_id"))
        else:
            for owner_field, owner_kind in OWNER_FIELDS.items():
                if owner_kind in DETAILS[kind].owners and item.get(owner_field):
                    owner = (owner_kind, item[owner_field])
                    break
        if owner is None:
            return
        key = key_of(owner[1])
        if key is not None:
            self.flat.setdefault((owner[0], key, collection), []).append(item)

    def _walk_detected(self, item: Any) -> None:
        if not isinstance(item, dict):
            self.unknown.append(self._loose("record", item, M_NOT_OBJECT))
            return
        kind = detect_kind(item, self.hint)
        if kind is None:
            self.unknown.append(self._loose("record", item, M_UNKNOWN_KIND))
            return
        self.walk(kind, item)

    def _loose(self, kind: str, item: Any, text: str) -> Record:
        self._counter += 1
        raw_id = item.get("id") if isinstance(item, dict) else None
        record = Record(kind=kind, key=f"loose:{self._counter}", raw_id=raw_id, order=self._counter)
        record.reject(text)
        return record

    def walk(self, kind: str, obj: Any, refs: Iterable[Ref] = ()) -> str:
        """Gather a record and the records nested in it. Answers the record's key."""
        refs = list(refs)
        if not isinstance(obj, dict):
            record = self._loose(kind, obj, M_NOT_OBJECT)
            self.records[(kind, record.key)] = record
            return record.key
        own_id = obj.get("id")
        if kind == "service":
            organization = obj.get("organization")
            if isinstance(organization, dict):
                refs.append(Ref("organization", self.walk("organization", organization), ""))
            elif "organization_id" in obj:
                refs.append(self._ref("organization_id", obj["organization_id"]))
        elif kind == "service_at_location":
            for name in ("location", "service"):
                nested = obj.get(name)
                if isinstance(nested, dict):
                    refs.append(Ref(name, self.walk(name, nested), ""))
                elif f"{name}_id" in obj:
                    refs.append(self._ref(f"{name}_id", obj[f"{name}_id"]))
        elif kind == "location":
            if "organization_id" in obj:
                refs.append(self._ref("organization_id", obj["organization_id"]))
        elif kind == "taxonomy_term":
            detail = obj.get("taxonomy_detail")
            if not isinstance(detail, dict) and isinstance(obj.get("taxonomy"), dict):
                detail = obj["taxonomy"]
            if isinstance(detail, dict):
                refs.append(Ref("taxonomy", self.walk("taxonomy", detail), ""))
            elif obj.get("taxonomy_id"):
                refs.append(self._ref("taxonomy_id", obj["taxonomy_id"]))
            if obj.get("parent_id"):
                refs.append(self._ref("parent_id", obj["parent_id"]))

        key = self._add(kind, obj, own_id, refs)

        if kind == "organization":
            here = Ref("organization", key, "")
            for item in as_list(obj.get("services")):
                self.walk("service", item, [here])
            for item in as_list(obj.get("locations")):
                self.walk("location", item, [here])
        elif kind == "service":
            if isinstance(obj.get("service_at_locations"), list):
                self.records[(kind, key)].given_sal = True
            for item in as_list(obj.get("service_at_locations")):
                self.walk("service_at_location", item, [Ref("service", key, "")])
            for attribute in as_list(obj.get("attributes")):
                if isinstance(attribute, dict) and isinstance(attribute.get("taxonomy_term"), dict):
                    self.walk("taxonomy_term", attribute["taxonomy_term"])
        elif kind == "taxonomy":
            for item in as_list(obj.get("taxonomy_terms")):
                self.walk("taxonomy_term", item, [Ref("taxonomy", key, "")])
        return key

    @staticmethod
    def _ref(field_name: str, raw: Any) -> Ref:
        if raw is None or raw == "":
            return Ref(field_name, None, "")
        key = key_of(raw)
        return Ref(field_name, key if key else f"bad:{show_value(raw)}", key or show_value(raw))

    def _add(self, kind: str, obj: dict, raw_id: Any, refs: list[Ref]) -> str:
        key = key_of(raw_id)
        if key is None:
            self._counter += 1
            key = f"bad:{show_value(raw_id)}" if raw_id is not None else f"none:{self._counter}"
        record = self.records.get((kind, key))
        if record is None:
            self._counter += 1
            record = Record(kind=kind, key=key, raw_id=raw_id, order=self._counter)
            self.records[(kind, key)] = record
        skip = set(NESTED_RECORD_KEYS.get(kind, ()))
        if kind == "taxonomy_term" and isinstance(obj.get("taxonomy"), dict):
            skip.add("taxonomy")
        for name, value in obj.items():
            if name in skip:
                continue
            if name in record.data and record.data[name] != value:
                record.conflict = record.conflict or name
            record.data.setdefault(name, value)
        for ref in refs:
            name = ref_name(kind, ref.field)
            known = record.refs.get(name)
            if known is None:
                record.refs[name] = ref
            elif known.key != ref.key:
                record.conflict = record.conflict or ref.field
        return key

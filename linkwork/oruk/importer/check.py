"""Step 2 of an import, check (`Feed.check`): every record is checked against what Linkwork
needs, without writing. A record that cannot stand is rejected with its reasons; a bad optional
value is dropped with a warning; a reference is resolved to a record in the feed or in the
directory. Progress is reported record by record.
"""

from __future__ import annotations

from typing import Any

from linkwork.directory.models import AVAILABILITY_FOR_ORUK_STATUS

from .fields import clean_fields, parse_uuid
from .records import (
    COLLECTIONS,
    DETAILS,
    KIND_ORDER,
    MAIN_FIELDS,
    MAIN_MODELS,
    OWNER_FIELDS,
    REFERENCES,
    SAL_DETAIL_KEYS,
    Detail,
    Record,
    Ref,
    chunks,
    key_of,
)
from .report import (
    ERROR,
    INFO,
    M_AGES_REVERSED,
    M_BAD_STATUS,
    M_BAD_UUID_FIELD,
    M_CHILD_DUPLICATE,
    M_CHILD_LEFT_OUT,
    M_CHILD_WARNING,
    M_COORDINATE_ALONE,
    M_DROPPED,
    M_DUPLICATE,
    M_MISSING,
    M_NO_ORGANISATION,
    M_NO_OWNER,
    M_NOT_LIST,
    M_NOT_OBJECT,
    M_NOT_SERVICE_ATTRIBUTE,
    M_NOT_UUID,
    M_OWN_PARENT,
    M_OWNER_NOT_IN_FEED,
    M_REF_LEFT_OUT,
    M_REJECTED_REF,
    M_REJECTED_REF_LEFT_OUT,
    M_SAL_DETAILS_IGNORED,
    M_UNKNOWN_REF,
    WARNING,
    Progress,
    message,
    show_value,
)


class Checking:
    """The checking part of `Feed` (see feed.py for the state it keeps)."""

    def check(self, progress: Progress | None = None) -> None:
        records = self.ordered()
        self._load_existing(records)
        total = len(records)
        done = 0
        for kind in KIND_ORDER:
            for record in (r for r in records if r.kind == kind):
                self._check_record(record)
                done += 1
                if progress:
                    progress("checking", done, total)
        for record in (r for r in records if r.kind == "taxonomy_term"):
            self._check_parent(record)

    def _load_existing(self, records: list[Record]) -> None:
        for kind, model in MAIN_MODELS.items():
            keys = [r.uuid for r in records if r.kind == kind and r.uuid]
            for chunk in chunks(keys):
                for found in model.objects.filter(uuid__in=chunk).values_list("uuid", "pk"):
                    self.db_pks[(kind, str(found[0]))] = found[1]

    def _check_record(self, record: Record) -> None:
        if record.rejected:
            return
        if record.raw_id is None:
            record.reject(M_MISSING, field="id")
            return
        if record.uuid is None:
            record.reject(M_NOT_UUID, value=show_value(record.raw_id))
            return
        if record.conflict:
            record.reject(M_DUPLICATE, field=record.conflict)
            return
        record.existing = (record.kind, record.key) in self.db_pks
        record.values, missing = clean_fields(record.data, MAIN_FIELDS[record.kind], record.warn)
        for reason in missing:
            record.rejected = True
            record.messages.append(reason)
        if record.kind == "service":
            self._check_service(record)
        elif record.kind == "location":
            self._check_coordinates(record)
        elif record.kind == "service_at_location":
            present = [key for key in SAL_DETAIL_KEYS if record.data.get(key)]
            for key in present:
                record.messages.append(message(INFO, M_SAL_DETAILS_IGNORED, field=key))
        for name, target_kind, required in REFERENCES.get(record.kind, ()):
            if name == "parent":
                continue
            ref = record.refs.get(name)
            if ref is None or ref.key is None:
                if required and not record.existing:
                    if record.kind == "service":
                        record.reject(M_NO_ORGANISATION)
                    else:
                        record.reject(M_MISSING, field=f"{name}_id")
                continue
            self._resolve(record, name, target_kind, ref, required)
        if record.kind in COLLECTIONS:
            record.collections = self._check_collections(
                record.kind, record.key, record.data, record
            )

    @staticmethod
    def _check_coordinates(record: Record) -> None:
        """A place needs both a latitude and a longitude: one without the other is left out."""
        values = record.values
        given = [name for name in ("latitude", "longitude") if name in values]
        if not given:
            return
        kept = [name for name in given if values[name] is not None]
        if len(kept) == 1:
            name = kept[0]
            record.warn(M_COORDINATE_ALONE, field=name, value=show_value(record.data.get(name)))
            values[name] = None

    def _check_service(self, record: Record) -> None:
        raw = record.data.get("status")
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            record.reject(M_MISSING, field="status")
            return
        status = raw.strip().lower().replace("_", " ") if isinstance(raw, str) else None
        if status not in AVAILABILITY_FOR_ORUK_STATUS:
            record.reject(M_BAD_STATUS, value=show_value(raw))
            return
        record.status = status
        low, high = record.values.get("minimum_age"), record.values.get("maximum_age")
        if low is not None and high is not None and low > high:
            record.warn(M_AGES_REVERSED, low=low, high=high)
            record.values["minimum_age"] = record.values["maximum_age"] = None

    def _resolve(self, record: Record, name: str, kind: str, ref: Ref, required: bool) -> None:
        """Find the record a reference names, in the feed or in the directory. A required
        reference that leads nowhere rejects the record; an optional one is left out."""
        target = self.records.get((kind, ref.key)) if ref.key else None
        if target is not None:
            if target.rejected:
                text = M_REJECTED_REF if required else M_REJECTED_REF_LEFT_OUT
                (record.reject if required else record.warn)(
                    text, field=ref.field, kind=kind, id=target.shown_id or ref.shown
                )
            else:
                record.targets[name] = target
            return
        pk = self._db_pk(kind, ref.key)
        if pk is not None:
            record.targets[name] = pk
            return
        shown = ref.shown or ref.key or ""
        if required:
            record.reject(M_UNKNOWN_REF, field=ref.field, kind=kind, id=shown)
        elif ref.key and ref.key.startswith("bad:"):
            reason = message(WARNING, M_BAD_UUID_FIELD, field=ref.field, value=shown)
            record.warn(M_DROPPED, reason=reason)
        else:
            record.warn(M_REF_LEFT_OUT, field=ref.field, kind=kind, id=shown)

    def _db_pk(self, kind: str, key: str | None) -> int | None:
        if not key or parse_uuid(key) is None:
            return None
        if (kind, key) not in self.db_pks:
            found = MAIN_MODELS[kind].objects.filter(uuid=key).values_list("pk", flat=True).first()
            self.db_pks[(kind, key)] = found
        return self.db_pks[(kind, key)]

    def _check_parent(self, record: Record) -> None:
        ref = record.refs.get("parent")
        if record.rejected or ref is None or ref.key is None:
            return
        if ref.key == record.key:
            record.warn(M_OWN_PARENT, field=ref.field)
            return
        self._resolve(record, "parent", "taxonomy_term", ref, False)

    def _check_collections(
        self, owner_kind: str, owner_key: str, data: dict, record: Record
    ) -> dict[str, tuple[bool, list[Detail]]]:
        collections = {}
        for collection, kind in COLLECTIONS[owner_kind]:
            given = collection in self.dataset_keys
            items: list[Any] = []
            if collection in data and data[collection] is not None:
                if isinstance(data[collection], list):
                    given = True
                    items.extend(data[collection])
                else:
                    record.warn(M_NOT_LIST, field=collection)
            for item in self.flat.get((owner_kind, owner_key, collection), []):
                self.flat_used.add(id(item))
                items.append(item)
            details = []
            for item in items:
                detail = self._check_detail(kind, item, record)
                if detail is not None:
                    details.append(detail)
            if given:
                collections[collection] = (True, details)
        return collections

    def _check_detail(self, kind: str, item: Any, record: Record) -> Detail | None:
        raw_id = item.get("id") if isinstance(item, dict) else None
        shown = (
            (str(parse_uuid(raw_id)) if parse_uuid(raw_id) else show_value(raw_id))
            if raw_id
            else "?"
        )

        def left_out(text: str, **params) -> None:
            reason = message(ERROR, text, **params)
            record.warn(M_CHILD_LEFT_OUT, kind=kind, id=shown, reason=reason)

        if not isinstance(item, dict):
            left_out(M_NOT_OBJECT)
            return None
        if raw_id is None:
            left_out(M_MISSING, field="id")
            return None
        parsed = parse_uuid(raw_id)
        if parsed is None:
            left_out(M_NOT_UUID, value=show_value(raw_id))
            return None
        seen = self.detail_ids.setdefault(kind, set())
        if parsed in seen:
            left_out(M_CHILD_DUPLICATE)
            return None
        seen.add(parsed)

        warnings: list[dict] = []

        def warn(text: str, **params) -> None:
            warnings.append(message(WARNING, text, **params))

        spec = DETAILS[kind]
        values, missing = clean_fields(item, spec.fields, warn)
        if missing:
            record.warn(M_CHILD_LEFT_OUT, kind=kind, id=shown, reason=missing[0])
            return None
        detail = Detail(kind=kind, uuid=parsed, values=values)
        if kind == "attribute":
            term = item.get("taxonomy_term")
            raw_term = term.get("id") if isinstance(term, dict) else item.get("taxonomy_term_id")
            if raw_term is None:
                left_out(M_MISSING, field="taxonomy_term_id")
                return None
            term_key = key_of(raw_term)
            target = self.records.get(("taxonomy_term", term_key)) if term_key else None
            if target is not None and target.rejected:
                left_out(M_REJECTED_REF, field="taxonomy_term", kind="taxonomy_term", id=term_key)
                return None
            if target is None:
                pk = self._db_pk("taxonomy_term", term_key)
                if pk is None:
                    left_out(
                        M_UNKNOWN_REF,
                        field="taxonomy_term_id",
                        kind="taxonomy_term",
                        id=term_key or show_value(raw_term),
                    )
                    return None
                detail.term = pk
            else:
                detail.term = target
        for collection, sub_kind in spec.collections:
            given = collection in self.dataset_keys
            sub_items: list[Any] = []
            if isinstance(item.get(collection), list):
                given = True
                sub_items.extend(item[collection])
            for sub in self.flat.get((kind, str(parsed), collection), []):
                self.flat_used.add(id(sub))
                sub_items.append(sub)
            if given:
                subs = [self._check_detail(sub_kind, sub, record) for sub in sub_items]
                detail.collections[collection] = (True, [s for s in subs if s is not None])
        for warning in warnings:
            record.warn(M_CHILD_WARNING, kind=kind, id=shown, reason=warning)
        return detail

    def unplaced(self) -> list[Record]:
        """Details of a dataset that belong to no record in the feed: rejected."""
        loose = []
        for kind, item in self.flat_all:
            if id(item) in self.flat_used:
                continue
            self._counter += 1
            raw_id = item.get("id") if isinstance(item, dict) else None
            record = Record(kind=kind, key=f"loose:{self._counter}", raw_id=raw_id, order=0)
            if not isinstance(item, dict):
                record.reject(M_NOT_OBJECT)
            elif kind == "attribute" and item.get("link_entity") not in (None, "", "service"):
                record.reject(M_NOT_SERVICE_ATTRIBUTE)
            else:
                owner = next(
                    (
                        (name, owner_kind)
                        for name, owner_kind in (*OWNER_FIELDS.items(), ("link_id", "service"))
                        if item.get(name) and (owner_kind in DETAILS[kind].owners)
                    ),
                    None,
                )
                if owner is None:
                    record.reject(M_NO_OWNER)
                else:
                    raw = item[owner[0]]
                    record.reject(
                        M_OWNER_NOT_IN_FEED,
                        field=owner[0],
                        kind=owner[1],
                        id=key_of(raw) or show_value(raw),
                    )
            loose.append(record)
        return loose

"""Step 3 of an import, save (`Feed.apply`), inside the import's one transaction (opened by
`run.py`, so any exception rolls the whole import back): create or update each record by its
id. A record whose fields and details all match is not written at all, so a second run of the
same feed changes nothing. The records' details are read all at once
beforehand, compared in memory and written in bulk (`details.DetailStore`). Records are saved a
kind at a time, in the order they refer to each other (`KIND_ORDER`): the new ones of a kind are
created together (`core.bulk.insert`), and only then are their details and dependent saves
made, which need their pks.

Fields the feed leaves out are left as they are; a field given empty is cleared. A detail
collection the feed gives (`phones`, `schedules`, ..., even `[]`) replaces the record's own;
one it leaves out is left alone. Nothing is ever deleted but details and services' places
(service at location) of records in the feed. Linkwork's own fields (how to refer, local notes,
sites, who keeps the entry up to date, checks) are never touched.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils import timezone

from linkwork.core.bulk import insert
from linkwork.directory.models import (
    AVAILABILITY_FOR_ORUK_STATUS,
    Availability,
    AvailabilityChange,
    Contact,
    Phone,
    ReferralMethod,
    Service,
    ServiceAtLocation,
)

from .details import DetailStore
from .records import (
    COLLECTIONS,
    DETAILS,
    KIND_ORDER,
    MAIN_MODELS,
    Detail,
    Record,
    chunks,
    feed_name,
)
from .report import INFO, M_AGES_REVERSED, M_AVAILABILITY, Progress, message


class Saving:
    """The saving part of `Feed` (see feed.py for the state it keeps)."""

    def apply(self, *, by, directory_import, progress: Progress | None = None) -> None:
        self.by = by
        self.directory_import = directory_import
        self.now = timezone.now()
        self.today = timezone.localdate()
        records = [r for r in self.ordered() if not r.rejected]
        self._objects: dict[tuple[str, str], Any] = {}
        for kind, model in MAIN_MODELS.items():
            keys = [r.uuid for r in records if r.kind == kind]
            for chunk in chunks(keys):
                for obj in model.objects.filter(uuid__in=chunk):
                    self._objects[(kind, str(obj.uuid))] = obj
        self._details = DetailStore()
        self._availability_changes: list[AvailabilityChange] = []
        self._prefetch_details(records)
        total = len(records)
        done = 0
        sal_services: dict[int, Any] = {}
        # A kind at a time, in KIND_ORDER, so that every record a later kind refers to has its
        # pk: first each record's own fields (new records created together, in bulk), then
        # its details and the saves that depend on them.
        for kind in KIND_ORDER:
            group = [r for r in records if r.kind == kind]
            self._new: list[models.Model] = []
            for record in group:
                getattr(self, f"_apply_{kind}")(record)
            self._create_new(MAIN_MODELS[kind])
            complete = getattr(self, f"_complete_{kind}", None)
            for record in group:
                if complete is not None:
                    complete(record)
                if kind == "service_at_location" and (record.created or record.changes):
                    sal_services[record.obj.service_id] = record
                done += 1
                if progress:
                    progress("saving", done, total)
        self._details.flush()
        insert(AvailabilityChange, self._availability_changes)
        for record in records:
            if record.kind == "taxonomy_term":
                self._apply_parent(record)
        self._remove_stale_places(records, sal_services)

    def _prefetch_details(self, records: list[Record]) -> None:
        """Read, in a few queries, the details the records in the feed have now and those with
        the ids the feed gives (which may belong to another record): `_sync` then compares in
        memory."""
        owners: dict[tuple[type[models.Model], str], list[int]] = {}
        uuids: dict[type[models.Model], list[uuid.UUID]] = {}

        def walk(details: list[Detail]) -> None:
            for detail in details:
                uuids.setdefault(DETAILS[detail.kind].model, []).append(detail.uuid)
                for _given, subs in detail.collections.values():
                    walk(subs)

        for record in records:
            obj = self._objects.get((record.kind, record.key))
            for collection, (_given, details) in record.collections.items():
                model = DETAILS[dict(COLLECTIONS[record.kind])[collection]].model
                if obj is not None:
                    owners.setdefault((model, record.kind), []).append(obj.pk)
                walk(details)
        store = self._details
        for (model, owner_name), pks in owners.items():
            store.load_owners(model, owner_name, pks)
        for model, ids in uuids.items():
            store.load_uuids(model, ids)
        contacts = [obj.pk for obj in store.by_uuid.get(Contact, {}).values()]
        if contacts:
            store.load_owners(Phone, "contact", contacts)

    def _pk(self, target: Any) -> int | None:
        if isinstance(target, Record):
            return target.obj.pk if target.obj is not None else None
        return target

    def _upsert(self, record: Record, values: dict[str, Any], **create_extra) -> list[str]:
        """Create the record, or set the fields that differ (the caller saves them). Answers
        the model fields changed."""
        model = MAIN_MODELS[record.kind]
        obj = self._objects.get((record.kind, record.key))
        if obj is None:
            obj = model(uuid=record.uuid, **values, **create_extra)
            self._new.append(obj)  # created with the rest of its kind (`_create_new`)
            self._details.fresh.add(id(obj))  # it has no details yet
            record.obj = obj
            record.created = True
            return []
        record.obj = obj
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        for name in changed:
            setattr(obj, name, values[name])
        record.changes.extend(feed_name(record.kind, name) for name in changed)
        return changed

    def _create_new(self, model: type[models.Model]) -> None:
        """Create the new records of one kind, in bulk: they have their pks afterwards."""
        insert(model, self._new)
        self._new = []

    def _save(self, record: Record, values: dict) -> None:
        changed = self._upsert(record, values)
        if changed:
            record.obj.save(update_fields=changed)

    def _with_target(self, record: Record, values: dict, name: str) -> None:
        """Set a reference's foreign key: the record it names, or none if that was not found."""
        if name in record.targets:
            values[f"{name}_id"] = self._pk(record.targets[name])
        elif name in record.refs and record.refs[name].key is not None:
            values[f"{name}_id"] = None

    def _apply_taxonomy(self, record: Record) -> None:
        self._save(record, dict(record.values))

    def _apply_taxonomy_term(self, record: Record) -> None:
        values = dict(record.values)
        self._with_target(record, values, "taxonomy")
        self._save(record, values)

    def _apply_parent(self, record: Record) -> None:
        if "parent" not in record.refs:
            return
        parent = self._pk(record.targets.get("parent"))
        if record.obj.parent_id != parent:
            record.obj.parent_id = parent
            record.obj.save(update_fields=["parent"])
            if not record.created:
                record.changes.append("parent_id")

    def _apply_organization(self, record: Record) -> None:
        record.changed_fields = self._upsert(record, dict(record.values))

    def _complete_organization(self, record: Record) -> None:
        changed = record.changed_fields
        details_changed = self._sync_collections(record)
        if changed or (details_changed and not record.created):
            record.obj.last_modified = self.now
            record.obj.save(update_fields=[*changed, "last_modified"])

    def _apply_location(self, record: Record) -> None:
        values = dict(record.values)
        self._with_target(record, values, "organization")
        self._save(record, values)

    def _complete_location(self, record: Record) -> None:
        self._sync_collections(record)

    def _apply_service_at_location(self, record: Record) -> None:
        values = dict(record.values)
        self._with_target(record, values, "service")
        self._with_target(record, values, "location")
        self._save(record, values)

    def _apply_service(self, record: Record) -> None:
        values = dict(record.values)
        if "organization" in record.targets:
            values["organization_id"] = self._pk(record.targets["organization"])
        obj = self._objects.get(("service", record.key))
        target = AVAILABILITY_FOR_ORUK_STATUS[record.status]
        if obj is None:
            self._upsert(
                record,
                values,
                availability=target,
                referral_method=ReferralMethod.SIGNPOST,
                imported_by=self.directory_import,
                last_modified=self.now,
            )
            self._record_availability(record.obj, target)
            return
        self._keep_ages_in_order(record, values, obj)
        changed = self._upsert(record, values)
        before = obj.availability
        limited_stays = target == Availability.OPEN and before == Availability.LIMITED
        if before != target and not limited_stays:
            obj.availability = target
            obj.availability_note = ""
            obj.expected_reopening = None
            changed += ["availability", "availability_note", "expected_reopening"]
            record.changes.append("status")
            record.messages.append(message(INFO, M_AVAILABILITY, before=before, after=target))
            self._record_availability(obj, target)
        record.changed_fields = changed

    def _complete_service(self, record: Record) -> None:
        changed = record.changed_fields
        if (self._sync_collections(record) and not record.created) or changed:
            obj = record.obj
            obj.last_modified = self.now
            obj.imported_by = self.directory_import
            obj.save(update_fields=[*changed, "last_modified", "imported_by"])

    def _keep_ages_in_order(self, record: Record, values: dict, obj: Service) -> None:
        """An age from the feed that would put the service's ages out of order is left out."""
        low = values.get("minimum_age", obj.minimum_age)
        high = values.get("maximum_age", obj.maximum_age)
        if low is not None and high is not None and low > high:
            record.warn(M_AGES_REVERSED, low=low, high=high)
            for name in ("minimum_age", "maximum_age"):
                if name in values:
                    values[name] = None

    def _record_availability(self, service: Service, availability: str) -> None:
        self._availability_changes.append(
            AvailabilityChange(
                service=service,
                availability=availability,
                effective_on=self.today,
                recorded_by=self.by if getattr(self.by, "is_authenticated", False) else None,
                via_import=self.directory_import,
            )
        )

    def _remove_stale_places(self, records: list[Record], touched: dict[int, Any]) -> None:
        """A service that lists its places (services at location) loses the ones it does not
        list; a service whose places changed counts as changed."""
        listed: dict[str, set[uuid.UUID]] = {}
        for record in self.records.values():
            ref = record.refs.get("service")
            if record.kind == "service_at_location" and record.uuid and ref and ref.key:
                listed.setdefault(ref.key, set()).add(record.uuid)
        services = [
            record
            for record in records
            if record.kind == "service"
            and record.obj is not None
            and (record.given_sal or "service_at_locations" in self.dataset_keys)
        ]
        places: dict[int, list[tuple[int, uuid.UUID]]] = {}
        for chunk in chunks([record.obj.pk for record in services]):
            found = ServiceAtLocation.objects.filter(service_id__in=chunk)
            for pk, service_pk, place_uuid in found.values_list("pk", "service_id", "uuid"):
                places.setdefault(service_pk, []).append((pk, place_uuid))
        stale: list[int] = []
        for record in services:
            keep = listed.get(record.key, set())
            gone = [pk for pk, place in places.get(record.obj.pk, ()) if place not in keep]
            if gone:
                stale.extend(gone)
                touched[record.obj.pk] = record
        for chunk in chunks(stale):
            ServiceAtLocation.objects.filter(pk__in=chunk).delete()
        by_pk = {r.obj.pk: r for r in records if r.kind == "service" and r.obj is not None}
        moved: list[int] = []
        for service_pk in touched:
            owner = by_pk.get(service_pk)
            if owner is not None and owner.created:
                continue
            moved.append(service_pk)
            if owner is not None:
                owner.changes.append("service_at_locations")
        for chunk in chunks(moved):
            Service.objects.filter(pk__in=chunk).update(
                last_modified=self.now, imported_by=self.directory_import
            )

    def _sync_collections(self, record: Record) -> bool:
        changed = False
        for collection, (given, details) in record.collections.items():
            if self._sync(record.obj, record.kind, details, given, collection):
                record.changes.append(collection)
                changed = True
        return changed

    def _sync(self, owner, owner_kind: str, details: list[Detail], given: bool, collection: str):
        """Make the owner's details of one collection match the feed's. Answers whether
        anything changed."""
        if not given:
            return False
        kind = dict(COLLECTIONS.get(owner_kind, ()) or DETAILS[owner_kind].collections)[collection]
        spec = DETAILS[kind]
        store = self._details
        current = store.current(spec.model, owner_kind, owner)
        wanted = {d.uuid for d in details}
        changed = False
        for detail in details:
            obj = current.get(detail.uuid) or store.find(spec.model, detail.uuid)
            if obj is not None and owner.pk is None:
                store.flush()  # moving a detail to a record created in this import
            values = dict(detail.values)
            for other in spec.owners:
                values[f"{other}_id"] = owner.pk if other == owner_kind else None
            if kind == "attribute":
                values["taxonomy_term_id"] = self._pk(detail.term)
            if obj is None:
                obj = store.create(spec.model, detail.uuid, values, owner_kind, owner)
                changed = True
            else:
                diff = {name: v for name, v in values.items() if getattr(obj, name) != v}
                if diff:
                    store.update(obj, diff)
                    changed = True
            for sub_collection, (sub_given, subs) in detail.collections.items():
                if self._sync(obj, kind, subs, sub_given, sub_collection):
                    changed = True
        stale = [obj for found, obj in current.items() if found not in wanted]
        if stale:
            store.delete(spec.model, stale)
            changed = True
        return changed

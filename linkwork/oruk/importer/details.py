"""The detail rows of an import (phones, schedules, addresses, ...), read and written in bulk."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models

from linkwork.core.bulk import insert
from linkwork.directory.models import Contact, Phone

from .records import DETAILS, chunks


class DetailStore:
    """The detail rows (phones, schedules, ...) an import may touch, read in bulk before saving
    and then kept in step, in memory, with what the import does to them. Writes are gathered
    and made in bulk by `flush`: updates, then deletions, then creations (contacts before
    phones), which has the same outcome as making them one by one in the import's order (a
    detail's id appears once in a feed, and a row is only found in memory as it now is).
    The one write that must wait for another, moving an existing detail to a contact created
    in this import, flushes first."""

    def __init__(self):
        self.by_uuid: dict[type[models.Model], dict[uuid.UUID, models.Model]] = {}
        self.by_owner: dict[tuple[type[models.Model], str, int], dict[uuid.UUID, Any]] = {}
        self.loaded: set[tuple[type[models.Model], str, int]] = set()  # owners fully read
        self.searched: dict[type[models.Model], set[uuid.UUID]] = {}  # ids looked up
        self.gone: dict[type[models.Model], set[int]] = {}  # pks deleted (maybe not yet)
        self.fresh: set[int] = set()  # id() of objects created in this import
        self.creates: dict[type[models.Model], list[models.Model]] = {}
        self.updates: dict[int, tuple[models.Model, set[str]]] = {}
        self.deletes: dict[type[models.Model], list[int]] = {}
        self.owners = {spec.model: spec.owners for spec in DETAILS.values()}

    # Reading

    def _index(self, obj: models.Model) -> None:
        for name in self.owners[type(obj)]:
            pk = getattr(obj, f"{name}_id")
            if pk is not None:
                self.by_owner.setdefault((type(obj), name, pk), {})[obj.uuid] = obj

    def _unindex(self, obj: models.Model) -> None:
        for name in self.owners[type(obj)]:
            pk = getattr(obj, f"{name}_id")
            if pk is not None:
                self.by_owner.get((type(obj), name, pk), {}).pop(obj.uuid, None)

    def _take(self, model: type[models.Model], rows: Iterable[models.Model]) -> None:
        known = self.by_uuid.setdefault(model, {})
        gone = self.gone.get(model, set())
        for obj in rows:
            if obj.uuid in known or obj.pk in gone:
                continue  # what is in memory is newer
            known[obj.uuid] = obj
            self._index(obj)

    def load_owners(self, model: type[models.Model], owner_name: str, pks: Iterable[int]) -> None:
        pks = [pk for pk in dict.fromkeys(pks) if (model, owner_name, pk) not in self.loaded]
        for chunk in chunks(pks):
            self._take(model, model.objects.filter(**{f"{owner_name}_id__in": chunk}))
            self.loaded.update((model, owner_name, pk) for pk in chunk)

    def load_uuids(self, model: type[models.Model], uuids: Iterable[uuid.UUID]) -> None:
        searched = self.searched.setdefault(model, set())
        wanted = [u for u in dict.fromkeys(uuids) if u not in searched]
        for chunk in chunks(wanted):
            self._take(model, model.objects.filter(uuid__in=chunk))
            searched.update(chunk)

    def current(self, model: type[models.Model], owner_name: str, owner) -> dict[uuid.UUID, Any]:
        """The owner's details of one model, as they are now."""
        if owner.pk is None:
            return {}
        key = (model, owner_name, owner.pk)
        if key not in self.loaded and id(owner) not in self.fresh:
            self.load_owners(model, owner_name, [owner.pk])
        return dict(self.by_owner.get(key, {}))

    def find(self, model: type[models.Model], detail_uuid: uuid.UUID):
        """The detail with this id, wherever it is now, or None."""
        if detail_uuid not in self.searched.get(model, ()):
            self.load_uuids(model, [detail_uuid])
        return self.by_uuid.get(model, {}).get(detail_uuid)

    # Writing

    def create(self, model, detail_uuid, values: dict, owner_name: str, owner):
        obj = model(uuid=detail_uuid, **values)
        if owner.pk is None:  # a contact created in this import: its pk comes with the flush
            setattr(obj, owner_name, owner)
        self.by_uuid.setdefault(model, {})[detail_uuid] = obj
        self._index(obj)
        self.fresh.add(id(obj))
        self.creates.setdefault(model, []).append(obj)
        return obj

    def update(self, obj: models.Model, values: dict[str, Any]) -> None:
        self._unindex(obj)
        for name, value in values.items():
            setattr(obj, name, value)
        self._index(obj)
        if obj.pk is not None:
            _obj, fields = self.updates.setdefault(id(obj), (obj, set()))
            fields.update(values)

    def delete(self, model: type[models.Model], objs: list[models.Model]) -> None:
        for obj in objs:
            self._forget(obj)
            if obj.pk is None:
                continue
            self.deletes.setdefault(model, []).append(obj.pk)
            if model is Contact:  # its phones go with it (on_delete=CASCADE)
                phones = self.current(Phone, "contact", obj)
                for phone in phones.values():
                    self._forget(phone)

    def _forget(self, obj: models.Model) -> None:
        self._unindex(obj)
        self.by_uuid.get(type(obj), {}).pop(obj.uuid, None)
        if obj.pk is not None:
            self.gone.setdefault(type(obj), set()).add(obj.pk)
        elif obj in self.creates.get(type(obj), ()):
            self.creates[type(obj)].remove(obj)

    def flush(self) -> None:
        groups: dict[tuple[type[models.Model], tuple[str, ...]], list[models.Model]] = {}
        for obj, fields in self.updates.values():
            groups.setdefault((type(obj), tuple(sorted(fields))), []).append(obj)
        for (model, fields), objs in groups.items():
            model.objects.bulk_update(objs, fields)
        for model, pks in self.deletes.items():
            for chunk in chunks(pks):
                model.objects.filter(pk__in=chunk).delete()
        created = []
        for model in sorted(self.creates, key=lambda m: m is Phone):  # contacts first
            objs = self.creates[model]
            insert(model, objs)
            created.extend(objs)
        for obj in created:  # phones of new contacts now have their contact's pk
            self._index(obj)
        self.creates, self.updates, self.deletes = {}, {}, {}

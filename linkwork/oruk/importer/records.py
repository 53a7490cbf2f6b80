"""The kinds of ORUK record and detail Linkwork imports, what they hold and how they refer to
each other, and the `Record` each one becomes while an import runs, with its messages and
result.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import models

from linkwork.directory.models import (
    Accessibility,
    Address,
    Contact,
    CostOption,
    Language,
    Location,
    Organization,
    OrganizationIdentifier,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceAttribute,
    Taxonomy,
    TaxonomyTerm,
)

from .fields import (
    ACCESSIBILITY_FIELDS,
    ADDRESS_FIELDS,
    ATTRIBUTE_FIELDS,
    CONTACT_FIELDS,
    COST_OPTION_FIELDS,
    LANGUAGE_FIELDS,
    LOCATION_FIELDS,
    ORGANIZATION_FIELDS,
    ORGANIZATION_IDENTIFIER_FIELDS,
    PHONE_FIELDS,
    SCHEDULE_FIELDS,
    SERVICE_AREA_FIELDS,
    SERVICE_AT_LOCATION_FIELDS,
    SERVICE_FIELDS,
    TAXONOMY_FIELDS,
    TAXONOMY_TERM_FIELDS,
    F,
    parse_uuid,
)
from .report import (
    CREATED,
    ERROR,
    INFO,
    M_CHANGED,
    REJECTED,
    UNCHANGED,
    UPDATED,
    WARNING,
    message,
    show_value,
)

MAIN_MODELS: dict[str, type[models.Model]] = {
    "taxonomy": Taxonomy,
    "taxonomy_term": TaxonomyTerm,
    "organization": Organization,
    "location": Location,
    "service": Service,
    "service_at_location": ServiceAtLocation,
}
MAIN_FIELDS = {
    "taxonomy": TAXONOMY_FIELDS,
    "taxonomy_term": TAXONOMY_TERM_FIELDS,
    "organization": ORGANIZATION_FIELDS,
    "location": LOCATION_FIELDS,
    "service": SERVICE_FIELDS,
    "service_at_location": SERVICE_AT_LOCATION_FIELDS,
}
KIND_ORDER = tuple(MAIN_MODELS)  # the order records are checked and saved in
REPORT_ORDER = (
    "organization",
    "service",
    "location",
    "service_at_location",
    "taxonomy",
    "taxonomy_term",
)

# Keys holding records of their own, kept out of a record's data (see Feed.walk).
NESTED_RECORD_KEYS = {
    "organization": ("services", "locations"),
    "service": ("organization", "service_at_locations"),
    "service_at_location": ("location", "service"),
    "taxonomy": ("taxonomy_terms",),
    "taxonomy_term": ("taxonomy_detail",),
    "location": (),
}

# A reference a record makes: (name, kind of record it points to, required).
REFERENCES = {
    "service": (("organization", "organization", True),),
    "service_at_location": (("service", "service", True), ("location", "location", True)),
    "location": (("organization", "organization", False),),
    "taxonomy_term": (("taxonomy", "taxonomy", False), ("parent", "taxonomy_term", False)),
}


@dataclass(frozen=True)
class DetailKind:
    model: type[models.Model]
    fields: tuple[F, ...]
    owners: tuple[str, ...]  # the model's foreign keys to the records it can belong to
    collections: tuple[tuple[str, str], ...] = ()


DETAILS = {
    "organization_identifier": DetailKind(
        OrganizationIdentifier, ORGANIZATION_IDENTIFIER_FIELDS, ("organization",)
    ),
    "phone": DetailKind(Phone, PHONE_FIELDS, ("organization", "service", "location", "contact")),
    "contact": DetailKind(
        Contact, CONTACT_FIELDS, ("organization", "service", "location"), (("phones", "phone"),)
    ),
    "schedule": DetailKind(Schedule, SCHEDULE_FIELDS, ("service", "location")),
    "service_area": DetailKind(ServiceArea, SERVICE_AREA_FIELDS, ("service",)),
    "language": DetailKind(Language, LANGUAGE_FIELDS, ("service", "location")),
    "cost_option": DetailKind(CostOption, COST_OPTION_FIELDS, ("service",)),
    "attribute": DetailKind(ServiceAttribute, ATTRIBUTE_FIELDS, ("service",)),
    "address": DetailKind(Address, ADDRESS_FIELDS, ("location",)),
    "accessibility": DetailKind(Accessibility, ACCESSIBILITY_FIELDS, ("location",)),
}

# The details each kind of record has: (key in the feed, kind of detail).
COLLECTIONS = {
    "organization": (
        ("organization_identifiers", "organization_identifier"),
        ("phones", "phone"),
        ("contacts", "contact"),
    ),
    "service": (
        ("phones", "phone"),
        ("schedules", "schedule"),
        ("service_areas", "service_area"),
        ("languages", "language"),
        ("cost_options", "cost_option"),
        ("contacts", "contact"),
        ("attributes", "attribute"),
    ),
    "location": (
        ("addresses", "address"),
        ("accessibility", "accessibility"),
        ("phones", "phone"),
        ("languages", "language"),
        ("schedules", "schedule"),
        ("contacts", "contact"),
    ),
}

# A dataset's lists of records, and of details with the fields naming their owner.
DATASET_RECORDS = {
    "organizations": "organization",
    "services": "service",
    "locations": "location",
    "service_at_locations": "service_at_location",
    "taxonomies": "taxonomy",
    "taxonomy_terms": "taxonomy_term",
}
DATASET_DETAILS = {
    "organization_identifiers": ("organization_identifier", "organization_identifiers"),
    "phones": ("phone", "phones"),
    "contacts": ("contact", "contacts"),
    "schedules": ("schedule", "schedules"),
    "service_areas": ("service_area", "service_areas"),
    "languages": ("language", "languages"),
    "cost_options": ("cost_option", "cost_options"),
    "attributes": ("attribute", "attributes"),
    "addresses": ("address", "addresses"),
    "accessibility": ("accessibility", "accessibility"),
    "accessibilities": ("accessibility", "accessibility"),
}
OWNER_FIELDS = {
    "contact_id": "contact",
    "service_id": "service",
    "location_id": "location",
    "organization_id": "organization",
}
# Keys of a service at location whose details Linkwork has nowhere to keep.
SAL_DETAIL_KEYS = ("phones", "contacts", "schedules", "service_areas", "attributes")


@dataclass
class Ref:
    """A reference from the feed: `name` is the field that made it, `key` the id it names."""

    field: str
    key: str | None
    shown: str


@dataclass
class Detail:
    kind: str
    uuid: uuid.UUID
    values: dict[str, Any]
    collections: dict[str, tuple[bool, list[Detail]]] = field(default_factory=dict)
    term: Any = None  # an attribute's taxonomy term: a Record or a pk


@dataclass
class Record:
    kind: str
    key: str
    raw_id: Any
    order: int
    data: dict = field(default_factory=dict)
    refs: dict[str, Ref] = field(default_factory=dict)
    conflict: str | None = None
    not_object: bool = False
    given_sal: bool = False
    messages: list[dict] = field(default_factory=list)
    rejected: bool = False
    values: dict[str, Any] = field(default_factory=dict)
    targets: dict[str, Any] = field(default_factory=dict)  # resolved refs: Record or pk
    collections: dict[str, tuple[bool, list[Detail]]] = field(default_factory=dict)
    status: str | None = None
    existing: bool = False
    obj: Any = None
    created: bool = False
    changes: list[str] = field(default_factory=list)
    changed_fields: list[str] = field(default_factory=list)  # model fields, saved once complete

    @cached_property
    def uuid(self) -> uuid.UUID | None:
        return parse_uuid(self.key)  # the key never changes

    @property
    def name(self) -> str:
        if self.kind == "service_at_location":
            names = []
            for ref in ("service", "location"):
                target = self.targets.get(ref)
                if isinstance(target, Record):
                    names.append(target.name)
                elif self.obj is not None:
                    names.append(str(getattr(self.obj, ref)))
            return " – ".join(n for n in names if n)
        name = self.values.get("name")
        if not name:
            raw = self.data.get("name") or self.data.get("term")
            name = raw.strip() if isinstance(raw, str) else ""
        if not name and self.obj is not None:
            name = getattr(self.obj, "name", "")
        return name[:200]

    @property
    def shown_id(self) -> str:
        if self.raw_id is None:
            return ""
        return key_of(self.raw_id) or show_value(self.raw_id)

    def reject(self, text: str, **params) -> None:
        self.rejected = True
        self.messages.append(message(ERROR, text, **params))

    def warn(self, text: str, **params) -> None:
        self.messages.append(message(WARNING, text, **params))

    @property
    def result(self) -> str:
        if self.rejected:
            return REJECTED
        if self.created:
            return CREATED
        return UPDATED if self.changes else UNCHANGED

    def entry(self) -> dict:
        messages = list(self.messages)
        if self.rejected:  # what was wrong with values that were not kept is moot
            messages = [m for m in messages if m["level"] == ERROR]
        if self.changes and not self.created and not self.rejected:
            messages.insert(
                0, message(INFO, M_CHANGED, fields=", ".join(dict.fromkeys(self.changes)))
            )
        return {
            "kind": self.kind,
            "id": self.shown_id,
            "name": self.name,
            "result": self.result,
            "messages": messages,
        }


def key_of(raw: Any) -> str | None:
    parsed = parse_uuid(raw)
    return str(parsed) if parsed else None


def detect_kind(obj: dict, hint: str | None = None) -> str | None:
    """What kind of ORUK record an object is, from the fields only that kind has."""
    keys = set(obj)
    if "status" in keys:
        return "service"
    if ("location" in keys or "location_id" in keys) and (
        "service" in keys or "service_id" in keys
    ):
        return "service_at_location"
    if keys & {"taxonomy_terms", "version"}:
        return "taxonomy"
    if keys & {
        "parent_id",
        "term",
        "term_uri",
        "taxonomy",
        "taxonomy_id",
        "taxonomy_detail",
        "code",
    }:
        return "taxonomy_term"
    if keys & {
        "location_type",
        "latitude",
        "longitude",
        "addresses",
        "accessibility",
        "transportation",
        "external_identifier",
    }:
        return "location"
    if keys & {
        "organization_identifiers",
        "services",
        "website",
        "logo",
        "legal_status",
        "parent_organization_id",
        "year_incorporated",
        "locations",
    }:
        return "organization"
    if keys & {
        "organization",
        "organization_id",
        "service_at_locations",
        "schedules",
        "eligibility_description",
        "fees",
        "fees_description",
        "minimum_age",
        "maximum_age",
        "cost_options",
        "service_areas",
        "attributes",
    }:
        return "service"
    return hint


def ref_name(kind: str, field_name: str) -> str:
    """The reference a field makes: "organization" for `organization` and `organization_id`."""
    for name, _target, _required in REFERENCES.get(kind, ()):
        if field_name in (name, f"{name}_id"):
            return name
    return field_name.removesuffix("_id")


_FEED_NAMES = {
    ("organization", "parent_uuid"): "parent_organization_id",
    ("taxonomy_term", "taxonomy_name"): "taxonomy",
    ("taxonomy_term", "taxonomy_id"): "taxonomy_id",
}


def feed_name(kind: str, name: str) -> str:
    return _FEED_NAMES.get((kind, name), name)


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def chunks(items: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]

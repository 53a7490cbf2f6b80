"""The directory as Open Referral UK (ORUK, the UK profile of HSDS 3.0) JSON, for `oruk.api`.

Every function here names the fields it publishes one by one: nothing is copied from a model
wholesale, so a field added to a model for staff (a note, a referral email, who checked the
entry) never leaks into the published feed by accident. The Linkwork-only fields of `Service`
(availability note, expected reopening, how to refer, referral contact and email, response
time, whether it takes referrals, who maintains it and when it was last checked, sites, the
import that changed it, local notes) are never read here; availability is published only as
the ORUK `status` (`Service.oruk_status`).

Shapes follow the profile's examples (`/work/shared/data/oruk/*.json`). Where HSDS 3.0 has a
field the UK profile leaves out and Linkwork holds it (phones, languages' names, a service's
eligibility and how to apply...), it is published under its HSDS 3.0 name: the profile lets a
feed carry further properties that do not conflict with it. See docs/developer/oruk-api.md.

Optional fields with no value are left out rather than sent as null or "" (ORUK's compliance
criteria ask for this: the schema types allow no null). Required fields are always present.
Every id is the record's `uuid`, never Linkwork's own primary key.
"""

import datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from linkwork.directory.models import (
    Contact,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    Taxonomy,
    TaxonomyTerm,
)

# --- Values ---------------------------------------------------------------------------------


def iso_datetime(value: datetime.datetime | None) -> str | None:
    """ISO 8601 in UTC with milliseconds and a Z: 2023-03-15T10:30:45.123Z."""
    if value is None:
        return None
    value = value.astimezone(datetime.UTC)
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def iso_time(value: datetime.time | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def number(value: Decimal | int | None) -> int | float | None:
    """A JSON number: 35 rather than "35.00", 12.5 rather than "12.50"."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def uuid_or_none(value) -> str | None:
    return str(value) if value is not None else None


def _record(data: dict, required: tuple[str, ...] = ()) -> dict:
    """`data` without the optional fields that have no value (None or "")."""
    return {
        key: value
        for key, value in data.items()
        if key in required or (value is not None and value != "")
    }


# --- Taxonomies -----------------------------------------------------------------------------


def taxonomy(item: Taxonomy, *, with_terms: bool = False) -> dict:
    data = _record(
        {
            "id": str(item.uuid),
            "name": item.name,
            "description": item.description,
            "uri": item.uri,
            "version": item.version,
        },
        required=("id", "name", "description"),
    )
    if with_terms:
        data["taxonomy_terms"] = [taxonomy_term(term) for term in item.terms.all()]
    return data


def taxonomy_term(term: TaxonomyTerm) -> dict:
    """Needs `parent` and `taxonomy` loaded with it (select_related) for lists."""
    vocabulary = term.taxonomy
    data = _record(
        {
            "id": str(term.uuid),
            "name": term.name,
            "description": term.description,
            "parent_id": uuid_or_none(term.parent.uuid) if term.parent_id else None,
            # ORUK's free-text name of the taxonomy the term comes from (required).
            "taxonomy": vocabulary.name if vocabulary else term.taxonomy_name,
            "term_uri": term.term_uri,
            # ORUK's name for the term itself.
            "term": term.name,
            # HSDS 3.0 fields beyond the profile.
            "taxonomy_id": uuid_or_none(vocabulary.uuid) if vocabulary else None,
            "code": term.code,
            "language": term.language,
        },
        required=("id", "taxonomy"),
    )
    if vocabulary is not None:
        data["taxonomy_detail"] = taxonomy(vocabulary)
    return data


def attribute(item: ServiceAttribute) -> dict:
    return _record(
        {
            "id": str(item.uuid),
            "taxonomy_term_id": str(item.taxonomy_term.uuid),
            "link_type": item.link_type,
            "value": item.value,
            "label": item.label,
            "taxonomy_term": taxonomy_term(item.taxonomy_term),
        },
        required=("id",),
    )


# --- Organisations --------------------------------------------------------------------------


def organization(org: Organization, *, with_identifiers: bool = False) -> dict:
    """The organisation's own fields; with its identifiers inside a full service."""
    data = _record(
        {
            "id": str(org.uuid),
            "name": org.name,
            "description": org.description,
            "email": org.email,
            "website": org.website,
            "logo": org.logo,
            "uri": org.uri,
            "parent_organization_id": uuid_or_none(org.parent_uuid),
            # HSDS 3.0 fields beyond the profile.
            "alternate_name": org.alternate_name,
            "legal_status": org.legal_status,
        },
        required=("id", "name", "description"),
    )
    if with_identifiers:
        data["organization_identifiers"] = [
            _record(
                {
                    "id": str(identifier.uuid),
                    "identifier_scheme": identifier.identifier_scheme,
                    "identifier_type": identifier.identifier_type,
                    "identifier": identifier.identifier,
                },
                required=("id", "identifier_type", "identifier"),
            )
            for identifier in org.identifiers.all()
        ]
    return data


def organization_full(org: Organization) -> dict:
    """`/organizations/{id}`: with its identifiers and its services in full."""
    data = organization(org, with_identifiers=True)
    data["services"] = [service_full(item, with_organization=False) for item in org.services.all()]
    return data


# --- Services -------------------------------------------------------------------------------


def service(item: Service) -> dict:
    """The service's one-to-one fields: what a list item carries (with `organization`)."""
    return _record(
        {
            "id": str(item.uuid),
            "organization_id": str(item.organization.uuid),
            "name": item.name,
            "description": item.description,
            "url": item.url,
            "email": item.email,
            # Linkwork's availability, as ORUK's status: closed for good is "defunct".
            "status": item.oruk_status,
            "fees": item.fees_description,
            "accreditations": item.accreditations,
            "minimum_age": item.minimum_age,
            "maximum_age": item.maximum_age,
            "assured_date": iso_date(item.assured_date),
            "assurer_email": item.assurer_email,
            "alert": item.alert,
            "last_modified": iso_datetime(item.last_modified),
            # HSDS 3.0 fields beyond the profile.
            "alternate_name": item.alternate_name,
            "fees_description": item.fees_description,
            "interpretation_services": item.interpretation_services,
            "application_process": item.application_process,
            "wait_time": item.wait_time,
            "eligibility_description": item.eligibility_description,
        },
        required=("id", "organization_id", "name", "status"),
    )


def service_summary(item: Service) -> dict:
    """A `/services` list item: the service's own fields and its organisation's."""
    data = service(item)
    data["organization"] = organization(item.organization)
    return data


def service_full(
    item: Service, *, with_organization: bool = True, with_locations: bool = True
) -> dict:
    """`/services/{id}`: everything published about the service (see `prefetch_full`)."""
    data = service(item)
    data["schedules"] = [schedule(s) for s in item.schedules.all()]
    data["service_areas"] = [service_area(a) for a in item.service_areas.all()]
    if with_locations:
        data["service_at_locations"] = [
            _record(
                {
                    "id": str(sal.uuid),
                    "description": sal.description,
                    "location": location_full(sal.location),
                },
                required=("id",),
            )
            for sal in item.service_at_locations.all()
        ]
    data["languages"] = [language(lang) for lang in item.languages.all()]
    if with_organization:
        data["organization"] = organization(item.organization, with_identifiers=True)
    # Linkwork holds no funding records: the list is there, and empty.
    data["funding"] = []
    data["cost_options"] = [cost_option(c) for c in item.cost_options.all()]
    data["contacts"] = [contact(c) for c in item.contacts.all()]
    data["phones"] = [phone(p) for p in item.phones.all()]
    data["attributes"] = [attribute(a) for a in item.attributes.all()]
    return data


def schedule(item) -> dict:
    return _record(
        {
            "id": str(item.uuid),
            "valid_from": iso_date(item.valid_from),
            "valid_to": iso_date(item.valid_to),
            "dtstart": iso_date(item.dtstart),
            "freq": item.freq,
            "interval": item.interval,
            "byday": item.byday,
            "bymonthday": item.bymonthday,
            "description": item.description,
            "opens_at": iso_time(item.opens_at),
            "closes_at": iso_time(item.closes_at),
            "schedule_link": item.schedule_link,
            "attending_type": item.attending_type,
            "notes": item.notes,
            # HSDS 3.0 fields beyond the profile (they change what the rule means).
            "timezone": item.timezone,
            "until": iso_date(item.until),
            "count": item.count,
            "wkst": item.wkst,
            "byweekno": item.byweekno,
            "byyearday": item.byyearday,
        },
        required=("id",),
    )


def service_area(item) -> dict:
    return _record(
        {
            "id": str(item.uuid),
            "name": item.name,
            "extent": item.extent,
            "extent_type": item.extent_type,
            "uri": item.uri,
            # ORUK's name for the free-text area.
            "service_area": item.name,
            "description": item.description,
        },
        required=("id",),
    )


def language(item) -> dict:
    # ORUK keeps only the id; HSDS 3.0's name, code and note say which language it is.
    return _record(
        {"id": str(item.uuid), "name": item.name, "code": item.code, "note": item.note},
        required=("id",),
    )


def cost_option(item) -> dict:
    return _record(
        {
            "id": str(item.uuid),
            "valid_from": iso_date(item.valid_from),
            "valid_to": iso_date(item.valid_to),
            "option": item.option,
            "amount": number(item.amount),
            "amount_description": item.amount_description,
            "currency": item.currency,
        },
        required=("id",),
    )


def phone(item) -> dict:
    return _record(
        {
            "id": str(item.uuid),
            "number": item.number,
            "extension": item.extension,
            "type": item.type,
            "description": item.description,
        },
        required=("id", "number"),
    )


def contact(item: Contact) -> dict:
    """A named contact from the public directory record (not Linkwork's referral contact)."""
    data = _record(
        {
            "id": str(item.uuid),
            "name": item.name,
            "title": item.title,
            "department": item.department,
            "email": item.email,
        },
        required=("id",),
    )
    data["phones"] = [phone(p) for p in item.phones.all()]
    return data


# --- Locations ------------------------------------------------------------------------------


def location(item: Location) -> dict:
    """The location's one-to-one fields: what a `/service_at_locations` list item carries."""
    return _record(
        {
            "id": str(item.uuid),
            "location_type": item.location_type,
            "name": item.name,
            "description": item.description,
            "latitude": number(item.latitude),
            "longitude": number(item.longitude),
            "external_identifier": item.external_identifier,
            "external_identifier_type": item.external_identifier_type,
            # HSDS 3.0 fields beyond the profile.
            "alternate_name": item.alternate_name,
            "url": item.url,
            "transportation": item.transportation,
        },
        required=("id",),
    )


def location_full(item: Location) -> dict:
    data = location(item)
    data["addresses"] = [address(a) for a in item.addresses.all()]
    data["accessibility"] = [accessibility(a) for a in item.accessibility.all()]
    data["phones"] = [phone(p) for p in item.phones.all()]
    data["schedules"] = [schedule(s) for s in item.schedules.all()]
    data["languages"] = [language(lang) for lang in item.languages.all()]
    return data


def address(item) -> dict:
    return _record(
        {
            "id": str(item.uuid),
            "attention": item.attention,
            "address_1": item.address_1,
            "address_2": item.address_2,
            "city": item.city,
            "region": item.region,
            "state_province": item.state_province,
            "postal_code": item.postal_code,
            "country": item.country,
            "address_type": item.address_type,
        },
        required=(
            "id",
            "address_1",
            "city",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ),
    )


def accessibility(item) -> dict:
    return _record(
        {
            "id": str(item.uuid),
            "description": item.description,
            "details": item.details,
            "url": item.url,
            # ORUK's name for the description.
            "accessibility": item.description,
        },
        required=("id",),
    )


# --- Services at locations ------------------------------------------------------------------


def service_at_location_summary(item: ServiceAtLocation) -> dict:
    """A `/service_at_locations` list item: the location's and service's own fields."""
    return _record(
        {
            "id": str(item.uuid),
            "description": item.description,
            "location": location(item.location),
            "service": service_summary(item.service),
        },
        required=("id",),
    )


def service_at_location_full(item: ServiceAtLocation) -> dict:
    return _record(
        {
            "id": str(item.uuid),
            "description": item.description,
            "location": location_full(item.location),
            "service": service_full(item.service, with_locations=False),
        },
        required=("id",),
    )


# --- What to load with each -----------------------------------------------------------------

LOCATION_PREFETCHES = ("addresses", "accessibility", "phones", "schedules", "languages")


def attributes_prefetch(lookup: str = "attributes") -> Prefetch:
    return Prefetch(
        lookup,
        queryset=ServiceAttribute.objects.select_related(
            "taxonomy_term__taxonomy", "taxonomy_term__parent"
        ),
    )


def prefetch_full(services: QuerySet, *, with_locations: bool = True) -> QuerySet:
    """Load what `service_full` reads in a fixed number of queries, however many services."""
    lookups: list = [
        "organization__identifiers",
        "schedules",
        "service_areas",
        "languages",
        "cost_options",
        "phones",
        Prefetch("contacts", queryset=Contact.objects.prefetch_related("phones")),
        attributes_prefetch(),
    ]
    if with_locations:
        lookups.append(
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                    *(f"location__{name}" for name in LOCATION_PREFETCHES)
                ),
            )
        )
    return services.select_related("organization").prefetch_related(*lookups)


def prefetch_location(locations: QuerySet) -> QuerySet:
    return locations.prefetch_related(*LOCATION_PREFETCHES)


def prefetch_organization_full(organizations: QuerySet) -> QuerySet:
    return organizations.prefetch_related(
        "identifiers",
        Prefetch("services", queryset=prefetch_full(Service.objects.order_by("name", "pk"))),
    )


def prefetch_service_at_location_full(items: QuerySet) -> QuerySet:
    return items.select_related("location").prefetch_related(
        *(f"location__{name}" for name in LOCATION_PREFETCHES),
        Prefetch("service", queryset=prefetch_full(Service.objects.all(), with_locations=False)),
    )


def prefetch_taxonomy_terms(terms: QuerySet) -> QuerySet:
    return terms.select_related("parent", "taxonomy")

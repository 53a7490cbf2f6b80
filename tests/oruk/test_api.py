"""The published ORUK API: shapes against the profile's own examples, paging, filters, what is
never published, errors in JSON, and a constant number of queries however much it lists.

The fixtures here are this module's own (`full_service` fills every field the profile's
`service_full.json` example has, plus the staff-only fields that must never leave Linkwork).
"""

import datetime
import json
import re
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkwork.directory.models import (
    Accessibility,
    Address,
    Contact,
    CostOption,
    DirectoryImport,
    Language,
    LocalNote,
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
from tests.factories import make_service

pytestmark = pytest.mark.django_db

EXAMPLES = Path("/work/shared/data/oruk")
API = "/api/oruk/"
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
PAGING_KEYS = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
}

# What only staff may know about a service: none of these may appear in any API response.
SECRETS = {
    "referral_email": "secret-referrals@ramblers.example.org",
    "referral_contact": "Ask for Dilys SECRET-CONTACT",
    "maintained_by": "SECRET-MAINTAINER team",
    "availability_note": "SECRET-NOTE waiting list",
    "response_time": "SECRET-RESPONSE two days",
    "local_note": "SECRET-LOCAL-NOTE: the leader is off sick until March",
    "site": "SECRET-SITE Powys",
    "import": "https://SECRET-IMPORT.example.org/feed",
}
# Names of Linkwork-only fields: no key of these names anywhere in a response.
PRIVATE_KEYS = {
    "availability",
    "availability_note",
    "expected_reopening",
    "referral_method",
    "referral_contact",
    "referral_email",
    "response_time",
    "accepts_service_referrals",
    "maintained_by",
    "last_checked_on",
    "last_checked_by",
    "sites",
    "imported_by",
    "local_notes",
    "created_at",
}

# HSDS 3.0 fields the UK profile leaves out that the API publishes (docs/developer/oruk-api.md),
# by where they sit in a full service. Anything else beyond the example is a mistake.
SCHEDULE_EXTRAS = {"timezone", "until", "count", "wkst", "byweekno", "byyearday"}
LOCATION_EXTRAS = {"alternate_name", "url", "transportation", "phones", "schedules", "languages"}
SERVICE_EXTRAS = {
    "": {
        "organization_id",
        "alternate_name",
        "fees_description",
        "interpretation_services",
        "application_process",
        "wait_time",
        "eligibility_description",
        "phones",
    },
    "organization": {"alternate_name", "legal_status"},
    "schedules[]": SCHEDULE_EXTRAS,
    "service_areas[]": {"description"},
    "service_at_locations[]": {"description"},
    "service_at_locations[].location": LOCATION_EXTRAS,
    "service_at_locations[].location.addresses[]": {"address_2"},
    "languages[]": {"name", "code", "note"},
    "cost_options[]": {"currency"},
    "contacts[]": {"department", "email", "phones"},
    "attributes[]": {"taxonomy_term_id", "value", "label"},
    "attributes[].taxonomy_term": {"taxonomy_id", "code", "language", "taxonomy_detail"},
}
TERM_EXTRAS = SERVICE_EXTRAS["attributes[].taxonomy_term"]


def under(prefix: str, extras: dict) -> dict:
    return {(f"{prefix}.{path}" if path else prefix): keys for path, keys in extras.items()}


def example(name: str):
    return json.loads((EXAMPLES / name).read_text())


def key_differences(expected, actual, extras: dict, path: str = "") -> list[str]:
    """How the key structure of `actual` differs from the example `expected`: keys the example
    has that `actual` lacks, and keys `actual` adds beyond those allowed at that place in
    `extras`. Lists are compared by their first items; a list the example fills may only be
    empty in `actual` if the test left that kind of record out (funding)."""
    where = path or "(top)"
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: an object was expected"]
        problems = [f"{where}: missing {key!r}" for key in expected if key not in actual]
        allowed = extras.get(path, set())
        problems += [
            f"{where}: unexpected {key!r}"
            for key in actual
            if key not in expected and key not in allowed
        ]
        for key in expected:
            if key in actual:
                child = f"{path}.{key}" if path else key
                problems += key_differences(expected[key], actual[key], extras, child)
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{where}: a list was expected"]
        if expected and actual:
            return key_differences(expected[0], actual[0], extras, f"{path}[]")
        if expected and not actual and path != "funding" and not path.endswith(".funding"):
            return [f"{where}: empty, so its shape was not checked"]
    return []


def walk(value):
    """Every key and every value in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def get(client, url, status=200, **query):
    response = client.get(url, query or None)
    assert response.status_code == status, (url, query, response.content[:500])
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


def ids(page) -> list[str]:
    return [item["id"] for item in page["contents"]]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


# --- Data -----------------------------------------------------------------------------------


@pytest.fixture
def activities(db):
    return Taxonomy.objects.create(
        name="Linkwork activities",
        description="What community services offer.",
        uri="https://taxonomy.linkwork.test/activities",
        version="2025-1",
    )


@pytest.fixture
def walking_term(activities):
    physical = TaxonomyTerm.objects.create(name="Physical activity", taxonomy=activities)
    return TaxonomyTerm.objects.create(
        name="Walking",
        description="Walking groups for every pace.",
        parent=physical,
        taxonomy=activities,
        term_uri="https://taxonomy.linkwork.test/activities/walking",
        code="PA-W",
    )


@pytest.fixture
def full_service(site_a, coordinator_a, walking_term):
    """A service with every field the profile's example has, and every staff-only secret."""
    site_a.name = SECRETS["site"]
    site_a.save()
    feed = DirectoryImport.objects.create(source=SECRETS["import"])
    service = make_service(
        name="Elan Valley walkers",
        organisation_name="Rhayader Ramblers",
        phone="01597 810000",
        sites=[site_a],
        terms=[walking_term],
        description="Gentle walks in the hills, with a cuppa after.",
        url="https://ramblers.example.org/elan",
        email="walks@ramblers.example.org",
        fees_description="Free; bring a flask.",
        accreditations="Walking for Health scheme",
        minimum_age=18,
        maximum_age=99,
        assured_date=datetime.date(2025, 3, 1),
        assurer_email="directory@linkwork.test",
        alert="No walks in August.",
        eligibility_description="Adults who can walk two miles.",
        referral_email=SECRETS["referral_email"],
        referral_contact=SECRETS["referral_contact"],
        maintained_by=SECRETS["maintained_by"],
        availability="limited",
        availability_note=SECRETS["availability_note"],
        response_time=SECRETS["response_time"],
        last_checked_on=timezone.localdate(),
        last_checked_by=coordinator_a,
        imported_by=feed,
    )
    LocalNote.objects.create(service=service, text=SECRETS["local_note"], author=coordinator_a)
    Organization.objects.filter(pk=service.organization_id).update(
        description="Walking groups across mid Wales.",
        email="hello@ramblers.example.org",
        website="https://ramblers.example.org",
        logo="https://ramblers.example.org/logo.png",
        uri="https://find-and-update.company-information.service.gov.uk/company/01234567",
        parent_uuid=uuid.uuid4(),
    )
    OrganizationIdentifier.objects.create(
        organization=service.organization,
        identifier_scheme="GB-CHC",
        identifier_type="Charity number",
        identifier="1234567",
    )
    ServiceAttribute.objects.filter(service=service).update(link_type="service_type")
    Schedule.objects.create(
        service=service,
        valid_from=datetime.date(2025, 1, 1),
        valid_to=datetime.date(2025, 12, 31),
        dtstart=datetime.date(2025, 1, 7),
        freq="WEEKLY",
        interval=1,
        byday="TU,TH",
        bymonthday="1,2",
        description="Tuesdays and Thursdays, 10 till 12.",
        opens_at=datetime.time(10),
        closes_at=datetime.time(12),
        schedule_link="https://ramblers.example.org/elan/dates",
        attending_type="In person",
        notes="Meet at the clock tower.",
    )
    ServiceArea.objects.create(
        service=service,
        name="Rhayader and district",
        extent='{"type": "Point", "coordinates": [-3.51, 52.3]}',
        extent_type="geojson",
        uri="https://statistics.data.gov.uk/id/statistical-geography/W04000331",
    )
    hall = Location.objects.create(
        organization=service.organization,
        name="Rhayader community centre",
        description="The old school on East Street.",
        latitude=Decimal("52.301234"),
        longitude=Decimal("-3.510987"),
        external_identifier="10011234567",
        external_identifier_type="UPRN",
        transportation="The T4 bus stops outside.",
    )
    Address.objects.create(
        location=hall,
        attention="The warden",
        address_1="East Street",
        city="Rhayader",
        region="Wales",
        state_province="Powys",
        postal_code="LD6 5AB",
        country="GB",
        address_type="physical",
    )
    Accessibility.objects.create(
        location=hall,
        description="Step-free entrance and a hearing loop.",
        details="Ask at reception for the loop.",
        url="https://ramblers.example.org/access",
    )
    Phone.objects.create(location=hall, number="01597 810001")
    Schedule.objects.create(location=hall, freq="WEEKLY", byday="MO,TU,WE,TH,FR")
    Language.objects.create(location=hall, name="Welsh", code="cy")
    ServiceAtLocation.objects.create(service=service, location=hall)
    Language.objects.create(service=service, name="Welsh", code="cy")
    CostOption.objects.create(
        service=service,
        valid_from=datetime.date(2025, 1, 1),
        valid_to=datetime.date(2025, 12, 31),
        option="Everyone",
        amount=Decimal("0.00"),
        amount_description="Free",
        currency="GBP",
    )
    leader = Contact.objects.create(service=service, name="Gwen Morgan", title="Walk leader")
    Phone.objects.create(contact=leader, number="07700 900123")
    return Service.objects.get(pk=service.pk)


def bare_services(count: int, prefix: str = "Service") -> list[Service]:
    organization = Organization.objects.create(name=f"{prefix} organisation")
    return Service.objects.bulk_create(
        Service(organization=organization, name=f"{prefix} {n:03d}") for n in range(count)
    )


def related_rows(service: Service, n: int) -> None:
    """n more of every kind of record a full service lists."""
    for i in range(n):
        term = TaxonomyTerm.objects.create(name=f"Term {service.pk}-{i}")
        ServiceAttribute.objects.create(service=service, taxonomy_term=term)
        Schedule.objects.create(service=service, byday="MO")
        ServiceArea.objects.create(service=service, name=f"Area {i}")
        Language.objects.create(service=service, name=f"Language {i}")
        CostOption.objects.create(service=service, option=f"Option {i}")
        Phone.objects.create(service=service, number=f"01000 00000{i}")
        contact = Contact.objects.create(service=service, name=f"Contact {i}")
        Phone.objects.create(contact=contact, number=f"02000 00000{i}")
        place = Location.objects.create(name=f"Place {service.pk}-{i}")
        Address.objects.create(
            location=place, address_1="1 High Street", city="Town", postal_code="X"
        )
        Accessibility.objects.create(location=place, description="Ramp")
        Phone.objects.create(location=place, number="03000 000000")
        Schedule.objects.create(location=place, byday="SA")
        Language.objects.create(location=place, name="English")
        ServiceAtLocation.objects.create(service=service, location=place)


# --- The root, URLs and HTTP ----------------------------------------------------------------


def test_root_says_which_version_and_profile(client):
    body = get(client, API)
    assert body["version"] == "3.0"
    assert body["profile"].startswith("https://")
    assert body["openapi_url"].startswith("https://")
    assert body["openapi_url"].endswith("openapi.json")
    assert reverse("oruk:root") == API


@pytest.mark.parametrize(
    "name",
    ["services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"],
)
def test_lists_answer_with_and_without_a_trailing_slash(client, full_service, name):
    url = reverse(f"oruk:{name}")
    assert not url.endswith("/")
    without = get(client, url)
    with_slash = get(client, url + "/")
    assert without == with_slash
    assert without["total_items"] >= 1


def test_records_answer_with_and_without_a_trailing_slash(client, full_service):
    url = reverse("oruk:service", kwargs={"record_id": full_service.uuid})
    assert get(client, url) == get(client, url + "/")


def test_anonymous_clients_need_no_session_and_get_no_cookie(client, full_service, coordinator_a):
    anonymous = client.get(reverse("oruk:services"))
    assert anonymous.status_code == 200
    assert not anonymous.cookies
    signed_in = Client()
    signed_in.force_login(coordinator_a)
    assert signed_in.get(reverse("oruk:services")).json() == anonymous.json()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["", "services", "taxonomies"])
def test_other_methods_are_refused_in_json(method, path):
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(API + path)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "read-only" in response.json()["error"]


def test_a_cors_preflight_is_answered(client):
    response = client.options(reverse("oruk:services"))
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]


def test_head_is_allowed(client):
    assert client.head(reverse("oruk:services")).status_code == 200


def test_too_many_requests_are_refused_in_json(client, settings):
    settings.ORUK_API_RATE = "3/m"
    for _ in range(3):
        get(client, reverse("oruk:taxonomies"))
    body = get(client, reverse("oruk:services"), status=429)
    assert "Too many requests" in body["error"]


def test_unknown_addresses_under_the_api_are_json_404s(client):
    body = get(client, API + "nothing/here", status=404)
    assert "error" in body


# --- Paging ---------------------------------------------------------------------------------


def test_the_paging_wrapper_is_the_profiles(client):
    bare_services(7)
    for name in ("service_list.json", "organization_list.json", "taxonomy_list.json"):
        assert set(example(name)) == PAGING_KEYS
    body = get(client, reverse("oruk:services"), per_page=3)
    assert set(body) == PAGING_KEYS


def test_paging_arithmetic(client):
    bare_services(7)
    url = reverse("oruk:services")

    first = get(client, url, per_page=3)
    assert first["total_items"] == 7
    assert first["total_pages"] == 3
    assert first["page_number"] == 1
    assert first["size"] == 3
    assert (first["first_page"], first["last_page"], first["empty"]) == (True, False, False)

    middle = get(client, url, per_page=3, page=2)
    assert (middle["first_page"], middle["last_page"], middle["size"]) == (False, False, 3)

    last = get(client, url, per_page=3, page=3)
    assert (last["first_page"], last["last_page"], last["size"]) == (False, True, 1)

    everything = ids(first) + ids(middle) + ids(last)
    assert len(set(everything)) == 7
    assert everything == ids(get(client, url, per_page=7))


def test_a_page_past_the_end_is_empty_not_an_error(client):
    bare_services(2)
    body = get(client, reverse("oruk:services"), page=5, per_page=1)
    assert body["contents"] == []
    assert body["total_items"] == 2
    assert body["total_pages"] == 2
    assert body["page_number"] == 5
    assert (body["size"], body["empty"], body["first_page"], body["last_page"]) == (
        0,
        True,
        False,
        True,
    )


def test_an_empty_directory_is_one_empty_first_page(client):
    body = get(client, reverse("oruk:services"))
    assert body["total_items"] == 0
    assert body["total_pages"] == 0
    assert (body["empty"], body["first_page"], body["last_page"]) == (True, True, True)
    assert body["contents"] == []


def test_fifty_a_page_by_default_and_at_most_two_hundred(client):
    bare_services(205)
    url = reverse("oruk:services")
    default = get(client, url)
    assert (default["size"], default["total_pages"]) == (50, 5)
    assert get(client, url, per_page=200)["size"] == 200
    body = get(client, url, status=400, per_page=201)
    assert body["parameter"] == "per_page"
    assert "200" in body["error"]


@pytest.mark.parametrize("name", ["organizations", "taxonomies", "taxonomy_terms"])
def test_every_list_pages(client, full_service, name):
    body = get(client, reverse(f"oruk:{name}"), per_page=1)
    assert body["size"] == 1
    assert body["total_pages"] == body["total_items"]
    get(client, reverse(f"oruk:{name}"), status=400, page="abc")


# --- Shapes against the profile's examples --------------------------------------------------


def test_a_full_service_has_the_shape_of_the_profiles_example(client, full_service):
    body = get(client, reverse("oruk:service", kwargs={"record_id": full_service.uuid}))
    assert key_differences(example("service_full.json"), body, SERVICE_EXTRAS) == []
    # Everything the brief asks for is there and filled.
    assert body["organization"]["organization_identifiers"][0]["identifier"] == "1234567"
    location = body["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] == "LD6 5AB"
    assert location["accessibility"][0]["details"] == "Ask at reception for the loop."
    assert location["phones"][0]["number"] == "01597 810001"
    assert location["schedules"][0]["byday"] == "MO,TU,WE,TH,FR"
    assert location["languages"][0]["code"] == "cy"
    assert location["latitude"] == 52.301234
    assert body["contacts"][0]["phones"][0]["number"] == "07700 900123"
    assert body["phones"][0]["number"] == "01597 810000"
    assert body["funding"] == []
    term = body["attributes"][0]["taxonomy_term"]
    assert term["name"] == term["term"] == "Walking"
    assert term["taxonomy"] == "Linkwork activities"
    assert term["taxonomy_detail"]["id"] == str(
        full_service.attributes.get().taxonomy_term.taxonomy.uuid
    )
    assert term["parent_id"] == str(TaxonomyTerm.objects.get(name="Physical activity").uuid)
    assert body["cost_options"][0]["amount"] == 0
    assert body["schedules"][0]["opens_at"] == "10:00:00"


def test_a_full_service_has_its_values(client, full_service):
    body = get(client, reverse("oruk:service", kwargs={"record_id": full_service.uuid}))
    assert body["id"] == str(full_service.uuid)
    assert body["organization_id"] == str(full_service.organization.uuid)
    assert body["status"] == "active"  # limited is "active" in ORUK
    assert body["fees"] == body["fees_description"] == "Free; bring a flask."
    assert (body["minimum_age"], body["maximum_age"]) == (18, 99)
    assert body["assured_date"] == "2025-03-01"
    assert ISO_UTC.match(body["last_modified"])
    expected = full_service.last_modified.astimezone(datetime.UTC)
    assert body["last_modified"].startswith(expected.strftime("%Y-%m-%dT%H:%M:%S"))


def test_list_items_have_the_shape_of_the_profiles_examples(client, full_service):
    services = get(client, reverse("oruk:services"))
    extras = under("contents[]", SERVICE_EXTRAS)
    assert key_differences(example("service_list.json"), services, extras) == []
    assert "schedules" not in services["contents"][0]

    organizations = get(client, reverse("oruk:organizations"))
    assert key_differences(example("organization_list.json"), organizations, {}) == [], (
        "an organisation without alternate_name or legal_status has only the example's keys"
    )


def test_an_organisation_has_the_shape_of_the_profiles_example(client, full_service):
    url = reverse("oruk:organization", kwargs={"record_id": full_service.organization.uuid})
    body = get(client, url)
    extras = {
        "": SERVICE_EXTRAS["organization"],
        **under("services[]", {k: v for k, v in SERVICE_EXTRAS.items() if k != "organization"}),
    }
    assert key_differences(example("organization_full.json"), body, extras) == []
    assert [s["id"] for s in body["services"]] == [str(full_service.uuid)]


def test_a_service_at_a_location_has_the_shape_of_the_profiles_examples(client, full_service):
    item = full_service.service_at_locations.get()
    extras = {
        "": {"description"},
        "location": LOCATION_EXTRAS,
        "location.addresses[]": {"address_2"},
        **under("service", {k: v for k, v in SERVICE_EXTRAS.items() if "location" not in k}),
    }
    body = get(client, reverse("oruk:service_at_location", kwargs={"record_id": item.uuid}))
    assert key_differences(example("service_at_location_full.json"), body, extras) == []

    listed = get(client, reverse("oruk:service_at_locations"))
    list_extras = {
        "contents[].location": LOCATION_EXTRAS,
        **under("contents[].service", SERVICE_EXTRAS),
    }
    assert key_differences(example("service_at_location_list.json"), listed, list_extras) == []


def test_taxonomies_and_terms_have_the_shape_of_the_profiles_examples(client, full_service):
    vocabulary = Taxonomy.objects.get()
    walking = TaxonomyTerm.objects.get(name="Walking")
    body = get(client, reverse("oruk:taxonomy", kwargs={"record_id": vocabulary.uuid}))
    assert {t["name"] for t in body["taxonomy_terms"]} == {"Walking", "Physical activity"}
    # Compare with the term that has every field (the top-level one has no parent).
    body["taxonomy_terms"] = [t for t in body["taxonomy_terms"] if t["name"] == "Walking"]
    assert key_differences(example("taxonomy.json"), body, {"taxonomy_terms[]": TERM_EXTRAS}) == []

    listed = get(client, reverse("oruk:taxonomies"))
    assert key_differences(example("taxonomy_list.json"), listed, {}) == []

    term = get(client, reverse("oruk:taxonomy_term", kwargs={"record_id": walking.uuid}))
    assert key_differences(example("taxonomy_term.json"), term, {"": TERM_EXTRAS}) == []

    terms = get(client, reverse("oruk:taxonomy_terms"), taxonomy_id=str(vocabulary.uuid))
    assert terms["total_items"] == 2
    terms["contents"] = [t for t in terms["contents"] if t["name"] == "Walking"]
    assert (
        key_differences(example("taxonomy_term_list.json"), terms, {"contents[]": TERM_EXTRAS})
        == []
    )


def test_a_location_can_be_fetched(client, full_service):
    hall = Location.objects.get(name="Rhayader community centre")
    body = get(client, reverse("oruk:location", kwargs={"record_id": hall.uuid}))
    assert body["name"] == "Rhayader community centre"
    assert body["addresses"][0]["city"] == "Rhayader"


def test_a_bare_service_has_its_required_fields_and_no_empty_values(client):
    (service,) = bare_services(1)
    body = get(client, reverse("oruk:service", kwargs={"record_id": service.uuid}))
    for key in ("id", "organization_id", "name", "status"):
        assert body[key]
    for key in ("schedules", "service_areas", "service_at_locations", "languages", "attributes"):
        assert body[key] == []
    assert "url" not in body
    assert all(value is not None for _, value in walk(body))
    # The organisation's description is required by the profile: present, if empty.
    assert body["organization"]["description"] == ""


def test_every_id_is_the_records_uuid(client, full_service):
    body = get(client, reverse("oruk:service", kwargs={"record_id": full_service.uuid}))
    for key, value in walk(body):
        if key == "id" or key.endswith("_id"):
            assert uuid.UUID(value), key


@pytest.mark.parametrize(
    ("availability", "status"),
    [
        ("open", "active"),
        ("limited", "active"),
        ("temporarily_closed", "temporarily closed"),
        ("closed", "defunct"),
    ],
)
def test_availability_is_published_as_status(client, availability, status):
    service = make_service(name="Choir", availability=availability)
    listed = get(client, reverse("oruk:services"))
    assert [(s["id"], s["status"]) for s in listed["contents"]] == [(str(service.uuid), status)]


# --- Never published ------------------------------------------------------------------------


def every_response(client, service: Service) -> list[str]:
    location = service.service_at_locations.get()
    term = service.attributes.get().taxonomy_term
    urls = [
        API,
        reverse("oruk:services"),
        reverse("oruk:service", kwargs={"record_id": service.uuid}),
        reverse("oruk:service_at_locations"),
        reverse("oruk:service_at_location", kwargs={"record_id": location.uuid}),
        reverse("oruk:location", kwargs={"record_id": location.location.uuid}),
        reverse("oruk:organizations"),
        reverse("oruk:organization", kwargs={"record_id": service.organization.uuid}),
        reverse("oruk:taxonomies"),
        reverse("oruk:taxonomy", kwargs={"record_id": term.taxonomy.uuid}),
        reverse("oruk:taxonomy_terms"),
        reverse("oruk:taxonomy_term", kwargs={"record_id": term.uuid}),
    ]
    bodies = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(response.content.decode())
    return bodies


def test_staff_only_fields_are_never_published(client, full_service):
    for body in every_response(client, full_service):
        for name, secret in SECRETS.items():
            assert secret not in body, name
        keys = {key for key, _ in walk(json.loads(body))}
        assert not keys & PRIVATE_KEYS
        # Linkwork's own primary keys are not ids in the feed.
        assert f'"id": {full_service.pk}' not in body


def test_searching_for_a_secret_finds_nothing(client, full_service):
    for secret in ("SECRET-LOCAL-NOTE", "secret-referrals", "SECRET-MAINTAINER"):
        assert get(client, reverse("oruk:services"), search=secret)["total_items"] == 0


# --- Filters --------------------------------------------------------------------------------


def runs(service: Service, byday: str, opens: int, closes: int, freq: str = "WEEKLY"):
    Schedule.objects.create(
        service=service,
        freq=freq,
        byday=byday,
        opens_at=datetime.time(opens),
        closes_at=datetime.time(closes),
    )


@pytest.fixture
def four_services(walking_term):
    """Four services with different words, categories, ages, days and modification times."""
    day = datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC)
    walkers = make_service(
        name="Elan Valley walkers",
        organisation_name="Rhayader Ramblers",
        description="Gentle walks in the hills.",
        terms=[walking_term],
        minimum_age=18,
        last_modified=day,
    )
    runs(walkers, "TU,TH", 10, 12, freq="WEEKLY")
    money = make_service(
        name="Money matters",
        organisation_name="Citizens Advice Powys",
        description="Help with debt and budgeting.",
        terms=["Money advice"],
        last_modified=day + datetime.timedelta(days=10),
    )
    runs(money, "MO", 9, 17, freq="WEEKLY")
    youth = make_service(
        name="Youth club",
        organisation_name="Powys Youth Service",
        terms=["Youth work"],
        minimum_age=11,
        maximum_age=17,
        last_modified=day + datetime.timedelta(days=20),
    )
    runs(youth, "-1FR", 18, 20, freq="MONTHLY")
    lunch = make_service(
        name="Lunch club",
        organisation_name="Age Cymru",
        availability="closed",
        terms=["Lunch clubs"],
        minimum_age=60,
        maximum_age=120,
        last_modified=day + datetime.timedelta(days=30),
    )
    return {"walkers": walkers, "money": money, "youth": youth, "lunch": lunch}


def found(client, **query) -> set[str]:
    body = get(client, reverse("oruk:services"), per_page=200, **query)
    return {item["name"] for item in body["contents"]}


def test_without_filters_every_service_is_listed_closed_ones_too(client, four_services):
    assert found(client) == {"Elan Valley walkers", "Money matters", "Youth club", "Lunch club"}


@pytest.mark.parametrize(
    ("search", "names"),
    [
        ("walkers", {"Elan Valley walkers"}),  # the name
        ("DEBT", {"Money matters"}),  # the description, any case
        ("citizens advice", {"Money matters"}),  # the organisation, every word
        ("walking", {"Elan Valley walkers"}),  # a category
        ("club", {"Youth club", "Lunch club"}),
        ("club youth", {"Youth club"}),  # every word must match somewhere
        ("club debt", set()),
        ("%", set()),  # no wildcards
        ("   ", {"Elan Valley walkers", "Money matters", "Youth club", "Lunch club"}),
    ],
)
def test_search(client, four_services, search, names):
    assert found(client, search=search) == names


def test_search_by_category(client, four_services, walking_term, activities):
    assert found(client, taxonomy_term_id=str(walking_term.uuid)) == {"Elan Valley walkers"}
    assert found(client, taxonomy_id=str(activities.uuid)) == {"Elan Valley walkers"}
    assert found(client, taxonomy_term_id=str(uuid.uuid4())) == set()
    money = four_services["money"].organization
    assert found(client, organization_id=str(money.uuid)) == {"Money matters"}


@pytest.mark.parametrize(
    ("query", "names"),
    [
        # "a minimum age of at least the specified value"
        ({"minimum_age": "18"}, {"Elan Valley walkers", "Lunch club"}),
        ({"minimum_age": "11"}, {"Elan Valley walkers", "Youth club", "Lunch club"}),
        ({"minimum_age": "17.5"}, {"Elan Valley walkers", "Lunch club"}),
        ({"minimum_age": "61"}, set()),
        # "a maximum age of at equal to or below the specified value"
        ({"maximum_age": "17"}, {"Youth club"}),
        ({"maximum_age": "17.9"}, {"Youth club"}),
        ({"maximum_age": "16"}, set()),
        ({"maximum_age": "120"}, {"Youth club", "Lunch club"}),
        ({"minimum_age": "11", "maximum_age": "17"}, {"Youth club"}),
    ],
)
def test_ages_as_the_openapi_description_defines_them(client, four_services, query, names):
    assert found(client, **query) == names


@pytest.mark.parametrize(
    ("modified_after", "names"),
    [
        ("2025-06-11T12:00:00Z", {"Money matters", "Youth club", "Lunch club"}),  # on or after
        ("2025-06-11T12:00:00.001Z", {"Youth club", "Lunch club"}),
        ("2025-06-11T13:00:00+01:00", {"Money matters", "Youth club", "Lunch club"}),
        ("2025-06-11T12:00:01", {"Youth club", "Lunch club"}),  # no offset: UTC
        ("2025-06-21", {"Youth club", "Lunch club"}),  # a date: from its start
        ("2030-01-01", set()),
    ],
)
def test_modified_after(client, four_services, modified_after, names):
    assert found(client, modified_after=modified_after) == names


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"day": "MO"}, {"Money matters"}),
        ({"day": "monday"}, {"Money matters"}),
        ({"day": "Thu"}, {"Elan Valley walkers"}),
        ({"day": "fr"}, {"Youth club"}),  # "-1FR": the last Friday of the month
        ({"day": "SU"}, set()),
        ({"start_time": "09:30"}, {"Elan Valley walkers", "Youth club"}),
        ({"end_time": "12:00"}, {"Elan Valley walkers"}),
        ({"start_time": "09:00:00", "end_time": "17:00"}, {"Elan Valley walkers", "Money matters"}),
        ({"day": "TU", "start_time": "11:00"}, set()),  # the same schedule must match both
    ],
)
def test_days_and_times(client, four_services, query, names):
    assert found(client, **query) == names


def test_filters_combine(client, four_services, walking_term):
    assert found(client, search="club", minimum_age="60") == {"Lunch club"}
    assert found(client, search="club", taxonomy_term_id=str(walking_term.uuid)) == set()


def test_services_at_locations_are_filtered_by_their_service(client, full_service, four_services):
    url = reverse("oruk:service_at_locations")
    body = get(client, url, search="walkers")
    assert [item["service"]["name"] for item in body["contents"]] == ["Elan Valley walkers"]
    assert body["contents"][0]["id"] == str(full_service.service_at_locations.get().uuid)
    assert get(client, url, day="SU")["total_items"] == 0
    assert get(client, url, status=400, postcode="LD6 5AB")["parameter"] == "postcode"


# --- Bad requests and unknown ids -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("page", "abc"),
        ("page", "0"),
        ("page", "-1"),
        ("page", "1.5"),
        ("page", "２"),  # a full-width digit
        ("page", "9" * 40),
        ("per_page", "-1"),
        ("per_page", "0"),
        ("per_page", "201"),
        ("per_page", "lots"),
        ("taxonomy_term_id", "walking"),
        ("taxonomy_id", "1"),
        ("organization_id", "x" * 100),
        ("minimum_age", "old"),
        ("minimum_age", "-5"),
        ("minimum_age", "1e3"),
        ("maximum_age", "NaN"),
        ("maximum_age", "201"),
        ("modified_after", "yesterday"),
        ("modified_after", "2025-13-01"),
        ("modified_after", "0001-01-01T00:00:00+01:00"),
        ("day", "funday"),
        ("start_time", "25:00"),
        ("end_time", "noon"),
        ("end_time", "10:00+01:00"),
        ("search", "walk " * 50),
        ("search", "walk\x00"),
    ],
)
def test_bad_parameters_are_400s_that_say_which(client, name, value):
    body = get(client, reverse("oruk:services"), status=400, **{name: value})
    assert body["parameter"] == name
    assert name in body["error"] or "NUL" in body["error"]


@pytest.mark.parametrize(
    "name",
    [
        "service",
        "service_at_location",
        "location",
        "organization",
        "taxonomy",
        "taxonomy_term",
    ],
)
def test_records_answer_400_for_a_malformed_id_and_404_for_an_unknown_one(client, name):
    body = get(client, reverse(f"oruk:{name}", kwargs={"record_id": "not-a-uuid"}), status=400)
    assert "UUID" in body["error"]
    unknown = uuid.uuid4()
    body = get(client, reverse(f"oruk:{name}", kwargs={"record_id": unknown}), status=404)
    assert str(unknown) in body["error"]


def test_a_records_primary_key_is_not_its_id(client, full_service):
    get(client, reverse("oruk:service", kwargs={"record_id": full_service.pk}), status=400)


PARAMETERS = [
    "search",
    "page",
    "per_page",
    "taxonomy_term_id",
    "taxonomy_id",
    "organization_id",
    "minimum_age",
    "maximum_age",
    "modified_after",
    "day",
    "start_time",
    "end_time",
    "postcode",
]
JUNK = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", "0", "1", "200", "201", "MO", "10:00", "2025-01-01", "Z", "%00"]),
    st.uuids().map(str),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
)
QUERIES = st.lists(
    st.tuples(st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=10)), JUNK), max_size=6
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pairs=QUERIES,
    raw=st.text(max_size=60),
    path=st.sampled_from(["services", "service_at_locations"]),
)
def test_junk_query_strings_never_break_the_api(client, pairs, raw, path):
    cache.clear()
    for query in (urlencode(pairs), quote(raw, safe="=&%+")):
        response = client.get(f"{API}{path}?{query}")
        assert response.status_code in (200, 400), (query, response.content[:300])
        body = response.json()
        assert ("contents" in body) if response.status_code == 200 else ("error" in body)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(record_id=st.text(min_size=1, max_size=60))
def test_junk_ids_never_break_the_api(client, record_id):
    cache.clear()
    response = client.get(f"{API}services/{quote(record_id, safe='')}")
    assert response.status_code in (400, 404), response.content[:300]
    assert "error" in response.json()


# --- Queries --------------------------------------------------------------------------------


def queries_for(client, url: str) -> int:
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_full_page_of_services_takes_the_same_queries_as_a_few(
    client, django_assert_max_num_queries, walking_term
):
    url = reverse("oruk:services") + "?per_page=200&search=service"
    for service in bare_services(3, "Few service"):
        ServiceAttribute.objects.create(service=service, taxonomy_term=walking_term)
    few = queries_for(client, url)
    for n in range(40):
        org = Organization.objects.create(name=f"Organisation {n}")
        for service in Service.objects.bulk_create(
            Service(organization=org, name=f"Many service {n}-{i}") for i in range(5)
        ):
            ServiceAttribute.objects.create(service=service, taxonomy_term=walking_term)
    assert get(client, url)["size"] == 200
    assert queries_for(client, url) == few
    with django_assert_max_num_queries(3):
        client.get(url)


def test_a_full_service_takes_the_same_queries_however_much_it_holds(
    client, django_assert_max_num_queries, full_service
):
    url = reverse("oruk:service", kwargs={"record_id": full_service.uuid})
    little = queries_for(client, url)
    related_rows(full_service, 4)
    assert queries_for(client, url) == little
    with django_assert_max_num_queries(20):
        client.get(url)


def test_other_records_take_the_same_queries_however_much_they_hold(client, full_service):
    organization = full_service.organization
    item = full_service.service_at_locations.get()
    urls = [
        reverse("oruk:organization", kwargs={"record_id": organization.uuid}),
        reverse("oruk:service_at_location", kwargs={"record_id": item.uuid}),
        reverse("oruk:service_at_locations") + "?per_page=200",
        reverse("oruk:taxonomy_terms") + "?per_page=200",
        reverse("oruk:taxonomy", kwargs={"record_id": Taxonomy.objects.get().uuid}),
    ]
    before = [queries_for(client, url) for url in urls]
    related_rows(full_service, 3)
    for n in range(3):
        service = make_service(name=f"Another walk {n}", organisation_name=organization.name)
        related_rows(service, 2)
        TaxonomyTerm.objects.create(name=f"Extra {n}", taxonomy=Taxonomy.objects.get())
    assert [queries_for(client, url) for url in urls] == before


@pytest.mark.parametrize("path", ["services/%2F%0A", "services%0A", "%0A", "services/abc/def"])
def test_odd_paths_are_json_404s(client, path):
    assert "error" in get(client, API + path, status=404)

"""The ORUK import: the official examples, idempotence, broken records, atomic failure,
availability, and what stays Linkwork's own."""

import copy
import datetime
import json
import os
from pathlib import Path

import pytest

from linkwork.audit.models import AuditEvent
from linkwork.directory.models import (
    Accessibility,
    Address,
    Availability,
    AvailabilityChange,
    Contact,
    CostOption,
    DirectoryImport,
    ImportStatus,
    Language,
    LocalNote,
    Location,
    Organization,
    OrganizationIdentifier,
    Phone,
    ReferralMethod,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceAttribute,
    Taxonomy,
    TaxonomyTerm,
)
from linkwork.oruk import importer

pytestmark = pytest.mark.django_db

# The official examples (CC BY-SA 4.0, not copied into this repository): from
# LINKWORK_ORUK_EXAMPLES, else shared/ beside the checkout, else the project machines' /work/shared
# (a fresh clone for CI lives elsewhere).
ORUK = next(
    (
        path
        for path in (
            Path(os.environ.get("LINKWORK_ORUK_EXAMPLES", "/nonexistent")),
            Path(__file__).resolve().parents[3] / "shared" / "data" / "oruk",
            Path("/work/shared/data/oruk"),
        )
        if (path / "service_full.json").exists()
    ),
    Path(__file__).resolve().parents[3] / "shared" / "data" / "oruk",
)
FEEDS = Path(__file__).resolve().parent / "feeds"

SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"
LOCATION_ID = "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
TERM_ID = "3f7b145d-84af-42d7-8fae-eaca714b02b2"

DIRECTORY_MODELS = (
    Organization,
    OrganizationIdentifier,
    Service,
    AvailabilityChange,
    ServiceAttribute,
    Location,
    Address,
    Accessibility,
    ServiceAtLocation,
    Contact,
    Phone,
    Schedule,
    ServiceArea,
    Language,
    CostOption,
    Taxonomy,
    TaxonomyTerm,
)


def official(name: str):
    path = ORUK / f"{name}.json"
    if not path.exists():
        pytest.skip(f"the official ORUK examples are not at {ORUK}")
    return json.loads(path.read_text())


def feed(name: str):
    return json.loads((FEEDS / name).read_text())


def snapshot() -> dict:
    """Every directory row, every field (the import's own row and the audit log aside)."""
    rows = {}
    for model in DIRECTORY_MODELS:
        fields = [f.attname for f in model._meta.concrete_fields]
        rows[model.__name__] = list(model.objects.order_by("pk").values(*fields))
    return rows


def entries_by_id(report) -> dict:
    return {entry["id"]: entry for entry in report.entries if entry["kind"] != "feed"}


def texts(entry) -> list[str]:
    return [importer.render_message(m) for m in entry["messages"]]


# --- The official examples ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "created"),
    [
        (
            "service_full",
            {"organization", "service", "location", "service_at_location", "taxonomy_term"},
        ),
        ("service_list", {"organization", "service"}),
        (
            "organization_full",
            {"organization", "service", "location", "service_at_location", "taxonomy_term"},
        ),
        (
            "service_at_location_full",
            {"organization", "service", "location", "service_at_location", "taxonomy_term"},
        ),
        ("taxonomy", {"taxonomy", "taxonomy_term"}),
        ("taxonomy_term", {"taxonomy_term"}),
    ],
)
def test_each_official_example_imports(name, created):
    report = importer.run_import(official(name), source=f"{name}.json")

    assert not report.failed
    records = [e for e in report.entries if e["kind"] != "feed"]
    assert {e["kind"] for e in records} == created
    assert all(e["result"] == "created" for e in records)
    assert report.counts["rejected"] == 0
    directory_import = DirectoryImport.objects.get()
    assert directory_import.status == ImportStatus.SUCCEEDED
    assert directory_import.counts["created"] == len(records)


def test_the_full_service_example_keeps_everything_but_impossible_coordinates():
    report = importer.run_import(official("service_full"))

    service = Service.objects.get(uuid=SERVICE_ID)
    assert service.name == "Community Counselling"
    assert service.organization.name == "Example Organization Inc."
    assert service.organization.identifiers.get().identifier == "1234567"
    assert service.availability == Availability.OPEN
    assert (service.minimum_age, service.maximum_age) == (12, 100)
    assert service.assured_date == datetime.date(2005, 1, 1)
    assert service.fees_description == "fees_description"
    schedule = service.schedules.get()
    assert (schedule.byday, schedule.opens_at) == ("TH,FR", datetime.time(10))
    assert service.service_areas.get().extent_type == "geojson"
    assert service.cost_options.get().amount == 35
    assert service.contacts.get().title == "Reception Manager"
    assert service.languages.count() == 1
    assert service.attributes.get().taxonomy_term.uuid.hex == TERM_ID.replace("-", "")
    location = Location.objects.get(uuid=LOCATION_ID)
    assert location.service_at_locations.get().service == service
    assert location.addresses.get().postal_code == "ABC 1234"
    assert location.accessibility.count() == 1
    # Latitude 100 is impossible; longitude 101 means nothing without it.
    assert (location.latitude, location.longitude) == (None, None)
    warnings = texts(entries_by_id(report)[LOCATION_ID])
    assert any("'latitude' 100 is impossible" in text for text in warnings)
    assert any("'longitude' 101 left out" in text for text in warnings)
    # The term's parent is in neither the feed nor the directory.
    assert TaxonomyTerm.objects.get(uuid=TERM_ID).parent is None
    assert any("'parent_id'" in text for text in texts(entries_by_id(report)[TERM_ID]))
    # A new service: open from today, signpost only, never checked, serving every site.
    change = AvailabilityChange.objects.get(service=service)
    assert change.availability == Availability.OPEN
    assert change.via_import == DirectoryImport.objects.get()
    assert service.imported_by == change.via_import
    assert service.referral_method == ReferralMethod.SIGNPOST
    assert service.last_checked_on is None
    assert not service.sites.exists()


def test_a_single_page_of_a_list_says_only_that_page_was_imported():
    report = importer.run_import(official("service_list"))

    notes = [
        importer.render_message(m)
        for e in report.entries
        if e["kind"] == "feed"
        for m in e["messages"]
    ]
    assert notes == ["This is page 1 of 10: only the records on this page were imported"]


# --- Idempotence ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["service_full", "organization_full", "service_at_location_full", "taxonomy"]
)
def test_importing_the_same_feed_twice_changes_nothing(name):
    importer.run_import(official(name))
    before = snapshot()

    again = importer.run_import(official(name))

    assert {e["result"] for e in again.entries if e["kind"] != "feed"} == {"unchanged"}
    assert snapshot() == before


def test_a_dataset_twice_changes_nothing():
    importer.run_import(feed("dataset.json"))
    before = snapshot()

    again = importer.run_import(feed("dataset.json"))

    assert again.counts["unchanged"] == len(again.entries)
    assert snapshot() == before


def test_a_summary_of_a_service_leaves_its_details_alone():
    """A list page gives no schedules or places: the full record's stay."""
    importer.run_import(official("service_full"))
    before = snapshot()

    report = importer.run_import(official("service_list"))

    assert {e["result"] for e in report.entries if e["kind"] != "feed"} == {"unchanged"}
    assert snapshot() == before


# --- A dataset of lists --------------------------------------------------------------------------


def test_a_dataset_links_its_records_by_their_ids():
    report = importer.run_import(feed("dataset.json"))

    assert report.counts == {
        "created": 8,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "warnings": 0,
    }
    walkers = Service.objects.get(name="Elan Valley walkers")
    assert walkers.organization.name == "Rhayader Ramblers"
    assert walkers.organization.phones.get().number == "01597 810000"
    assert walkers.phones.get().number == "01597 810001"
    assert walkers.schedules.get().byday == "TU,TH"
    assert walkers.languages.get().code == "cy"
    walking = walkers.attributes.get().taxonomy_term
    assert walking.name == "Walking"
    assert walking.parent.name == "Physical activity"
    assert walking.taxonomy.name == "Linkwork categories"
    place = walkers.service_at_locations.get().location
    assert place.addresses.get().city == "Rhayader"
    assert str(place.latitude) == "52.301700"
    assert place.organization == walkers.organization
    winter = Service.objects.get(name="Winter walks")
    assert winter.availability == Availability.TEMPORARILY_CLOSED
    assert not winter.phones.exists()


# --- Broken records ------------------------------------------------------------------------------


def test_a_broken_feed_imports_the_good_records_and_explains_the_bad_ones():
    report = importer.run_import(feed("broken.json"))

    assert not report.failed
    by_id = entries_by_id(report)

    def reasons(record_id):
        entry = by_id[record_id]
        return [importer.render_message(m) for m in entry["messages"] if m["level"] == "error"]

    def warnings(record_id):
        entry = by_id[record_id]
        return [importer.render_message(m) for m in entry["messages"] if m["level"] == "warning"]

    # Rejected, each with its reason.
    assert by_id["1a000000-0000-4000-8000-000000000002"]["result"] == "rejected"
    assert reasons("1a000000-0000-4000-8000-000000000002") == ["Required field 'name' is missing"]
    assert reasons('"library-3"') == ['Its id "library-3" is not a UUID']
    assert reasons("1b000000-0000-4000-8000-000000000003") == ["Required field 'name' is missing"]
    assert reasons("1b000000-0000-4000-8000-000000000004") == [
        "'organization_id' refers to organisation 1a000000-0000-4000-8000-000000000099, which "
        "is neither in the feed nor in the directory"
    ]
    assert reasons("1b000000-0000-4000-8000-000000000005") == [
        "'organization_id' refers to organisation 1a000000-0000-4000-8000-000000000002, which "
        "was rejected"
    ]
    assert reasons("1b000000-0000-4000-8000-000000000006") == [
        "Its id is used more than once in the feed, with different details ('name' differs)"
    ]
    assert reasons("1b000000-0000-4000-8000-000000000007") == [
        'Status "open" is not one of: active, inactive, defunct, temporarily closed'
    ]
    assert reasons("12000000-0000-4000-8000-000000000002") == [
        "'location_id' refers to location 1c000000-0000-4000-8000-000000000099, which is "
        "neither in the feed nor in the directory"
    ]
    loose_phone = next(e for e in report.entries if e["kind"] == "phone")
    assert loose_phone["result"] == "rejected"
    assert "which is not in this feed" in texts(loose_phone)[0]

    # Imported, without the bad values.
    knitting = Service.objects.get(uuid="1b000000-0000-4000-8000-000000000001")
    assert by_id[str(knitting.uuid)]["result"] == "created"
    assert (knitting.url, knitting.email, knitting.minimum_age, knitting.assured_date) == (
        "",
        "",
        None,
        None,
    )
    assert [p.number for p in knitting.phones.all()] == ["01686 412345"]
    assert knitting.schedules.get().opens_at is None
    assert knitting.schedules.get().closes_at == datetime.time(12)
    knitting_warnings = warnings(str(knitting.uuid))
    for expected in (
        "'url' \"not a web address\" is not a web address",
        "'email' \"knitting at library\" is not an email address",
        "'minimum_age' -4 is not an age",
        "'assured_date' \"next Tuesday\" is not a date",
        "Phone (id 1f000000-0000-4000-8000-000000000001) left out: 'number' \"call the "
        'library" is not a phone number',
        "Schedule (id 13000000-0000-4000-8000-000000000001): 'opens_at' \"10am\" is not a time",
    ):
        assert any(text.startswith(expected) for text in knitting_warnings), expected
    reading = Service.objects.get(uuid="1b000000-0000-4000-8000-000000000002")
    assert (reading.minimum_age, reading.maximum_age) == (None, None)
    assert warnings(str(reading.uuid)) == [
        "The minimum age (60) is above the maximum age (18): both left out"
    ]
    library = Location.objects.get(uuid="1c000000-0000-4000-8000-000000000001")
    assert library.latitude is None and library.longitude is None
    assert knitting.service_at_locations.get().location == library

    assert set(Service.objects.values_list("name", flat=True)) == {
        "Knitting circle",
        "Reading group",
    }
    assert Organization.objects.get().name == "Llanidloes Library"
    assert report.counts["rejected"] == 9


# --- Updates ---------------------------------------------------------------------------------


def test_a_change_of_status_is_added_to_the_availability_history():
    importer.run_import(official("service_full"))
    service = Service.objects.get(uuid=SERVICE_ID)
    changed = official("service_full")
    changed["status"] = "temporarily closed"
    changed["description"] = "Closed while we move to new rooms."

    report = importer.run_import(changed)

    service.refresh_from_db()
    assert service.availability == Availability.TEMPORARILY_CLOSED
    assert service.description == "Closed while we move to new rooms."
    history = list(service.availability_changes.values_list("availability", flat=True))
    assert history == [Availability.OPEN, Availability.TEMPORARILY_CLOSED]
    latest = service.availability_changes.last()
    assert latest.via_import == DirectoryImport.objects.latest("pk")
    entry = entries_by_id(report)[SERVICE_ID]
    assert entry["result"] == "updated"
    assert texts(entry) == [
        "Changed: description, status",
        "Availability changed from open to temporarily closed",
    ]
    assert service.imported_by == latest.via_import


def test_active_in_the_feed_does_not_undo_a_local_limit():
    importer.run_import(official("service_full"))
    service = Service.objects.get(uuid=SERVICE_ID)
    Service.objects.filter(pk=service.pk).update(
        availability=Availability.LIMITED, availability_note="Waiting list of 6 weeks"
    )
    before = snapshot()

    report = importer.run_import(official("service_full"))

    assert entries_by_id(report)[SERVICE_ID]["result"] == "unchanged"
    assert snapshot() == before


def test_an_update_leaves_linkwork_s_own_fields_alone(site_a, manager):
    importer.run_import(official("service_full"))
    service = Service.objects.get(uuid=SERVICE_ID)
    Service.objects.filter(pk=service.pk).update(
        referral_method=ReferralMethod.DIRECT,
        referral_email="referrals@counselling.example.org",
        referral_contact="Ask for the duty counsellor",
        maintained_by="Powys link coordinators",
        last_checked_on=datetime.date(2026, 1, 5),
        last_checked_by=manager,
        accepts_service_referrals=False,
    )
    service.sites.set([site_a])
    LocalNote.objects.create(service=service, text="Ring before 10.", author=manager)
    changed = official("service_full")
    changed["name"] = "Community Counselling Service"

    importer.run_import(changed)

    service.refresh_from_db()
    assert service.name == "Community Counselling Service"
    assert service.referral_method == ReferralMethod.DIRECT
    assert service.referral_email == "referrals@counselling.example.org"
    assert service.referral_contact == "Ask for the duty counsellor"
    assert service.maintained_by == "Powys link coordinators"
    assert service.last_checked_on == datetime.date(2026, 1, 5)
    assert service.last_checked_by == manager
    assert service.accepts_service_referrals is False
    assert list(service.sites.all()) == [site_a]
    assert service.local_notes.get().text == "Ring before 10."


def test_an_unchanged_service_keeps_its_last_modified_and_a_changed_one_moves_it():
    importer.run_import(official("service_full"))
    old = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    Service.objects.update(last_modified=old)
    Organization.objects.update(last_modified=old)

    importer.run_import(official("service_full"))
    assert Service.objects.get().last_modified == old
    assert Organization.objects.get().last_modified == old

    changed = official("service_full")
    changed["schedules"][0]["byday"] = "MO"
    importer.run_import(changed)
    assert Service.objects.get().last_modified > old
    assert Organization.objects.get().last_modified == old


def test_the_details_of_an_updated_service_are_replaced_to_match_the_feed():
    importer.run_import(official("service_full"))
    changed = official("service_full")
    first = changed["schedules"][0]
    first["byday"] = "MO"
    changed["schedules"].append(
        {**copy.deepcopy(first), "id": "48102e86-bb50-41c4-8f1e-e269368c41d2", "byday": "SA"}
    )
    changed["languages"] = []
    changed["phones"] = [
        {"id": "1554f2e2-a373-45db-a3fa-9fc48a61c15e", "number": "+44 1234 234567"}
    ]
    changed["contacts"][0]["phones"] = [
        {"id": "1554f2e2-a373-45db-a3fa-9fc48a61c15f", "number": "01234 567890"}
    ]
    changed["service_at_locations"] = []

    report = importer.run_import(changed)

    service = Service.objects.get()
    assert sorted(service.schedules.values_list("byday", flat=True)) == ["MO", "SA"]
    assert not service.languages.exists()
    assert service.phones.get().number == "+44 1234 234567"
    assert service.contacts.get().phones.get().number == "01234 567890"
    assert not service.service_at_locations.exists()
    assert Location.objects.filter(uuid=LOCATION_ID).exists()  # places are never deleted
    entry = entries_by_id(report)[SERVICE_ID]
    assert entry["result"] == "updated"
    assert texts(entry)[0] == (
        "Changed: phones, schedules, languages, contacts, service_at_locations"
    )


# --- Failure, dry runs and the audit log ---------------------------------------------------------


def test_an_import_that_fails_part_way_changes_nothing(monkeypatch):
    importer.run_import(official("taxonomy"))
    before = snapshot()

    def explode(self, record):
        raise RuntimeError("the disk is full of Ann Persona's details")

    monkeypatch.setattr(importer.Feed, "_apply_service_at_location", explode)
    report = importer.run_import(official("service_full"), source="service_full.json")

    assert report.failed
    assert snapshot() == before
    failed = DirectoryImport.objects.latest("pk")
    assert failed.status == ImportStatus.FAILED
    assert failed.finished_at is not None
    assert "RuntimeError" in failed.error
    assert "Nothing was changed" in failed.error
    assert "Ann Persona" not in failed.error
    event = AuditEvent.objects.get(object_id=str(failed.pk))
    assert event.detail == "ORUK import failed: nothing changed"


def test_a_feed_that_is_not_oruk_fails_with_a_readable_reason():
    report = importer.run_import({"hello": "world"})

    assert report.failed
    assert importer.render_message(report.error).startswith(
        "The feed is not in a shape Linkwork can import"
    )
    assert DirectoryImport.objects.get().status == ImportStatus.FAILED


def test_text_that_is_not_json_says_where_it_went_wrong():
    with pytest.raises(importer.FeedError) as raised:
        importer.load_json('{"id": "x",\n "name": }')
    assert str(raised.value) == "The feed is not valid JSON (line 2, column 10)."


def test_a_dry_run_reports_without_changing_anything():
    report = importer.run_import(official("service_full"), dry_run=True)

    assert report.dry_run
    assert report.counts["created"] == 5
    assert snapshot() == {model.__name__: [] for model in DIRECTORY_MODELS}
    assert not DirectoryImport.objects.exists()
    assert not AuditEvent.objects.exists()


def test_each_import_writes_one_audit_line_without_personal_data(manager):
    importer.run_import(official("service_full"), by=manager)

    event = AuditEvent.objects.get()
    assert event.user == manager
    assert event.object_type == "directory.directoryimport"
    assert event.detail == (
        "ORUK import: 5 created, 0 updated, 0 unchanged, 0 rejected, 3 warnings"
    )
    assert "Ann Persona" not in json.dumps(event.fields)


def test_nested_details_of_places_and_terms_are_imported():
    service = official("service_full")
    location = service["service_at_locations"][0]["location"]
    location["latitude"], location["longitude"] = 52.41, -3.54
    location["phones"] = [{"id": "6f000000-0000-4000-8000-000000000001", "number": "01686 400000"}]
    location["languages"] = [{"id": "65000000-0000-4000-8000-000000000001", "code": "cy"}]
    term = service["attributes"][0]["taxonomy_term"]
    term["taxonomy_detail"] = {
        "id": "6e000000-0000-4000-8000-000000000001",
        "name": "Open Referral UK service types",
        "description": "The LGA's list of service types.",
    }
    service["contacts"][0]["phones"] = [
        {"id": "6f000000-0000-4000-8000-000000000002", "number": "+44 1686 400001"}
    ]

    report = importer.run_import(service)

    place = Location.objects.get(uuid=LOCATION_ID)
    assert place.phones.get().number == "01686 400000"
    assert place.languages.get().code == "cy"
    assert (str(place.latitude), str(place.longitude)) == ("52.410000", "-3.540000")
    assert TaxonomyTerm.objects.get().taxonomy.name == "Open Referral UK service types"
    assert Contact.objects.get().phones.get().number == "+44 1686 400001"
    assert "taxonomy" in {e["kind"] for e in report.entries}


@pytest.mark.parametrize(
    ("status", "availability"),
    [
        ("active", Availability.OPEN),
        ("inactive", Availability.TEMPORARILY_CLOSED),
        ("temporarily closed", Availability.TEMPORARILY_CLOSED),
        ("defunct", Availability.CLOSED),
        ("Temporarily Closed", Availability.TEMPORARILY_CLOSED),
    ],
)
def test_a_new_service_takes_its_availability_from_its_status(status, availability):
    service = official("service_list")["contents"][0]
    service["status"] = status

    importer.run_import(service)

    assert Service.objects.get().availability == availability
    assert AvailabilityChange.objects.get().availability == availability


def test_a_service_already_in_the_directory_needs_no_organisation_in_the_feed():
    importer.run_import(official("service_full"))
    summary = {"id": SERVICE_ID, "name": "Community Counselling", "status": "defunct"}

    report = importer.run_import(summary)

    assert entries_by_id(report)[SERVICE_ID]["result"] == "updated"
    assert Service.objects.get().availability == Availability.CLOSED


def test_a_new_service_without_an_organisation_is_rejected():
    report = importer.run_import(
        {"id": SERVICE_ID, "name": "Community Counselling", "status": "active"}
    )

    assert texts(entries_by_id(report)[SERVICE_ID]) == [
        "It has no organisation: the feed must give 'organization' or 'organization_id'"
    ]
    assert not Service.objects.exists()


def test_the_import_s_row_counts_the_records_checked_as_it_goes(monkeypatch):
    seen = []
    check = importer.Feed._check_record

    def watched(self, record):
        check(self, record)
        row = DirectoryImport.objects.values("status", "processed", "total").get()
        seen.append((row["status"], row["processed"], row["total"]))

    monkeypatch.setattr(importer.Feed, "_check_record", watched)
    monkeypatch.setattr(importer.run.time, "monotonic", iter(range(0, 1000, 10)).__next__)

    importer.run_import(feed("dataset.json"))

    assert seen[0] == (ImportStatus.RUNNING, 0, 0)
    assert seen[-1] == (ImportStatus.RUNNING, len(seen) - 1, len(seen))
    done = DirectoryImport.objects.get()
    assert (done.status, done.processed, done.total) == (ImportStatus.SUCCEEDED, 8, 8)
    assert done.percent_done == 100


# --- Speed: details are read and written in bulk ----------------------------------------------


def full_services(n: int, seed: int) -> list[dict]:
    """`n` services with every kind of detail, as `/services/{id}` answers them."""
    import uuid

    def uid(*parts) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench/{seed}/" + "/".join(map(str, parts))))

    taxonomy = {"id": uid("taxonomy"), "name": "Categories", "description": "Ours."}
    term = {
        "id": uid("term"),
        "name": "Walking",
        "description": "Walks.",
        "taxonomy_id": taxonomy["id"],
        "taxonomy_detail": taxonomy,
    }
    services = []
    for i in range(n):
        organisation = {
            "id": uid("org", i % 5),
            "name": f"Organisation {i % 5}",
            "description": "A charity.",
            "organization_identifiers": [
                {"id": uid("ident", i % 5), "identifier_type": "Charity", "identifier": str(i % 5)}
            ],
        }
        place = {
            "id": uid("place", i % 7),
            "name": f"Hall {i % 7}",
            "latitude": 52.1,
            "longitude": -3.5,
            "addresses": [
                {
                    "id": uid("address", i % 7),
                    "address_1": "1 High Street",
                    "city": "Aberystwyth",
                    "postal_code": "SY23 1AA",
                }
            ],
            "accessibility": [{"id": uid("access", i % 7), "description": "Step-free."}],
            "phones": [],
            "schedules": [],
            "languages": [],
        }
        services.append(
            {
                "id": uid("service", i),
                "name": f"Service {i}",
                "url": f"https://example.org/{i}",
                "status": "active",
                "organization": organisation,
                "service_at_locations": [{"id": uid("sal", i), "location": place}],
                "phones": [{"id": uid("phone", i), "number": f"01632 960{i:03d}"}],
                "schedules": [
                    {"id": uid("schedule", i), "freq": "WEEKLY", "byday": "MO", "opens_at": "10:00"}
                ],
                "service_areas": [{"id": uid("area", i), "name": "Ceredigion"}],
                "languages": [{"id": uid("language", i), "name": "Welsh", "code": "cy"}],
                "cost_options": [{"id": uid("cost", i), "option": "Free", "amount": 0}],
                "contacts": [
                    {
                        "id": uid("contact", i),
                        "name": "Coordinator",
                        "phones": [{"id": uid("contact-phone", i), "number": "01632 961000"}],
                    }
                ],
                "attributes": [{"id": uid("attribute", i), "taxonomy_term": term}],
            }
        )
    return services


def queries_of(data) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        importer.run_import(data)
    return len(queries)


def test_an_unchanged_re_import_costs_queries_per_chunk_not_per_service():
    small, large = full_services(40, seed=1), full_services(80, seed=2)
    first_small, first_large = queries_of(small), queries_of(large)
    history = AvailabilityChange.objects.count()
    before = snapshot()

    again_small, again_large = queries_of(small), queries_of(large)

    assert snapshot() == before  # nothing written: no last modified moved
    assert AvailabilityChange.objects.count() == history
    assert again_large == again_small < len(large)  # 46 on SQLite, whatever the size
    # The first import writes each service and place, but its details in bulk.
    assert first_large < first_small + 4 * 40
    assert Phone.objects.count() == 2 * 120


@pytest.mark.parametrize("moved_first", [True, False])
def test_details_that_move_to_another_service_end_up_there(moved_first):
    """A schedule, and a contact's phone, moving from one service to another (to a contact
    new to the directory), whichever service the feed gives first."""
    one, two = full_services(2, seed=3)
    importer.run_import([one, two])
    old_contact = one["contacts"][0]
    phone = old_contact["phones"][0]
    two["schedules"] = two["schedules"] + one["schedules"]
    one["schedules"] = []
    one["contacts"] = []
    new_contact = {"id": "5b8f3e0c-6a43-4c1e-9a55-0c0f4b8e2f11", "name": "New", "phones": [phone]}
    two["contacts"] = [two["contacts"][0], new_contact]

    report = importer.run_import([two, one] if moved_first else [one, two])

    first, second = Service.objects.get(uuid=one["id"]), Service.objects.get(uuid=two["id"])
    assert not first.schedules.exists() and not first.contacts.exists()
    assert second.schedules.count() == 2
    assert not Contact.objects.filter(uuid=old_contact["id"]).exists()
    moved = Phone.objects.get(uuid=phone["id"])
    assert str(moved.contact.uuid) == new_contact["id"]
    assert moved.service_id is None and moved.number == phone["number"]
    results = {e["id"]: e["result"] for e in report.entries if e["kind"] == "service"}
    assert results == {one["id"]: "updated", two["id"]: "updated"}
    before = snapshot()
    assert importer.run_import([two, one]).counts["updated"] == 0
    assert snapshot() == before

"""Changing the directory: availability (with its history), marking an entry checked, local
notes, and adding and editing entries. Each change is audited, each refusal keeps what was
typed, and each permission rule is tried from the wrong side."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.audit.models import AuditEvent
from linkwork.core.errors import ActionRefused
from linkwork.directory import actions
from linkwork.directory.models import (
    Address,
    AvailabilityChange,
    LocalNote,
    Organization,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from tests.directory.conftest import place
from tests.factories import make_service

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def url(name, service=None) -> str:
    return reverse(f"directory:{name}", kwargs={"pk": service.pk} if service else None)


def date_parts(name, day: datetime.date) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def audited(service, action="change") -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="directory.service", object_id=str(service.pk), action=action
        )
    )


# --- Availability ------------------------------------------------------------------------------


def test_a_coordinator_records_a_temporary_closure_with_history_and_audit(
    client_for, coordinator_a, walkers
):
    before = walkers.last_modified
    reopening = TODAY() + datetime.timedelta(days=21)
    response = client_for(coordinator_a).post(
        url("change_availability", walkers),
        {
            "availability": "temporarily_closed",
            "availability_note": "Path washed away",
            **date_parts("expected_reopening", reopening),
            **date_parts("effective_on", TODAY()),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("service", walkers) + "#availability"
    walkers.refresh_from_db()
    assert walkers.availability == "temporarily_closed"
    assert walkers.availability_note == "Path washed away"
    assert walkers.expected_reopening == reopening
    assert walkers.last_modified > before
    change = walkers.availability_changes.order_by("pk").last()
    assert (change.availability, change.note, change.expected_reopening) == (
        "temporarily_closed",
        "Path washed away",
        reopening,
    )
    assert change.recorded_by == coordinator_a and change.effective_on == TODAY()
    [event] = audited(walkers)
    assert event.user == coordinator_a
    assert event.fields == sorted(["availability", "availability_note", "expected_reopening"])
    assert "Path washed away" not in event.detail  # names of fields, never their values
    page = client_for(coordinator_a).get(url("service", walkers)).content.decode()
    assert "Path washed away" in page


def test_reopening_clears_the_reopening_date_and_keeps_the_history(
    client_for, coordinator_a, youth_club
):
    response = client_for(coordinator_a).post(
        url("change_availability", youth_club),
        {"availability": "open", **date_parts("effective_on", TODAY())},
    )
    assert response.status_code == 302
    youth_club.refresh_from_db()
    assert youth_club.availability == "open"
    assert youth_club.expected_reopening is None and youth_club.availability_note == ""
    assert [c.availability for c in youth_club.availability_changes.order_by("pk")] == [
        "temporarily_closed",
        "open",
    ]


def test_a_change_can_be_backdated_but_not_before_the_current_state(
    client_for, coordinator_a, walkers
):
    AvailabilityChange.objects.filter(service=walkers)  # made today by the fixture
    browser = client_for(coordinator_a)
    response = browser.post(
        url("change_availability", walkers),
        {
            "availability": "limited",
            "availability_note": "Full until spring",
            **date_parts("effective_on", TODAY() - datetime.timedelta(days=3)),
        },
    )
    assert response.status_code == 200
    assert "effective_on" in response.context["availability_form"].errors
    assert "Full until spring" in response.content.decode()
    assert not walkers.availability_changes.filter(availability="limited").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"availability": ""}, "availability", "Select the service's availability"),
        (
            {"availability": "temporarily_closed", "availability_note": "Hall being painted"},
            "expected_reopening",
            "Enter the date it is expected to reopen",
        ),
        (
            {
                "availability": "temporarily_closed",
                "availability_note": "Hall being painted",
                **date_parts("expected_reopening", datetime.date(2020, 1, 1)),
            },
            "expected_reopening",
            "The expected reopening date must be in the future",
        ),
        (
            {
                "availability": "limited",
                "availability_note": "Hall being painted",
                **date_parts("effective_on", datetime.date.today() + datetime.timedelta(days=5)),
            },
            "effective_on",
            "The date of the change must be today or in the past",
        ),
        (
            {"availability": "limited", "availability_note": ""},
            "availability_note",
            "Say what is limited",
        ),
        (
            {
                "availability": "limited",
                "availability_note": "Hall being painted",
                "effective_on_day": "31",
                "effective_on_month": "2",
                "effective_on_year": "2026",
            },
            "effective_on",
            "From must be a real date",
        ),
    ],
)
def test_a_wrong_availability_change_is_refused_and_keeps_what_was_typed(
    client_for, coordinator_a, walkers, data, field, message
):
    data = {**date_parts("effective_on", TODAY()), **data}
    response = client_for(coordinator_a).post(url("change_availability", walkers), data)
    assert response.status_code == 200
    form = response.context["availability_form"]
    assert message in form.errors[field]
    content = response.content.decode()
    assert "There is a problem" in content
    assert '<details class="govuk-details" open>' in content
    if data.get("availability_note"):
        assert data["availability_note"] in content
    walkers.refresh_from_db()
    assert walkers.availability == "open"
    assert walkers.availability_changes.count() == 1
    assert not audited(walkers)


def test_the_action_refuses_a_change_that_changes_nothing(coordinator_a, walkers):
    with pytest.raises(ActionRefused):
        actions.change_availability(walkers, by=coordinator_a, availability="open")
    with pytest.raises(ActionRefused) as refusal:
        actions.change_availability(walkers, by=coordinator_a, availability="temporarily_closed")
    assert refusal.value.field == "expected_reopening"


def test_availability_permissions(
    client_for, coordinator_b, manager_b, gp_referrer, researcher, administrator, walkers
):
    data = {"availability": "closed", **date_parts("effective_on", TODAY())}
    target = url("change_availability", walkers)
    # Staff at another site: the service is out of their reach.
    assert client_for(coordinator_b).post(target, data).status_code == 404
    assert client_for(manager_b).post(target, data).status_code == 404
    for user in (gp_referrer, researcher):
        assert client_for(user).post(target, data).status_code == 403
    walkers.refresh_from_db()
    assert walkers.availability == "open"
    # Administrators look after the whole directory.
    assert client_for(administrator).post(target, data).status_code == 302
    walkers.refresh_from_db()
    assert walkers.availability == "closed"


def test_availability_is_changed_by_post_only(client_for, coordinator_a, walkers):
    assert client_for(coordinator_a).get(url("change_availability", walkers)).status_code == 405


# --- Checking ---------------------------------------------------------------------------------


def test_mark_as_checked_today(client_for, coordinator_a, debt_advice):
    response = client_for(coordinator_a).post(url("mark_checked", debt_advice))
    assert response.status_code == 302
    debt_advice.refresh_from_db()
    assert debt_advice.last_checked_on == TODAY()
    assert debt_advice.last_checked_by == coordinator_a
    [event] = audited(debt_advice)
    assert event.fields == ["last_checked_by", "last_checked_on"]
    page = client_for(coordinator_a).get(url("service", debt_advice)).content.decode()
    assert "never been checked" not in page
    assert "by Gareth Price" in page


def test_marking_checked_needs_the_service_in_reach(
    client_for, coordinator_b, gp_referrer, researcher, debt_advice
):
    assert client_for(coordinator_b).post(url("mark_checked", debt_advice)).status_code == 404
    for user in (gp_referrer, researcher):
        assert client_for(user).post(url("mark_checked", debt_advice)).status_code == 403
    debt_advice.refresh_from_db()
    assert debt_advice.last_checked_on is None


# --- Local notes --------------------------------------------------------------------------------


def test_staff_at_the_site_add_a_local_note(client_for, coordinator_a, walkers):
    response = client_for(coordinator_a).post(
        url("add_note", walkers), {"text": "  Ask for Dilys.  "}
    )
    assert response.status_code == 302
    note = LocalNote.objects.get()
    assert (note.service, note.author, note.text) == (walkers, coordinator_a, "Ask for Dilys.")
    assert AuditEvent.objects.filter(
        object_type="directory.localnote", object_id=str(note.pk), action="create"
    ).exists()


def test_an_empty_note_is_refused(client_for, coordinator_a, walkers):
    response = client_for(coordinator_a).post(url("add_note", walkers), {"text": "   "})
    assert response.status_code == 200
    assert response.context["note_form"].errors["text"] == ["Enter the note"]
    assert not LocalNote.objects.exists()


def test_a_too_long_note_is_refused_and_kept(client_for, coordinator_a, walkers):
    text = "Long " * 500
    response = client_for(coordinator_a).post(url("add_note", walkers), {"text": text})
    assert response.status_code == 200
    assert "text" in response.context["note_form"].errors
    assert text.strip() in response.content.decode()
    assert not LocalNote.objects.exists()


def test_who_may_add_notes(
    client_for, coordinator_b, manager_b, administrator, gp_referrer, researcher, walkers
):
    target = url("add_note", walkers)
    # A site-A-only service is out of reach for site B's staff.
    assert client_for(coordinator_b).post(target, {"text": "Hello"}).status_code == 404
    assert client_for(manager_b).post(target, {"text": "Hello"}).status_code == 404
    # Notes are site staff's: administrators, referrers and researchers may not.
    for user in (administrator, gp_referrer, researcher):
        assert client_for(user).post(target, {"text": "Hello"}).status_code == 403
    assert not LocalNote.objects.exists()


def test_staff_anywhere_may_note_a_service_for_every_site(client_for, coordinator_b, lunch_club):
    response = client_for(coordinator_b).post(url("add_note", lunch_club), {"text": "Gone."})
    assert response.status_code == 302


# --- Adding and editing entries -----------------------------------------------------------------


def entry(**overrides) -> dict:
    data = {
        "organization": "",
        "new_organisation": "Llanidloes Community Choir",
        "name": "Singing for the brain",
        "description": "Songs and friendship for people living with dementia.",
        "eligibility_description": "People with memory problems, and carers.",
        "minimum_age": "18",
        "maximum_age": "",
        "free": "no",
        "cost_amount": "2.50",
        "fees_description": "Carers free.",
        "url": "choir.example.org",
        "email": "choir@example.org",
        "phone": "01686 400000",
        "address_1": "Town Hall",
        "town": "Llanidloes",
        "postcode": "sy186bn",
        "days": ["TU", "MO"],
        "opens_at": "2pm",
        "closes_at": "15:30",
        "schedule_description": "Term time only.",
        "welsh": "on",
        "referral_method": "direct",
        "referral_contact": "Mair, the organiser",
        "referral_email": "referrals@choir.example.org",
        "response_time": "Within 2 weeks",
        "accepts_service_referrals": "yes",
        "maintained_by": "Powys team",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_a_manager_adds_a_service_with_everything(client_for, manager, site_a):
    music = TaxonomyTerm.objects.create(name="Music")
    response = client_for(manager).post(
        url("new_service"),
        entry(categories=[music.pk], new_category="Dementia support", sites=[site_a.pk]),
    )
    assert response.status_code == 302
    service = Service.objects.get(name="Singing for the brain")
    assert response["Location"] == url("service", service)
    assert service.organization.name == "Llanidloes Community Choir"
    assert service.minimum_age == 18 and service.maximum_age is None
    assert service.url == "https://choir.example.org"
    assert service.availability == "open"
    assert service.last_checked_on == TODAY() and service.last_checked_by == manager
    assert sorted(a.taxonomy_term.name for a in service.attributes.all()) == [
        "Dementia support",
        "Music",
    ]
    assert [c.amount for c in service.cost_options.all()] == [Decimal("2.50")]
    assert service.phone == "01686 400000"
    address = Address.objects.get(location__service_at_locations__service=service)
    assert (address.address_1, address.city, address.postal_code) == (
        "Town Hall",
        "Llanidloes",
        "SY18 6BN",
    )
    schedule = service.schedules.get()
    assert schedule.byday == "MO,TU"
    assert (schedule.opens_at, schedule.closes_at) == (datetime.time(14), datetime.time(15, 30))
    assert [(lang.name, lang.code) for lang in service.languages.all()] == [("Welsh", "cy")]
    assert list(service.sites.all()) == [site_a]
    [first] = service.availability_changes.all()
    assert (first.availability, first.recorded_by, first.effective_on) == ("open", manager, TODAY())
    [created] = audited(service, "create")
    assert "name" in created.fields and "sites" in created.fields
    # And it can be found.
    found = client_for(manager).get(reverse("directory:search"), {"q": "dementia"})
    assert [r.service for r in found.context["results"]] == [service]


def test_a_new_service_can_join_an_existing_organisation(client_for, manager):
    choir = Organization.objects.create(name="Llanidloes Community Choir")
    response = client_for(manager).post(
        url("new_service"), entry(organization=choir.pk, new_organisation="")
    )
    assert response.status_code == 302
    assert Service.objects.get().organization == choir
    # Typing the name of one already there reuses it too.
    response = client_for(manager).post(
        url("new_service"),
        entry(name="Second choir", new_organisation="llanidloes community choir"),
    )
    assert Organization.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the name of the service"),
        (
            {"new_organisation": ""},
            "organization",
            "Choose an organisation, or enter the name of a new one",
        ),
        (
            {"minimum_age": "65", "maximum_age": "18"},
            "maximum_age",
            "The maximum age must be the same as or more than the minimum age",
        ),
        (
            {"minimum_age": "eighteen"},
            "minimum_age",
            "Enter the minimum age as a whole number, like 18",
        ),
        ({"maximum_age": "130"}, "maximum_age", "Enter a maximum age of 120 or less"),
        ({"cost_amount": ""}, "cost_amount", "Enter the cost in pounds, like 3.50"),
        ({"postcode": "nowhere"}, "postcode", "Enter a real postcode, like SY18 6AA"),
        ({"town": ""}, "town", "Enter the town"),
        ({"closes_at": "1pm"}, "closes_at", "The finishing time must be after the starting time"),
        ({"opens_at": "25:00"}, "opens_at", "Enter a time like 10:00, 14:30 or 2pm"),
        ({"days": []}, "days", "Select the days it runs at these times"),
        ({"url": "not a website"}, "url", "Enter a website address, like https://example.org"),
        (
            {"referral_email": "not-an-email"},
            "referral_email",
            "Enter an email address, like name@example.org",
        ),
    ],
)
def test_a_wrong_entry_is_refused_and_keeps_what_was_typed(
    client_for, manager, overrides, field, message
):
    data = entry(**overrides)
    response = client_for(manager).post(url("new_service"), data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    content = response.content.decode()
    assert "There is a problem" in content
    assert "Songs and friendship for people living with dementia." in content
    assert "Mair, the organiser" in content
    if data.get("name"):
        assert 'value="Singing for the brain"' in content
    assert not Service.objects.exists()


def test_only_managers_and_administrators_add_services(
    client_for, coordinator_a, gp_referrer, researcher, administrator
):
    for user in (coordinator_a, gp_referrer, researcher):
        assert client_for(user).get(url("new_service")).status_code == 403
        assert client_for(user).post(url("new_service"), entry()).status_code == 403
    assert not Service.objects.exists()
    assert client_for(administrator).post(url("new_service"), entry()).status_code == 302


def test_a_manager_may_only_say_it_serves_their_own_sites(client_for, manager, site_b):
    response = client_for(manager).post(url("new_service"), entry(sites=[site_b.pk]))
    assert response.status_code == 200
    assert "sites" in response.context["form"].errors


def test_editing_shows_the_entry_and_saves_changes(client_for, manager, walkers, site_a):
    browser = client_for(manager)
    form = browser.get(url("edit_service", walkers)).context["form"]
    assert form.initial["name"] == "Elan Valley walkers"
    assert form.initial["town"] == "Rhayader"
    assert form.initial["days"] == ["TU", "TH"]
    assert form.initial["welsh"] is True
    assert form.initial["free"] == "yes"
    before = walkers.last_modified
    walking = walkers.attributes.get().taxonomy_term
    response = browser.post(
        url("edit_service", walkers),
        entry(
            organization=walkers.organization_id,
            new_organisation="",
            name="Elan Valley walkers",
            description="Longer walks now.",
            free="yes",
            cost_amount="",
            categories=[walking.pk],
            welsh="",
            days=["SA"],
            opens_at="9am",
            closes_at="1pm",
            address_1="Community Centre, East Street",
            town="Rhayader",
            postcode="LD6 5AB",
            sites=[site_a.pk],
        ),
    )
    assert response.status_code == 302
    walkers.refresh_from_db()
    assert walkers.description == "Longer walks now."
    assert walkers.last_modified > before
    assert not walkers.languages.filter(code="cy").exists()
    assert walkers.languages.filter(code="en").exists()  # other languages are left alone
    assert walkers.schedules.get().byday == "SA"
    assert walkers.service_at_locations.count() == 1
    assert not walkers.cost_options.exists()
    [event] = audited(walkers)
    assert "description" in event.fields and "schedule" in event.fields
    assert "languages" in event.fields and "address" not in event.fields


def test_a_moved_service_does_not_move_others_at_its_old_place(client_for, manager, walkers):
    location = walkers.service_at_locations.get().location
    neighbour = make_service(name="Book club", sites=list(walkers.sites.all()))
    ServiceAtLocation.objects.create(service=neighbour, location=location)
    data = {**ServiceFormData.of(client_for(manager), walkers), "address_1": "The Old School"}
    assert client_for(manager).post(url("edit_service", walkers), data).status_code == 302
    assert Address.objects.get(location=location).address_1 == "Community Centre, East Street"
    moved = Address.objects.get(location__service_at_locations__service=walkers)
    assert moved.address_1 == "The Old School"


def test_sites_out_of_the_editors_reach_are_kept(client_for, manager, site_a, site_b):
    both = make_service(name="Food bank", sites=[site_a, site_b])
    place(both, "1 Market Street", "Newtown", "SY16 2AA")
    browser = client_for(manager)
    data = ServiceFormData.of(browser, both)
    assert data["sites"] == [site_a.pk]
    response = browser.post(url("edit_service", both), {**data, "description": "Food parcels."})
    assert response.status_code == 302
    assert set(both.sites.all()) == {site_a, site_b}


def test_an_edit_with_a_mistake_keeps_what_was_typed(client_for, manager, walkers):
    browser = client_for(manager)
    data = {
        **ServiceFormData.of(browser, walkers),
        "description": "Typed but not saved.",
        "minimum_age": "70",
        "maximum_age": "60",
    }
    response = browser.post(url("edit_service", walkers), data)
    assert response.status_code == 200
    assert "Typed but not saved." in response.content.decode()
    walkers.refresh_from_db()
    assert walkers.description.startswith("Gentle walks")


def test_who_may_edit(
    client_for, coordinator_a, manager_b, gp_referrer, researcher, administrator, walkers
):
    target = url("edit_service", walkers)
    assert client_for(coordinator_a).get(target).status_code == 403
    assert client_for(coordinator_a).post(target, entry()).status_code == 403
    # A manager of site B cannot edit a service only for site A.
    assert client_for(manager_b).get(target).status_code == 404
    assert client_for(manager_b).post(target, entry()).status_code == 404
    for user in (gp_referrer, researcher):
        assert client_for(user).get(target).status_code == 403
    assert client_for(administrator).get(target).status_code == 200
    walkers.refresh_from_db()
    assert walkers.name == "Elan Valley walkers"


class ServiceFormData:
    """What the edit form would post back unchanged, from its initial values."""

    @staticmethod
    def of(browser, service) -> dict:
        form = browser.get(url("edit_service", service)).context["form"]
        data = {}
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            if hasattr(value, "strftime") and hasattr(value, "hour"):
                value = value.strftime("%H:%M")
            data[name] = value
        return data

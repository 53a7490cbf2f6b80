"""A service's page: everything about it, its availability history, local notes, the check
warning, counts of social prescriptions, and who may open it."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.directory.models import (
    Accessibility,
    AvailabilityChange,
    Contact,
    CostOption,
    DirectoryImport,
    LocalNote,
    Phone,
)
from linkwork.prescriptions import actions as prescription_actions
from linkwork.referrals.status import ReferralStatus
from tests.directory.conftest import place
from tests.factories import CoordinatorFactory, make_referral, make_service

pytestmark = pytest.mark.django_db


def page_of(service) -> str:
    return reverse("directory:service", kwargs={"pk": service.pk})


def test_the_page_says_everything_about_the_service(client_for, coordinator_a, walkers):
    location = walkers.service_at_locations.get().location
    location.transportation = "Bus T4 stops outside."
    location.save()
    Accessibility.objects.create(location=location, description="Step-free entrance")
    contact = Contact.objects.create(service=walkers, name="Dilys Jones", title="Walk leader")
    Phone.objects.create(contact=contact, number="07700 900123")
    Phone.objects.create(service=walkers, number="01597 810000")
    walkers.url = "https://ramblers.example.org"
    walkers.eligibility_description = "Adults who can walk 3 miles."
    walkers.referral_contact = "Dilys, by email"
    walkers.response_time = "Within a week"
    walkers.save()
    response = client_for(coordinator_a).get(page_of(walkers))
    assert response.status_code == 200
    content = response.content.decode()
    for text in (
        "Elan Valley walkers",
        "Rhayader Ramblers",
        "Gentle walks in the hills",
        "Community Centre, East Street, Rhayader, LD6 5AB",
        "Bus T4 stops outside.",
        "Step-free entrance",
        "Tuesday and Thursday, 10 a.m. to noon. Meet at the clock tower.",
        "Welsh, English",
        "Available in Welsh",
        "Free",
        "18 and over",
        "Adults who can walk 3 miles.",
        "Direct referral",
        "walks@ramblers.example.org",
        "Dilys, by email",
        "Within a week",
        "Dilys Jones, Walk leader",
        "07700 900123",
        "01597 810000",
        "https://ramblers.example.org",
        "Walking",
        "Rhayader and district",
        "Powys Rural",  # the site it serves
        "Powys link coordinators",  # who keeps it up to date
    ):
        assert text in content, text


def test_costs_ages_and_referral_rules_in_words(client_for, coordinator_a, youth_club, knitting):
    youth_club.accepts_service_referrals = False
    youth_club.save()
    content = client_for(coordinator_a).get(page_of(youth_club)).content.decode()
    assert "11 to 17" in content
    assert "No: the person contacts them." in content
    assert "Hall closed for repairs" in content
    assert "Expected to reopen on" in content
    CostOption.objects.create(service=knitting, amount=Decimal("5.00"), option="a term")
    content = client_for(coordinator_a).get(page_of(knitting)).content.decode()
    assert "From £3.00 (a session)" in content
    assert "Wednesday" in content


def test_the_availability_history_is_shown_newest_first_with_who_recorded_it(
    client_for, coordinator_a, manager, knitting
):
    feed = DirectoryImport.objects.create(source="https://feed.example.org/oruk")
    AvailabilityChange.objects.create(
        service=knitting,
        availability="temporarily_closed",
        note="Library flooded",
        expected_reopening=datetime.date(2026, 3, 1),
        effective_on=timezone.localdate() - datetime.timedelta(days=60),
        via_import=feed,
    )
    AvailabilityChange.objects.create(
        service=knitting,
        availability="limited",
        note="Waiting list of 6 weeks",
        effective_on=timezone.localdate() - datetime.timedelta(days=10),
        recorded_by=manager,
    )
    response = client_for(coordinator_a).get(page_of(knitting))
    history = list(response.context["history"])
    assert [change.effective_on for change in history] == sorted(
        (change.effective_on for change in history), reverse=True
    )
    content = response.content.decode()
    assert "Library flooded" in content
    assert "Import from https://feed.example.org/oruk" in content
    assert "Sian Morgan" in content


def test_a_warning_when_never_checked_or_not_for_six_months(
    client_for, coordinator_a, walkers, debt_advice
):
    browser = client_for(coordinator_a)
    assert "has never been checked" in browser.get(page_of(debt_advice)).content.decode()
    content = browser.get(page_of(walkers)).content.decode()
    assert "has not been checked" not in content and "never been checked" not in content
    walkers.last_checked_on = timezone.localdate() - datetime.timedelta(days=190)
    walkers.save()
    content = browser.get(page_of(walkers)).content.decode()
    assert "has not been checked for more than 6 months" in content


def test_local_notes_newest_first_with_author_and_date(client_for, coordinator_a, manager, walkers):
    LocalNote.objects.create(
        service=walkers,
        text="Ask for Dilys.",
        author=manager,
        created_at=timezone.now() - datetime.timedelta(days=3),
    )
    LocalNote.objects.create(service=walkers, text="Now meets at 10.", author=coordinator_a)
    response = client_for(coordinator_a).get(page_of(walkers))
    assert [note.text for note in response.context["notes"]] == [
        "Now meets at 10.",
        "Ask for Dilys.",
    ]
    content = response.content.decode()
    assert content.index("Now meets at 10.") < content.index("Ask for Dilys.")
    assert "Gareth Price" in content and "Sian Morgan" in content
    # Staff at the site may add one.
    assert 'name="text"' in content


def test_local_notes_are_for_staff_only(client_for, gp_referrer, researcher, walkers, manager):
    LocalNote.objects.create(service=walkers, text="Ask for Dilys.", author=manager)
    for outsider in (gp_referrer, researcher):
        response = client_for(outsider).get(page_of(walkers))
        assert response.status_code == 403
        assert "Ask for Dilys." not in response.content.decode()
    # Nor are they in the search results.
    coordinator = CoordinatorFactory(sites=list(walkers.sites.all()))
    search = client_for(coordinator).get(reverse("directory:search"))
    assert "Ask for Dilys." not in search.content.decode()


def test_staff_out_of_reach_read_the_page_but_get_no_forms(
    client_for, coordinator_b, administrator, walkers
):
    response = client_for(coordinator_b).get(page_of(walkers))
    assert response.status_code == 200
    assert response.context["availability_form"] is None
    assert response.context["note_form"] is None
    assert not response.context["can_edit"]
    content = response.content.decode()
    assert "Mark as checked today" not in content
    assert "Edit this entry" not in content
    # An administrator may change availability and edit, but local notes are site staff's.
    response = client_for(administrator).get(page_of(walkers))
    assert response.context["availability_form"] is not None
    assert response.context["note_form"] is None
    assert response.context["can_edit"]


def test_staff_at_the_site_get_the_forms_and_managers_may_edit(
    client_for, coordinator_a, manager, walkers
):
    response = client_for(coordinator_a).get(page_of(walkers))
    content = response.content.decode()
    assert "Change availability" in content
    assert "Mark as checked today" in content
    assert "Edit this entry" not in content
    assert "Edit this entry" in client_for(manager).get(page_of(walkers)).content.decode()


def test_prescription_counts_are_from_the_users_sites_and_name_no_one(
    client_for, coordinator_a, coordinator_b, manager, pathway_a, pathway_b, site_a, site_b
):
    everywhere = make_service(name="Samaritans")
    in_a = make_referral(
        ReferralStatus.ALLOCATED,
        pathway=pathway_a,
        coordinator=coordinator_a,
        person={"given_name": "Bethan"},
    )
    in_b = make_referral(
        ReferralStatus.ALLOCATED,
        pathway=pathway_b,
        coordinator=coordinator_b,
        person={"given_name": "Carys"},
    )
    for _ in range(2):
        prescription_actions.make_prescription(
            in_a, by=coordinator_a, service=everywhere, asked_for="Support"
        )
    prescription_actions.make_prescription(
        in_b, by=coordinator_b, service=everywhere, asked_for="Support"
    )
    response = client_for(coordinator_a).get(page_of(everywhere))
    counts = response.context["counts"]
    assert counts.total == 2
    assert [(row.status, row.count) for row in counts.by_status] == [("suggested", 2)]
    content = response.content.decode()
    assert "2 social prescriptions have been made to this service." in content
    assert "Bethan" not in content and "Carys" not in content
    assert client_for(coordinator_b).get(page_of(everywhere)).context["counts"].total == 1


def test_opened_for_a_person_the_page_offers_to_refer_them(
    client_for, coordinator_a, walkers, lunch_club, rhondda_shed, angharad
):
    browser = client_for(coordinator_a)
    response = browser.get(page_of(walkers), {"referral": angharad.pk})
    assert response.context["refer_url"] == (
        reverse("prescriptions:new", kwargs={"pk": angharad.pk}) + f"?service={walkers.pk}"
    )
    assert "Refer Angharad here" in response.content.decode()
    closed = browser.get(page_of(lunch_club), {"referral": angharad.pk})
    assert closed.context["refer_url"] == ""
    assert "closed permanently and cannot be chosen" in closed.content.decode()
    elsewhere = browser.get(page_of(rhondda_shed), {"referral": angharad.pk})
    assert elsewhere.context["refer_url"] == ""
    assert "does not serve Powys Rural" in elsewhere.content.decode()


def test_a_person_the_user_may_not_refer_answers_404(client_for, coordinator_b, walkers, angharad):
    response = client_for(coordinator_b).get(page_of(walkers), {"referral": angharad.pk})
    assert response.status_code == 404


@pytest.mark.parametrize("user", ["gp_referrer", "researcher"])
def test_referrers_and_researchers_cannot_open_a_service(client_for, user, request, walkers):
    assert client_for(request.getfixturevalue(user)).get(page_of(walkers)).status_code == 403


def test_an_unknown_service_answers_404(client_for, coordinator_a):
    assert client_for(coordinator_a).get("/directory/services/999999/").status_code == 404


def test_the_page_costs_a_fixed_number_of_queries(
    client_for, coordinator_a, walkers, django_assert_max_num_queries
):
    for n in range(5):
        place(walkers, f"{n} Bridge Street", "Rhayader", "LD6 5AA")
        Contact.objects.create(service=walkers, name=f"Helper {n}")
        LocalNote.objects.create(service=walkers, text=f"Note {n}", author=coordinator_a)
    browser = client_for(coordinator_a)
    browser.get(page_of(walkers))
    with django_assert_max_num_queries(40):
        browser.get(page_of(walkers))

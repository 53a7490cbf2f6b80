"""Choosing a service from the directory, and being told before referring to one that is
limited, temporarily closed or closed for good, with open alternatives in the same category."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.core.errors import ActionRefused
from linkwork.prescriptions import actions
from linkwork.prescriptions.models import SocialPrescription
from linkwork.prescriptions.status import PrescriptionStatus
from tests.factories import make_service

P = PrescriptionStatus

pytestmark = pytest.mark.django_db

ANSWERS = {"asked_for": "A place in the group", "accompany_first_visit": "no", "send": "yes"}


@pytest.fixture
def closed_hall(site_a):
    """A walking group whose hall is closed for repairs, and two open walking groups."""
    reopening = timezone.localdate() + datetime.timedelta(days=40)
    closed = make_service(
        name="Rhayader Tuesday walk",
        availability="temporarily_closed",
        availability_note="Hall closed for roof repairs",
        expected_reopening=reopening,
        referral_email="walks@rhayader.example.org",
        sites=[site_a],
        terms=["Walking"],
    )
    make_service(name="Elan Valley walkers", sites=[site_a], terms=["Walking"])
    make_service(
        name="Builth river walk", sites=[site_a], terms=["Walking"], availability="limited"
    )
    make_service(name="Closed walkers", sites=[site_a], terms=["Walking"], availability="closed")
    make_service(name="Knitting circle", sites=[site_a], terms=["Crafts"])
    return closed


def new_url(referral, service=None) -> str:
    url = reverse("prescriptions:new", args=[referral.pk])
    return url if service is None else f"{url}?service={service.pk}"


def test_without_a_service_the_coordinator_is_sent_to_the_directory(
    client_for, angharad, coordinator_a
):
    response = client_for(coordinator_a).get(new_url(angharad))
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:search") + f"?referral={angharad.pk}"


def test_another_sites_service_cannot_be_opened_in_the_form(
    client_for, angharad, coordinator_a, rhondda_only
):
    response = client_for(coordinator_a).get(new_url(angharad, rhondda_only))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("directory:search"))


def test_a_temporarily_closed_service_warns_with_open_alternatives_in_the_same_category(
    client_for, angharad, coordinator_a, closed_hall
):
    response = client_for(coordinator_a).get(new_url(angharad, closed_hall))
    assert response.status_code == 200
    content = response.content.decode()
    assert "is temporarily closed" in content
    assert "Hall closed for roof repairs" in content
    assert "expected to reopen" in content
    alternatives = [s.name for s in response.context["alternatives"]]
    # Open (or open with limits) services in the same category, open ones first.
    assert alternatives == ["Elan Valley walkers", "Builth river walk"]
    assert "Knitting circle" not in content and "Closed walkers" not in content


def test_referring_to_a_temporarily_closed_service_needs_confirmation(
    client_for, angharad, coordinator_a, closed_hall
):
    browser = client_for(coordinator_a)
    response = browser.post(new_url(angharad), {"service": closed_hall.pk, **ANSWERS})
    assert response.status_code == 200
    assert "availability_confirmed" in response.context["form"].errors
    assert "A place in the group" in response.content.decode()
    assert not SocialPrescription.objects.exists()

    response = browser.post(
        new_url(angharad),
        {"service": closed_hall.pk, "availability_confirmed": "on", **ANSWERS},
    )
    assert response.status_code == 302
    assert SocialPrescription.objects.get().service == closed_hall


def test_a_service_closed_for_good_cannot_be_chosen_and_nothing_typed_is_lost(
    client_for, angharad, coordinator_a, library_group
):
    browser = client_for(coordinator_a)
    assert browser.get(new_url(angharad, library_group)).status_code == 302
    response = browser.post(
        new_url(angharad),
        {"service": library_group.pk, "availability_confirmed": "on", **ANSWERS},
    )
    assert response.status_code == 200
    [error] = response.context["form"].errors["service"]
    assert "has closed" in error and "Closed for good" in error
    assert "A place in the group" in response.content.decode()
    assert not SocialPrescription.objects.exists()


def test_the_action_refuses_without_confirmation_whatever_the_form_says(
    angharad, coordinator_a, closed_hall
):
    with pytest.raises(ActionRefused) as refusal:
        actions.make_prescription(
            angharad, by=coordinator_a, service=closed_hall, asked_for="A place"
        )
    assert refusal.value.field == "availability_confirmed"
    prescription = actions.make_prescription(
        angharad,
        by=coordinator_a,
        service=closed_hall,
        asked_for="A place",
        availability_confirmed=True,
    )
    assert prescription.status == P.SUGGESTED


def test_sending_a_suggestion_after_the_service_limited_places_needs_confirmation(
    client_for, angharad, coordinator_a, walking_group
):
    prescription = actions.make_prescription(
        angharad, by=coordinator_a, service=walking_group, asked_for="A place"
    )
    walking_group.availability = "limited"
    walking_group.availability_note = "Waiting list of 6 weeks"
    walking_group.save()
    browser = client_for(coordinator_a)
    url = reverse("prescriptions:update", args=[angharad.pk, prescription.pk])
    page = browser.get(url).content.decode()
    assert "Waiting list of 6 weeks" in page
    response = browser.post(url, {"status": P.SENT, "note": "Sent by email"})
    assert response.status_code == 200
    assert "availability_confirmed" in response.context["form"].errors
    assert "Sent by email" in response.content.decode()
    response = browser.post(
        url, {"status": P.SENT, "note": "Sent by email", "availability_confirmed": "on"}
    )
    assert response.status_code == 302
    prescription.refresh_from_db()
    assert prescription.status == P.SENT


def test_other_moves_need_no_confirmation(client_for, angharad, coordinator_a, walking_group):
    prescription = actions.make_prescription(
        angharad, by=coordinator_a, service=walking_group, asked_for="A place"
    )
    walking_group.availability = "temporarily_closed"
    walking_group.save()
    url = reverse("prescriptions:update", args=[angharad.pk, prescription.pk])
    response = client_for(coordinator_a).post(url, {"status": P.DECLINED_BY_PERSON})
    assert response.status_code == 302


def test_the_old_services_page_now_opens_the_directory(client_for, coordinator_a):
    response = client_for(coordinator_a).get(reverse("prescriptions:services"))
    assert response.status_code == 301
    assert response["Location"] == reverse("directory:search")

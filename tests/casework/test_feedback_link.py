"""The person gives feedback on their own through a one-time link, in their own language."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from linkwork.casework import actions
from linkwork.casework.models import ClientFeedback
from linkwork.referrals.status import ClosureReason

pytestmark = pytest.mark.django_db

ANSWERS = {
    "helpful": "5",
    "listened_to": "4",
    "involved_in_decisions": "4",
    "preferred_mode": "mix",
    "what_helped": "Someone to go with me",
}


@pytest.fixture
def closed(in_support, coordinator_a):
    actions.close_case(
        in_support, by=coordinator_a, reason=ClosureReason.GOALS_ACHIEVED, summary="Done"
    )
    return in_support


def make_link(client_for, coordinator, referral, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(
            reverse("casework:feedback_link", args=[referral.pk])
        )
    assert response.status_code == 200
    url = re.search(r"https?://[^\s<]+/feedback/[^\s<]+/", response.content.decode()).group(0)
    return "/" + url.split("/", 3)[3]


def test_the_link_is_emailed_to_the_person_and_works_once(
    client, client_for, coordinator_a, closed, django_capture_on_commit_callbacks
):
    closed.person.email = "eirlys@example.org"
    closed.person.save()

    path = make_link(client_for, coordinator_a, closed, django_capture_on_commit_callbacks)

    (email,) = mail.outbox
    assert email.to == ["eirlys@example.org"]
    assert path in email.body
    assert closed.person.family_name not in email.body
    assert client.get(path).status_code == 200
    response = client.post(path, ANSWERS)
    assert response.status_code == 302
    feedback = ClientFeedback.objects.get(referral=closed)
    assert feedback.completed_via == "secure_link"
    assert feedback.what_helped == "Someone to go with me"

    again = client.post(path, ANSWERS)
    assert again.status_code == 410
    assert ClientFeedback.objects.filter(referral=closed).count() == 1


def test_a_welsh_speaker_gets_the_form_in_welsh_and_keeps_what_they_typed(
    client, client_for, coordinator_a, closed, django_capture_on_commit_callbacks
):
    closed.person.preferred_language = "cy"
    closed.person.save()
    path = make_link(client_for, coordinator_a, closed, django_capture_on_commit_callbacks)

    response = client.post(path, {"what_helped": "Cael cwmni"})

    assert response.status_code == 200
    content = response.content.decode()
    assert 'lang="cy"' in content
    assert "Mae problem" in content
    assert "Cael cwmni" in content
    assert not ClientFeedback.objects.filter(referral=closed).exists()


def test_a_tampered_link_is_refused_and_shows_no_one(
    client, client_for, coordinator_a, closed, django_capture_on_commit_callbacks
):
    path = make_link(client_for, coordinator_a, closed, django_capture_on_commit_callbacks)
    tampered = path[:-3] + ("x" if path[-3] != "x" else "y") + path[-2:]

    response = client.get(tampered)

    assert response.status_code == 410
    assert closed.person.given_name not in response.content.decode()


def test_only_the_persons_coordinator_or_a_manager_can_make_a_link(
    client_for, coordinator_b, closed
):
    response = client_for(coordinator_b).post(reverse("casework:feedback_link", args=[closed.pk]))
    assert response.status_code == 404
    assert not closed.feedback_links.exists()


def test_no_link_while_the_person_is_still_in_support(client_for, coordinator_a, in_support):
    response = client_for(coordinator_a).post(
        reverse("casework:feedback_link", args=[in_support.pk])
    )
    assert response.status_code == 302
    assert not in_support.feedback_links.exists()


def test_the_coordinator_reads_the_link_offer_in_their_own_language(
    client_for, coordinator_a, closed
):
    closed.person.preferred_language = "cy"
    closed.person.save()

    content = client_for(coordinator_a).get(reverse("casework:feedback", args=[closed.pk])).content
    content = content.decode()

    assert "Make a feedback link" in content  # the coordinator's language
    assert "Anfon" in content  # the person's questionnaire, in Welsh

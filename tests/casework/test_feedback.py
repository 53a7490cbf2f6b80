"""The client feedback questionnaire at closure, in the person's own language."""

import html

import pytest
from django.urls import reverse

from linkwork.casework import actions
from linkwork.referrals.status import ReferralStatus
from tests.factories import make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_welsh(pathway_a, manager, coordinator_a):
    referral = make_referral(
        ReferralStatus.ALLOCATED,
        pathway=pathway_a,
        staff=manager,
        coordinator=coordinator_a,
        person={"preferred_language": "cy"},
    )
    actions.close_case(referral, by=coordinator_a, reason="goals_achieved", summary="Done")
    return referral


def test_the_questionnaire_is_in_welsh_for_a_welsh_speaker(client_for, coordinator_a, closed_welsh):
    url = reverse("casework:feedback", args=[closed_welsh.pk])
    response = client_for(coordinator_a).get(url)
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert '<html lang="cy"' in content
    assert 'lang="cy"' in content
    # Choices the Welsh catalogue already has.
    assert "Wyneb yn wyneb" in content
    assert "Anfon" in content

    # Mistakes are explained in Welsh too, and what was chosen is kept.
    response = client_for(coordinator_a).post(url, {"helpful": "4", "what_helped": "Y grŵp"})
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "Mae problem" in content
    assert "Y grŵp" in content
    assert response.context["form"]["helpful"].value() == "4"
    assert not closed_welsh.client_feedback.exists()

    response = client_for(coordinator_a).post(
        url,
        {
            "helpful": "4",
            "listened_to": "5",
            "involved_in_decisions": "5",
            "preferred_mode": "phone",
        },
    )
    assert response.status_code == 302
    assert closed_welsh.client_feedback.get().language == "cy"


def test_an_english_speaker_gets_it_in_english(client_for, coordinator_a, pathway_a, manager):
    referral = make_referral(
        ReferralStatus.ALLOCATED, pathway=pathway_a, staff=manager, coordinator=coordinator_a
    )
    actions.close_case(referral, by=coordinator_a, reason="goals_achieved", summary="Done")
    content = (
        client_for(coordinator_a)
        .get(reverse("casework:feedback", args=[referral.pk]))
        .content.decode()
    )
    assert "Face to face" in content
    assert "I felt listened to" in content


def test_feedback_is_only_for_their_last_coordinator_or_a_manager(
    client_for, coordinator_b, manager, manager_b, closed_welsh
):
    url = reverse("casework:feedback", args=[closed_welsh.pk])
    assert client_for(manager).get(url).status_code == 200
    assert client_for(coordinator_b).get(url).status_code == 404
    assert client_for(manager_b).get(url).status_code == 404

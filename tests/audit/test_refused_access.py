"""Issue 15, finding 4: refused (404) attempts to open someone's record were not audited. Now a
signed-in user who asks for a record about a person they may not see is in the log as "Refused
access", with the kind of record and the id asked for, and whose record it is when it exists,
while the answer stays the same 404 as for a record that does not exist."""

import re

import pytest
from django.urls import reverse

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.casework import actions as casework
from linkwork.referrals.status import ReferralStatus
from linkwork.safeguarding import actions as safeguarding
from linkwork.trials import actions as trials
from tests.factories import make_referral
from tests.trials.conftest import draft_trial, trial, trial_manager  # noqa: F401

pytestmark = pytest.mark.django_db

NO_SUCH_ID = 987654321


@pytest.fixture
def in_support_b(pathway_b, gp_referrer, manager_b, coordinator_b):
    return make_referral(
        ReferralStatus.ALLOCATED,
        pathway=pathway_b,
        by=gp_referrer,
        staff=manager_b,
        coordinator=coordinator_b,
    )


def refusals():
    return [
        (e.user, e.object_type, e.object_id, e.person_id)
        for e in AuditEvent.objects.filter(action=AuditAction.REFUSED).order_by("pk")
    ]


def same_page(response, url: str) -> str:
    """The page without what differs on every response (the CSRF token, the CSP nonce) and the
    address asked for (in the language switch)."""
    text = response.content.decode().replace(url, "[the address]")
    text = re.sub(r'nonce="[^"]*"', 'nonce=""', text)
    text = re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', text)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


@pytest.mark.parametrize(
    "page",
    [
        "referrals:detail",
        "referrals:triage",
        "casework:record",
        "casework:timeline",
        "outcomes:measures",
        "prescriptions:list",
        "safeguarding:person",
    ],
)
def test_a_coordinator_at_another_site_is_refused_and_it_is_recorded(
    client_for, coordinator_b, in_support, page
):
    response = client_for(coordinator_b).get(reverse(page, args=[in_support.pk]))
    assert response.status_code == 404
    assert refusals() == [
        (coordinator_b, "referrals.referral", str(in_support.pk), in_support.person_id)
    ]
    assert not AuditEvent.objects.filter(user=coordinator_b, action=AuditAction.VIEW).exists()


def test_a_record_that_does_not_exist_is_recorded_without_a_person(client_for, coordinator_b):
    response = client_for(coordinator_b).get(reverse("referrals:detail", args=[NO_SUCH_ID]))
    assert response.status_code == 404
    assert refusals() == [(coordinator_b, "referrals.referral", str(NO_SUCH_ID), None)]


def test_the_answer_is_the_same_whether_or_not_the_record_exists(
    client_for, coordinator_b, in_support
):
    browser = client_for(coordinator_b)
    asked = reverse("referrals:detail", args=[in_support.pk])
    not_there = reverse("referrals:detail", args=[NO_SUCH_ID])
    someone, no_one = browser.get(asked), browser.get(not_there)
    assert someone.status_code == no_one.status_code == 404
    assert same_page(someone, asked) == same_page(no_one, not_there)
    varies = {"Content-Security-Policy", "Content-Length", "Date", "Expires"}
    assert someone.headers.keys() == no_one.headers.keys()
    assert {k: v for k, v in someone.headers.items() if k not in varies} == {
        k: v for k, v in no_one.headers.items() if k not in varies
    }


def test_a_safeguarding_concern_names_the_concern(
    client_for, coordinator_a, coordinator_b, in_support
):
    concern = safeguarding.raise_concern(
        in_support, by=coordinator_a, kind="falls", summary="Fell twice"
    )
    browser = client_for(coordinator_b)
    assert browser.get(reverse("safeguarding:concern", args=[concern.pk])).status_code == 404
    assert browser.get(reverse("safeguarding:concern", args=[NO_SUCH_ID])).status_code == 404
    assert refusals() == [
        (coordinator_b, "safeguarding.safeguardingconcern", str(concern.pk), in_support.person_id),
        (coordinator_b, "safeguarding.safeguardingconcern", str(NO_SUCH_ID), None),
    ]


def test_a_record_asked_for_under_someone_else_names_whose_it_is(
    client_for, coordinator_a, coordinator_b, in_support, in_support_b
):
    """Coordinator B asks for Ann's goal under the address of someone B does support."""
    goal = casework.add_goal(in_support, by=coordinator_a, description="Walk", domain="social")
    url = reverse("casework:goal", args=[in_support_b.pk, goal.pk])
    assert client_for(coordinator_b).get(url).status_code == 404
    assert refusals() == [(coordinator_b, "casework.goal", str(goal.pk), in_support.person_id)]


def test_a_part_in_a_trial_names_the_participant(
    client_for,
    coordinator_a,
    coordinator_b,
    waiting,
    trial,  # noqa: F811
):
    participant = trials.screen(trial, waiting, by=coordinator_a, unmet=[])
    url = reverse("trials:participant", args=[participant.pk])
    assert client_for(coordinator_b).get(url).status_code == 404
    assert refusals() == [
        (coordinator_b, "trials.participant", str(participant.pk), waiting.person_id)
    ]


def test_a_referrer_asking_for_another_practices_referral_is_recorded(
    client_for, other_referrer, in_support
):
    response = client_for(other_referrer).get(reverse("referrals:detail", args=[in_support.pk]))
    assert response.status_code == 404
    assert refusals() == [
        (other_referrer, "referrals.referral", str(in_support.pk), in_support.person_id)
    ]


def test_someone_not_signed_in_is_sent_to_sign_in_not_recorded(client, in_support):
    response = client.get(reverse("casework:record", args=[in_support.pk]))
    assert response.status_code == 302
    assert refusals() == []


def test_a_page_not_found_for_other_reasons_is_not_a_refusal(
    client_for, manager, pathway_a, gp_referrer
):
    """Allocating someone not yet triaged: a referral the manager may see, but no such page
    for it now."""
    received = make_referral(ReferralStatus.RECEIVED, pathway=pathway_a, by=gp_referrer)
    response = client_for(manager).get(reverse("referrals:allocate", args=[received.pk]))
    assert response.status_code == 404
    assert refusals() == []


def test_the_log_shows_refusals_in_words(client_for, administrator, coordinator_b, in_support):
    client_for(coordinator_b).get(reverse("casework:record", args=[in_support.pk]))
    page = (
        client_for(administrator)
        .get(reverse("audit:log"), {"action": AuditAction.REFUSED})
        .content.decode()
    )
    assert "Refused access: referral" in page
    assert in_support.person.reference in page
    assert coordinator_b.display_name in page

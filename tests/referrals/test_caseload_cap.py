"""Managers set each link coordinator's caseload cap; allocation then respects it."""

import pytest
from django.urls import reverse

from linkwork.audit.models import AuditEvent
from linkwork.referrals.status import ReferralStatus as S
from tests.factories import make_referral

pytestmark = pytest.mark.django_db


def cap_url(coordinator) -> str:
    return reverse("referrals:caseload_cap", args=[coordinator.pk])


def test_a_manager_changes_a_coordinators_cap_and_it_is_audited(client_for, manager, coordinator_a):
    response = client_for(manager).post(cap_url(coordinator_a), {"cap": "12"})

    assert response.status_code == 302
    coordinator_a.refresh_from_db()
    assert coordinator_a.caseload_cap == 12
    event = AuditEvent.objects.get(object_type="accounts.user", object_id=str(coordinator_a.pk))
    assert event.user == manager
    assert event.fields == ["caseload_cap"]
    assert event.detail == "caseload cap 15 -> 12"


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "Enter a caseload cap"), ("0", "at least 1"), ("ten", "whole number"), ("101", "100")],
)
def test_a_bad_cap_is_explained_and_what_was_typed_is_kept(
    client_for, manager, coordinator_a, typed, message
):
    response = client_for(manager).post(cap_url(coordinator_a), {"cap": typed})

    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert f'value="{typed}"' in content or typed == ""
    coordinator_a.refresh_from_db()
    assert coordinator_a.caseload_cap == 15


def test_a_manager_cannot_change_the_cap_of_a_coordinator_at_another_site(
    client_for, manager, coordinator_b
):
    response = client_for(manager).post(cap_url(coordinator_b), {"cap": "1"})

    assert response.status_code == 404
    coordinator_b.refresh_from_db()
    assert coordinator_b.caseload_cap == 15


def test_a_coordinator_cannot_change_their_own_cap(client_for, coordinator_a):
    response = client_for(coordinator_a).post(cap_url(coordinator_a), {"cap": "50"})

    assert response.status_code == 403
    coordinator_a.refresh_from_db()
    assert coordinator_a.caseload_cap == 15


def test_lowering_the_cap_keeps_the_caseload_and_stops_new_allocations(
    client_for, manager, coordinator_a, gp_referrer, pathway_a
):
    make_referral(S.ALLOCATED, pathway=pathway_a, by=gp_referrer, coordinator=coordinator_a)
    waiting = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)
    browser = client_for(manager)

    browser.post(cap_url(coordinator_a), {"cap": "1"})
    response = browser.post(
        reverse("referrals:allocate", args=[waiting.pk]), {"coordinator": coordinator_a.pk}
    )

    assert response.status_code == 200
    assert "caseload is full (1 of 1)" in response.content.decode()
    assert coordinator_a.current_caseload() == 1
    waiting.refresh_from_db()
    assert waiting.status == S.WAITING

"""Who may see and change social prescriptions: every rule, tried by someone it should stop."""

import pytest
from django.urls import reverse

from linkwork.accounts.permissions import Permission, has_permission
from linkwork.prescriptions import actions
from linkwork.prescriptions.models import PrescriptionUpdate, ServiceLink, SocialPrescription
from linkwork.referrals.status import ReferralStatus
from tests.factories import CoordinatorFactory, make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(site_a):
    """Another link coordinator at site A: may read, but the person is not on their caseload."""
    return CoordinatorFactory(username="colleague", first_name="Rhys", sites=[site_a])


def _snapshot():
    return (
        sorted(SocialPrescription.objects.values_list("pk", "status", "needs_attention_since")),
        PrescriptionUpdate.objects.count(),
        sorted(ServiceLink.objects.values_list("pk", "used_at", "revoked_at")),
    )


def _pages(prescription):
    referral, pk = prescription.referral_id, prescription.pk
    link = prescription.links.get()
    return {
        "list": ("get", reverse("prescriptions:list", args=[referral]), None),
        "detail": ("get", reverse("prescriptions:detail", args=[referral, pk]), None),
        "new": (
            "post",
            reverse("prescriptions:new", args=[referral]),
            {
                "service": prescription.service_id,
                "asked_for": "x",
                "accompany_first_visit": "no",
                "send": "yes",
            },
        ),
        "update": (
            "post",
            reverse("prescriptions:update", args=[referral, pk]),
            {"status": "declined_by_person"},
        ),
        "new_link": ("post", reverse("prescriptions:new_link", args=[referral, pk]), {}),
        "revoke_link": (
            "post",
            reverse("prescriptions:revoke_link", args=[referral, pk, link.pk]),
            {},
        ),
    }


# who -> expected status for each page (list, detail, new, update, new_link, revoke_link)
BREAK_INS = {
    "coordinator_b": (404, 404, 404, 404, 404, 404),  # another site
    "manager_b": (404, 404, 404, 404, 404, 404),  # manages another site only
    "gp_referrer": (404, 404, 404, 404, 404, 404),  # referred the person
    "researcher": (404, 404, 404, 404, 404, 404),
    "administrator": (404, 404, 404, 404, 404, 404),
    "outsider": (404, 404, 404, 404, 404, 404),
    # Same site, not their caseload: reading asks for a reason first (decision 0023).
    "colleague": (302, 302, 404, 404, 404, 404),
}
PAGES = ("list", "detail", "new", "update", "new_link", "revoke_link")


@pytest.mark.parametrize("who", list(BREAK_INS))
def test_people_without_the_right_change_nothing(who, sent, client_for, request):
    prescription, _path = sent
    browser = client_for(request.getfixturevalue(who))
    pages = _pages(prescription)
    before = _snapshot()
    for page, expected in zip(PAGES, BREAK_INS[who], strict=True):
        method, url, data = pages[page]
        response = getattr(browser, method)(url, data) if data is not None else browser.get(url)
        assert response.status_code == expected, f"{who} {page}"
        if expected == 302:
            assert "/open/" in response["Location"]
        if expected != 200:
            content = response.content.decode()
            assert "Angharad" not in content
    assert _snapshot() == before


def test_anonymous_visitors_are_sent_to_sign_in(client, sent):
    prescription, _path = sent
    before = _snapshot()
    for _page, (method, url, data) in _pages(prescription).items():
        response = getattr(client, method)(url, data) if data is not None else client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert _snapshot() == before


@pytest.mark.parametrize("who", ["coordinator_a", "manager"])
def test_the_persons_coordinator_and_their_manager_may(who, sent, client_for, request):
    prescription, _path = sent
    browser = client_for(request.getfixturevalue(who))
    pages = _pages(prescription)
    for page in ("list", "detail"):
        assert browser.get(pages[page][1]).status_code == 200
    new = reverse("prescriptions:new", args=[prescription.referral_id])
    assert browser.get(f"{new}?service={prescription.service_id}").status_code == 200
    method, url, data = pages["update"]
    assert browser.post(url, data).status_code == 302
    prescription.refresh_from_db()
    assert prescription.status == "declined_by_person"


def test_a_reallocated_person_moves_with_the_permission(sent, coordinator_a, colleague, manager):
    prescription, _path = sent
    referral = prescription.referral
    assert has_permission(coordinator_a, Permission.UPDATE_SOCIAL_PRESCRIPTION, referral)
    from linkwork.referrals import actions as referral_actions
    from linkwork.referrals.queries import current_allocation

    referral_actions.allocate_referral(
        referral, coordinator=colleague, by=manager, replacing=current_allocation(referral)
    )
    referral.refresh_from_db()
    assert not has_permission(coordinator_a, Permission.UPDATE_SOCIAL_PRESCRIPTION, referral)
    assert has_permission(colleague, Permission.MAKE_SOCIAL_PRESCRIPTION, referral)


def test_the_services_list_is_for_site_staff(
    client_for, coordinator_a, gp_referrer, researcher, walking_group
):
    assert client_for(coordinator_a).get(reverse("prescriptions:services")).status_code == 301
    assert client_for(gp_referrer).get(reverse("prescriptions:services")).status_code == 403
    assert client_for(researcher).get(reverse("prescriptions:services")).status_code == 403


def test_a_coordinator_cannot_prescribe_for_someone_not_on_their_caseload_at_their_site(
    client_for, coordinator_a, pathway_a, gp_referrer, walking_group, colleague
):
    other = make_referral(
        ReferralStatus.ALLOCATED, pathway=pathway_a, by=gp_referrer, coordinator=colleague
    )
    url = reverse("prescriptions:new", args=[other.pk])
    response = client_for(coordinator_a).post(
        url,
        {
            "service": walking_group.pk,
            "asked_for": "x",
            "accompany_first_visit": "no",
            "send": "no",
        },
    )
    assert response.status_code == 404
    assert not SocialPrescription.objects.exists()
    actions.make_prescription(other, by=colleague, service=walking_group, asked_for="x")

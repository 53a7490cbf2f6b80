"""The referral page links to the person's record for exactly those who may open it."""

import pytest
from django.urls import reverse

from linkwork.referrals.status import ReferralStatus as S
from tests.factories import CoordinatorFactory, allocate, make_referral

pytestmark = pytest.mark.django_db

LINK = "Open the person's record"


def page(client_for, user, referral) -> str:
    response = client_for(user).get(reverse("referrals:detail", args=[referral.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_coordinator_and_the_manager_see_the_link(
    client_for, in_support, coordinator_a, manager
):
    assert LINK in page(client_for, coordinator_a, in_support)
    assert LINK in page(client_for, manager, in_support)


def test_another_coordinator_at_the_site_does_not(client_for, in_support, site_a):
    # A site where every coordinator reads every referral (decision 0023): still no record link.
    site_a.coordinator_access = site_a.CoordinatorAccess.SITE
    site_a.save(update_fields=["coordinator_access"])
    colleague = CoordinatorFactory(sites=[site_a])
    assert LINK not in page(client_for, colleague, in_support)


def test_a_coordinator_who_handed_over_still_sees_it(
    client_for, in_support, site_a, manager, coordinator_a
):
    successor = CoordinatorFactory(sites=[site_a])
    allocate(
        in_support,
        coordinator=successor,
        by=manager,
        replacing=in_support.allocations.get(ended_at=None),
    )
    assert LINK in page(client_for, coordinator_a, in_support)
    assert LINK in page(client_for, successor, in_support)


def test_no_link_before_the_person_is_in_support(client_for, manager, pathway_a, gp_referrer):
    waiting = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)
    assert LINK not in page(client_for, manager, waiting)

"""The people in support list (in support, closed, all) runs the same number of SQL queries
however many people it lists (`tests/query_counts.py`). Each person added has their own
pathway, organisation, coordinator and support plan, so that a query per related row would
show. (The record itself is held flat in `test_record.py`.)"""

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.casework import actions
from linkwork.referrals.status import ClosureReason, ReferralStatus
from tests.factories import CoordinatorFactory, PathwayFactory, make_referral
from tests.query_counts import assert_flat

S = ReferralStatus

pytestmark = pytest.mark.django_db


def in_support(site, k: int, *, coordinator=None, close: bool = False) -> None:
    """k people allocated at the site (each to a new coordinator unless one is given), with a
    support plan; closed by their coordinator if `close`."""
    for _ in range(k):
        who = coordinator or CoordinatorFactory(sites=[site])
        referral = make_referral(
            S.ALLOCATED,
            pathway=PathwayFactory(site=site, organisations=[]),
            coordinator=who,
        )
        actions.set_support_plan(
            referral, by=who, starts_on=timezone.localdate(), planned_sessions=6
        )
        if close:
            actions.close_case(
                referral, by=who, reason=ClosureReason.GOALS_ACHIEVED, summary="Goals met."
            )


@pytest.mark.parametrize("shown", ["open", "closed", "all"])
def test_people_in_support_for_a_manager(shown, client_for, manager, site_a):
    def add(k):
        in_support(site_a, k)
        in_support(site_a, k, close=True)

    url = reverse("casework:people") + f"?status={shown}"
    assert_flat(client_for(manager), url, add)


def test_people_in_support_for_a_coordinator(client_for, coordinator_a, site_a):
    coordinator_a.caseload_cap = 50
    coordinator_a.save()

    def add(k):
        in_support(site_a, k, coordinator=coordinator_a)
        in_support(site_a, k, coordinator=coordinator_a, close=True)

    url = reverse("casework:people") + "?status=all"
    assert_flat(client_for(coordinator_a), url, add)

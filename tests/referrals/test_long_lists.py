"""Busy services: long lists stay usable and nothing is silently hidden."""

import pytest
from django.urls import reverse

from linkwork.home.dashboards import TRIAGE_ON_HOME
from linkwork.referrals.status import ReferralStatus as S
from linkwork.referrals.views.staff import WAITING_PER_SITE_WHEN_ALL_SHOWN
from tests.factories import make_referral

pytestmark = pytest.mark.django_db


def test_the_manager_home_shows_the_oldest_referrals_to_triage_and_links_to_all(
    client_for, manager, gp_referrer, pathway_a
):
    referrals = [
        make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer)
        for _ in range(TRIAGE_ON_HOME + 1)
    ]

    response = client_for(manager).get(reverse("home"))

    shown = list(response.context["to_triage"])
    assert shown == referrals[:TRIAGE_ON_HOME]  # oldest first
    content = response.content.decode()
    assert f"See all {TRIAGE_ON_HOME + 1} referrals to triage" in content
    assert f"{reverse('referrals:list')}?status=to_triage" in content


def test_with_several_sites_each_waiting_list_is_cut_short_with_a_link_to_the_whole_list(
    client_for, manager_both, gp_referrer, pathway_a, pathway_b, site_a
):
    for _ in range(WAITING_PER_SITE_WHEN_ALL_SHOWN + 2):
        make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)
    make_referral(S.WAITING, pathway=pathway_b, by=gp_referrer)
    browser = client_for(manager_both)

    response = browser.get(reverse("referrals:waiting_list"))

    site_a_list, site_b_list = sorted(response.context["lists"], key=lambda x: x["site"].name)
    assert len(site_a_list["entries"]) == WAITING_PER_SITE_WHEN_ALL_SHOWN
    assert site_a_list["total"] == WAITING_PER_SITE_WHEN_ALL_SHOWN + 2
    assert len(site_b_list["entries"]) == 1
    content = response.content.decode()
    assert f"See all {WAITING_PER_SITE_WHEN_ALL_SHOWN + 2} people waiting at {site_a}" in content

    whole = browser.get(reverse("referrals:waiting_list"), {"site": site_a.pk})
    (only,) = whole.context["lists"]
    assert len(only["entries"]) == WAITING_PER_SITE_WHEN_ALL_SHOWN + 2

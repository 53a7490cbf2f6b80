"""The manager's home page makes "one surgery referring and that was it" visible: at each site,
how concentrated GP referrals were over the last 12 months, and who has gone quiet."""

import html
import re

import pytest
from django.urls import reverse

from linkwork.engagement import actions
from linkwork.partners.models import SourceType
from tests.engagement.conftest import refer
from tests.factories import OrganisationFactory, PathwayFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page's words, without markup."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.content.decode())).split())


@pytest.fixture
def site_a_referrals(site_a, pathway_a, gp_practice, severn):
    """At site A over the last 12 months: Llanidloes sent 3 GP referrals and Severn Valley 1;
    Caersws (named on a pathway) sent one 400 days ago and none since; the crisis team sent 2,
    which are not GP referrals."""
    caersws = OrganisationFactory(name="Caersws Surgery")
    PathwayFactory(site=site_a, name="GP (named)", organisations=[caersws])
    for days in (5, 30, 90):
        refer(pathway_a, gp_practice, days=days)
    refer(pathway_a, severn, days=70)
    refer(pathway_a, caersws, days=400)
    crisis = OrganisationFactory(name="Powys Crisis Team", source_type=SourceType.CRISIS_TEAM)
    crisis_pathway = PathwayFactory(
        site=site_a, name="Crisis", source_type=SourceType.CRISIS_TEAM, organisations=[]
    )
    refer(crisis_pathway, crisis, days=2)
    refer(crisis_pathway, crisis, days=3)


def test_how_concentrated_gp_referrals_are(client_for, manager, site_a_referrals):
    page = text(client_for(manager).get(reverse("home")))
    assert (
        "Llanidloes Health Centre sent 3 of 4 GP referrals (75%); 1 of 3 practices sent none."
        in page
    )


def test_the_practice_is_a_link_to_its_page(client_for, manager, site_a_referrals, gp_practice):
    content = client_for(manager).get(reverse("home")).content.decode()
    partner_page = reverse("engagement:partner", args=["referring", gp_practice.pk])
    assert f'href="{partner_page}?site=' in content


def test_who_has_gone_quiet(client_for, manager, site_a_referrals, site_a):
    browser = client_for(manager)
    page = text(browser.get(reverse("home")))
    # Severn Valley: 70 days; Caersws: 400. Llanidloes (5 days) and the crisis team have not.
    assert "2 referring organisations have gone quiet" in page
    assert "Caersws Surgery (GP practice): no referral for 400 days" in page
    assert "Severn Valley Surgery (GP practice): no referral for 70 days" in page
    assert page.index("Caersws Surgery (GP") < page.index("Severn Valley Surgery (GP")
    actions.set_quiet_after_days(site_a, by=manager, days=90)
    page = text(browser.get(reverse("home")))
    assert "1 referring organisation has gone quiet" in page
    assert "Severn Valley Surgery (GP practice)" not in page


def test_a_new_referral_counts_at_once_though_the_summary_is_kept(
    client_for, manager, site_a_referrals, pathway_a, severn
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    browser = client_for(manager)
    with CaptureQueriesContext(connection) as first:
        page = text(browser.get(reverse("home")))
    assert "Severn Valley Surgery (GP practice): no referral for 70 days" in page
    # Asked again, the aggregate over every referral at the site is not run again.
    with CaptureQueriesContext(connection) as again:
        browser.get(reverse("home"))
    assert len(again.captured_queries) == len(first.captured_queries) - 1
    refer(pathway_a, severn, days=0)
    page = text(browser.get(reverse("home")))
    assert "Severn Valley Surgery (GP practice)" not in page
    assert "1 referring organisation has gone quiet" in page


def test_each_site_has_its_own_line(
    client_for, manager_both, site_a_referrals, pathway_b, gp_practice
):
    refer(pathway_b, gp_practice, days=1)
    page = text(client_for(manager_both).get(reverse("home")))
    assert "Powys Rural: Llanidloes Health Centre sent 3 of 4" in page
    assert (
        "Rhondda Valleys: Llanidloes Health Centre sent 1 of 1 GP referral (100%); "
        "the 1 practice sent at least one." in page
    )


def test_a_site_without_gp_referrals(client_for, manager, site_a):
    PathwayFactory(site=site_a, name="GP (named)", organisations=[OrganisationFactory()])
    page = text(client_for(manager).get(reverse("home")))
    assert "No GP referrals in the last 12 months." in page
    assert "No referring organisation has gone quiet." in page

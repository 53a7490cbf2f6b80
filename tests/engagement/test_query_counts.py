"""The partners list, a partner's page and the manager's home page run the same number of
queries however many partners, referrals and engagement activities there are (aggregates,
not a query per organisation)."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linkwork.engagement import actions
from linkwork.engagement.models import PartnerKind
from tests.engagement.conftest import as_partner, refer
from tests.factories import OrganisationFactory, make_service

pytestmark = pytest.mark.django_db

N = 3
_names = itertools.count(1)


def queries(browser, address: str) -> tuple[int, str]:
    assert browser.get(address).status_code == 200  # warm up (sessions, caches)
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(address)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


@pytest.fixture
def add_partners(site_a, pathway_a, manager):
    """`add_partners(k)`: k GP practices referring to site A (every other one long ago, so gone
    quiet), each with an engagement activity and a contact, and k community organisations
    serving site A, each engaged once."""
    today = timezone.localdate()

    def add(k: int) -> None:
        for i in range(k):
            n = next(_names)
            practice = OrganisationFactory(name=f"Practice {n:03d}")
            refer(pathway_a, practice, days=5 if i % 2 else 150)
            community = make_service(name=f"Group {n:03d}", sites=[site_a]).organization
            for kind, organisation in (
                (PartnerKind.REFERRING, practice),
                (PartnerKind.RECEIVING, community),
            ):
                actions.record_activity(
                    as_partner(organisation, kind),
                    by=manager,
                    site=site_a,
                    kind="letter",
                    happened_on=today - datetime.timedelta(days=i),
                    summary="Letter.",
                    sites=[site_a],
                )
            actions.add_contact(as_partner(practice), by=manager, details={"name": f"PM {n}"})

    return add


@pytest.mark.parametrize("page", ["home", "engagement:partners"])
def test_the_count_does_not_grow_with_the_partners(page, client_for, manager, add_partners):
    browser = client_for(manager)
    add_partners(N)
    small, small_page = queries(browser, reverse(page))
    add_partners(2 * N)
    large, large_page = queries(browser, reverse(page))
    # The partners really are on the page: otherwise an empty page would pass.
    assert large_page.count("Practice 0") > small_page.count("Practice 0") > 0
    assert large == small, f"{small} queries with {N} partners, {large} with {3 * N}"


def test_a_partners_page_does_not_grow_with_its_referrals_and_engagement(
    client_for, manager, site_a, pathway_a, severn
):
    browser = client_for(manager)
    address = reverse("engagement:partner", args=[PartnerKind.REFERRING, severn.pk])
    today = timezone.localdate()

    def add(k: int) -> None:
        for i in range(k):
            refer(pathway_a, severn, days=10 + 30 * i)
            actions.record_activity(
                as_partner(severn),
                by=manager,
                site=site_a,
                kind="practice_visit",
                happened_on=today - datetime.timedelta(days=20 + 30 * i),
                summary=f"Visit {i}",
                sites=[site_a],
            )
            actions.add_contact(
                as_partner(severn), by=manager, details={"name": f"Contact {next(_names)}"}
            )

    add(N)
    small, small_page = queries(browser, address)
    add(2 * N)
    large, page = queries(browser, address)
    assert page.count("Visit ") > small_page.count("Visit ") > 0
    assert page.count("Contact ") > small_page.count("Contact ") > 0
    assert large == small, f"{small} queries with {N} of each, {large} with {3 * N}"

"""The directory's pages that list records run the same number of SQL queries however many
they list (`tests/query_counts.py`): the search results (as they are, and when finding a
service for someone), and a service's page with its places, availability history and local
notes. Each service added has its own organisation, categories, place, times, phone, language,
cost and area; each change and note its own author."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.directory import actions
from linkwork.directory.models import CostOption, Language, ServiceArea
from linkwork.referrals.status import ReferralStatus
from tests.directory.conftest import place, weekly
from tests.factories import CoordinatorFactory, ManagerFactory, make_referral, make_service
from tests.query_counts import N, Page, assert_flat, assert_same_count

pytestmark = pytest.mark.django_db

_made = itertools.count(1)


def services(site, k: int) -> None:
    """k services at the site, each with everything a result shows."""
    for _ in range(k):
        n = next(_made)
        service = make_service(
            name=f"Club {n}",
            organisation_name=f"Organisation {n}",
            sites=[site],
            terms=[f"Kind {n}", f"Other kind {n}"],
            phone="01686 412345",
            minimum_age=18,
            last_checked_on=timezone.localdate() - datetime.timedelta(days=400 * (n % 2)),
        )
        place(service, f"{n} High Street", f"Town {n}", "SY18 6AA")
        weekly(service, "MO,TH")
        Language.objects.create(service=service, name="Welsh", code="cy")
        CostOption.objects.create(service=service, amount=Decimal("2.50"), option="a session")
        ServiceArea.objects.create(service=service, name=f"Area {n}")


def test_directory_search(client_for, coordinator_a, site_a):
    assert_flat(
        client_for(coordinator_a), reverse("directory:search"), lambda k: services(site_a, k)
    )


def test_directory_search_for_someone(client_for, coordinator_a, site_a, pathway_a):
    person = make_referral(ReferralStatus.ALLOCATED, pathway=pathway_a, coordinator=coordinator_a)
    url = reverse("directory:search") + f"?referral={person.pk}"
    assert_flat(client_for(coordinator_a), url, lambda k: services(site_a, k))


def busy_service(site, k: int, name: str):
    """A service with k places, k availability changes and k local notes, each by someone
    else."""
    service = make_service(name=name, sites=[site], terms=["Walking"])
    for i in range(k):
        place(service, f"{i} Station Road", f"Town {i}", "LD6 5AB")
        actions.change_availability(
            service,
            by=CoordinatorFactory(sites=[site]),
            availability="open" if i % 2 else "limited",
            note="" if i % 2 else "Waiting list",
        )
        actions.add_local_note(service, by=ManagerFactory(sites=[site]), text=f"Note {i}")
    return service


def test_a_services_page(client_for, coordinator_a, site_a):
    client = client_for(coordinator_a)
    small = busy_service(site_a, N, "Small service")
    large = busy_service(site_a, 3 * N, "Large service")
    large_page = Page(client, reverse("directory:service", args=[large.pk]))
    assert_same_count(
        "/directory/services/<pk>/",
        Page(client, reverse("directory:service", args=[small.pk])),
        large_page,
    )
    # The history is a table (counted as rows); the places and notes are shown too.
    last = 3 * N - 1
    assert f"Town {last}" in large_page.content and f"Note {last}" in large_page.content

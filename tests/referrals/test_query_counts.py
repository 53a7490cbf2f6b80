"""The referral pages people use most run the same number of SQL queries however much data
they show: the three home pages, the referral list, the waiting list, caseloads, one referral's
pages (detail, triage, allocation) and the audit log.

Each test renders a page with N rows of what it lists, adds 2N more of the same (with their own
related rows: people, pathways, organisations, coordinators, users), renders it again and asserts
the query count did not change (`tests/query_counts.py` has the helpers). A page that fetches
something per row (an N+1) fails here. The other apps' list pages are in their own
`test_list_query_counts.py`.

The number of sites a user works at is scaled the same way, since several pages draw one table
per site. A known N+1 whose fix lies outside `referrals/queries.py` and `home/dashboards.py`
is marked `xfail(strict=True)`: the suite stays green, the problem stays visible, and the test
starts failing (as XPASS) the day it is fixed, so the mark gets removed.
"""

import datetime
from functools import partial

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.audit import service as audit
from linkwork.audit.models import AuditAction
from linkwork.home import dashboards
from linkwork.referrals import actions, queries
from linkwork.referrals.models import Referral
from linkwork.referrals.status import Priority, ReferralStatus
from tests.factories import (
    CoordinatorFactory,
    ManagerFactory,
    PathwayFactory,
    SiteFactory,
    UserFactory,
    advance,
    allocate,
    make_referral,
)
from tests.query_counts import N, Page, assert_flat, assert_record_flat, assert_same_count

S = ReferralStatus
DOB = datetime.date(1975, 3, 14)  # shared by referrals meant to look like duplicates

pytestmark = pytest.mark.django_db


# --- helpers -----------------------------------------------------------------------------------


def waiting(site, k: int, **kwargs) -> list:
    """k people on the site's waiting list, every other one urgent, each through a different
    pathway and from a different organisation."""
    made = []
    for i in range(k):
        pathway = PathwayFactory(site=site, organisations=[])
        priority = Priority.URGENT if i % 2 else Priority.ROUTINE
        made.append(make_referral(S.WAITING, pathway=pathway, priority=priority, **kwargs))
    return made


def to_triage(site, k: int, **kwargs) -> None:
    for i in range(k):
        pathway = PathwayFactory(site=site, organisations=[])
        status = S.INFORMATION_REQUESTED if i % 2 else S.RECEIVED
        make_referral(status, pathway=pathway, **kwargs)


def allocated(site, k: int, **kwargs) -> None:
    """k allocated referrals, each to a new coordinator at the site unless one is given."""
    for _ in range(k):
        make_referral(S.ALLOCATED, pathway=PathwayFactory(site=site, organisations=[]), **kwargs)


# --- home pages --------------------------------------------------------------------------------


def test_manager_home(client_for, manager, site_a):
    def add(k):
        to_triage(site_a, k)
        waiting(site_a, k)
        allocated(site_a, k)  # k more coordinators in the caseloads table

    assert_flat(client_for(manager), reverse("home"), add)


def test_coordinator_home(client_for, coordinator_a, site_a):
    coordinator_a.caseload_cap = 50
    coordinator_a.save()

    def add(k):
        allocated(site_a, k, coordinator=coordinator_a)
        waiting(site_a, k)

    assert_flat(client_for(coordinator_a), reverse("home"), add)


def test_referrer_home(client_for, gp_referrer, pathway_a):
    def add(k):
        for i in range(k):
            status = S.INFORMATION_REQUESTED if i % 2 else S.WAITING
            make_referral(status, pathway=pathway_a, by=gp_referrer)
            make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer)

    assert_flat(client_for(gp_referrer), reverse("home"), add)


def test_waiting_list_summary_figures(manager_both, manager, site_a, site_b):
    """The home pages' per-site summary, now one aggregate query: the figures are still right."""
    now = timezone.now()
    for days, priority in ((40, Priority.ROUTINE), (3, Priority.URGENT), (10, Priority.URGENT)):
        referral = make_referral(S.WAITING, site=site_a, priority=priority)
        accepted_at = now - datetime.timedelta(days=days)
        Referral.objects.filter(pk=referral.pk).update(accepted_at=accepted_at)
    make_referral(S.ALLOCATED, site=site_a)  # no longer waiting
    make_referral(S.RECEIVED, site=site_b)  # not yet waiting

    summary = {row["site"]: row for row in dashboards.waiting_list_summary(manager_both)}

    assert list(summary) == [site_a, site_b]
    assert summary[site_a] | {"site": None} == {
        "site": None,
        "count": 3,
        "urgent": 2,
        "longest_days": 40,
    }
    assert summary[site_b] | {"site": None} == {
        "site": None,
        "count": 0,
        "urgent": 0,
        "longest_days": 0,
    }
    assert [row["site"] for row in dashboards.waiting_list_summary(manager)] == [site_a]


def test_caseload_counts_only_current_allocations_and_each_coordinator_once(
    manager_both, site_a, site_b
):
    """The caseload annotation, now a subquery: ended allocations do not count, and someone who
    works at two of the manager's sites is listed once."""
    both = CoordinatorFactory(sites=[site_a, site_b], caseload_cap=5)
    idle = CoordinatorFactory(sites=[site_b])
    first = make_referral(S.ALLOCATED, site=site_a, coordinator=both)
    allocated(site_b, 1, coordinator=both)
    allocate(first, replacing=first.allocations.get())  # moved to someone else: ended for `both`

    coordinators = {c: c for c in queries.coordinators_for(manager_both)}
    assert coordinators[both].caseload == 1
    assert coordinators[both].places_free == 4
    assert coordinators[idle].caseload == 0
    assert list(queries.coordinators_for(manager_both)).count(both) == 1
    at_a = {c: c.caseload for c in queries.coordinators_for_site(site_a)}
    assert at_a[both] == 1


# --- lists -------------------------------------------------------------------------------------


def test_referral_list(client_for, manager, site_a):
    def add(k):
        # A different pathway and organisation (the factories make one each time) per referral.
        to_triage(site_a, k)
        waiting(site_a, k)
        for _ in range(k):
            make_referral(
                S.RECEIVED,
                pathway=PathwayFactory(site=site_a, source_type="self_referral"),
                self_referral=True,
            )

    assert_flat(client_for(manager), reverse("referrals:list"), add)


def test_referral_list_for_a_referrer(client_for, gp_referrer, pathway_a):
    def add(k):
        for _ in range(k):
            make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)

    assert_flat(client_for(gp_referrer), reverse("referrals:list"), add)


def test_waiting_list(client_for, manager, coordinator_a, site_a):
    def add(k):
        for referral in waiting(site_a, k):
            for _ in range(2):  # interim contacts by different people
                actions.log_interim_contact(
                    referral,
                    by=CoordinatorFactory(sites=[site_a]),
                    at=referral.accepted_at,
                    mode="telephone",
                )

    assert_flat(client_for(manager), reverse("referrals:waiting_list"), add)


def test_caseloads(client_for, manager, site_a, site_b):
    def add(k):
        for _ in range(k):
            coordinator = CoordinatorFactory(sites=[site_a, site_b])
            allocated(site_a, 2, coordinator=coordinator)

    assert_flat(client_for(manager), reverse("referrals:caseloads"), add)


def test_my_caseload(client_for, coordinator_a, site_a):
    coordinator_a.caseload_cap = 50
    coordinator_a.save()

    assert_flat(
        client_for(coordinator_a),
        reverse("referrals:my_caseload"),
        lambda k: allocated(site_a, k, coordinator=coordinator_a),
    )


# --- one referral ------------------------------------------------------------------------------


def busy_referral(site, k: int, name: str):
    """An allocated referral with k interim contacts, k earlier allocations (so k more status
    changes) and k other referrals that may be for the same person."""
    person = {"given_name": name, "family_name": "Duplicate", "date_of_birth": DOB}
    referral = make_referral(S.WAITING, site=site, person=person)
    for _ in range(k):
        actions.log_interim_contact(
            referral,
            by=CoordinatorFactory(sites=[site]),
            at=referral.accepted_at,
            mode="telephone",
        )
    current = allocate(referral)
    for _ in range(k):
        current = allocate(referral, replacing=current)
    for _ in range(k):
        make_referral(S.RECEIVED, site=site, person=person)
    return referral


def test_referral_detail(client_for, manager, site_a):
    assert_record_flat(client_for(manager), "referrals:detail", partial(busy_referral, site_a))


def test_referral_detail_for_the_referrer(client_for, gp_referrer, pathway_a):
    """The referrer's view of a referral: its history grows with every request for information."""

    def referral_with_history(k):
        referral = make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer)
        for _ in range(k):
            advance(referral, S.INFORMATION_REQUESTED, staff=ManagerFactory(sites=[pathway_a.site]))
            actions.provide_information(referral, by=gp_referrer, response="Here it is.")
        return referral

    client = client_for(gp_referrer)
    small = referral_with_history(N)
    large = referral_with_history(3 * N)
    assert_same_count(
        "/referrals/<pk>/",
        Page(client, reverse("referrals:detail", args=[small.pk])),
        Page(client, reverse("referrals:detail", args=[large.pk])),
    )


def test_triage_page(client_for, manager, site_a):
    def referral_with_duplicates(k, name):
        person = {"given_name": name, "family_name": "Triage", "date_of_birth": DOB}
        for _ in range(k):
            make_referral(S.WAITING, site=site_a, person=person)
        return make_referral(S.RECEIVED, site=site_a, person=person)

    # The page shows at most 10 possible duplicates: 3 and 9 both fit.
    assert_record_flat(client_for(manager), "referrals:triage", referral_with_duplicates)


def test_allocation_page(client_for, manager, site_a):
    referral = make_referral(S.WAITING, site=site_a)

    def add(k):
        # k more coordinators at the site, each with two people on their caseload.
        for _ in range(k):
            allocated(site_a, 2, coordinator=CoordinatorFactory(sites=[site_a]))

    assert_flat(client_for(manager), reverse("referrals:allocate", args=[referral.pk]), add)


def test_reallocation_page(client_for, manager, site_a):
    referral = make_referral(S.ALLOCATED, site=site_a)

    def add(k):
        for _ in range(k):
            allocated(site_a, 1, coordinator=CoordinatorFactory(sites=[site_a]))

    assert_flat(client_for(manager), reverse("referrals:allocate", args=[referral.pk]), add)


# --- audit log ---------------------------------------------------------------------------------


def test_audit_log(client_for, administrator, site_a):
    referral = make_referral(S.RECEIVED, site=site_a)

    def add(k):
        # Views by k different users (the log shows each user's name), and public-form events.
        for _ in range(k):
            user = UserFactory(sites=[site_a])
            audit.record(by=user, action=AuditAction.VIEW, obj=referral, person_id=1)
        make_referral(S.RECEIVED, site=site_a, self_referral=True)

    assert_flat(client_for(administrator), reverse("audit:log"), add)


# --- more sites --------------------------------------------------------------------------------
#
# A manager or coordinator may work at several sites; pages that draw one table per site should
# still not run queries per site.


def more_sites(user, k: int) -> None:
    for _ in range(k):
        site = SiteFactory()
        user.sites.add(site)
        waiting(site, 1)
        allocated(site, 1)
        to_triage(site, 1)


def test_manager_home_with_more_sites(client_for, manager):
    assert_flat(client_for(manager), reverse("home"), lambda k: more_sites(manager, k))


def test_coordinator_home_with_more_sites(client_for, coordinator_a):
    assert_flat(client_for(coordinator_a), reverse("home"), lambda k: more_sites(coordinator_a, k))


def test_referral_list_with_more_sites(client_for, manager):
    assert_flat(client_for(manager), reverse("referrals:list"), lambda k: more_sites(manager, k))


def test_caseloads_with_more_sites(client_for, manager):
    assert_flat(
        client_for(manager), reverse("referrals:caseloads"), lambda k: more_sites(manager, k)
    )


def test_waiting_list_with_more_sites(client_for, manager):
    assert_flat(
        client_for(manager), reverse("referrals:waiting_list"), lambda k: more_sites(manager, k)
    )

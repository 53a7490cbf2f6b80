"""Busy services: long lists stay usable and nothing is silently hidden."""

import pytest
from django.db.models.signals import post_init
from django.urls import reverse

from linkwork.home import dashboards
from linkwork.home.dashboards import TRIAGE_ON_HOME
from linkwork.referrals.models import Referral
from linkwork.referrals.queries import WAITING_PAGE_SIZE
from linkwork.referrals.status import Priority
from linkwork.referrals.status import ReferralStatus as S
from linkwork.referrals.views.staff import WAITING_PER_SITE_WHEN_ALL_SHOWN
from tests.factories import CoordinatorFactory, allocate, make_referral

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


def _waiting_at(pathway, k: int, *, urgent_every: int = 0) -> list:
    return [
        make_referral(
            S.WAITING,
            pathway=pathway,
            priority=Priority.URGENT
            if urgent_every and i % urgent_every == 0
            else Priority.ROUTINE,
        )
        for i in range(k)
    ]


def test_one_sites_waiting_list_comes_a_page_at_a_time_in_list_order(
    client_for, manager_both, pathway_a, site_a
):
    made = _waiting_at(pathway_a, WAITING_PAGE_SIZE + 5, urgent_every=10)
    # Urgent first, then in the order accepted.
    expected = [r.pk for r in made if r.priority == Priority.URGENT] + [
        r.pk for r in made if r.priority != Priority.URGENT
    ]
    browser = client_for(manager_both)
    url = reverse("referrals:waiting_list")

    first = browser.get(url, {"site": site_a.pk})
    (only,) = first.context["lists"]
    assert only["total"] == WAITING_PAGE_SIZE + 5
    assert [e.pk for e in only["entries"]] == expected[:WAITING_PAGE_SIZE]
    assert [e.place for e in only["entries"]] == list(range(1, WAITING_PAGE_SIZE + 1))
    content = first.content.decode()
    assert f"{WAITING_PAGE_SIZE + 5} people waiting" in content
    assert f'href="?site={site_a.pk}&amp;page=2"' in content
    assert f"Pages of the waiting list at {site_a}" in content

    second = browser.get(url, {"site": site_a.pk, "page": 2})
    (only,) = second.context["lists"]
    assert [e.pk for e in only["entries"]] == expected[WAITING_PAGE_SIZE:]
    assert [e.place for e in only["entries"]] == list(
        range(WAITING_PAGE_SIZE + 1, WAITING_PAGE_SIZE + 6)
    )
    assert f'<td class="govuk-table__cell">{WAITING_PAGE_SIZE + 1}</td>' in second.content.decode()

    # A page that does not exist, or is not a number, gives the nearest one.
    assert browser.get(url, {"site": site_a.pk, "page": 99}).context["page"].number == 2
    assert browser.get(url, {"site": site_a.pk, "page": "x"}).context["page"].number == 1


def test_the_waiting_list_builds_only_the_referrals_it_shows(
    client_for, manager_both, pathway_a, pathway_b, site_a
):
    """However long the lists grow, the page makes the same number of referral objects: those
    on the page, not everyone waiting."""
    built = []

    def count(sender, instance, **kwargs):
        built.append(instance)

    def referrals_built(params) -> int:
        built.clear()
        post_init.connect(count, sender=Referral)
        try:
            assert browser.get(reverse("referrals:waiting_list"), params).status_code == 200
        finally:
            post_init.disconnect(count, sender=Referral)
        return len(built)

    browser = client_for(manager_both)
    _waiting_at(pathway_a, WAITING_PAGE_SIZE + 1)
    _waiting_at(pathway_b, 2)
    assert referrals_built({}) == WAITING_PER_SITE_WHEN_ALL_SHOWN + 2
    assert referrals_built({"site": site_a.pk}) == WAITING_PAGE_SIZE

    _waiting_at(pathway_a, 2 * (WAITING_PAGE_SIZE + 1))
    assert referrals_built({}) == WAITING_PER_SITE_WHEN_ALL_SHOWN + 2
    assert referrals_built({"site": site_a.pk}) == WAITING_PAGE_SIZE


def test_the_referral_list_pages_by_keyset_newest_first_keeping_the_filter(
    client_for, manager_both, pathway_a, pathway_b, site_a, monkeypatch
):
    from linkwork.referrals.views import staff

    monkeypatch.setattr(staff, "REFERRALS_PER_PAGE", 2)
    at_a = [make_referral(S.RECEIVED, pathway=pathway_a) for _ in range(5)]
    make_referral(S.RECEIVED, pathway=pathway_b)
    browser = client_for(manager_both)
    url = reverse("referrals:list")

    pages, response = [], browser.get(url, {"site": site_a.pk})
    while True:
        pages.append([r.pk for r in response.context["page"].object_list])
        if not response.context["page"].older:
            break
        assert f"site={site_a.pk}&amp;older=" in response.content.decode()
        response = browser.get(url, {"site": site_a.pk, "older": response.context["page"].older})
    newest_first = [r.pk for r in sorted(at_a, key=lambda r: (r.received_at, r.pk), reverse=True)]
    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:]]
    assert "5 referrals, newest first" in response.content.decode()
    assert "Newer referrals" in response.content.decode()

    tampered = browser.get(url, {"site": site_a.pk, "older": "not-a-cursor"})
    assert [r.pk for r in tampered.context["page"].object_list] == newest_first[0:2]


def test_the_triage_queue_index_covers_exactly_the_statuses_to_triage():
    """The manager's home asks for `status IN TO_TRIAGE`: the partial index serves that query
    only while its condition names the same statuses."""
    from linkwork.referrals.status import TO_TRIAGE

    (index,) = [i for i in Referral._meta.indexes if i.name == "referral_to_triage_idx"]
    (lookup, statuses) = index.condition.children[0]
    assert lookup == "status__in"
    assert set(statuses) == set(TO_TRIAGE)


def test_in_a_large_team_the_manager_home_shows_the_fullest_caseloads_and_links_to_all(
    client_for, manager, coordinator_a, site_a, pathway_a, monkeypatch
):
    monkeypatch.setattr(dashboards, "CASELOADS_ON_HOME", 2)
    roomy = CoordinatorFactory(first_name="Aled", last_name="Bevan", sites=[site_a], caseload_cap=9)
    full = CoordinatorFactory(first_name="Zoe", last_name="Wyn", sites=[site_a], caseload_cap=1)
    allocate(make_referral(S.WAITING, pathway=pathway_a), coordinator=full)
    coordinator_a.caseload_cap = 3
    coordinator_a.save()
    browser = client_for(manager)

    response = browser.get(reverse("home"))

    # Fewest places free first (Zoe has none, Gareth three), not by name: Aled is left out.
    assert list(response.context["coordinators"]) == [full, coordinator_a]
    assert roomy.display_name not in response.content.decode()
    assert "See all 3 caseloads" in response.content.decode()
    # The caseloads page has everyone.
    everyone = browser.get(reverse("referrals:caseloads")).content.decode()
    assert all(c.display_name in everyone for c in (roomy, full, coordinator_a))


def test_in_a_small_team_the_manager_home_shows_every_caseload_by_name(
    client_for, manager, coordinator_a, site_a
):
    other = CoordinatorFactory(first_name="Aled", last_name="Bevan", sites=[site_a])

    response = client_for(manager).get(reverse("home"))

    assert list(response.context["coordinators"]) == [other, coordinator_a]
    assert "with the fewest places free" not in response.content.decode()

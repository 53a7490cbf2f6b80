"""Who sees which figures: a manager their sites exactly, a link coordinator their own caseload,
the research roles every site with small numbers suppressed and never a name; everyone else
nothing. Each rule is tried from the wrong side."""

import pytest
from django.urls import reverse

from linkwork.accounts.models import Role
from tests.factories import UserFactory

from .conftest import PERIOD
from .test_referrals_dashboard import board_of, figure

URL = reverse("reports:dashboard", args=["referrals"])
RECORDS = reverse("reports:records")


def test_a_coordinator_sees_only_their_own_caseloads_figures(
    client_for, coordinator_a, story, today
):
    response = client_for(coordinator_a).get(URL, PERIOD)
    board = board_of(response)
    assert figure(board, "received_total").value == 2  # R1 and R2, allocated to them
    assert "coordinator" not in response.context["form"].fields
    assert "own caseload" in response.content.decode()


def test_a_coordinator_cannot_widen_their_scope_with_a_filter(
    client_for, coordinator_a, manager, story, today
):
    other = UserFactory(role=Role.COORDINATOR, sites=[coordinator_a.sites.get()])
    board = board_of(client_for(coordinator_a).get(URL, {**PERIOD, "coordinator": other.pk}))
    assert figure(board, "received_total").value == 2


def test_a_coordinator_follows_figures_to_their_own_people_only(
    client_for, coordinator_a, story, today
):
    listed = client_for(coordinator_a).get(RECORDS, {**PERIOD, "metric": "received"})
    assert sorted(r.pk for r in listed.context["page"]) == sorted([story["r1"].pk, story["r2"].pk])


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.TRIAL_MANAGER])
def test_research_roles_see_every_site_suppressed_and_unlinked(client_for, role, story, today):
    reader = UserFactory(role=role)
    response = client_for(reader).get(URL, PERIOD)
    board = board_of(response)
    total = figure(board, "received_total")
    assert (total.value, total.text, total.href) == (6, "6", "")
    assert figure(board, "awaiting_triage").text == "fewer than 5"
    assert figure(board, "awaiting_triage").value is None
    html = response.content.decode()
    assert RECORDS not in html
    assert story["r1"].person.full_name not in html
    # Nor may they ask for the records directly.
    assert client_for(reader).get(RECORDS, {**PERIOD, "metric": "received"}).status_code == 403


def test_research_roles_see_no_coordinators_name_on_the_timeline(
    client_for, researcher, coordinator_a, story, today
):
    import datetime

    coordinator_a.started_on = datetime.date(2026, 1, 4)
    coordinator_a.save()
    page = client_for(researcher).get(reverse("reports:timeline")).content.decode()
    assert "A link coordinator started" in page
    assert str(coordinator_a) not in page
    manager_view = client_for(coordinator_a).get(reverse("reports:timeline")).content.decode()
    assert f"{coordinator_a} started as a link coordinator" in manager_view


@pytest.mark.parametrize("who", ["gp_referrer", "administrator", "outsider_referrer"])
def test_roles_without_dashboards_are_refused(client_for, who, request, story, gp_practice):
    if who == "outsider_referrer":
        user = UserFactory(role=Role.REFERRER, organisation=gp_practice)
    else:
        user = request.getfixturevalue(who)
    browser = client_for(user)
    for url in (reverse("reports:index"), URL, RECORDS, reverse("reports:timeline")):
        assert browser.get(url, {"metric": "received"}).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (reverse("reports:index"), URL, f"{URL}?format=json", RECORDS):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_reports_page_offers_each_role_what_it_may_use(
    client_for, manager, coordinator_a, researcher
):
    managers = client_for(manager).get(reverse("reports:index")).content.decode()
    assert reverse("reports:capacity") in managers and reverse("reports:funder_reports") in managers
    for reader in (coordinator_a, researcher):
        page = client_for(reader).get(reverse("reports:index")).content.decode()
        assert reverse("reports:dashboard", args=["referrals"]) in page
        assert reverse("reports:capacity") not in page
        assert reverse("reports:funder_reports") not in page

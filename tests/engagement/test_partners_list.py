"""The partners list for a site: referring organisations (named on its pathways, referring to it
or engaged there) and receiving ones (serving it), each with its last referral or social
prescription, how many in the last 12 months, the last engagement, and whether it has gone
quiet by the site's own number of days."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.engagement import actions
from linkwork.partners.models import SourceType
from tests.engagement.conftest import as_partner, refer
from tests.factories import OrganisationFactory, PathwayFactory, make_service

pytestmark = pytest.mark.django_db


def rows(browser, **query):
    address = reverse("engagement:partners")
    if query:
        address += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    response = browser.get(address)
    assert response.status_code == 200
    return response


def by_name(response, table="referring"):
    return {row.organisation.name: row for row in response.context[table]}


def test_who_is_listed_and_their_figures(
    client_for, manager, site_a, pathway_a, severn, gp_practice, crisis_team, walking_group
):
    named = OrganisationFactory(name="Caersws Surgery")
    PathwayFactory(site=site_a, name="GP (named)", organisations=[named])
    for days in (20, 100, 400):
        refer(pathway_a, severn, days=days)
    actions.record_activity(
        as_partner(crisis_team),
        by=manager,
        site=site_a,
        kind="training",
        happened_on=timezone.localdate() - datetime.timedelta(days=9),
        summary="Training for the crisis team.",
        sites=[site_a],
    )
    response = rows(client_for(manager))
    listed = by_name(response)
    # gp_practice may refer through site A's open pathway, but has not, is not named on a
    # pathway at A and has not been engaged: it is one of the others that may refer.
    assert set(listed) == {"Severn Valley Surgery", "Caersws Surgery", "Powys Crisis Team"}
    assert [o.name for o in response.context["others"]] == ["Llanidloes Health Centre"]
    assert listed["Severn Valley Surgery"].in_12_months == 2
    assert listed["Severn Valley Surgery"].days_since_last == 20
    assert listed["Caersws Surgery"].last_at is None
    crisis = listed["Powys Crisis Team"]
    assert (crisis.last_activity_on, crisis.last_activity_label) == (
        timezone.localdate() - datetime.timedelta(days=9),
        "Training given to referrers",
    )
    # GP practices first, then the crisis team.
    assert [row.organisation.source_type for row in response.context["referring"]] == [
        SourceType.GP_PRACTICE,
        SourceType.GP_PRACTICE,
        SourceType.CRISIS_TEAM,
    ]
    assert list(by_name(response, "receiving")) == ["Mid Powys Walking for Wellbeing"]


def test_gone_quiet_after_the_sites_own_number_of_days(client_for, manager, pathway_a, severn):
    refer(pathway_a, severn, days=70)
    browser = client_for(manager)
    assert by_name(rows(browser))["Severn Valley Surgery"].gone_quiet
    assert "Gone quiet" in rows(browser).content.decode()
    actions.set_quiet_after_days(pathway_a.site, by=manager, days=70)
    assert not by_name(rows(browser))["Severn Valley Surgery"].gone_quiet  # 70 is not > 70
    actions.set_quiet_after_days(pathway_a.site, by=manager, days=69)
    assert by_name(rows(browser))["Severn Valley Surgery"].gone_quiet


def test_never_referred_or_no_longer_able_to_is_not_gone_quiet(
    client_for, manager, site_a, pathway_a
):
    never = OrganisationFactory(name="Caersws Surgery")
    PathwayFactory(site=site_a, name="GP (named)", organisations=[never])
    closed_team = OrganisationFactory(
        name="Pilot team", source_type=SourceType.PRIMARY_MENTAL_HEALTH
    )
    pilot = PathwayFactory(
        site=site_a,
        name="Pilot",
        source_type=SourceType.PRIMARY_MENTAL_HEALTH,
        organisations=[closed_team],
    )
    refer(pilot, closed_team, days=300)
    pilot.closes_on = timezone.localdate() - datetime.timedelta(days=200)
    pilot.save()
    listed = by_name(rows(client_for(manager)))
    assert not listed["Caersws Surgery"].gone_quiet
    assert not listed["Pilot team"].gone_quiet
    assert listed["Pilot team"].days_since_last == 300


def test_a_manager_of_two_sites_sees_one_site_at_a_time(
    client_for, manager_both, site_a, site_b, pathway_a, pathway_b, severn, gp_practice
):
    refer(pathway_a, severn, days=5)
    refer(pathway_b, gp_practice, days=5)
    browser = client_for(manager_both)
    first = rows(browser)
    assert first.context["site"] == site_a  # by name: Powys Rural
    assert set(by_name(first)) == {"Severn Valley Surgery"}
    assert set(by_name(rows(browser, site=site_b.pk))) == {"Llanidloes Health Centre"}


def test_another_sites_list_is_404(client_for, manager, site_b):
    assert (
        client_for(manager).get(reverse("engagement:partners") + f"?site={site_b.pk}").status_code
        == 404
    )


def test_a_receiving_organisation_serving_another_site_only_is_not_listed(
    client_for, manager, site_b, walking_group
):
    make_service(name="Rhondda Ramblers", sites=[site_b])
    assert list(by_name(rows(client_for(manager)), "receiving")) == [
        "Mid Powys Walking for Wellbeing"
    ]


def test_someone_who_works_at_no_site(client_for, outsider):
    response = rows(client_for(outsider))
    assert response.context["site"] is None
    assert "You do not work at any site" in response.content.decode()


def test_partners_is_the_current_item_in_the_menu(client_for, manager, severn_referred):
    for address in (
        reverse("engagement:partners"),
        reverse("engagement:partner", args=["referring", severn_referred.pk]),
    ):
        nav = client_for(manager).get(address).context["nav"]
        assert [str(item["label"]) for item in nav if item["active"]] == ["Partners"]

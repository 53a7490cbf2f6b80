"""A partner's page: what it sent (referrals) or was sent (social prescriptions) at the user's
sites, per month and in the last 90 days and 12 months, beside the engagement with it, checked
against records made here."""

import datetime
from collections import Counter

import pytest
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from linkwork.audit.guard import suspended
from linkwork.engagement import actions
from linkwork.engagement.models import PartnerKind
from linkwork.engagement.queries import chart_months
from linkwork.prescriptions import actions as prescription_actions
from linkwork.prescriptions.models import PrescriptionUpdate
from linkwork.referrals.status import ReferralStatus
from tests.engagement.conftest import as_partner, days_ago, refer
from tests.factories import PathwayFactory, make_referral, make_service

pytestmark = pytest.mark.django_db

REFERRED_DAYS_AGO = (10, 40, 40, 100, 200, 400)


def url(organisation, kind=PartnerKind.REFERRING, **query) -> str:
    address = reverse("engagement:partner", args=[kind, organisation.pk])
    return address + "".join(f"?{k}={v}" for k, v in query.items())


def expected_per_month(days_list) -> dict:
    months = chart_months(timezone.localdate())
    counted = Counter(timezone.localtime(days_ago(d)).date().replace(day=1) for d in days_list)
    return {month: counted.get(month, 0) for month in months}


@pytest.fixture
def referred_at_a(severn, pathway_a):
    for days in REFERRED_DAYS_AGO:
        refer(pathway_a, severn, days=days)
    return severn


def test_the_figures_are_the_referrals_made(client_for, manager, referred_at_a):
    response = client_for(manager).get(url(referred_at_a))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.days_since_last == 10
    assert figures.in_recent_days == 3  # 10, 40 and 40 days ago
    assert figures.in_12_months == 5  # not the one 400 days ago
    assert figures.per_month == expected_per_month(REFERRED_DAYS_AGO)
    page = response.content.decode()
    assert "10 days ago" in page
    # The chart's table has a row for each of the twelve months, counting the same.
    chart = response.context["chart"]
    assert len(chart.rows) == 12
    assert [int(row[1].text) for row in chart.rows] == list(figures.per_month.values())
    assert "<svg" in page and "Show the figures as a table" in page


def test_referrals_to_another_site_count_only_for_those_who_work_there(
    client_for, manager, manager_both, referred_at_a, site_b
):
    open_at_b = PathwayFactory(site=site_b, name="All GP practices", organisations=[])
    refer(open_at_b, referred_at_a, days=2)
    assert client_for(manager).get(url(referred_at_a)).context["figures"].days_since_last == 10
    both = client_for(manager_both)
    figures = both.get(url(referred_at_a)).context["figures"]
    assert (figures.days_since_last, figures.in_12_months) == (2, 6)
    narrowed = both.get(url(referred_at_a, site=site_b.pk)).context["figures"]
    assert (narrowed.days_since_last, narrowed.in_12_months) == (2, 1)


def test_engagement_is_marked_on_the_chart_with_letters(
    client_for, coordinator_a, referred_at_a, site_a, manager
):
    today = timezone.localdate()
    for days, kind in ((3, "mdt_meeting"), (50, "practice_visit"), (500, "letter")):
        actions.record_activity(
            as_partner(referred_at_a),
            by=manager,
            site=site_a,
            kind=kind,
            happened_on=today - datetime.timedelta(days=days),
            summary=f"{kind} with the practice",
            sites=[site_a],
        )
    response = client_for(coordinator_a).get(url(referred_at_a))
    chart = response.context["chart"]
    # The one before the chart's first month is in the log, not on the chart.
    assert [(marker.letter, marker.labels) for marker in chart.markers] == [
        ("A", ("Practice or service visit",)),
        ("B", ("MDT meeting attended",)),
    ]
    assert "2 engagement activities are marked" in chart.summary
    assert "letter with the practice" in response.content.decode()


def test_a_partner_that_has_never_referred(client_for, manager, severn, pathway_a):
    """Severn Valley may refer through site A's open pathway: its page opens, to record the
    first engagement with it."""
    response = client_for(manager).get(url(severn))
    assert response.status_code == 200
    assert response.context["figures"].days_since_last is None
    assert "No referrals yet" in response.content.decode()


def test_gone_quiet_on_the_page_uses_the_sites_own_days(client_for, manager, severn, pathway_a):
    refer(pathway_a, severn, days=70)
    browser = client_for(manager)
    assert "Gone quiet at Powys Rural" in browser.get(url(severn)).content.decode()
    actions.set_quiet_after_days(pathway_a.site, by=manager, days=90)
    assert "Gone quiet" not in browser.get(url(severn)).content.decode()


# --- A receiving organisation ------------------------------------------------------------------


@pytest.fixture
def prescribed(site_a, pathway_a, gp_referrer, manager, coordinator_a):
    """Three social prescriptions from site A sent to the walking group's service (40 and 100
    days ago, and 400), and one suggested but never sent."""
    service = make_service(
        name="Llanidloes walking group",
        organisation_name="Mid Powys Walking for Wellbeing",
        sites=[site_a],
        referral_email="walks@example.org",
    )
    person = make_referral(
        ReferralStatus.ALLOCATED,
        pathway=pathway_a,
        by=gp_referrer,
        staff=manager,
        coordinator=coordinator_a,
    )
    for days in (40, 100, 400):
        made = prescription_actions.make_prescription(
            person, by=coordinator_a, service=service, asked_for="A walk", send=True
        )
        with suspended():  # back-date the append-only history
            QuerySet(PrescriptionUpdate).filter(prescription=made).update(at=days_ago(days))
    prescription_actions.make_prescription(
        person, by=coordinator_a, service=service, asked_for="A walk", send=False
    )
    return service.organization


def test_a_receiving_organisations_figures_are_the_prescriptions_sent_to_it(
    client_for, manager, prescribed
):
    response = client_for(manager).get(url(prescribed, PartnerKind.RECEIVING))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.days_since_last == 40
    assert (figures.in_recent_days, figures.in_12_months) == (1, 2)
    assert figures.per_month == expected_per_month((40, 100))
    page = response.content.decode()
    assert "Social prescriptions per month, with engagement" in page
    assert "Gone quiet" not in page


def test_a_community_organisation_serving_every_site_is_everyones_partner(client_for, manager_b):
    everywhere = make_service(name="Listening Line Cymru").organization
    assert client_for(manager_b).get(url(everywhere, PartnerKind.RECEIVING)).status_code == 200


def test_no_such_partner(client_for, manager):
    assert client_for(manager).get("/partners/referring/999999/").status_code == 404
    assert client_for(manager).get("/partners/receiving/999999/").status_code == 404
    assert client_for(manager).get("/partners/nonsense/1/").status_code == 404


def test_a_site_not_theirs_in_the_address_is_404(client_for, manager, referred_at_a, site_b):
    assert client_for(manager).get(url(referred_at_a, site=site_b.pk)).status_code == 404
    assert client_for(manager).get(url(referred_at_a, site="x")).status_code == 404

"""What was available when: reports read the availability history, not today's state."""

import datetime

import pytest
from django.urls import reverse

from linkwork.directory.history import availability_by_month, availability_on
from linkwork.directory.models import AvailabilityChange, Organization, Service

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 26)


def listed(name, site, history):
    """A service with its availability history: [(day, availability), ...] in order."""
    organization, _ = Organization.objects.get_or_create(name="Community Voluntary Council")
    service = Service.objects.create(organization=organization, name=name)
    service.sites.set([site])
    for day, availability in history:
        AvailabilityChange.objects.create(
            service=service, availability=availability, effective_on=day
        )
    Service.objects.filter(pk=service.pk).update(availability=history[-1][1])
    return service


def test_availability_on_a_day_follows_the_history(site_a):
    service = listed(
        "Lunch club",
        site_a,
        [
            (datetime.date(2026, 1, 5), "open"),
            (datetime.date(2026, 3, 10), "temporarily_closed"),
            (datetime.date(2026, 6, 1), "limited"),
        ],
    )
    assert availability_on(datetime.date(2026, 1, 4), [service]) == {}  # not listed yet
    assert availability_on(datetime.date(2026, 3, 9), [service]) == {service.pk: "open"}
    assert availability_on(datetime.date(2026, 3, 10), [service]) == {
        service.pk: "temporarily_closed"
    }
    assert availability_on(datetime.date(2026, 5, 31), [service]) == {
        service.pk: "temporarily_closed"
    }
    assert availability_on(datetime.date(2026, 6, 1), [service]) == {service.pk: "limited"}


def test_months_count_each_service_as_it_was_at_the_end_of_the_month(site_a):
    listed(
        "Walking group",
        site_a,
        [
            (datetime.date(2025, 1, 1), "open"),
            (datetime.date(2026, 9, 15), "temporarily_closed"),
            (datetime.date(2026, 11, 1), "open"),
        ],
    )
    listed(
        "Choir",
        site_a,
        [(datetime.date(2025, 1, 1), "open"), (datetime.date(2026, 10, 31), "closed")],
    )
    listed("New art group", site_a, [(datetime.date(2026, 11, 2), "limited")])
    rows = availability_by_month(Service.objects.all(), months=3, today=TODAY)
    assert [row.month for row in rows] == [
        datetime.date(2026, 9, 1),
        datetime.date(2026, 10, 1),
        datetime.date(2026, 11, 1),
    ]
    assert rows[-1].as_of == TODAY
    september, october, november = rows
    assert september.counts == {"temporarily_closed": 1, "open": 1}
    assert october.counts == {"temporarily_closed": 1, "closed": 1}
    assert november.counts == {"open": 1, "closed": 1, "limited": 1}
    assert november.cells == [1, 1, 0, 1]  # open, limited, temporarily closed, closed
    assert [row.total for row in rows] == [2, 2, 3]


def test_the_report_shows_only_services_serving_the_managers_sites(
    client_for, manager, coordinator_a, gp_referrer, site_a, site_b
):
    long_ago = datetime.date(2025, 1, 1)
    listed("Powys choir", site_a, [(long_ago, "open")])
    listed("Rhondda choir", site_b, [(long_ago, "temporarily_closed")])
    response = client_for(manager).get(reverse("directory:availability_report"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 18
    assert response.context["rows"][-1].counts == {"open": 1}
    for refused in (coordinator_a, gp_referrer):
        url = reverse("directory:availability_report")
        assert client_for(refused).get(url).status_code == 403


def test_an_unmet_need_recorded_for_a_person_is_on_their_timeline_and_linked_from_their_record(
    client_for, coordinator_a, pathway_a, gp_referrer, manager, site_a
):
    from linkwork.directory.models import TaxonomyTerm
    from linkwork.referrals.status import ReferralStatus
    from linkwork.unmet.actions import record_unmet_need
    from tests.factories import make_referral

    referral = make_referral(
        ReferralStatus.ALLOCATED,
        pathway=pathway_a,
        by=gp_referrer,
        staff=manager,
        coordinator=coordinator_a,
    )
    record_unmet_need(
        by=coordinator_a,
        site=site_a,
        category=TaxonomyTerm.objects.create(name="Community transport"),
        area="Rhayader",
        note="No way to get to the Thursday group",
        referral=referral,
    )
    browser = client_for(coordinator_a)
    timeline = browser.get(reverse("casework:timeline", args=[referral.pk])).content.decode()
    assert "Nothing found for a need: Community transport in Rhayader" in timeline
    record = browser.get(reverse("casework:record", args=[referral.pk])).content.decode()
    assert reverse("unmet:record") + f"?referral={referral.pk}" in record

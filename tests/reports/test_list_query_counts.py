"""The reports pages that list records run the same number of SQL queries however many they
list (`tests/query_counts.py`): the records behind a figure, the service timeline, and the
funder reports with their case studies. Each record added comes with its own related rows (a
new person, pathway, organisation, manager or coordinator), so that a query per related row
would show."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.core.months import month_of
from linkwork.prescriptions import actions as prescriptions
from linkwork.prescriptions.status import PrescriptionStatus
from linkwork.referrals.status import ReferralStatus
from linkwork.reports import actions
from tests.factories import (
    CoordinatorFactory,
    ManagerFactory,
    PathwayFactory,
    make_referral,
    make_service,
)
from tests.query_counts import assert_flat

S = ReferralStatus
WORDS = ("walking", "gardening", "singing", "cooking", "painting", "knitting", "fishing")

pytestmark = pytest.mark.django_db

_made = itertools.count(1)


def test_records_behind_a_figure(client_for, manager, site_a):
    def add(k):
        for i in range(k):
            make_referral(
                (S.RECEIVED, S.WAITING, S.DECLINED)[i % 3],
                pathway=PathwayFactory(site=site_a, organisations=[]),
            )

    url = reverse("reports:records") + "?metric=received"
    assert_flat(client_for(manager), url, add)


def test_service_timeline(client_for, manager, site_a):
    today = timezone.localdate()

    def add(k):
        for i in range(k):
            n = next(_made)
            day = today - datetime.timedelta(days=10 * n)
            actions.record_event(
                by=ManagerFactory(sites=[site_a]),
                on=day,
                title=f"Event {n}",
                description="Something changed.",
                sites=[site_a],
            )
            PathwayFactory(
                site=site_a, opens_on=day, closes_on=day + datetime.timedelta(days=i + 1)
            )
            CoordinatorFactory(sites=[site_a], started_on=day, left_on=today)

    assert_flat(client_for(manager), reverse("reports:timeline"), add)


def test_funder_reports_and_case_studies(client_for, manager, site_a):
    this_month = month_of(timezone.localdate())

    def add(k):
        for _ in range(k):
            n = next(_made)
            author = ManagerFactory(sites=[site_a])
            study = actions.save_case_study(
                None,
                by=author,
                site=site_a,
                title=f"A story about {WORDS[n % len(WORDS)]}",
                text="Someone found a group near home and now goes every week.",
            )
            actions.request_funder_report(
                by=ManagerFactory(sites=[site_a]),
                first_month=this_month,
                last_month=this_month,
                sites=[site_a],
                case_studies=[study],
            )

    assert_flat(client_for(manager), reverse("reports:funder_reports"), add)


@pytest.mark.parametrize("key", ["referrals", "access", "delivery", "outcomes", "reach"])
def test_dashboards(key, client_for, manager, site_a):
    """A dashboard's tables have a row per pathway, referring organisation, or category of the
    services people were sent to: each referral added comes through a new pathway from a new
    organisation, and each person in support is sent to a new service in a new category."""

    def add(k):
        for i in range(k):
            status = (S.ALLOCATED, S.WAITING, S.DECLINED, S.RECEIVED)[i % 4]
            coordinator = CoordinatorFactory(sites=[site_a])
            referral = make_referral(
                status,
                pathway=PathwayFactory(site=site_a, organisations=[]),
                coordinator=coordinator,
            )
            if status == S.ALLOCATED:
                n = next(_made)
                service = make_service(name=f"Service {n}", sites=[site_a], terms=[f"Kind {n}"])
                prescription = prescriptions.make_prescription(
                    referral, by=coordinator, service=service, asked_for="A place"
                )
                prescriptions.change_status(
                    prescription, by=coordinator, to_status=PrescriptionStatus.UNAVAILABLE
                )

    assert_flat(client_for(manager), reverse("reports:dashboard", args=[key]), add)

"""The partners pages that list records run the same number of SQL queries however many they
list (`tests/query_counts.py`): the partners list, a referring and a receiving partner's page
with its engagement log and contacts, and the engagement settings' list of sites. Unlike
`test_query_counts.py`, every activity here is recorded by a different member of staff, so a
query per author would show too."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.engagement import actions
from linkwork.engagement.models import PartnerKind
from linkwork.prescriptions import actions as prescriptions
from linkwork.referrals.status import ReferralStatus
from tests.engagement.conftest import as_partner, refer
from tests.factories import (
    CoordinatorFactory,
    ManagerFactory,
    OrganisationFactory,
    PathwayFactory,
    SiteFactory,
    make_referral,
    make_service,
)
from tests.query_counts import assert_flat

pytestmark = pytest.mark.django_db

_made = itertools.count(1)


def engaged(partner, site, i: int) -> None:
    """An activity with the partner, by a new coordinator, and a new contact there."""
    n = next(_made)
    actions.record_activity(
        partner,
        by=CoordinatorFactory(sites=[site]),
        site=site,
        kind="letter",
        happened_on=timezone.localdate() - datetime.timedelta(days=7 * i + 1),
        summary=f"Activity {n}",
        sites=[site],
    )
    actions.add_contact(partner, by=ManagerFactory(sites=[site]), details={"name": f"Contact {n}"})


def test_partners_list(client_for, manager, site_a, pathway_a):
    def add(k):
        for i in range(k):
            n = next(_made)
            practice = OrganisationFactory(name=f"Practice {n:03d}")
            refer(pathway_a, practice, days=5 if i % 2 else 150)
            engaged(as_partner(practice), site_a, i)
            group = make_service(name=f"Group {n:03d}", sites=[site_a]).organization
            engaged(as_partner(group, PartnerKind.RECEIVING), site_a, i)

    assert_flat(client_for(manager), reverse("engagement:partners"), add)


def test_a_referring_partners_page(client_for, manager, site_a, severn):
    def add(k):
        for i in range(k):
            # Through a new pathway each time: the page counts per site, not per pathway.
            refer(PathwayFactory(site=site_a, organisations=[]), severn, days=10 + 30 * i)
            engaged(as_partner(severn), site_a, i)

    url = reverse("engagement:partner", args=[PartnerKind.REFERRING, severn.pk])
    assert_flat(client_for(manager), url, add)


def test_a_receiving_partners_page(client_for, manager, site_a, walking_group):
    def add(k):
        for i in range(k):
            n = next(_made)
            # A new service of theirs, and a new person sent to it by a new coordinator.
            service = make_service(
                name=f"Walk {n}", organisation_name=walking_group.name, sites=[site_a]
            )
            coordinator = CoordinatorFactory(sites=[site_a])
            person = make_referral(
                ReferralStatus.ALLOCATED,
                pathway=PathwayFactory(site=site_a, organisations=[]),
                coordinator=coordinator,
            )
            prescriptions.make_prescription(
                person, by=coordinator, service=service, asked_for="A walk", send=True
            )
            engaged(as_partner(walking_group, PartnerKind.RECEIVING), site_a, i)

    url = reverse("engagement:partner", args=[PartnerKind.RECEIVING, walking_group.pk])
    assert_flat(client_for(manager), url, add)


def test_engagement_settings(client_for, manager):
    def add(k):
        for _ in range(k):
            site = SiteFactory()
            manager.sites.add(site)
            actions.set_quiet_after_days(site, by=manager, days=45)

    assert_flat(client_for(manager), reverse("engagement:settings"), add)

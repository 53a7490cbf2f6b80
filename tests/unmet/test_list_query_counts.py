"""The unmet needs report, with its list of recorded needs, runs the same number of SQL queries
however many needs there are (`tests/query_counts.py`). Each need added is recorded by a new
coordinator, for a new person, under a new kind of need (with its own broader category); each
social prescription that ended "service unavailable" is to a new service, for a new person.
(`test_unmet_needs.py` holds the report's figures flat; this holds the page and its list.)"""

import itertools

import pytest
from django.urls import reverse

from linkwork.directory.models import TaxonomyTerm
from linkwork.prescriptions.actions import change_status, make_prescription
from linkwork.prescriptions.status import PrescriptionStatus
from linkwork.referrals.status import ReferralStatus
from linkwork.unmet import actions
from tests.factories import CoordinatorFactory, PathwayFactory, make_referral, make_service
from tests.query_counts import assert_flat

pytestmark = pytest.mark.django_db

_made = itertools.count(1)


def person_with(site, coordinator):
    return make_referral(
        ReferralStatus.ALLOCATED,
        pathway=PathwayFactory(site=site, organisations=[]),
        coordinator=coordinator,
    )


def needs(site, k: int) -> None:
    for _ in range(k):
        n = next(_made)
        broader = TaxonomyTerm.objects.create(name=f"Broad need {n}")
        kind = TaxonomyTerm.objects.create(name=f"Need {n}", parent=broader)
        coordinator = CoordinatorFactory(sites=[site])
        actions.record_unmet_need(
            by=coordinator,
            site=site,
            category=kind,
            area=f"Area {n}",
            note="Nothing near enough.",
            referral=person_with(site, coordinator),
        )
        service = make_service(name=f"Service {n}", sites=[site], terms=[kind])
        prescription = make_prescription(
            person_with(site, coordinator), by=coordinator, service=service, asked_for="A place"
        )
        change_status(prescription, by=coordinator, to_status=PrescriptionStatus.UNAVAILABLE)


def test_unmet_needs_report(client_for, manager, site_a):
    assert_flat(client_for(manager), reverse("unmet:needs"), lambda k: needs(site_a, k))

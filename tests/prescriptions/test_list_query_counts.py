"""A person's social prescriptions, and one prescription's history, run the same number of SQL
queries however many there are (`tests/query_counts.py`). Each prescription added is to a new
service of a new organisation; each change is recorded by someone new."""

import itertools

import pytest
from django.urls import reverse

from linkwork.prescriptions import actions
from linkwork.prescriptions.status import PrescriptionStatus
from tests.factories import CoordinatorFactory, ManagerFactory, make_service
from tests.query_counts import N, Page, assert_flat, assert_same_count

P = PrescriptionStatus

pytestmark = pytest.mark.django_db

_made = itertools.count(1)


def service_at(site):
    n = next(_made)
    return make_service(
        name=f"Service {n}",
        organisation_name=f"Organisation {n}",
        referral_email=f"service{n}@example.org",
        sites=[site],
    )


def test_a_persons_prescriptions(client_for, coordinator_a, in_support, site_a):
    def add(k):
        for i in range(k):
            prescription = actions.make_prescription(
                in_support,
                by=CoordinatorFactory(sites=[site_a]),
                service=service_at(site_a),
                asked_for="A place",
                send=bool(i % 2),
            )
            if i % 2:
                actions.change_status(
                    prescription, by=ManagerFactory(sites=[site_a]), to_status=P.ACCEPTED
                )

    url = reverse("prescriptions:list", args=[in_support.pk])
    assert_flat(client_for(coordinator_a), url, add)


def test_a_prescriptions_history(client_for, coordinator_a, in_support, site_a):
    def prescription_with_history(k):
        prescription = actions.make_prescription(
            in_support, by=coordinator_a, service=service_at(site_a), asked_for="A place", send=True
        )
        actions.change_status(prescription, by=ManagerFactory(sites=[site_a]), to_status=P.ACCEPTED)
        for i in range(k):
            actions.change_status(
                prescription,
                by=ManagerFactory(sites=[site_a]),
                to_status=P.ATTENDING,
                note=f"Attended {i + 1} sessions",
            )
            actions.send_new_link(prescription, by=ManagerFactory(sites=[site_a]))
        return prescription

    client = client_for(coordinator_a)
    small, large = prescription_with_history(N), prescription_with_history(3 * N)
    assert_same_count(
        "/prescriptions/referrals/<pk>/<prescription>/",
        Page(client, reverse("prescriptions:detail", args=[in_support.pk, small.pk])),
        Page(client, reverse("prescriptions:detail", args=[in_support.pk, large.pk])),
    )

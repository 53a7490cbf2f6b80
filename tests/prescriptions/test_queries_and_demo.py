"""`prescriptions_for` and its include template, and the demo helper."""

import datetime
import random

import pytest
from django.core import mail
from django.template.loader import render_to_string

from linkwork.demo.prescriptions import build_demo_prescriptions
from linkwork.directory.models import Service
from linkwork.prescriptions import actions
from linkwork.prescriptions.models import ServiceLink
from linkwork.prescriptions.queries import prescriptions_for
from linkwork.prescriptions.status import PrescriptionStatus
from linkwork.referrals.status import ReferralStatus
from tests.factories import make_referral

pytestmark = pytest.mark.django_db


def test_the_summary_table_costs_the_same_few_queries_however_many_prescriptions(
    angharad, coordinator_a, walking_group, django_assert_max_num_queries
):
    def render():
        return render_to_string(
            "prescriptions/includes/person_prescriptions.html",
            {"prescriptions": prescriptions_for(angharad)},
        )

    actions.make_prescription(angharad, by=coordinator_a, service=walking_group, asked_for="a")
    with django_assert_max_num_queries(2):
        render()
    for _ in range(5):
        actions.make_prescription(
            angharad, by=coordinator_a, service=walking_group, asked_for="b", send=True
        )
    with django_assert_max_num_queries(2):
        html = render()
    assert html.count("govuk-tag--light-blue") == 5
    assert "Valleys walking group" in html


def test_the_summary_table_flags_what_needs_attention(sent):
    prescription, _path = sent
    created = prescription.links.get().created_at
    assert (
        actions.chase_unanswered_links(now=created + datetime.timedelta(actions.chase_days())) == 1
    )
    html = render_to_string(
        "prescriptions/includes/person_prescriptions.html",
        {"prescriptions": prescriptions_for(prescription.referral)},
    )
    assert "Needs attention" in html


def test_the_demo_makes_services_and_prescriptions_in_every_status(
    site_a, site_b, pathway_a, pathway_b, gp_referrer, coordinator_a, coordinator_b,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    site_a.slug, site_b.slug = "powys", "rhondda"
    site_a.save()
    site_b.save()
    referrals = [
        make_referral(ReferralStatus.ALLOCATED, pathway=pathway, by=gp_referrer, coordinator=c)
        for pathway, c in ((pathway_a, coordinator_a), (pathway_b, coordinator_b)) * 3
    ]
    with django_capture_on_commit_callbacks(execute=True):
        made = build_demo_prescriptions(referrals, [coordinator_a, coordinator_b], random.Random(1))
    assert {p.status for p in made} == set(PrescriptionStatus)
    assert len([p for p in made if p.status == PrescriptionStatus.UNAVAILABLE]) >= 2
    # The demo directory, and prescriptions only to open services serving the person's site.
    assert Service.objects.count() >= 40
    assert Service.objects.exclude(availability="open").exists()
    for prescription in made:
        service = prescription.service
        assert service.availability == "open"
        assert Service.objects.serving(prescription.referral.site).filter(pk=service.pk).exists()
        if prescription.status != PrescriptionStatus.SUGGESTED:
            assert service.referral_email
    assert not mail.outbox  # the demo emails no one
    for prescription in made:
        coordinator = prescription.referral.allocations.get(ended_at=None).coordinator
        assert prescription.created_by == coordinator
        steps = list(prescription.updates.all())
        assert [s.at for s in steps] == sorted(s.at for s in steps)
        assert steps[-1].to_status == prescription.status
    # Open links are still usable, back-dated but not expired.
    assert ServiceLink.objects.open().exists()

"""The demo directory: enough realistic services around both demo sites to show every part of
the directory, with histories, notes and unmet needs that hang together."""

import datetime
import re

import pytest
from django.utils import timezone

from linkwork.demo.directory import (
    ENTRIES,
    NEEDS,
    TAXONOMY,
    build_demo_directory,
    build_demo_unmet_needs,
)
from linkwork.directory.models import (
    Availability,
    AvailabilityChange,
    LocalNote,
    Service,
    TaxonomyTerm,
)
from linkwork.directory.queries import welsh_q
from linkwork.referrals.status import ReferralStatus
from linkwork.unmet.models import UnmetNeed
from tests.factories import make_referral

pytestmark = pytest.mark.django_db

A = Availability


@pytest.fixture
def directory(site_a, site_b, coordinator_a, coordinator_b, manager):
    return build_demo_directory([site_a, site_b])


def test_dozens_of_services_in_every_state_of_availability(directory):
    assert len(directory) == Service.objects.count() >= 45
    counts = {state: Service.objects.filter(availability=state).count() for state in A.values}
    assert counts[A.LIMITED] >= 5
    assert counts[A.TEMPORARILY_CLOSED] >= 4
    assert counts[A.CLOSED] >= 2
    assert counts[A.OPEN] > len(directory) / 2
    today = timezone.localdate()
    for service in Service.objects.exclude(availability=A.OPEN):
        assert service.availability_note, service
        if service.availability == A.TEMPORARILY_CLOSED:
            assert service.expected_reopening > today, service
        else:
            assert service.expected_reopening is None
    assert Service.objects.filter(availability=A.CLOSED, availability_note="Funding ended").exists()
    # "{later}" in a note is filled in with a month.
    assert not Service.objects.filter(availability_note__contains="{").exists()


def test_every_service_has_a_history_ending_in_its_availability(directory):
    today = timezone.localdate()
    eighteen_months_ago = today - datetime.timedelta(days=549)
    for service in Service.objects.prefetch_related("availability_changes"):
        changes = list(service.availability_changes.all())  # oldest first
        assert changes, service
        assert changes[0].availability == A.OPEN  # open when it was added
        assert changes[0].recorded_at == service.created_at
        days = [c.effective_on for c in changes]
        assert days == sorted(days) and len(set(days)) == len(days)
        assert eighteen_months_ago <= days[0] and days[-1] < today
        latest = changes[-1]
        assert (latest.availability, latest.note, latest.expected_reopening) == (
            service.availability,
            service.availability_note,
            service.expected_reopening,
        )
        for change in changes:
            assert change.recorded_at < timezone.now()
            assert timezone.localdate(change.recorded_at) >= change.effective_on
            if change.availability == A.TEMPORARILY_CLOSED:
                assert change.expected_reopening > change.effective_on
    # Several went through closures and came back.
    came_back = [
        s
        for s in Service.objects.filter(availability=A.OPEN)
        if A.TEMPORARILY_CLOSED in s.availability_changes.values_list("availability", flat=True)
    ]
    assert len(came_back) >= 3
    assert AvailabilityChange.objects.filter(recorded_by__isnull=False).count() == (
        AvailabilityChange.objects.count()
    )


def test_some_checks_are_overdue_and_one_was_never_done(directory):
    overdue = Service.objects.due_a_check()
    assert overdue.count() >= 5
    assert Service.objects.filter(last_checked_on__isnull=True).count() == 1
    assert overdue.count() < Service.objects.count() / 4  # most were checked in six months
    for service in Service.objects.exclude(last_checked_on=None):
        assert service.last_checked_by is not None
        assert service.last_checked_on >= timezone.localdate(service.created_at)


def test_sites_are_right_and_some_services_serve_everyone(directory, site_a, site_b):
    powys = {"LD1", "LD2", "LD3", "LD6", "SY16", "SY18", "SY20", "SY21"}
    rhondda = {"CF37", "CF39", "CF40", "CF42", "CF43", "CF44", "CF45"}
    everyone = Service.objects.filter(sites=None)
    assert everyone.count() >= 4
    for service in Service.objects.prefetch_related(
        "sites", "service_at_locations__location__addresses"
    ):
        sites = set(service.sites.all())
        postcodes = {
            address.postal_code.split()[0]
            for at in service.service_at_locations.all()
            for address in at.location.addresses.all()
        }
        if postcodes <= powys and postcodes:
            assert sites == {site_a}, service
        elif postcodes <= rhondda and postcodes:
            assert sites == {site_b}, service
        else:
            assert not postcodes
            assert sites in ({site_a}, {site_b}, set()), service
    assert Service.objects.serving(site_a).count() >= 25
    assert Service.objects.serving(site_b).count() >= 25


def test_each_service_is_described_as_oruk_would(directory):
    services = Service.objects.prefetch_related(
        "attributes__taxonomy_term",
        "schedules",
        "service_areas",
        "languages",
        "cost_options",
        "phones",
    )
    for service in services:
        terms = [a.taxonomy_term for a in service.attributes.all()]
        assert 1 <= len(terms) <= 3, service
        assert all(t.taxonomy.name == TAXONOMY for t in terms)
        assert service.schedules.count() == 1
        assert service.service_areas.exists()
        assert "en" in {lang.code for lang in service.languages.all()} or (
            {lang.code for lang in service.languages.all()} == {"cy"}
        )
        assert service.cost_options.get().currency == "GBP"
        number = service.phone
        assert re.fullmatch(r"01632 960\d{3}|0306 999 0\d{3}", number), number
        assert service.organization.website.endswith(".example.org/")
        if service.referral_method == "direct":
            assert service.referral_email.endswith(".example.org")
            assert "or use the secure link" in service.referral_contact
            assert number in service.referral_contact
            assert service.response_time
        else:
            assert not service.referral_email
            assert service.referral_contact
    signposts = Service.objects.filter(referral_method="signpost").count()
    assert 0.25 < signposts / services.count() < 0.45  # about a third
    assert TaxonomyTerm.objects.filter(parent__isnull=False).count() >= 4


def test_ages_costs_and_welsh(directory):
    assert Service.objects.filter(minimum_age=50).exists()
    assert Service.objects.filter(minimum_age=16, maximum_age=25).exists()
    assert Service.objects.filter(minimum_age=18, maximum_age=None).count() > 10
    free = Service.objects.filter(cost_options__amount=0).count()
    assert free > Service.objects.count() / 2
    assert Service.objects.filter(cost_options__amount__gte=2, cost_options__amount__lte=5)
    welsh = Service.objects.filter(languages__in=_welsh_languages()).distinct().count()
    assert Service.objects.count() / 4 < welsh < Service.objects.count() / 2
    welsh_only = Service.objects.exclude(languages__code="en")
    assert welsh_only.exists()


def _welsh_languages():
    from linkwork.directory.models import Language

    return Language.objects.filter(welsh_q())


def test_staff_notes_by_the_sites_coordinators(directory, coordinator_a, coordinator_b):
    notes = LocalNote.objects.select_related("service")
    assert 8 <= notes.count() <= 16
    for note in notes:
        assert note.created_at < timezone.now()
        assert note.created_at > note.service.created_at
        sites = set(note.service.sites.all())
        assert note.author in ({coordinator_a} if sites == {coordinator_a.sites.get()} else
                               {coordinator_b})  # fmt: skip
    assert notes.filter(text__startswith="Ring ahead").exists()


def test_building_twice_changes_nothing(directory, site_a, site_b):
    again = build_demo_directory([site_a, site_b])
    assert {s.pk for s in again} == {s.pk for s in directory}
    assert Service.objects.count() == len(directory)


def test_a_directory_for_one_site_leaves_the_others_services_out(site_b, coordinator_b):
    services = build_demo_directory([site_b])
    assert services
    assert not Service.objects.filter(sites__slug="powys").exists()
    assert not Service.objects.filter(service_at_locations__location__addresses__state_province=(
        "Powys")).exists()  # fmt: skip


def test_unmet_needs_over_the_last_year_some_for_people_on_a_caseload(
    directory, site_a, site_b, pathway_a, pathway_b, gp_referrer, coordinator_a, coordinator_b
):
    referrals = [
        make_referral(ReferralStatus.ALLOCATED, pathway=pathway, by=gp_referrer, coordinator=c)
        for pathway, c in ((pathway_a, coordinator_a), (pathway_b, coordinator_b)) * 3
    ]

    needs = build_demo_unmet_needs([site_a, site_b], referrals)

    assert len(needs) == len(NEEDS) == UnmetNeed.objects.count() >= 20
    now = timezone.now()
    for need in UnmetNeed.objects.select_related("referral", "category", "recorded_by"):
        assert now - datetime.timedelta(days=366) < need.recorded_at < now
        assert need.category.taxonomy.name == TAXONOMY
        assert need.recorded_by.sites.filter(pk=need.site_id).exists()
        if need.referral:
            assert need.referral.site_id == need.site_id
            allocation = need.referral.allocations.get(ended_at=None)
            assert need.recorded_by == allocation.coordinator
            assert need.recorded_at > allocation.started_at
    linked = UnmetNeed.objects.exclude(referral=None)
    assert set(linked.values_list("site__slug", flat=True)) == {"powys", "rhondda"}
    assert linked.count() == sum(n.for_a_person for n in NEEDS)
    for slug in ("powys", "rhondda"):
        assert UnmetNeed.objects.filter(site__slug=slug).count() >= 10
    assert UnmetNeed.objects.filter(category__code="transport", site__slug="powys").count() >= 2
    assert UnmetNeed.objects.filter(note__contains="LGBTQ+").count() == 2


def test_the_entries_are_made_up(directory):
    assert len({e.name for e in ENTRIES}) == len(ENTRIES)
    phones = list(Service.objects.values_list("phones__number", flat=True))
    assert len(set(phones)) == len(phones)
    for email in Service.objects.exclude(referral_email="").values_list(
        "referral_email", flat=True
    ):
        assert email.endswith(".example.org")

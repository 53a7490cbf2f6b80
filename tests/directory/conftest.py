"""A small directory round the two sites, and a person to find a service for.

walkers       Elan Valley walkers (Rhayader Ramblers): Walking, a kind of Physical
              activity; serves the Rhayader area; meets in Rhayader, LD6 5AB, on Tuesdays
              and Thursdays; 18 and over; free; in Welsh; site A; open, checked last week
debt_advice   Money matters (Citizens Advice Powys): Money advice; "debt" only in its
              description; Llanidloes, SY18 6AA, on Mondays; free; site A; never checked
knitting      Knitting circle (Llanidloes Library): Crafts; £3 a session; Wednesdays;
              limited (waiting list); site A
youth_club    Youth club (Powys Youth Service): ages 11 to 17; Fridays; site A; temporarily
              closed
rhondda_shed  Men's Shed Treorchy: site B only; open
lunch_club    Old lunch club: closed permanently; every site

angharad      aged 40, allocated to coordinator_a at site A
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from linkwork.directory.models import (
    Address,
    CostOption,
    Language,
    Location,
    Schedule,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from linkwork.referrals.status import ReferralStatus
from tests.factories import make_referral, make_service


def place(service, address_1, town, postcode):
    location = Location.objects.create(organization=service.organization, name=f"{town} hall")
    Address.objects.create(location=location, address_1=address_1, city=town, postal_code=postcode)
    ServiceAtLocation.objects.create(service=service, location=location)
    return location


def weekly(service, byday, opens=None, closes=None, description=""):
    return Schedule.objects.create(
        service=service,
        freq="WEEKLY",
        byday=byday,
        opens_at=opens,
        closes_at=closes,
        description=description,
    )


@pytest.fixture
def physical_activity(db):
    return TaxonomyTerm.objects.create(name="Physical activity")


@pytest.fixture
def walking(physical_activity):
    return TaxonomyTerm.objects.create(name="Walking", parent=physical_activity)


@pytest.fixture
def walkers(site_a, walking):
    service = make_service(
        name="Elan Valley walkers",
        organisation_name="Rhayader Ramblers",
        description="Gentle walks in the hills, with a cuppa after.",
        sites=[site_a],
        terms=[walking],
        minimum_age=18,
        referral_email="walks@ramblers.example.org",
        maintained_by="Powys link coordinators",
        last_checked_on=timezone.localdate() - datetime.timedelta(days=7),
    )
    ServiceArea.objects.create(service=service, name="Rhayader and district")
    place(service, "Community Centre, East Street", "Rhayader", "LD6 5AB")
    weekly(
        service,
        "TU,TH",
        datetime.time(10),
        datetime.time(12),
        "Meet at the clock tower.",
    )
    Language.objects.create(service=service, name="Welsh", code="cy")
    Language.objects.create(service=service, name="English", code="en")
    return service


@pytest.fixture
def debt_advice(site_a):
    service = make_service(
        name="Money matters",
        organisation_name="Citizens Advice Powys",
        description="Help with debt, benefits and budgeting.",
        sites=[site_a],
        terms=["Money advice"],
        phone="01686 412345",
    )
    place(service, "2 Great Oak Street", "Llanidloes", "SY18 6AA")
    weekly(service, "MO")
    return service


@pytest.fixture
def knitting(site_a):
    service = make_service(
        name="Knitting circle",
        organisation_name="Llanidloes Library",
        description="Bring your own needles.",
        sites=[site_a],
        terms=["Crafts"],
        availability="limited",
        availability_note="Waiting list of 6 weeks",
    )
    CostOption.objects.create(service=service, amount=Decimal("3.00"), option="a session")
    weekly(service, "WE")
    return service


@pytest.fixture
def youth_club(site_a):
    service = make_service(
        name="Youth club",
        organisation_name="Powys Youth Service",
        sites=[site_a],
        terms=["Youth work"],
        minimum_age=11,
        maximum_age=17,
        availability="temporarily_closed",
        availability_note="Hall closed for repairs",
        expected_reopening=timezone.localdate() + datetime.timedelta(days=30),
    )
    weekly(service, "FR")
    return service


@pytest.fixture
def rhondda_shed(site_b):
    return make_service(name="Men's Shed Treorchy", sites=[site_b], terms=["Practical activities"])


@pytest.fixture
def lunch_club(db):
    return make_service(
        name="Old lunch club",
        availability="closed",
        availability_note="Closed for good",
        terms=["Lunch clubs"],
    )


@pytest.fixture
def directory(walkers, debt_advice, knitting, youth_club, rhondda_shed, lunch_club):
    return {
        "walkers": walkers,
        "debt_advice": debt_advice,
        "knitting": knitting,
        "youth_club": youth_club,
        "rhondda_shed": rhondda_shed,
        "lunch_club": lunch_club,
    }


@pytest.fixture
def angharad(pathway_a, gp_referrer, coordinator_a, manager):
    today = timezone.localdate()
    return make_referral(
        ReferralStatus.ALLOCATED,
        pathway=pathway_a,
        by=gp_referrer,
        staff=manager,
        coordinator=coordinator_a,
        person={
            "given_name": "Angharad",
            "family_name": "Pritchard",
            "date_of_birth": datetime.date(today.year - 40, 1, 1),
        },
    )

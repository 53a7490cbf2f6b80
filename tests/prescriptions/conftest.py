"""Community services and people on caseloads for the social prescription tests.

walking_group: open, serves site A, has an email address
library_group: closed ("Closed for refurbishment"), serves site A
phone_only: open, every site, no email address
rhondda_only: open, serves site B only
angharad: allocated to coordinator_a at site A, with a name, phone and email to look for
"""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from linkwork.prescriptions import actions
from linkwork.referrals.status import ReferralStatus
from tests.factories import make_referral, make_service

LINK = re.compile(r"https?://[^\s/]+(/prescriptions/service-links/[^\s/]+/)")


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def walking_group(site_a):
    return make_service(
        name="Valleys walking group",
        organisation_name="Rhondda Ramblers",
        description="Gentle walks twice a week.",
        referral_email="walks@ramblers.example.org",
        sites=[site_a],
    )


@pytest.fixture
def library_group(site_a):
    return make_service(
        name="Llanidloes Library reading group",
        organisation_name="Powys Libraries",
        referral_email="library@powys.example.org",
        availability="closed",
        availability_note="Closed for good",
        sites=[site_a],
    )


@pytest.fixture
def phone_only(db):
    return make_service(name="Chapel lunch club", phone="01632 960111")


@pytest.fixture
def rhondda_only(site_b):
    return make_service(
        name="Men's Shed Treorchy", referral_email="shed@example.org", sites=[site_b]
    )


@pytest.fixture
def angharad(pathway_a, gp_referrer, coordinator_a, manager):
    return make_referral(
        ReferralStatus.ALLOCATED,
        pathway=pathway_a,
        by=gp_referrer,
        staff=manager,
        coordinator=coordinator_a,
        person={
            "given_name": "Angharad",
            "family_name": "Pritchard",
            "phone": "07700 900456",
            "email": "angharad.pritchard@example.com",
        },
    )


PERSONAL = ("Angharad", "Pritchard", "07700 900456", "angharad.pritchard@example.com")


@pytest.fixture
def sent(angharad, coordinator_a, walking_group, django_capture_on_commit_callbacks):
    """A prescription sent to the walking group without consent to share; returns it and the
    path of the link that was emailed."""
    with django_capture_on_commit_callbacks(execute=True):
        prescription = actions.make_prescription(
            angharad,
            by=coordinator_a,
            service=walking_group,
            asked_for="A place on the Tuesday walk.",
            send=True,
        )
    return prescription, link_in(mail.outbox[-1].body)


def link_in(text: str) -> str:
    match = LINK.search(text)
    assert match, "no service link in the email"
    return match.group(1)

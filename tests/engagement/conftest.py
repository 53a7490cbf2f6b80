"""Partners round site A: a GP practice that refers there (through site A's pathway open to
every GP practice) and a community organisation whose only service serves site A. Neither is
a partner of site B (site B's GP pathway names `gp_practice` only)."""

import datetime

import pytest
from django.utils import timezone

from linkwork.accounts.models import Role
from linkwork.engagement import actions
from linkwork.engagement.models import PartnerKind
from linkwork.engagement.queries import Partner
from linkwork.partners.models import SourceType
from linkwork.referrals.status import ReferralStatus
from tests.factories import OrganisationFactory, UserFactory, make_referral, make_service


def days_ago(days: int, hour: int = 11) -> datetime.datetime:
    """A moment in the working day, so many days ago, in local time."""
    day = timezone.localdate() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def as_partner(organisation, kind=PartnerKind.REFERRING) -> Partner:
    """A partner as the actions take it (the pages get theirs from `partner_for`)."""
    return Partner(kind, organisation, frozenset())


def refer(pathway, organisation, *, days: int, status=ReferralStatus.RECEIVED):
    return make_referral(
        status, pathway=pathway, organisation=organisation, received_at=days_ago(days)
    )


@pytest.fixture
def severn(db):
    return OrganisationFactory(name="Severn Valley Surgery", code="W91002")


@pytest.fixture
def severn_referred(severn, pathway_a):
    """Severn Valley Surgery has referred once to site A, 20 days ago."""
    refer(pathway_a, severn, days=20)
    return severn


@pytest.fixture
def walking_group(site_a):
    """A community organisation whose one service serves site A."""
    return make_service(
        name="Llanidloes walking group",
        organisation_name="Mid Powys Walking for Wellbeing",
        sites=[site_a],
        referral_email="walks@example.org",
    ).organization


@pytest.fixture
def crisis_team(db):
    return OrganisationFactory(
        name="Powys Crisis Team", source_type=SourceType.CRISIS_TEAM, code=""
    )


@pytest.fixture
def trial_manager(db):
    return UserFactory(role=Role.TRIAL_MANAGER, username="trial_manager")


@pytest.fixture
def mdt_meeting(severn_referred, site_a, coordinator_a):
    """An MDT meeting coordinator_a attended at Severn Valley Surgery, for site A."""
    return actions.record_activity(
        as_partner(severn_referred),
        by=coordinator_a,
        site=site_a,
        kind="mdt_meeting",
        happened_on=timezone.localdate() - datetime.timedelta(days=3),
        summary="Attended the MDT meeting.",
        sites=[site_a],
    )


@pytest.fixture
def managers_letter(severn_referred, site_a, manager):
    return actions.record_activity(
        as_partner(severn_referred),
        by=manager,
        site=site_a,
        kind="letter",
        happened_on=timezone.localdate() - datetime.timedelta(days=5),
        summary="Letter to the practice manager.",
        sites=[site_a],
    )


@pytest.fixture
def contact(severn_referred, manager):
    return actions.add_contact(
        as_partner(severn_referred),
        by=manager,
        details={"name": "Gwyn Pryce", "role": "Practice manager", "email": "gwyn@example.org"},
    )

import pytest

from linkwork.outcomes import actions
from linkwork.outcomes.models import ScheduledInstrument
from linkwork.referrals.status import ReferralStatus
from tests.factories import make_referral


@pytest.fixture
def instruments_on(administrator):
    """Every instrument in use: the licensed ones with registration confirmed."""
    for code in ("swemwbs", "wemwbs"):
        actions.configure_instrument(
            code, by=administrator, enabled=True, registration_confirmed=True
        )


@pytest.fixture
def schedule_a(site_a, instruments_on):
    """Site A: SWEMWBS and PHQ-9 at baseline, end and follow-up; ONS4 at baseline and end."""
    ScheduledInstrument.objects.create(site=site_a, instrument="swemwbs", at_follow_up=True)
    ScheduledInstrument.objects.create(site=site_a, instrument="phq9", at_follow_up=True)
    ScheduledInstrument.objects.create(site=site_a, instrument="ons4")


@pytest.fixture
def in_support(pathway_a, gp_referrer, manager, coordinator_a):
    """Someone on coordinator_a's caseload (site A), allocated by `manager`."""
    return make_referral(
        ReferralStatus.ALLOCATED,
        pathway=pathway_a,
        by=gp_referrer,
        staff=manager,
        coordinator=coordinator_a,
    )


@pytest.fixture
def waiting(pathway_a, gp_referrer, manager):
    """Someone on site A's waiting list."""
    return make_referral(ReferralStatus.WAITING, pathway=pathway_a, by=gp_referrer, staff=manager)

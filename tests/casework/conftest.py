"""A person in support with coordinator_a at site A, and helpers for the casework tests."""

import pytest

from linkwork.referrals.status import ReferralStatus
from tests.factories import make_referral


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


def date_parts(name: str, day) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}

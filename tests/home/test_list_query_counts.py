"""The research home page (researchers and trial managers) lists the user's trials with their
recruitment per site, and runs the same number of SQL queries however many trials there are
(`tests/query_counts.py`). The other roles' home pages are in
`tests/referrals/test_query_counts.py`."""

import pytest
from django.urls import reverse

from linkwork.accounts.models import Role
from linkwork.referrals.status import ReferralStatus
from linkwork.trials import actions
from linkwork.trials.models import ParticipantStatus
from tests.factories import (
    CoordinatorFactory,
    PathwayFactory,
    SiteFactory,
    UserFactory,
    make_referral,
)
from tests.query_counts import assert_flat
from tests.trials.conftest import enrol, spec

pytestmark = pytest.mark.django_db


def trials(k: int, *, team) -> None:
    """k open trials, each at a new site on a new pathway, set up by a new trial manager, with
    someone randomised."""
    for _ in range(k):
        site = SiteFactory()
        pathway = PathwayFactory(site=site, organisations=[])
        by = UserFactory(role=Role.TRIAL_MANAGER)
        trial = actions.create_trial(spec([site], [pathway]), by=by)
        for member in team:
            actions.add_to_team(trial, by=by, member=member)
        trial = actions.open_trial(trial, by=by)
        enrol(
            trial,
            make_referral(ReferralStatus.WAITING, pathway=pathway),
            CoordinatorFactory(sites=[site]),
            until=ParticipantStatus.RANDOMISED,
        )


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.TRIAL_MANAGER])
def test_research_home(role, client_for):
    user = UserFactory(role=role)
    assert_flat(client_for(user), reverse("home"), lambda k: trials(k, team=[user]))

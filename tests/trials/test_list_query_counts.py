"""The trials pages that list records run the same number of SQL queries however many they list
(`tests/query_counts.py`): the trials list, a trial's overview (recruitment per site), its
participants behind a count of the CONSORT diagram (by pseudonym for the trial team, by name
for staff at its sites), its team, its exports, and GP attendance per practice. Each record
added comes with its own related rows (a new site, pathway, person, practice, coordinator or
team member), so that a query per related row would show."""

import pytest
from django.urls import reverse

from linkwork.accounts.models import Role
from linkwork.referrals.status import ReferralStatus
from linkwork.trials import actions
from linkwork.trials import exports as trial_exports
from linkwork.trials.models import ParticipantStatus
from tests.factories import (
    CoordinatorFactory,
    PathwayFactory,
    ResearcherFactory,
    SiteFactory,
    UserFactory,
    make_referral,
)
from tests.query_counts import N, Page, assert_flat, assert_same_count
from tests.trials.conftest import enrol, spec

pytestmark = pytest.mark.django_db


def new_trial(sites, *, team=(), open_it: bool = True):
    """A trial at these sites (on a new GP pathway at each), set up by a new trial manager."""
    trial_manager = UserFactory(role=Role.TRIAL_MANAGER)
    pathways = [PathwayFactory(site=site, organisations=[]) for site in sites]
    trial = actions.create_trial(spec(sites, pathways), by=trial_manager)
    for member in team:
        actions.add_to_team(trial, by=trial_manager, member=member)
    if open_it:
        trial = actions.open_trial(trial, by=trial_manager)
    return trial


def take_part(trial, site, *, until=ParticipantStatus.RANDOMISED):
    """Someone new on the trial's pathway at the site, referred by a new practice, enrolled by a
    new coordinator there."""
    pathway = trial.pathways.get(site=site)
    referral = make_referral(ReferralStatus.WAITING, pathway=pathway)
    return enrol(trial, referral, CoordinatorFactory(sites=[site]), until=until)


def test_trials_list(client_for, researcher):
    def add(k):
        for i in range(k):
            new_trial([SiteFactory(), SiteFactory()], team=[researcher], open_it=bool(i % 2))

    assert_flat(client_for(researcher), reverse("trials:list"), add)


def test_a_trials_overview(client_for, researcher):
    """Recruitment is shown per site: a trial at 3N sites against one at N."""

    def trial_at(k):
        sites = [SiteFactory() for _ in range(k)]
        trial = new_trial(sites, team=[researcher])
        for site in sites:
            take_part(trial, site)
        return trial

    client = client_for(researcher)
    small, large = trial_at(N), trial_at(3 * N)
    assert_same_count(
        "/trials/<pk>/",
        Page(client, reverse("trials:detail", args=[small.pk])),
        Page(client, reverse("trials:detail", args=[large.pk])),
    )


@pytest.mark.parametrize("who", ["researcher", "manager"])
def test_a_trials_participants(who, request, client_for, site_a, trial):
    """The people behind the diagram's first count: by pseudonym for the team, by name for a
    manager at the site."""

    def add(k):
        for i in range(k):
            until = ParticipantStatus.RANDOMISED if i % 2 else ParticipantStatus.CONSENTED
            take_part(trial, site_a, until=until)

    url = reverse("trials:records", args=[trial.pk]) + "?group=assessed"
    assert_flat(client_for(request.getfixturevalue(who)), url, add)


def test_a_trials_team(client_for, trial_manager, trial):
    def add(k):
        for _ in range(k):
            actions.add_to_team(trial, by=trial_manager, member=ResearcherFactory())
            ResearcherFactory()  # one more who could join

    assert_flat(client_for(trial_manager), reverse("trials:team", args=[trial.pk]), add)


def test_a_trials_exports(client_for, researcher, trial_manager, trial):
    def add(k):
        for i in range(k):
            member = ResearcherFactory()
            actions.add_to_team(trial, by=trial_manager, member=member)
            trial_exports.request_export(trial, by=member, fmt="xlsx" if i % 2 else "csv")

    assert_flat(client_for(researcher), reverse("trials:exports", args=[trial.pk]), add)


def test_gp_attendance_per_practice(client_for, researcher, site_a, trial):
    """Each participant added was referred by a new practice: a new row."""
    assert_flat(
        client_for(researcher),
        reverse("trials:attendance", args=[trial.pk]),
        lambda k: [take_part(trial, site_a) for _ in range(k)],
    )

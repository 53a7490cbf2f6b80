"""The outcome measures pages that list records run the same number of SQL queries however many
they list (`tests/query_counts.py`): the measure schedules, one table per site, and a person's
measures (every score, those withdrawn, and the links sent to them). Each site added has its
own schedule; each measure, withdrawal and link is by someone new. (The record's measures
panel is held flat in `test_measure_pages.py`.)"""

from functools import partial

import pytest
from django.urls import reverse

from linkwork.outcomes import actions
from linkwork.referrals.status import ReferralStatus
from tests.factories import CoordinatorFactory, ManagerFactory, SiteFactory, make_referral
from tests.query_counts import assert_flat, assert_record_flat

pytestmark = pytest.mark.django_db

ANSWERS = {"phq9": [1] * 8 + [0], "gad7": [1, 1, 2, 1, 0, 1, 2], "ons4": [7, 8, 6, 3]}


def test_measure_schedules(client_for, manager, instruments_on):
    def add(k):
        for _ in range(k):
            site = SiteFactory()
            manager.sites.add(site)
            actions.set_site_schedule(
                site,
                by=manager,
                due={"swemwbs": {"baseline", "end", "follow_up"}, "phq9": {"baseline", "end"}},
                follow_up_months=6,
            )

    assert_flat(client_for(manager), reverse("outcomes:schedules"), add)


def measured(site, k: int, name: str):
    """Someone in support with k measures, k more withdrawn and k links, each by someone new."""
    referral = make_referral(
        ReferralStatus.ALLOCATED, site=site, person={"given_name": name, "email": "p@example.org"}
    )
    for i in range(k):
        code = list(ANSWERS)[i % len(ANSWERS)]
        for _ in range(2):
            measure = actions.record_measure(
                referral,
                by=CoordinatorFactory(sites=[site]),
                instrument=code,
                timepoint="review",
                answers=ANSWERS[code],
            )
        actions.withdraw_measure(measure, by=ManagerFactory(sites=[site]), reason="Wrong person")
        actions.create_measure_link(
            referral, by=CoordinatorFactory(sites=[site]), instrument=code, timepoint="review"
        )
    return referral


def test_a_persons_measures(client_for, manager, site_a, instruments_on):
    assert_record_flat(client_for(manager), "outcomes:measures", partial(measured, site_a))

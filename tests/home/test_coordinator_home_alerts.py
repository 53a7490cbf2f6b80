"""The coordinator's home page: reviews due, support ending soon or past its end, silence."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.casework import actions
from linkwork.referrals.status import ReferralStatus
from tests.factories import make_referral

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def person(pathway_a, manager, coordinator_a):
    return make_referral(
        ReferralStatus.ALLOCATED, pathway=pathway_a, staff=manager, coordinator=coordinator_a
    )


def alerts(client_for, coordinator):
    response = client_for(coordinator).get(reverse("home"))
    assert response.status_code == 200
    return response.context["alerts"], response.content.decode()


def test_support_ending_in_ten_days_is_listed_under_ending_soon(
    client_for, coordinator_a, manager, pathway_a
):
    ending = person(pathway_a, manager, coordinator_a)
    actions.set_support_plan(
        ending,
        by=coordinator_a,
        starts_on=TODAY() - datetime.timedelta(weeks=10),
        ends_on=TODAY() + datetime.timedelta(days=10),
        planned_sessions=6,
    )
    later = person(pathway_a, manager, coordinator_a)
    actions.set_support_plan(later, by=coordinator_a, starts_on=TODAY(), planned_sessions=6)
    found, content = alerts(client_for, coordinator_a)
    assert found.ending_soon == [ending]
    assert found.past_planned_end == []
    section = content[content.index('id="ending-soon"') :]
    assert ending.person.full_name in section[: section.index("</ul>")]
    assert reverse("casework:record", args=[ending.pk]) in content


def test_no_contact_for_fifteen_days_is_listed(client_for, coordinator_a, manager, pathway_a):
    quiet = person(pathway_a, manager, coordinator_a)
    actions.log_contact(
        quiet,
        by=coordinator_a,
        at=timezone.now() - datetime.timedelta(days=15),
        mode="telephone",
        outcome="attended",
    )
    seen = person(pathway_a, manager, coordinator_a)
    actions.log_contact(
        seen,
        by=coordinator_a,
        at=timezone.now() - datetime.timedelta(days=2),
        mode="telephone",
        outcome="attended",
    )
    found, content = alerts(client_for, coordinator_a)
    assert quiet in found.no_recent_contact
    assert seen not in found.no_recent_contact
    section = content[content.index('id="no-recent-contact"') :]
    assert quiet.person.full_name in section[: section.index("</ul>")]


def test_a_goal_not_reviewed_for_29_days_is_listed(client_for, coordinator_a, manager, pathway_a):
    due = person(pathway_a, manager, coordinator_a)
    goal = actions.add_goal(due, by=coordinator_a, description="Walk daily", domain="activity")
    actions.rate_goal(
        goal, by=coordinator_a, score=3, rated_on=TODAY() - datetime.timedelta(days=29)
    )
    fresh = person(pathway_a, manager, coordinator_a)
    goal = actions.add_goal(fresh, by=coordinator_a, description="Sleep", domain="wellbeing")
    actions.rate_goal(goal, by=coordinator_a, score=3, rated_on=TODAY())
    found, content = alerts(client_for, coordinator_a)
    assert due in found.reviews_due
    assert fresh not in found.reviews_due
    section = content[content.index('id="reviews-due"') :]
    section = section[: section.index("</ul>")]
    assert due.person.full_name in section
    # When it was last reviewed, not "not reviewed yet" (the goal was rated 29 days ago).
    last = TODAY() - datetime.timedelta(days=29)
    assert f"last reviewed {last.day} {last:%b %Y}" in section
    assert "not reviewed yet" not in section


def test_a_goal_never_rated_is_listed_as_not_reviewed_yet(
    client_for, coordinator_a, manager, pathway_a
):
    due = person(pathway_a, manager, coordinator_a)
    actions.add_goal(
        due,
        by=coordinator_a,
        description="Walk daily",
        domain="activity",
        started_on=TODAY() - datetime.timedelta(days=29),
    )
    found, content = alerts(client_for, coordinator_a)
    assert due in found.reviews_due
    section = content[content.index('id="reviews-due"') :]
    assert "not reviewed yet" in section[: section.index("</ul>")]


def test_another_coordinators_people_are_not_listed(
    client_for, coordinator_a, coordinator_b, manager, pathway_a
):
    person(pathway_a, manager, coordinator_a)
    found, _content = alerts(client_for, coordinator_b)
    assert found.no_recent_contact == []

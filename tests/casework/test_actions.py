"""The casework actions' rules, straight through the actions (the pages are tested elsewhere)."""

import datetime

import pytest
from django.utils import timezone

from linkwork.audit.models import AuditEvent
from linkwork.casework import actions
from linkwork.casework.models import GoalStatus, LifeDomain, WhatMatters
from linkwork.core.errors import ActionRefused
from linkwork.referrals.status import ClosureReason
from linkwork.referrals.status import ReferralStatus as S
from tests.factories import make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_support(pathway_a, gp_referrer, coordinator_a):
    return make_referral(S.ALLOCATED, pathway=pathway_a, by=gp_referrer, coordinator=coordinator_a)


def test_revisiting_what_matters_keeps_every_version(in_support, coordinator_a):
    actions.record_what_matters(in_support, by=coordinator_a, what_matters="Getting out")
    actions.record_what_matters(in_support, by=coordinator_a, what_matters="Getting out more")

    versions = list(in_support.what_matters.values_list("version", "what_matters"))
    assert versions == [(2, "Getting out more"), (1, "Getting out")]
    with pytest.raises(RuntimeError):
        WhatMatters.objects.filter(referral=in_support).update(what_matters="rewritten")


def test_a_site_allows_three_active_goals_and_a_changed_goal_keeps_its_link(
    in_support, coordinator_a
):
    goals = [
        actions.add_goal(in_support, by=coordinator_a, description=f"Goal {n}", domain="social")
        for n in range(3)
    ]
    with pytest.raises(ActionRefused, match="already has 3 active goals"):
        actions.add_goal(in_support, by=coordinator_a, description="Fourth", domain="social")

    # Changing a goal at the limit replaces it rather than being refused.
    changed = actions.end_goal(
        goals[0],
        by=coordinator_a,
        outcome=GoalStatus.CHANGED,
        new_description="Go to the group with a friend",
        new_domain=LifeDomain.SOCIAL,
    )
    assert changed.status == GoalStatus.CHANGED
    assert changed.replaced_by.description == "Go to the group with a friend"
    assert changed.replaced_by.replaces == changed
    assert in_support.goals.filter(status=GoalStatus.ACTIVE).count() == 3


def test_a_site_can_allow_more_goals(in_support, coordinator_a):
    in_support.site.max_active_goals = 4
    in_support.site.save()
    for n in range(4):
        actions.add_goal(in_support, by=coordinator_a, description=f"Goal {n}", domain="social")
    assert in_support.goals.count() == 4


@pytest.mark.parametrize("score", [-1, 11])
def test_ratings_are_0_to_10(in_support, coordinator_a, score):
    goal = actions.add_goal(in_support, by=coordinator_a, description="Walk", domain="activity")
    with pytest.raises(ActionRefused):
        actions.rate_goal(goal, by=coordinator_a, score=score)
    assert goal.ratings.count() == 0


def test_the_plan_runs_the_sites_usual_length_and_extending_needs_a_reason(
    in_support, coordinator_a
):
    start = timezone.localdate()
    plan = actions.set_support_plan(
        in_support, by=coordinator_a, starts_on=start, planned_sessions=8
    )
    assert plan.ends_on == start + datetime.timedelta(weeks=12)

    with pytest.raises(ActionRefused, match="why"):
        actions.extend_support(
            in_support,
            by=coordinator_a,
            new_end=plan.ends_on + datetime.timedelta(weeks=2),
            reason=" ",
        )
    actions.extend_support(
        in_support,
        by=coordinator_a,
        new_end=plan.ends_on + datetime.timedelta(weeks=2),
        reason="Only source of support",
    )
    plan.refresh_from_db()
    assert plan.ends_on == start + datetime.timedelta(weeks=14)
    assert plan.extensions.get().reason == "Only source of support"


def test_closing_ends_the_allocation_and_reopening_restores_it(in_support, coordinator_a, manager):
    assert coordinator_a.current_caseload() == 1

    actions.close_case(
        in_support, by=coordinator_a, reason=ClosureReason.GOALS_ACHIEVED, summary="Done well"
    )
    in_support.refresh_from_db()
    assert in_support.status == S.CLOSED
    assert coordinator_a.current_caseload() == 0
    with pytest.raises(ActionRefused, match="not in support"):
        actions.log_contact(
            in_support,
            by=coordinator_a,
            at=timezone.now(),
            mode="telephone",
            outcome="attended",
        )

    with pytest.raises(ActionRefused, match="why"):
        actions.reopen_case(in_support, by=manager, reason="")
    actions.reopen_case(in_support, by=manager, reason="Asked for help again")
    in_support.refresh_from_db()
    assert in_support.status == S.ALLOCATED
    assert coordinator_a.current_caseload() == 1
    steps = list(in_support.status_changes.values_list("to_status", "reason"))
    assert steps[-2:] == [(S.CLOSED, ClosureReason.GOALS_ACHIEVED), (S.ALLOCATED, "reopened")]
    assert in_support.closures.get().reopen_reason == "Asked for help again"


def test_reopening_respects_the_coordinators_cap(
    in_support, coordinator_a, manager, pathway_a, gp_referrer
):
    actions.close_case(in_support, by=coordinator_a, reason="other", summary="Paused")
    coordinator_a.caseload_cap = 1
    coordinator_a.save()
    make_referral(S.ALLOCATED, pathway=pathway_a, by=gp_referrer, coordinator=coordinator_a)

    with pytest.raises(ActionRefused, match="caseload is full"):
        actions.reopen_case(in_support, by=manager, reason="Back again")
    in_support.refresh_from_db()
    assert in_support.status == S.CLOSED


def test_feedback_only_after_closure_and_each_change_is_audited(in_support, coordinator_a):
    with pytest.raises(ActionRefused):
        actions.record_client_feedback(
            in_support,
            completed_via="with_coordinator",
            language="en",
            helpful=5,
            listened_to=5,
            involved_in_decisions=5,
            preferred_mode="mix",
        )
    actions.close_case(in_support, by=coordinator_a, reason="goals_achieved", summary="Done")
    actions.record_client_feedback(
        in_support,
        completed_via="with_coordinator",
        language="cy",
        helpful=5,
        listened_to=4,
        involved_in_decisions=4,
        preferred_mode="mix",
        what_helped="Cael rhywun i fynd gyda fi",
    )
    logged = set(
        AuditEvent.objects.filter(person_id=in_support.person_id).values_list(
            "object_type", flat=True
        )
    )
    assert {"casework.closure", "casework.clientfeedback"} <= logged
    assert not AuditEvent.objects.filter(detail__icontains="Cael rhywun").exists()


FEEDBACK = {
    "helpful": 5,
    "listened_to": 5,
    "involved_in_decisions": 4,
    "preferred_mode": "mix",
}


@pytest.fixture
def closed(in_support, coordinator_a):
    actions.close_case(in_support, by=coordinator_a, reason="goals_achieved", summary="Done")
    return in_support


def test_a_feedback_link_works_once(closed, coordinator_a):
    value = actions.create_feedback_link(closed, by=coordinator_a)

    link = actions.feedback_link_from(value)
    assert link.referral == closed
    actions.give_feedback_through_link(link, language="en", **FEEDBACK)

    assert actions.feedback_link_from(value) is None
    assert closed.client_feedback.get().completed_via == "secure_link"


def test_a_tampered_or_unknown_feedback_link_is_refused(closed, coordinator_a):
    value = actions.create_feedback_link(closed, by=coordinator_a)
    assert actions.feedback_link_from(value[:-1] + ("A" if value[-1] != "A" else "B")) is None
    assert actions.feedback_link_from("nonsense") is None


def test_an_expired_feedback_link_is_refused(closed, coordinator_a):
    value = actions.create_feedback_link(closed, by=coordinator_a)
    now = timezone.now()
    closed.feedback_links.update(
        created_at=now - datetime.timedelta(days=15), expires_at=now - datetime.timedelta(seconds=1)
    )
    assert actions.feedback_link_from(value) is None


def test_a_new_feedback_link_withdraws_the_old_one(closed, coordinator_a):
    old = actions.create_feedback_link(closed, by=coordinator_a)
    new = actions.create_feedback_link(closed, by=coordinator_a)
    assert actions.feedback_link_from(old) is None
    assert actions.feedback_link_from(new) is not None


def test_feedback_is_given_once(closed, coordinator_a):
    actions.record_client_feedback(
        closed, completed_via="with_coordinator", language="en", **FEEDBACK
    )
    with pytest.raises(ActionRefused, match="already"):
        actions.create_feedback_link(closed, by=coordinator_a)
    with pytest.raises(ActionRefused, match="already"):
        actions.record_client_feedback(
            closed, completed_via="with_coordinator", language="en", **FEEDBACK
        )


def test_a_booked_contact_is_in_the_future_and_later_says_what_happened(in_support, coordinator_a):
    soon = timezone.now() + datetime.timedelta(days=3)
    with pytest.raises(ActionRefused, match="must be in the future"):
        actions.log_contact(
            in_support,
            by=coordinator_a,
            at=timezone.now() - datetime.timedelta(hours=1),
            mode="telephone",
            outcome="booked",
        )
    booked = actions.log_contact(
        in_support, by=coordinator_a, at=soon, mode="home_visit", outcome="booked"
    )
    # Not yet: a contact still to come can't have been attended.
    with pytest.raises(ActionRefused, match="in the past"):
        actions.record_contact_outcome(booked, by=coordinator_a, outcome="attended")

    in_support.contacts.filter(pk=booked.pk).update(at=timezone.now() - datetime.timedelta(hours=2))
    booked.refresh_from_db()
    actions.record_contact_outcome(
        booked, by=coordinator_a, outcome="did_not_attend", note="No answer"
    )
    booked.refresh_from_db()
    assert booked.outcome == "did_not_attend"
    assert "No answer" in booked.note
    with pytest.raises(ActionRefused, match="already recorded"):
        actions.record_contact_outcome(booked, by=coordinator_a, outcome="attended")

"""Each casework action through the pages: what was typed is kept when something is wrong, and
the refusals say why."""

import datetime
import re

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from linkwork.casework import actions
from linkwork.casework.models import (
    Closure,
    Contact,
    Goal,
    GoalRating,
    GoalStatus,
    GoalStep,
    PlanExtension,
    SupportPlan,
    WhatMatters,
)
from linkwork.referrals.status import ClosureReason, ReferralStatus
from tests.factories import make_service

from .conftest import date_parts

pytestmark = pytest.mark.django_db


def url(name, referral, *args):
    return reverse(f"casework:{name}", args=[referral.pk, *args])


def errors(response) -> dict:
    return response.context["form"].errors


# --- What matters -------------------------------------------------------------------------------


def test_what_matters_is_recorded_and_revisiting_keeps_earlier_versions(
    client_for, coordinator_a, in_support
):
    browser = client_for(coordinator_a)
    first = {"what_matters": "Getting out of the house again", "strengths": "Knits"}
    assert browser.post(url("what_matters", in_support), first).status_code == 302
    response = browser.get(url("what_matters", in_support))
    # The form starts from the latest version.
    assert response.context["form"].initial["what_matters"] == "Getting out of the house again"
    second = {"what_matters": "Seeing my grandchildren", "next_steps": "Call my daughter"}
    assert browser.post(url("what_matters", in_support), second).status_code == 302

    versions = list(WhatMatters.objects.filter(referral=in_support).order_by("version"))
    assert [(v.version, v.what_matters) for v in versions] == [
        (1, "Getting out of the house again"),
        (2, "Seeing my grandchildren"),
    ]
    content = browser.get(url("what_matters", in_support)).content.decode()
    assert "Getting out of the house again" in content
    assert "Seeing my grandchildren" in content
    record = browser.get(url("record", in_support)).content.decode()
    assert "Seeing my grandchildren" in record


def test_what_matters_needs_what_matters_and_keeps_the_rest(client_for, coordinator_a, in_support):
    response = client_for(coordinator_a).post(
        url("what_matters", in_support), {"what_matters": "", "strengths": "Good with dogs"}
    )
    assert response.status_code == 200
    assert "what_matters" in errors(response)
    assert "Good with dogs" in response.content.decode()
    assert not WhatMatters.objects.exists()


# --- Support plan -------------------------------------------------------------------------------


def test_the_plan_defaults_to_the_sites_length_and_extending_needs_a_reason(
    client_for, coordinator_a, in_support
):
    browser = client_for(coordinator_a)
    start = timezone.localdate()
    response = browser.post(
        url("support_plan", in_support), {**date_parts("starts_on", start), "planned_sessions": 8}
    )
    assert response.status_code == 302
    plan = SupportPlan.objects.get(referral=in_support)
    assert plan.ends_on == start + datetime.timedelta(weeks=in_support.site.support_weeks)
    assert plan.planned_sessions == 8

    later = plan.ends_on + datetime.timedelta(weeks=4)
    response = browser.post(
        url("extend_support", in_support), {**date_parts("new_end", later), "reason": "  "}
    )
    assert response.status_code == 200
    assert errors(response)["reason"] == ["Enter why support is being extended"]
    assert f'value="{later.year}"' in response.content.decode()
    assert not PlanExtension.objects.exists()

    reason = "We might be the only support she has"
    response = browser.post(
        url("extend_support", in_support), {**date_parts("new_end", later), "reason": reason}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.ends_on == later
    assert PlanExtension.objects.get().reason == reason


# --- Goals --------------------------------------------------------------------------------------


def add_goal(browser, referral, description, steps=""):
    return browser.post(
        url("add_goal", referral),
        {"description": description, "domain": "social", "steps": steps},
    )


def test_a_goal_is_added_with_its_steps_one_per_line(client_for, coordinator_a, in_support):
    browser = client_for(coordinator_a)
    response = add_goal(
        browser, in_support, "Get to the coffee morning", "Go with Gareth\n\nGo by taxi\n"
    )
    assert response.status_code == 302
    goal = Goal.objects.get(referral=in_support)
    assert [s.description for s in goal.steps.all()] == ["Go with Gareth", "Go by taxi"]


def test_the_sites_goal_limit_is_refused_with_a_clear_message(
    client_for, coordinator_a, in_support
):
    browser = client_for(coordinator_a)
    for n in range(in_support.site.max_active_goals):
        assert add_goal(browser, in_support, f"Goal {n}").status_code == 302
    response = add_goal(browser, in_support, "One goal too many")
    assert response.status_code == 200
    message = " ".join(errors(response)["__all__"])
    assert "already has 3 active goals" in message
    assert "End or change one before adding another" in message
    assert "One goal too many" in response.content.decode()
    assert Goal.objects.filter(referral=in_support).count() == 3
    # And the way on: each active goal's "End or change" page.
    for goal in Goal.objects.filter(referral=in_support):
        assert url("end_goal", in_support, goal.pk) in response.content.decode()


def test_at_the_goal_limit_the_page_leads_to_ending_a_goal_before_anything_is_written(
    client_for, coordinator_a, in_support
):
    browser = client_for(coordinator_a)
    page = browser.get(url("add_goal", in_support)).content.decode()
    assert 'name="description"' in page and 'id="goal-limit"' not in page
    for n in range(in_support.site.max_active_goals):
        add_goal(browser, in_support, f"Goal {n}")

    page = browser.get(url("add_goal", in_support)).content.decode()

    assert 'id="goal-limit"' in page
    assert 'name="description"' not in page  # no form to fill in only to be refused
    goals = Goal.objects.filter(referral=in_support)
    for goal in goals:
        assert url("end_goal", in_support, goal.pk) in page
    # Ending one makes room: the form is back.
    ended = browser.post(
        url("end_goal", in_support, goals[0].pk),
        {"outcome": "achieved", "new_description": "", "new_domain": ""},
    )
    assert ended.status_code == 302
    page = browser.get(url("add_goal", in_support)).content.decode()
    assert 'name="description"' in page and 'id="goal-limit"' not in page


@pytest.fixture
def goal(in_support, coordinator_a):
    return actions.add_goal(
        in_support,
        by=coordinator_a,
        description="Walk to the end of the road",
        domain="activity",
        steps=["With my neighbour", "On my own"],
    )


def test_progress_is_rated_from_0_to_10(client_for, coordinator_a, in_support, goal):
    browser = client_for(coordinator_a)
    response = browser.post(url("rate_goal", in_support, goal.pk), {"score": "11", "note": "Keen"})
    assert response.status_code == 200
    assert errors(response)["score"] == ["Rate progress from 0 to 10"]
    content = response.content.decode()
    assert 'value="11"' in content
    assert 'value="Keen"' in content
    assert not GoalRating.objects.exists()

    response = browser.post(url("rate_goal", in_support, goal.pk), {"score": "6", "note": "Good"})
    assert response.status_code == 302
    rating = GoalRating.objects.get()
    assert (rating.score, rating.note, rating.rated_on) == (6, "Good", timezone.localdate())
    record = browser.get(url("record", in_support)).content.decode()
    assert "6/10" in record


def test_a_step_is_ticked_off_with_the_date_and_steps_can_be_added(
    client_for, coordinator_a, in_support, goal
):
    browser = client_for(coordinator_a)
    step = goal.steps.get(position=1)
    response = browser.post(url("complete_goal_step", in_support, goal.pk, step.pk))
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.done_on == timezone.localdate()

    response = browser.post(url("add_goal_step", in_support, goal.pk), {"description": ""})
    assert response.status_code == 200
    assert response.context["step_form"].errors["description"] == ["Enter the step"]
    response = browser.post(
        url("add_goal_step", in_support, goal.pk), {"description": "To the shop"}
    )
    assert response.status_code == 302
    assert list(goal.steps.values_list("position", "description")) == [
        (1, "With my neighbour"),
        (2, "On my own"),
        (3, "To the shop"),
    ]
    page = browser.get(url("goal", in_support, goal.pk)).content.decode()
    assert "Done " + timezone.localdate().strftime("%-d %b %Y") in page


def test_ending_a_goal_as_achieved(client_for, coordinator_a, in_support, goal):
    response = client_for(coordinator_a).post(
        url("end_goal", in_support, goal.pk), {"outcome": GoalStatus.ACHIEVED}
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.status, goal.ended_on) == (GoalStatus.ACHIEVED, timezone.localdate())


def test_a_changed_goal_is_replaced_by_a_new_one_and_keeps_the_link(
    client_for, coordinator_a, in_support, goal
):
    browser = client_for(coordinator_a)
    response = browser.post(url("end_goal", in_support, goal.pk), {"outcome": "changed"})
    assert response.status_code == 200
    assert errors(response)["new_description"] == ["Enter the new goal"]

    response = browser.post(
        url("end_goal", in_support, goal.pk),
        {"outcome": "changed", "new_description": "Walk to the park", "new_domain": ""},
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.status == GoalStatus.CHANGED
    new = goal.replaced_by
    assert (new.description, new.domain, new.status) == ("Walk to the park", "activity", "active")
    page = browser.get(url("goal", in_support, new.pk)).content.decode()
    assert "Replaces an earlier goal" in page
    assert "Walk to the end of the road" in page


# --- Contacts -----------------------------------------------------------------------------------


def contact_form(day, time="10:30", **extra):
    return {
        **date_parts("contact_date", day),
        "contact_time": time,
        "mode": "telephone",
        "outcome": "attended",
        "minutes": "30",
        "note": "Talked about the walking group",
        **extra,
    }


def test_a_contact_is_logged(client_for, coordinator_a, in_support):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client_for(coordinator_a).post(
        url("log_contact", in_support), contact_form(yesterday, volunteer_present="on")
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.mode, contact.outcome, contact.minutes, contact.volunteer_present) == (
        "telephone",
        "attended",
        30,
        True,
    )
    assert timezone.localtime(contact.at).date() == yesterday
    assert contact.by == coordinator_a


def test_a_contact_in_the_future_is_refused_and_what_was_typed_is_kept(
    client_for, coordinator_a, in_support
):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client_for(coordinator_a).post(
        url("log_contact", in_support), contact_form(tomorrow, mode="home_visit")
    )
    assert response.status_code == 200
    assert errors(response)["contact_date"] == ["The contact must be in the past"]
    content = response.content.decode()
    assert "Talked about the walking group" in content
    assert 'value="10:30"' in content
    checked = re.findall(r'<input[^>]*type="radio"[^>]*checked[^>]*>', content)
    assert any('value="home_visit"' in tag for tag in checked)
    assert not Contact.objects.exists()


def test_a_contact_that_could_not_be_saved_saves_nothing_and_keeps_what_was_typed(
    client_for, coordinator_a, in_support, monkeypatch
):
    """The database fails part way through the save (busy past its wait, say): the half-made
    contact is undone, the page says nothing was saved, and everything typed is there to send
    again, which then works."""
    log_contact = actions.log_contact

    def fails_after_writing(*args, **kwargs):
        log_contact(*args, **kwargs)
        raise OperationalError("database is locked")

    monkeypatch.setattr(actions, "log_contact", fails_after_writing)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    browser = client_for(coordinator_a)
    form = contact_form(yesterday, mode="home_visit")
    response = browser.post(url("log_contact", in_support), form)
    assert response.status_code == 200
    assert not Contact.objects.exists()
    content = response.content.decode()
    assert "This could not be saved just now, so nothing was saved." in content
    assert "Talked about the walking group" in content
    assert 'value="10:30"' in content
    checked = re.findall(r'<input[^>]*type="radio"[^>]*checked[^>]*>', content)
    assert any('value="home_visit"' in tag for tag in checked)
    assert "locked" not in content

    monkeypatch.setattr(actions, "log_contact", log_contact)
    assert browser.post(url("log_contact", in_support), form).status_code == 302
    assert Contact.objects.count() == 1


# --- Closing, reopening, read-only ---------------------------------------------------------------


def test_closing_needs_a_summary(client_for, coordinator_a, in_support):
    response = client_for(coordinator_a).post(
        url("close", in_support), {"reason": ClosureReason.GOALS_ACHIEVED, "summary": " "}
    )
    assert response.status_code == 200
    assert errors(response)["summary"] == ["Enter a short summary of the support"]
    in_support.refresh_from_db()
    assert in_support.status == ReferralStatus.ALLOCATED
    assert not Closure.objects.exists()


def test_closing_asks_how_each_open_goal_ended(client_for, coordinator_a, in_support):
    walk = actions.add_goal(
        in_support, by=coordinator_a, description="Walk daily", domain="activity"
    )
    group = actions.add_goal(
        in_support, by=coordinator_a, description="Join a group", domain="social"
    )
    browser = client_for(coordinator_a)
    typed = {"reason": ClosureReason.PERSON_CHOSE_TO_END, "summary": "Ready to stop"}

    refused = browser.post(url("close", in_support), {**typed, f"goal_{walk.pk}": "achieved"})

    assert refused.status_code == 200
    assert errors(refused)[f"goal_{group.pk}"] == ["Select how the goal ended"]
    assert "Ready to stop" in refused.content.decode()
    in_support.refresh_from_db()
    assert in_support.status == ReferralStatus.ALLOCATED

    closed = browser.post(
        url("close", in_support),
        {**typed, f"goal_{walk.pk}": "achieved", f"goal_{group.pk}": "not_achieved"},
    )
    assert closed.status_code == 302
    walk.refresh_from_db()
    group.refresh_from_db()
    assert (walk.status, group.status) == ("achieved", "not_achieved")
    assert walk.ended_on == group.ended_on == in_support.closures.get().closed_on


def test_closing_leads_to_the_feedback_questionnaire(client_for, coordinator_a, in_support):
    browser = client_for(coordinator_a)
    response = browser.post(
        url("close", in_support),
        {"reason": ClosureReason.GOALS_ACHIEVED, "summary": "Goes to the group on her own now"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("feedback", in_support)
    in_support.refresh_from_db()
    assert in_support.status == ReferralStatus.CLOSED
    assert browser.get(url("feedback", in_support)).status_code == 200
    response = browser.post(
        url("feedback", in_support),
        {
            "helpful": "5",
            "listened_to": "5",
            "involved_in_decisions": "4",
            "preferred_mode": "mix",
            "what_helped": "Someone to go with me",
        },
    )
    assert response.status_code == 302
    feedback = in_support.client_feedback.get()
    assert (feedback.helpful, feedback.preferred_mode, feedback.completed_via) == (
        5,
        "mix",
        "with_coordinator",
    )


@pytest.fixture
def closed(in_support, coordinator_a):
    actions.log_contact(
        in_support,
        by=coordinator_a,
        at=timezone.now() - datetime.timedelta(days=3),
        mode="telephone",
        outcome="attended",
    )
    goal = actions.add_goal(
        in_support, by=coordinator_a, description="Sleep better", domain="wellbeing"
    )
    actions.close_case(
        in_support,
        by=coordinator_a,
        reason=ClosureReason.GOALS_ACHIEVED,
        summary="All done",
        goal_outcomes={goal.pk: "achieved"},
    )
    in_support.refresh_from_db()
    return in_support


def _snapshot(referral):
    return (
        referral.status,
        Contact.objects.count(),
        Goal.objects.count(),
        GoalRating.objects.count(),
        GoalStep.objects.filter(done_on__isnull=False).count(),
        WhatMatters.objects.count(),
        SupportPlan.objects.count(),
        Closure.objects.filter(reopened_at__isnull=True).count(),
    )


def test_a_closed_record_is_read_only_for_the_coordinator(client_for, coordinator_a, closed):
    browser = client_for(coordinator_a)
    record = browser.get(url("record", closed))
    assert record.status_code == 200
    content = record.content.decode()
    assert "This record is closed and can only be read." in content
    for edit in ("log_contact", "add_goal", "close", "support_plan"):
        assert url(edit, closed) not in content
    assert url("reopen", closed) not in content

    goal = closed.goals.get()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    before = _snapshot(closed)
    posts = [
        (url("log_contact", closed), contact_form(yesterday)),
        (url("what_matters", closed), {"what_matters": "Sneaked in"}),
        (url("add_goal", closed), {"description": "Sneaked in", "domain": "social"}),
        (url("rate_goal", closed, goal.pk), {"score": "5"}),
        (url("end_goal", closed, goal.pk), {"outcome": "achieved"}),
        (
            url("support_plan", closed),
            {**date_parts("starts_on", yesterday), "planned_sessions": 6},
        ),
        (url("close", closed), {"reason": "other", "summary": "Again"}),
        (url("reopen", closed), {"reason": "I'd like her back"}),
    ]
    for target, data in posts:
        assert browser.post(target, data).status_code == 404, target
    closed.refresh_from_db()
    assert _snapshot(closed) == before


def test_a_manager_sees_a_closed_record_refuse_changes_and_can_reopen_it_with_a_reason(
    client_for, manager, coordinator_a, closed
):
    browser = client_for(manager)
    content = browser.get(url("record", closed)).content.decode()
    assert url("reopen", closed) in content
    assert url("log_contact", closed) not in content

    # Changes are refused by the actions even for a manager while the case is closed.
    before = _snapshot(closed)
    response = browser.post(url("add_goal", closed), {"description": "X", "domain": "social"})
    assert response.status_code == 200
    assert "is not in support" in " ".join(errors(response)["__all__"])
    assert _snapshot(closed) == before

    response = browser.post(url("reopen", closed), {"reason": " "})
    assert response.status_code == 200
    assert errors(response)["reason"] == ["Enter why the case is being reopened"]
    closed.refresh_from_db()
    assert closed.status == ReferralStatus.CLOSED

    response = browser.post(url("reopen", closed), {"reason": "Her housing fell through"})
    assert response.status_code == 302
    closed.refresh_from_db()
    assert closed.status == ReferralStatus.ALLOCATED
    assert closed.allocations.get(ended_at__isnull=True).coordinator == coordinator_a
    assert Closure.objects.get().reopen_reason == "Her housing fell through"
    # Back on the caseload: the coordinator can work with the person again.
    content = client_for(coordinator_a).get(url("record", closed)).content.decode()
    assert url("log_contact", closed) in content


def test_known_risks_from_the_referral_are_on_the_contact_and_prescription_forms(
    client_for, coordinator_a, in_support
):
    """Observation 13: "do not leave messages on the landline" was on the referral but not where
    it matters: the contact form, and the prescription form where the coordinator decides
    whether to share the person's contact details."""
    in_support.known_risks = "Do not leave messages on the landline"
    in_support.save(update_fields=["known_risks"])
    browser = client_for(coordinator_a)
    walkers = make_service(name="Walkers", referral_email="w@example.org", sites=[in_support.site])
    for url in (
        url_for_log := reverse("casework:log_contact", args=[in_support.pk]),
        reverse("prescriptions:new", args=[in_support.pk]) + f"?service={walkers.pk}",
        reverse("casework:record", args=[in_support.pk]),
    ):
        content = browser.get(url).content.decode()
        risks = content[content.index('id="known-risks"') :]
        assert "Do not leave messages on the landline" in risks[:600], url
    # Shown before the form, not after it.
    content = browser.get(url_for_log).content.decode()
    assert content.index('id="known-risks"') < content.index('name="mode"')

"""The person's record: what it shows, in what order, to whom, and at what cost in queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.casework import actions
from linkwork.casework.timeline import (
    TimelineEntry,
    _sources,
    register_timeline_source,
    timeline_for,
)
from linkwork.referrals import actions as referral_actions
from linkwork.referrals.status import ClosureReason, ReferralStatus
from tests.factories import CoordinatorFactory, allocate, make_referral

S = ReferralStatus

pytestmark = pytest.mark.django_db


def record_url(referral) -> str:
    return reverse("casework:record", args=[referral.pk])


def timeline_url(referral) -> str:
    return reverse("casework:timeline", args=[referral.pk])


def test_the_record_shows_the_person_at_a_glance(client_for, coordinator_a, pathway_a, manager):
    referral = make_referral(
        S.ALLOCATED,
        pathway=pathway_a,
        staff=manager,
        coordinator=coordinator_a,
        known_risks="Falls at home",
        person={"best_time_to_call": "After 4pm", "preferred_language": "cy"},
    )
    actions.set_support_plan(
        referral, by=coordinator_a, starts_on=timezone.localdate(), planned_sessions=8
    )
    actions.add_goal(referral, by=coordinator_a, description="Join the choir", domain="social")
    response = client_for(coordinator_a).get(record_url(referral))
    assert response.status_code == 200
    content = response.content.decode()
    for expected in (
        referral.person.full_name,
        "After 4pm",
        "Welsh",
        "Falls at home",
        "Lives alone and would like to get out more.",
        "Join the choir",
        "0 attended of 8 planned",
        "No outcome measures are scheduled at this site",
        coordinator_a.display_name,
    ):
        assert expected in content, expected
    assert AuditEvent.objects.filter(
        user=coordinator_a, action=AuditAction.VIEW, person_id=referral.person_id
    ).exists()


def test_the_timeline_is_in_order(client_for, coordinator_a, manager, pathway_a):
    referral = make_referral(S.WAITING, pathway=pathway_a, staff=manager)
    referral_actions.log_interim_contact(
        referral,
        by=manager,
        at=timezone.now() - datetime.timedelta(days=20),
        mode="telephone",
        note="Checked in while waiting",
    )
    allocate(referral, coordinator=coordinator_a, by=manager)
    actions.record_what_matters(referral, by=coordinator_a, what_matters="Getting out")
    actions.log_contact(
        referral,
        by=coordinator_a,
        at=timezone.now() - datetime.timedelta(minutes=30),
        mode="home_visit",
        outcome="attended",
        note="First visit",
    )
    actions.set_support_plan(
        referral, by=coordinator_a, starts_on=timezone.localdate(), planned_sessions=6
    )
    actions.close_case(
        referral, by=coordinator_a, reason=ClosureReason.GOALS_ACHIEVED, summary="Done well"
    )

    response = client_for(coordinator_a).get(timeline_url(referral))
    entries = list(response.context["timeline"])
    whens = [entry.sort_key for entry in entries]
    assert whens == sorted(whens, reverse=True)
    kinds = [entry.kind for entry in entries]
    assert kinds.index("what_matters") < kinds.index("contact") < kinds.index("interim_contact")
    titles = [entry.title for entry in entries]
    # The referrer is told after the case closes (the person consented to feedback): newest.
    assert titles[:2] == ["Referrer told: Support ended", "Support closed"]
    content = response.content.decode()
    # The contact (30 minutes ago) happened before the conversation was written up.
    order = ["Done well", "Getting out", "First visit", "Checked in while waiting"]
    positions = [content.index(text, content.index('class="lw-timeline"')) for text in order]
    assert positions == sorted(positions)
    # The record itself links to it rather than gathering the whole history.
    record = client_for(coordinator_a).get(record_url(referral)).content.decode()
    assert 'class="lw-timeline"' not in record
    assert timeline_url(referral) in record


def test_a_long_timeline_comes_a_page_at_a_time(client_for, coordinator_a, in_support):
    start = timezone.now() - datetime.timedelta(days=200)
    for day in range(60):
        actions.log_contact(
            in_support,
            by=coordinator_a,
            at=start + datetime.timedelta(days=day),
            mode="telephone",
            outcome="attended",
            note=f"Call number {day}",
        )
    client = client_for(coordinator_a)
    first = client.get(timeline_url(in_support))
    assert len(first.context["timeline"]) == 50
    assert "Call number 59" in first.content.decode()  # newest first
    second = client.get(timeline_url(in_support) + "?page=2")
    content = second.content.decode()
    assert "Call number 0" in content and "Call number 59" not in content
    assert 'aria-label="Pages of the timeline"' in content
    # Each page is a read of the person's record, attributed to whoever opened it.
    assert (
        AuditEvent.objects.filter(
            user=coordinator_a, action=AuditAction.VIEW, person_id=in_support.person_id
        ).count()
        == 2
    )


def test_the_timeline_is_as_private_as_the_record(client_for, coordinator_b, in_support):
    assert client_for(coordinator_b).get(timeline_url(in_support)).status_code == 404
    assert not AuditEvent.objects.filter(user=coordinator_b, action=AuditAction.VIEW).exists()


def test_other_apps_can_add_to_the_timeline(in_support):
    def messages(referral):
        yield TimelineEntry(datetime.date(2020, 1, 1), "message", "Letter to the GP", who="Bot")

    register_timeline_source(messages)
    register_timeline_source(messages)  # once only
    try:
        entries = timeline_for(in_support)
        assert [e.title for e in entries].count("Letter to the GP") == 1
        assert entries[-1].title == "Letter to the GP"  # the oldest, so last
        assert entries[-1].all_day
    finally:
        _sources.remove(messages)


# --- Who may see it -----------------------------------------------------------------------------


def test_another_coordinator_cannot_see_the_person(client_for, coordinator_b, in_support):
    assert client_for(coordinator_b).get(record_url(in_support)).status_code == 404
    assert not AuditEvent.objects.filter(user=coordinator_b, action=AuditAction.VIEW).exists()


def test_a_coordinator_at_the_same_site_who_never_supported_them_cannot_either(
    client_for, site_a, in_support
):
    colleague = CoordinatorFactory(sites=[site_a])
    browser = client_for(colleague)
    assert browser.get(record_url(in_support)).status_code == 404
    people = browser.get(reverse("casework:people") + "?status=all")
    assert in_support.person.full_name not in people.content.decode()


def test_a_manager_at_another_site_cannot_see_the_person(client_for, manager_b, in_support):
    assert client_for(manager_b).get(record_url(in_support)).status_code == 404


@pytest.mark.parametrize("who", ["gp_referrer", "researcher", "administrator", "outsider"])
def test_referrers_researchers_and_others_cannot_see_the_record(
    who, client_for, in_support, request
):
    response = client_for(request.getfixturevalue(who)).get(record_url(in_support))
    assert response.status_code == 404


def test_a_coordinator_who_supported_a_closed_case_still_sees_the_record(
    client_for, coordinator_a, in_support
):
    actions.close_case(in_support, by=coordinator_a, reason="moved_away", summary="Moved to Leeds")
    browser = client_for(coordinator_a)
    assert browser.get(record_url(in_support)).status_code == 200
    closed = browser.get(reverse("casework:people") + "?status=closed").content.decode()
    assert in_support.person.full_name in closed
    open_ = browser.get(reverse("casework:people")).content.decode()
    assert in_support.person.full_name not in open_


def test_a_coordinator_who_handed_over_still_reads_but_cannot_change(
    client_for, coordinator_a, site_a, manager, in_support
):
    successor = CoordinatorFactory(sites=[site_a])
    current = in_support.allocations.get(ended_at__isnull=True)
    allocate(in_support, coordinator=successor, by=manager, replacing=current)
    browser = client_for(coordinator_a)
    content = browser.get(record_url(in_support)).content.decode()
    assert reverse("casework:log_contact", args=[in_support.pk]) not in content
    response = browser.post(
        reverse("casework:what_matters", args=[in_support.pk]), {"what_matters": "Mine now"}
    )
    assert response.status_code == 404
    assert not in_support.what_matters.exists()


def test_the_referral_page_links_to_the_record_for_those_who_may_open_it(
    client_for, coordinator_a, manager, site_a, in_support
):
    link = record_url(in_support)
    detail = reverse("referrals:detail", args=[in_support.pk])
    assert link in client_for(coordinator_a).get(detail).content.decode()
    assert link in client_for(manager).get(detail).content.decode()
    colleague = CoordinatorFactory(sites=[site_a])
    assert link not in client_for(colleague).get(detail).content.decode()


def test_the_caseload_links_each_name_to_the_record(client_for, coordinator_a, in_support):
    content = client_for(coordinator_a).get(reverse("referrals:my_caseload")).content.decode()
    assert f'href="{record_url(in_support)}"' in content


# --- Query count --------------------------------------------------------------------------------


def _add_casework(referral, coordinator, n):
    for k in range(n):
        actions.log_contact(
            referral,
            by=coordinator,
            at=timezone.now() - datetime.timedelta(days=k + 1),
            mode="telephone",
            outcome="attended",
            note=f"Contact {k}",
        )
        goal = actions.add_goal(
            referral, by=coordinator, description=f"Goal {k}", domain="social", steps=["A", "B"]
        )
        actions.rate_goal(goal, by=coordinator, score=k % 10, note="Reviewed")
        actions.complete_goal_step(goal.steps.first(), by=coordinator)
        actions.end_goal(goal, by=coordinator, outcome="achieved")
        actions.record_what_matters(referral, by=coordinator, what_matters=f"Version {k}")


def _queries(browser, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("page", ["record", "timeline"])
def test_the_record_and_its_timeline_run_as_many_queries_with_a_long_history_as_a_short_one(
    page, client_for, coordinator_a, in_support
):
    browser = client_for(coordinator_a)
    url = reverse(f"casework:{page}", args=[in_support.pk])
    actions.set_support_plan(
        in_support, by=coordinator_a, starts_on=timezone.localdate(), planned_sessions=6
    )
    _add_casework(in_support, coordinator_a, 3)
    browser.get(url)
    few = _queries(browser, url)
    _add_casework(in_support, coordinator_a, 9)
    many = _queries(browser, url)
    assert many == few
    response = browser.get(url)
    if page == "record":
        assert len(response.context["contacts"]) == 12
        assert len(response.context["goals"]) == 12
    else:  # more than a page of entries: the second page is there too
        assert response.context["page"].paginator.num_pages > 1


def test_the_record_and_the_home_page_agree_on_when_a_goal_review_is_due(
    client_for, coordinator_a, in_support
):
    """One rule: a goal is due a review four weeks after its last rating (or after it was set);
    the person's next review is the soonest of their goals'."""
    today = timezone.localdate()
    rated = actions.add_goal(
        in_support,
        by=coordinator_a,
        description="Walk to the shop",
        domain="activity",
        started_on=today - datetime.timedelta(weeks=8),
    )
    actions.rate_goal(rated, by=coordinator_a, score=5, rated_on=today - datetime.timedelta(days=3))
    unrated = actions.add_goal(
        in_support,
        by=coordinator_a,
        description="Join a choir",
        domain="social",
        started_on=today - datetime.timedelta(weeks=5),
    )
    browser = client_for(coordinator_a)

    record = browser.get(reverse("casework:record", args=[in_support.pk]))
    due_on = unrated.started_on + datetime.timedelta(days=28)
    assert record.context["next_review"] == due_on
    # A week past: overdue, not "upcoming".
    assert "A goal review was due by" in record.content.decode()
    assert "Upcoming: a goal review" not in record.content.decode()
    home = browser.get(reverse("home"))
    assert in_support in home.context["alerts"].reviews_due

    actions.rate_goal(unrated, by=coordinator_a, score=3)
    record = browser.get(reverse("casework:record", args=[in_support.pk]))
    assert record.context["next_review"] == today - datetime.timedelta(days=3) + datetime.timedelta(
        days=28
    )
    assert "Upcoming: a goal review is due by" in record.content.decode()
    home = browser.get(reverse("home"))
    assert in_support not in home.context["alerts"].reviews_due


def test_the_record_opens_with_a_summary_its_everyday_actions_and_its_sections(
    client_for, coordinator_a, in_support
):
    """Observation 8: the record was a wall, with the everyday actions far down and "Close
    support" at the top. Now: a summary first (next and last contact, plan, goals, phone) with
    the everyday actions, then links to each section, each of which is on the page; closing at
    the end."""
    booked_for = timezone.now() + datetime.timedelta(days=3)
    actions.log_contact(
        in_support, by=coordinator_a, at=booked_for, mode="home_visit", outcome="booked"
    )
    content = (
        client_for(coordinator_a)
        .get(reverse("casework:record", args=[in_support.pk]))
        .content.decode()
    )
    summary = content[content.index('id="record-summary"') : content.index('id="record-sections"')]
    assert timezone.localtime(booked_for).strftime("%H:%M") in summary
    assert "(face to face at home)" in summary
    for action in ("Log a contact", "Make a social prescription", "Record a measure"):
        assert action in summary
    assert "Close support" not in summary
    nav = content[
        content.index('id="record-sections"') : content.index(
            "</nav>", content.index('id="record-sections"')
        )
    ]
    for anchor in re.findall(r'href="#([a-z-]+)"', nav):
        assert f'id="{anchor}"' in content, anchor
    assert content.index('id="contacts"') < content.index('id="ending-support"')
    assert content.index("Close support</a>") > content.index('id="contacts"')

"""Escalations past their response date: the coordinator and managers are told once per due
date, with no name in the email; answered ones are left alone."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from linkwork.safeguarding import actions as safeguarding
from linkwork.safeguarding.sweeps import chase_overdue_escalations

pytestmark = pytest.mark.django_db


@pytest.fixture
def escalation(in_support, coordinator_a):
    concern = safeguarding.raise_concern(
        in_support, by=coordinator_a, kind="abuse", summary="Bruising; says a relative pushed her"
    )
    at = timezone.now() - datetime.timedelta(days=5)
    return safeguarding.escalate(
        concern,
        by=coordinator_a,
        to="social_services",
        at=at,
        method="phone",
        reference="MASH-1",
        response_due=timezone.localdate(at) + datetime.timedelta(days=2),
    )


def test_overdue_escalation_told_once(escalation, coordinator_a, manager, manager_b, after_commit):
    assert after_commit(chase_overdue_escalations) == 1
    (email,) = mail.outbox
    assert set(email.to) == {coordinator_a.email, manager.email}
    assert manager_b.email not in email.to
    body = email.body
    assert escalation.concern.reference in body
    person = escalation.concern.referral.person
    assert person.family_name not in body and person.given_name not in body
    assert after_commit(chase_overdue_escalations) == 0
    assert len(mail.outbox) == 1


def test_told_again_when_a_new_due_date_passes(escalation, coordinator_a, after_commit):
    after_commit(chase_overdue_escalations)
    today = timezone.localdate()
    safeguarding.chase(
        escalation,
        by=coordinator_a,
        method="phone",
        note="Duty desk: will call back",
        next_due=today,
    )
    assert after_commit(chase_overdue_escalations, today=today) == 0
    assert after_commit(chase_overdue_escalations, today=today + datetime.timedelta(days=1)) == 1


def test_answered_escalations_are_not_chased(escalation, manager, after_commit):
    safeguarding.record_response(escalation, by=manager, response="Visit arranged")
    assert after_commit(chase_overdue_escalations) == 0
    assert mail.outbox == []


def test_daily_reminder_counts_measures_and_safeguarding(
    in_support, coordinator_a, schedule_a, escalation, after_commit
):
    from linkwork.casework.sweeps import remind_coordinators

    assert after_commit(remind_coordinators) == 1
    body = next(m.body for m in mail.outbox if m.to == [coordinator_a.email])
    assert "3 outcome measures are due or overdue" in body  # SWEMWBS, PHQ-9, ONS4 baselines
    assert "1 safeguarding escalation is past its response date" in body
    assert in_support.person.family_name not in body


def test_item_9_through_a_link_tells_the_coordinator_and_managers_at_once(
    in_support, coordinator_a, manager, manager_b, django_capture_on_commit_callbacks
):
    from linkwork.outcomes import actions

    link, _signed = actions.create_measure_link(
        in_support, by=coordinator_a, instrument="phq9", timepoint="baseline"
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.complete_measure_through_link(
            link, answers=[1, 1, 0, 0, 0, 0, 0, 0, 2], language="en"
        )
    (email,) = mail.outbox
    assert set(email.to) == {coordinator_a.email, manager.email}
    prompt = in_support.safeguarding_prompts.get()
    assert f"/safeguarding/prompts/{prompt.pk}/" in email.body
    assert in_support.reference in email.body
    assert in_support.person.family_name not in email.body


def test_no_email_when_the_coordinator_is_with_the_person(
    in_support, coordinator_a, manager, django_capture_on_commit_callbacks
):
    from linkwork.outcomes import actions

    with django_capture_on_commit_callbacks(execute=True):
        actions.record_measure(
            in_support,
            by=coordinator_a,
            instrument="phq9",
            timepoint="baseline",
            answers=[1, 1, 0, 0, 0, 0, 0, 0, 2],
        )
    assert mail.outbox == []

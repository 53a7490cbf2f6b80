"""The daily reminder to link coordinators: once a day, counts only, never names."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from linkwork.casework import actions
from linkwork.casework.sweeps import remind_coordinators
from linkwork.core.sweeps import registered_sweeps
from linkwork.referrals.status import ClosureReason
from linkwork.referrals.status import ReferralStatus as S
from tests.factories import make_referral

pytestmark = pytest.mark.django_db


def test_the_sweep_is_registered_with_the_worker():
    assert any(name.endswith("remind_coordinators") for name in registered_sweeps())


def test_a_coordinator_is_reminded_once_a_day_without_names(
    in_support, coordinator_a, pathway_a, gp_referrer, after_commit
):
    coordinator_a.email = "gareth@example.org"
    coordinator_a.save()
    today = timezone.localdate()
    actions.set_support_plan(
        in_support,
        by=coordinator_a,
        starts_on=today - datetime.timedelta(weeks=11),
        planned_sessions=6,
    )
    closed = make_referral(
        S.ALLOCATED, pathway=pathway_a, by=gp_referrer, coordinator=coordinator_a
    )
    actions.close_case(closed, by=coordinator_a, reason=ClosureReason.MOVED_AWAY, summary="Moved")

    assert after_commit(remind_coordinators) == 1
    assert after_commit(remind_coordinators) == 0  # the second sweep of the day sends nothing

    (email,) = mail.outbox
    assert email.to == ["gareth@example.org"]
    assert "1 person ends support in the next two weeks" in email.body
    assert "1 closed case is waiting for the person's feedback" in email.body
    for person in (in_support.person, closed.person):
        assert person.given_name not in email.body
        assert person.family_name not in email.body


def test_a_coordinator_with_nothing_due_gets_no_email(coordinator_a, after_commit):
    coordinator_a.email = "gareth@example.org"
    coordinator_a.save()
    assert after_commit(remind_coordinators) == 0
    assert mail.outbox == []


def test_the_next_day_brings_a_new_reminder(in_support, coordinator_a, after_commit):
    coordinator_a.email = "gareth@example.org"
    coordinator_a.save()
    today = timezone.localdate()
    actions.set_support_plan(
        in_support,
        by=coordinator_a,
        starts_on=today - datetime.timedelta(weeks=11),
        planned_sessions=6,
    )
    assert after_commit(remind_coordinators, today=today) == 1
    assert after_commit(remind_coordinators, today=today + datetime.timedelta(days=1)) == 1
    assert len(mail.outbox) == 2

"""Contacts counted by site, pathway, day, mode and outcome (`ContactDay`) for the reports: kept
by the contact actions, remade from the contacts by `tallies.rebuild`, and both the same."""

import datetime
import threading

import pytest
from django.db import connections
from django.utils import timezone

from linkwork.casework import actions as casework
from linkwork.casework import tallies
from linkwork.casework.models import ContactDay, ContactMode, ContactOutcome, FirstContact
from linkwork.referrals.models import Referral
from linkwork.referrals.status import ReferralStatus
from tests.factories import make_referral
from tests.postgres import postgresql_only_test

pytestmark = pytest.mark.django_db


def counts() -> dict:
    return {
        (t.site_id, t.pathway_id, t.day, t.mode, t.outcome): t.n
        for t in ContactDay.objects.exclude(n=0)
    }


def firsts() -> dict:
    return dict(FirstContact.objects.values_list("referral_id", "at"))


def log(referral, by, at, mode=ContactMode.TELEPHONE, outcome=ContactOutcome.ATTENDED):
    return casework.log_contact(referral, by=by, at=at, mode=mode, outcome=outcome)


def test_logging_and_recording_what_happened_keep_the_counts(in_support, coordinator_a):
    now = timezone.now()
    # Noon yesterday, so that half an hour earlier is the same day whenever the test runs.
    yesterday = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate() - datetime.timedelta(days=1), datetime.time(12)
        )
    )
    log(in_support, coordinator_a, yesterday)
    log(in_support, coordinator_a, yesterday - datetime.timedelta(minutes=30))
    log(in_support, coordinator_a, yesterday, ContactMode.HOME_VISIT, ContactOutcome.DID_NOT_ATTEND)
    booked = log(in_support, coordinator_a, now + datetime.timedelta(days=2), ContactMode.VIDEO,
                 ContactOutcome.BOOKED)  # fmt: skip
    key = (in_support.site_id, in_support.pathway_id)
    day = timezone.localdate(yesterday)
    later = timezone.localdate(booked.at)

    assert counts() == {
        (*key, day, ContactMode.TELEPHONE, ContactOutcome.ATTENDED): 2,
        (*key, day, ContactMode.HOME_VISIT, ContactOutcome.DID_NOT_ATTEND): 1,
        (*key, later, ContactMode.VIDEO, ContactOutcome.BOOKED): 1,
    }

    # The first support contact is the earliest that took place, whatever order they came in.
    assert firsts() == {in_support.pk: yesterday - datetime.timedelta(minutes=30)}

    with time_travel(booked.at + datetime.timedelta(hours=1)):
        casework.record_contact_outcome(booked, by=coordinator_a, outcome=ContactOutcome.ATTENDED)

    assert counts() == {
        (*key, day, ContactMode.TELEPHONE, ContactOutcome.ATTENDED): 2,
        (*key, day, ContactMode.HOME_VISIT, ContactOutcome.DID_NOT_ATTEND): 1,
        (*key, later, ContactMode.VIDEO, ContactOutcome.ATTENDED): 1,
    }


def test_rebuilding_from_the_contacts_gives_the_same_counts(in_support, coordinator_a, site_a):
    waiting_seen = make_referral(ReferralStatus.ALLOCATED, site=site_a, coordinator=coordinator_a)
    now = timezone.now()
    for days in (1, 1, 3, 40):
        log(in_support, coordinator_a, now - datetime.timedelta(days=days))
    log(in_support, coordinator_a, now - datetime.timedelta(days=3), ContactMode.VIDEO,
        ContactOutcome.CANCELLED_BY_PERSON)  # fmt: skip
    log(waiting_seen, coordinator_a, now - datetime.timedelta(days=2), ContactMode.VIDEO,
        ContactOutcome.DID_NOT_ATTEND)  # fmt: skip
    kept, first = counts(), firsts()

    tallies.rebuild()

    assert counts() == kept
    assert sum(kept.values()) == 6
    assert firsts() == first == {in_support.pk: now - datetime.timedelta(days=40)}


def time_travel(when):
    import time_machine

    return time_machine.travel(when, tick=False)


@postgresql_only_test("concurrency tests need PostgreSQL")
def test_contacts_logged_at_the_same_moment_are_all_counted(in_support, coordinator_a):
    """Eight coordinators' contacts for the same site, day, mode and outcome at once: the one
    count they share must end at eight, with no update lost."""
    when = timezone.now() - datetime.timedelta(hours=2)
    barrier = threading.Barrier(8)
    errors = []

    def run():
        try:
            referral = Referral.objects.get(pk=in_support.pk)
            barrier.wait(timeout=30)
            log(referral, coordinator_a, when)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert list(counts().values()) == [8]

"""A small service with a known history, for checking every figure by hand.

Site A (pathway_a, GP referrals from gp_practice), the period January to March 2026, "today"
20 March 2026:

    R1  received  5 Jan; accepted  7 Jan (2 days); allocated 20 Jan; seen 21 Jan (14 days)
    R2  received 10 Jan; accepted 14 Jan (4 days); a call while waiting 1 Feb; allocated 1 Mar;
        seen 5 Mar (50 days)
    R3  received 20 Jan; declined 21 Jan (1 day), outside the criteria
    R4  received  3 Feb; redirected 9 Feb (6 days), needs above remit; a frequent attender
    R5  received 15 Feb; not triaged yet; a frequent attender
    R7  received 20 Dec 2025; accepted 22 Dec 2025; still waiting

Site B (pathway_b):

    R6  received  1 Feb; accepted 2 Feb; still waiting
"""

import datetime
from contextlib import contextmanager

import pytest
import time_machine
from django.utils import timezone

from linkwork.casework import actions as casework
from linkwork.casework.models import ContactMode, ContactOutcome
from linkwork.referrals import actions
from linkwork.referrals.status import DeclineReason, Priority
from tests.factories import make_referral

TODAY = datetime.datetime(2026, 3, 20, 12, 0)


def moment(month: int, day: int, year: int = 2026, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


@contextmanager
def at(when: datetime.datetime):
    with time_machine.travel(when, tick=False):
        yield


@pytest.fixture
def today():
    with time_machine.travel(timezone.make_aware(TODAY), tick=False):
        yield


@pytest.fixture
def story(db, pathway_a, pathway_b, gp_practice, gp_referrer, manager, manager_b, coordinator_a):
    def received(when, pathway=pathway_a, staff=manager, **details):
        with at(when):
            return make_referral(
                pathway=pathway, by=gp_referrer, staff=staff, received_at=when, **details
            )

    def accept(referral, when, staff=manager):
        with at(when):
            actions.accept_referral(referral, by=staff, priority=Priority.ROUTINE)
        referral.refresh_from_db()

    def allocate(referral, when):
        with at(when):
            actions.allocate_referral(referral, coordinator=coordinator_a, by=manager)
        referral.refresh_from_db()

    def seen(referral, when):
        with at(when + datetime.timedelta(hours=2)):
            casework.log_contact(
                referral,
                by=coordinator_a,
                at=when,
                mode=ContactMode.TELEPHONE,
                outcome=ContactOutcome.ATTENDED,
                minutes=30,
            )

    r7 = received(moment(12, 20, 2025))
    accept(r7, moment(12, 22, 2025))
    r1 = received(moment(1, 5))
    accept(r1, moment(1, 7))
    allocate(r1, moment(1, 20))
    seen(r1, moment(1, 21))
    r2 = received(moment(1, 10))
    accept(r2, moment(1, 14))
    with at(moment(2, 1, hour=15)):
        actions.log_interim_contact(
            r2, by=manager, at=moment(2, 1), mode="telephone", minutes=15, by_volunteer=True
        )
    allocate(r2, moment(3, 1))
    seen(r2, moment(3, 5))
    r3 = received(moment(1, 20))
    with at(moment(1, 21)):
        actions.decline_referral(r3, by=manager, reason=DeclineReason.OUTSIDE_CRITERIA)
    r4 = received(moment(2, 3), frequent_attender=True)
    with at(moment(2, 9)):
        actions.decline_referral(
            r4,
            by=manager,
            reason=DeclineReason.NEEDS_ABOVE_REMIT,
            redirected_to="Community Mental Health Team",
        )
    r5 = received(moment(2, 15), frequent_attender=True)
    r6 = received(moment(2, 1), pathway=pathway_b, staff=manager_b)
    accept(r6, moment(2, 2), staff=manager_b)
    return {f"r{i}": r for i, r in enumerate([None, r1, r2, r3, r4, r5, r6, r7]) if r}


PERIOD = {"from": "2026-01", "to": "2026-03"}

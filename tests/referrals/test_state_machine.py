"""The referral pathway's state machine: which moves are allowed, and that actions obey it."""

import itertools

import pytest
from django.utils import timezone

from linkwork.audit.models import AuditEvent
from linkwork.referrals import actions
from linkwork.referrals.actions import ActionRefused
from linkwork.referrals.models import Allocation, Referral, StatusChange
from linkwork.referrals.status import (
    OPEN_STATUSES,
    TO_TRIAGE,
    TRANSITIONS,
    ReferralStatus,
    can_transition,
)
from tests.factories import CoordinatorFactory, make_referral, staff_at

S = ReferralStatus

# The pathway as the service describes it, written out independently of status.TRANSITIONS.
ALLOWED = {
    (S.RECEIVED, S.INFORMATION_REQUESTED),
    (S.RECEIVED, S.ACCEPTED),
    (S.RECEIVED, S.DECLINED),
    (S.INFORMATION_REQUESTED, S.RECEIVED),
    (S.INFORMATION_REQUESTED, S.ACCEPTED),
    (S.INFORMATION_REQUESTED, S.DECLINED),
    (S.ACCEPTED, S.WAITING),
    (S.WAITING, S.ALLOCATED),
    (S.WAITING, S.WITHDRAWN),
    (S.ALLOCATED, S.ALLOCATED),  # re-allocation
    (S.ALLOCATED, S.WAITING),
    (S.ALLOCATED, S.WITHDRAWN),
    (S.ALLOCATED, S.CLOSED),  # support ends
    (S.CLOSED, S.ALLOCATED),  # reopened, with a reason
}
ALL_PAIRS = list(itertools.product(S, S))
TERMINAL = {S.DECLINED, S.WITHDRAWN}


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    ALL_PAIRS,
    ids=[f"{a.value}->{b.value}" for a, b in ALL_PAIRS],
)
def test_every_pair_of_statuses_is_allowed_or_forbidden_as_the_pathway_says(from_status, to_status):
    assert can_transition(from_status, to_status) is ((from_status, to_status) in ALLOWED)


def test_the_table_covers_every_status():
    assert set(TRANSITIONS) == set(S)


@pytest.mark.parametrize("status", sorted(TERMINAL))
def test_terminal_statuses_have_no_way_out(status):
    assert TRANSITIONS[status] == frozenset()
    assert not any(can_transition(status, to) for to in S)


def test_nothing_leads_back_to_accepted_once_on_the_waiting_list():
    assert not any(can_transition(s, S.ACCEPTED) for s in (S.WAITING, S.ALLOCATED, *TERMINAL))


def test_a_new_referral_can_only_be_received():
    # The first StatusChange has from_status "" and is written by submit_referral directly.
    assert not any(can_transition("", to) for to in S)
    assert not can_transition("nonsense", S.RECEIVED)


def test_open_statuses_are_exactly_the_non_terminal_ones():
    # A closed case can be reopened, so it is not terminal, but nor is it open.
    assert set(S) - TERMINAL - {S.CLOSED} == OPEN_STATUSES
    assert {S.RECEIVED, S.INFORMATION_REQUESTED} == TO_TRIAGE


def test_every_status_can_be_reached_from_received():
    reached, frontier = {S.RECEIVED}, [S.RECEIVED]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    assert reached == set(S)


# --- The actions obey the table ----------------------------------------------------------------

# Each action and the status it moves a referral to.
ACTION_TARGETS = {
    "request_information": S.INFORMATION_REQUESTED,
    "provide_information": S.RECEIVED,
    "accept_referral": S.ACCEPTED,
    "decline_referral": S.DECLINED,
    "withdraw_referral": S.WITHDRAWN,
    "allocate_referral": S.ALLOCATED,
}
# Statuses a referral can rest in ("accepted" moves straight on to "waiting").
RESTING = [S.RECEIVED, S.INFORMATION_REQUESTED, S.WAITING, S.ALLOCATED, S.DECLINED, S.WITHDRAWN]
ACTION_CASES = list(itertools.product(RESTING, ACTION_TARGETS))


def _do(action: str, referral, staff):

    match action:
        case "request_information":
            return actions.request_information(referral, by=staff, request="Her phone number?")
        case "provide_information":
            return actions.provide_information(referral, by=staff, response="07700 900123")
        case "accept_referral":
            return actions.accept_referral(referral, by=staff, priority="urgent")
        case "decline_referral":
            return actions.decline_referral(referral, by=staff, reason="outside_criteria")
        case "withdraw_referral":
            return actions.withdraw_referral(referral, by=staff, reason="moved_away")
        case "allocate_referral":
            return actions.allocate_referral(
                referral,
                coordinator=CoordinatorFactory(sites=[referral.site]),
                by=staff,
                replacing=referral.allocations.filter(ended_at=None).first(),
            )


def _state(referral) -> tuple:

    row = Referral.objects.values().get(pk=referral.pk)
    return (
        row,
        list(StatusChange.objects.values_list("pk", flat=True)),
        list(Allocation.objects.values_list("pk", "ended_at")),
        AuditEvent.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "action"), ACTION_CASES, ids=[f"{a}-from-{s.value}" for s, a in ACTION_CASES]
)
def test_actions_move_a_referral_only_as_the_table_allows(status, action):

    referral = make_referral(status)
    staff = staff_at(referral.site)
    target = ACTION_TARGETS[action]
    before = _state(referral)

    if can_transition(status, target):
        _do(action, referral, staff)
        referral.refresh_from_db()
        assert referral.status in {target, S.WAITING if target == S.ACCEPTED else target}
        first_new = StatusChange.objects.exclude(pk__in=before[1]).order_by("pk").first()
        assert (first_new.from_status, first_new.to_status, first_new.by) == (
            status,
            target,
            staff,
        )
    else:
        with pytest.raises(ActionRefused) as refused:
            _do(action, referral, staff)
        assert "so it cannot be moved to" in refused.value.message
        assert _state(referral) == before


@pytest.mark.django_db
@pytest.mark.parametrize("status", [s for s in RESTING if s != S.WAITING])
def test_interim_support_is_logged_only_for_people_on_the_waiting_list(status):

    referral = make_referral(status)
    before = _state(referral)
    with pytest.raises(actions.ActionRefused, match="waiting list"):
        actions.log_interim_contact(
            referral, by=staff_at(referral.site), at=timezone.now(), mode="telephone"
        )
    assert _state(referral) == before

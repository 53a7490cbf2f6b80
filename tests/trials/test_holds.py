"""What a trial does to the waiting list: nobody on a participating pathway is allocated before
the trial has been offered to them; a person randomised to wait stays on the list, with a "not
before" date, until the delay has passed or a deviation is recorded; closing the trial lifts the
conditions for everyone not randomised, and the randomised keep their path until a manager
releases them."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from linkwork.core.errors import ActionRefused
from linkwork.referrals.holds import hold_on
from linkwork.trials import actions
from linkwork.trials.models import DeclineReason, NoteKind, ParticipantStatus
from tests.factories import allocate
from tests.trials.conftest import enrol

pytestmark = pytest.mark.django_db
S = ParticipantStatus


def randomise_to(trial, waiting_at_a, by, arm_name):
    """Randomise people until one lands in the arm (the list is concealed, so we ask it)."""
    while True:
        participant = enrol(trial, waiting_at_a(), by, until=S.RANDOMISED)
        if participant.arm.name == arm_name:
            return participant


def test_nobody_on_the_pathway_is_allocated_until_offered_the_trial(
    trial, waiting_at_a, coordinator_a, manager
):
    person = waiting_at_a()
    hold = hold_on(person)
    assert hold is not None and "offer them the trial" in hold.message
    with pytest.raises(ActionRefused, match="offer them the trial"):
        allocate(person, by=manager)
    participant = actions.screen(trial, person, by=coordinator_a, unmet=[])
    with pytest.raises(ActionRefused, match="finish enrolling"):
        allocate(person, by=manager)
    actions.record_decline(participant, by=coordinator_a, reason=DeclineReason.NO_RESEARCH)
    assert hold_on(person) is None
    allocate(person, by=manager)


def test_someone_not_eligible_is_allocated_as_usual(trial, waiting_at_a, coordinator_a, manager):
    person = waiting_at_a()
    actions.screen(trial, person, by=coordinator_a, unmet=[trial.criteria.first()])
    allocate(person, by=manager)


def test_immediate_support_may_start_at_once(trial, waiting_at_a, coordinator_a, manager):
    participant = randomise_to(trial, waiting_at_a, coordinator_a, "Immediate support")
    assert participant.not_before == timezone.localdate()
    assert hold_on(participant.referral) is None
    allocate(participant.referral, by=manager)


def test_the_waitlist_waits_four_weeks_then_may_be_allocated(
    trial, waiting_at_a, coordinator_a, manager
):
    participant = randomise_to(trial, waiting_at_a, coordinator_a, "Waitlist")
    referral = participant.referral
    assert participant.not_before == timezone.localdate() + datetime.timedelta(days=28)
    hold = hold_on(referral)
    assert hold.not_before == participant.not_before
    assert "Trial: not before" in hold.label
    with pytest.raises(ActionRefused, match="may not start before"):
        allocate(referral, by=manager)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=27), tick=False):
        assert hold_on(referral) is not None
    with time_machine.travel(timezone.now() + datetime.timedelta(days=28), tick=False):
        assert hold_on(referral) is None
        allocate(referral, by=manager)


def test_an_early_start_is_a_recorded_deviation(trial, waiting_at_a, coordinator_a, manager):
    participant = randomise_to(trial, waiting_at_a, coordinator_a, "Waitlist")
    with pytest.raises(ActionRefused):
        actions.allow_early_start(participant, by=manager, text=" ")
    actions.allow_early_start(participant, by=manager, text="Deteriorating; clinical judgement.")
    assert participant.notes.get().kind == NoteKind.EARLY_START
    assert hold_on(participant.referral) is None
    allocate(participant.referral, by=manager)
    with pytest.raises(ActionRefused):
        actions.allow_early_start(participant, by=manager, text="Again.")


def test_closing_lifts_the_conditions_for_everyone_not_randomised(
    trial, waiting_at_a, coordinator_a, manager, trial_manager
):
    not_offered = waiting_at_a()
    consented = enrol(trial, waiting_at_a(), coordinator_a)
    waitlisted = randomise_to(trial, waiting_at_a, coordinator_a, "Waitlist")
    enrolled = trial.participants.count()
    actions.close_trial(
        trial,
        by=trial_manager,
        closed_on=timezone.localdate(),
        reason="All non-COVID research stopped",
    )
    # Not randomised: no consent step, no pathway restriction, no delay.
    assert hold_on(not_offered) is None
    assert hold_on(consented.referral) is None
    allocate(not_offered, by=manager)
    allocate(consented.referral, by=manager)
    with pytest.raises(ActionRefused):
        actions.randomise(consented, by=coordinator_a)
    # Someone new on the pathway is not offered anything.
    assert hold_on(waiting_at_a()) is None
    # The randomised keep their path, until a manager decides otherwise for them.
    assert hold_on(waitlisted.referral) is not None
    actions.release_from_path(waitlisted, by=manager, text="Trial closed; no reason to wait.")
    assert hold_on(waitlisted.referral) is None
    allocate(waitlisted.referral, by=manager)
    # Every trial record is still there.
    assert trial.participants.count() == enrolled
    assert waitlisted.allocation is not None


def test_release_is_only_after_closure(trial, waiting_at_a, coordinator_a, manager):
    participant = randomise_to(trial, waiting_at_a, coordinator_a, "Waitlist")
    with pytest.raises(ActionRefused, match="after the trial has closed"):
        actions.release_from_path(participant, by=manager, text="Why not.")


def test_withdrawing_from_the_trial_lifts_the_delay(trial, waiting_at_a, coordinator_a, manager):
    participant = randomise_to(trial, waiting_at_a, coordinator_a, "Waitlist")
    actions.withdraw(
        participant,
        by=coordinator_a,
        on=timezone.localdate(),
        reason="no_longer_wishes",
        data_kept="collected",
    )
    assert hold_on(participant.referral) is None


def test_the_holds_for_a_whole_waiting_list_take_a_fixed_number_of_queries(
    trial, waiting_at_a, coordinator_a, django_assert_max_num_queries
):
    from linkwork.referrals.holds import holds_for

    people = [waiting_at_a() for _ in range(3)]
    enrol(trial, people[0], coordinator_a, until=S.RANDOMISED)
    with django_assert_max_num_queries(5):
        few = holds_for(people)
    people += [waiting_at_a() for _ in range(6)]
    with django_assert_max_num_queries(5):
        many = holds_for(people)
    assert len(many) >= len(few)

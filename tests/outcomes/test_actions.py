"""Recording measures, the item 9 prompt, links and safeguarding, through the actions."""

import datetime

import pytest
from django.utils import timezone

from linkwork.casework import actions as casework
from linkwork.core.errors import ActionRefused
from linkwork.outcomes import actions
from linkwork.outcomes.models import Measure
from linkwork.outcomes.queries import (
    DONE,
    DUE,
    NOT_YET,
    OVERDUE,
    due_for_coordinator,
    history_for,
    slots_for,
)
from linkwork.referrals.status import ClosureReason
from linkwork.safeguarding import actions as safeguarding
from linkwork.safeguarding.models import SafeguardingPrompt
from linkwork.safeguarding.queries import (
    open_escalations_for,
    open_prompts_for,
    overdue_escalations_for,
)

pytestmark = pytest.mark.django_db


PHQ9_ITEM9 = [1, 1, 1, 1, 1, 1, 1, 1, 1]
PHQ9_CLEAR = [0, 0, 0, 0, 0, 0, 0, 0, 0]


def test_licensed_instrument_needs_registration(administrator):
    with pytest.raises(ActionRefused) as refused:
        actions.configure_instrument("swemwbs", by=administrator, enabled=True)
    assert refused.value.field == "registration_confirmed"
    assert "swemwbs" not in {i.code for i in actions.enabled_instruments()}
    assert "phq9" in {i.code for i in actions.enabled_instruments()}


def test_measure_scored_and_stored(in_support, coordinator_a, instruments_on):
    measure = actions.record_measure(
        in_support,
        by=coordinator_a,
        instrument="swemwbs",
        timepoint="baseline",
        answers=[4, 3, 3, 4, 3, 4, 4],
    )
    measure.refresh_from_db()
    assert str(measure.total) == "22.35"
    assert measure.raw == 25


def test_partial_answers_refused_and_nothing_saved(in_support, coordinator_a, instruments_on):
    with pytest.raises(ActionRefused):
        actions.record_measure(
            in_support,
            by=coordinator_a,
            instrument="swemwbs",
            timepoint="baseline",
            answers=[4, 3, 3, None, 3, 4, 4],
        )
    assert not Measure.objects.exists()


def test_second_baseline_refused(in_support, coordinator_a, instruments_on):
    kwargs = {
        "by": coordinator_a,
        "instrument": "phq9",
        "timepoint": "baseline",
        "answers": PHQ9_CLEAR,
    }
    actions.record_measure(in_support, **kwargs)
    with pytest.raises(ActionRefused):
        actions.record_measure(in_support, **kwargs)


def test_item_9_raises_prompt_whatever_the_total(in_support, coordinator_a, instruments_on):
    answers = [0, 0, 0, 0, 0, 0, 0, 0, 1]  # total 1: "none-minimal"
    measure = actions.record_measure(
        in_support, by=coordinator_a, instrument="phq9", timepoint="baseline", answers=answers
    )
    prompt = SafeguardingPrompt.objects.get(measure=measure)
    assert prompt.is_open and prompt.answer == 1
    assert list(open_prompts_for(coordinator_a)) == [prompt]
    with pytest.raises(ActionRefused):
        safeguarding.handle_prompt(prompt, by=coordinator_a, action="safety_plan", note=" ")
    safeguarding.handle_prompt(prompt, by=coordinator_a, action="safety_plan", note="Plan agreed")
    assert not open_prompts_for(coordinator_a).exists()


def test_link_is_one_time(in_support, coordinator_a, instruments_on):
    _link, signed = actions.create_measure_link(
        in_support, by=coordinator_a, instrument="swemwbs", timepoint="baseline"
    )
    link = actions.measure_link_from(signed)
    actions.complete_measure_through_link(link, answers=[3] * 7, language="cy")
    assert actions.measure_link_from(signed) is None
    with pytest.raises(ActionRefused):
        actions.complete_measure_through_link(link, answers=[3] * 7, language="cy")
    assert Measure.objects.get().collected_by == "link"
    assert actions.measure_link_from(signed[:-2] + "xx") is None


def test_schedule_and_due(in_support, coordinator_a, schedule_a):
    today = timezone.localdate()
    slots = slots_for([in_support], today=today)[in_support.pk]
    states = {(s.instrument.code, s.timepoint): s.state for s in slots}
    assert states[("swemwbs", "baseline")] == DUE
    assert states[("swemwbs", "end")] == NOT_YET  # no plan yet
    assert states[("swemwbs", "follow_up")] == NOT_YET
    later = today + datetime.timedelta(days=20)
    assert slots_for([in_support], today=later)[in_support.pk][0].state == OVERDUE
    actions.record_measure(
        in_support, by=coordinator_a, instrument="swemwbs", timepoint="baseline", answers=[3] * 7
    )
    slots = slots_for([in_support], today=today)[in_support.pk]
    assert slots[0].state == DONE
    due = due_for_coordinator(coordinator_a, today=today)
    assert {(s.instrument.code, s.timepoint) for s in due} == {
        ("phq9", "baseline"),
        ("ons4", "baseline"),
    }


def test_follow_up_after_closure(in_support, coordinator_a, schedule_a):
    closed_on = timezone.localdate() - datetime.timedelta(days=85)
    casework.close_case(
        in_support,
        by=coordinator_a,
        reason=ClosureReason.GOALS_ACHIEVED,
        summary="Done",
        closed_on=closed_on,
    )
    in_support.refresh_from_db()
    due = due_for_coordinator(coordinator_a)
    assert ("swemwbs", "follow_up") in {(s.instrument.code, s.timepoint) for s in due}
    actions.record_measure(
        in_support, by=coordinator_a, instrument="swemwbs", timepoint="follow_up", answers=[3] * 7
    )


def test_history_reliable_change(in_support, coordinator_a, instruments_on):
    actions.record_measure(
        in_support, by=coordinator_a, instrument="swemwbs", timepoint="baseline", answers=[2] * 7
    )
    actions.record_measure(
        in_support, by=coordinator_a, instrument="swemwbs", timepoint="review", answers=[4] * 7
    )
    (history,) = history_for(in_support)
    baseline, later = history.measures
    assert baseline.change is None
    assert later.difference > 0
    assert later.change.reliable and later.change.direction == "improved"
    assert later.change.meaningful


def test_concern_on_waiting_list_escalated_and_chased(waiting, coordinator_a, manager):
    concern = safeguarding.raise_concern(
        waiting, by=coordinator_a, kind="falls", summary="Fell twice this week"
    )
    assert waiting.person.risk_flags.filter(kind="falls", ended_at=None).exists()
    at = timezone.now() - datetime.timedelta(days=10)
    escalation = safeguarding.escalate(
        concern,
        by=coordinator_a,
        to="social_services",
        at=at,
        method="phone",
        reference="ASC-123",
        response_due=timezone.localdate(at) + datetime.timedelta(days=3),
    )
    assert list(overdue_escalations_for(manager)) == [escalation]
    assert list(overdue_escalations_for(coordinator_a)) == [escalation]
    safeguarding.chase(escalation, by=coordinator_a, method="phone", note="Left a message")
    with pytest.raises(ActionRefused):
        safeguarding.close_concern(concern, by=manager, outcome="Sorted")
    safeguarding.record_response(escalation, by=manager, response="Assessment booked")
    assert not open_escalations_for(manager).exists()
    safeguarding.close_concern(concern, by=manager, outcome="Assessment booked")


def test_nothing_more_entered_until_the_prompt_is_handled(
    in_support, coordinator_a, instruments_on
):
    actions.record_measure(
        in_support,
        by=coordinator_a,
        instrument="phq9",
        timepoint="baseline",
        answers=[0, 0, 0, 0, 0, 0, 0, 0, 2],
    )
    with pytest.raises(ActionRefused, match="question 9"):
        actions.record_measure(
            in_support, by=coordinator_a, instrument="gad7", timepoint="baseline", answers=[0] * 7
        )
    prompt = SafeguardingPrompt.objects.get()
    safeguarding.handle_prompt(
        prompt, by=coordinator_a, action="crisis_team", note="Crisis team called"
    )
    actions.record_measure(
        in_support, by=coordinator_a, instrument="gad7", timepoint="baseline", answers=[0] * 7
    )


def test_a_long_follow_up_is_still_found(in_support, coordinator_a, schedule_a, site_a):
    from linkwork.outcomes.models import SiteOutcomeSettings

    SiteOutcomeSettings.objects.create(site=site_a, follow_up_months=12)
    casework.close_case(
        in_support,
        by=coordinator_a,
        reason=ClosureReason.GOALS_ACHIEVED,
        summary="Done",
        closed_on=timezone.localdate() - datetime.timedelta(days=360),
    )
    due = due_for_coordinator(coordinator_a)
    assert ("swemwbs", "follow_up") in {(s.instrument.code, s.timepoint) for s in due}


def test_a_coordinators_safeguarding_scope(in_support, waiting, coordinator_a, coordinator_b):
    from linkwork.safeguarding.queries import safeguarding_referrals_for

    assert list(safeguarding_referrals_for(coordinator_a)) == [in_support]
    safeguarding.raise_concern(waiting, by=coordinator_a, kind="falls", summary="Fell")
    assert set(safeguarding_referrals_for(coordinator_a)) == {in_support, waiting}
    assert not safeguarding_referrals_for(coordinator_b).exists()

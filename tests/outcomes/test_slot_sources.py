"""Measures another part of the service asks for besides the site's schedule (`schedules`): a
registered source's slots are listed with the site's and chased on the coordinator's home page,
once when the site asks for the same questionnaire at the same time; a measure "during support"
may then be recorded outside support, within the slot's window only.

The source here is a stand-in (outcomes knows nothing of who registers one): it asks for
SWEMWBS during a window given by the test."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.casework import actions as casework
from linkwork.core.errors import ActionRefused
from linkwork.outcomes import actions, schedules
from linkwork.outcomes.instruments import get_instrument
from linkwork.outcomes.queries import DONE, DUE, NOT_YET, Slot, due_for_coordinator, slots_for
from linkwork.referrals.status import ClosureReason, ReferralStatus
from tests.factories import make_referral

pytestmark = pytest.mark.django_db

SWEMWBS = [4, 3, 3, 4, 3, 4, 4]


class Source:
    """Asks for SWEMWBS from the given people from `opens` to `opens + 28 days`."""

    def __init__(self, opens: datetime.date):
        self.opens = opens
        self.people: set[int] = set()
        self.calls = 0

    def __call__(self, referrals, today):
        self.calls += 1
        found = {}
        for referral in referrals:
            if referral.pk not in self.people:
                continue
            done = next(
                (
                    m
                    for m in referral.measures.filter(
                        instrument="swemwbs", withdrawn_at__isnull=True
                    ).exclude(timepoint="baseline")
                    if self.opens <= m.completed_on
                ),
                None,
            )
            due_by = self.opens + datetime.timedelta(days=14)
            state = DONE if done else (NOT_YET if today < self.opens else DUE)
            found[referral.pk] = [
                Slot(
                    referral=referral,
                    instrument=get_instrument("swemwbs"),
                    timepoint="review",
                    state=state,
                    opens_on=self.opens,
                    due_by=due_by,
                    missed_after=due_by + datetime.timedelta(days=28),
                    measure=done,
                    label="Study: week 6",
                    counts_as="the study's week-6 measure",
                    source="study",
                    key=f"{referral.pk}:6",
                )
            ]
        return found


@pytest.fixture
def study(monkeypatch):
    """Registers a stand-in source for the test (and only for it)."""
    source = Source(timezone.localdate())
    monkeypatch.setattr(schedules, "_sources", {"study": source})
    return source


def due_lines(client_for, coordinator) -> str:
    content = client_for(coordinator).get(reverse("home")).content.decode()
    part = content[content.index('id="measures-due"') :]
    return part[: part.index("</ul>")]


def test_a_sources_slots_are_listed_and_chased(
    client_for, coordinator_a, in_support, instruments_on, study
):
    study.people.add(in_support.pk)
    (slot,) = slots_for([in_support])[in_support.pk]
    assert slot.is_extra and slot.timepoint_label == "Study: week 6" and slot.state == DUE
    assert due_for_coordinator(coordinator_a) == [slot]
    lines = due_lines(client_for, coordinator_a)
    assert "Study: week 6: SWEMWBS" in lines
    record = client_for(coordinator_a).get(reverse("casework:record", args=[in_support.pk]))
    assert "Study: week 6" in record.content.decode()
    actions.record_measure(
        in_support, by=coordinator_a, instrument="swemwbs", timepoint="review", answers=SWEMWBS
    )
    assert slots_for([in_support])[in_support.pk][0].state == DONE
    assert due_for_coordinator(coordinator_a) == []


def test_what_the_site_asks_for_at_the_same_time_is_asked_for_once(
    client_for, coordinator_a, in_support, schedule_a, study
):
    study.people.add(in_support.pk)
    casework.close_case(
        in_support, by=coordinator_a, reason=ClosureReason.GOALS_ACHIEVED, summary="Done"
    )
    in_support.refresh_from_db()
    slots = slots_for([in_support])[in_support.pk]
    end = next(s for s in slots if s.instrument.code == "swemwbs" and s.timepoint == "end")
    assert end.state == DUE
    assert [s.label for s in end.also_for] == ["Study: week 6"]
    assert end.also_for[0].counted_with is end
    assert not [s for s in slots if s.is_extra]
    lines = due_lines(client_for, coordinator_a)
    assert "Study: week 6" not in lines
    assert "also counts as the study&#x27;s week-6 measure" in lines
    actions.record_measure(
        in_support, by=coordinator_a, instrument="swemwbs", timepoint="end", answers=SWEMWBS
    )
    slots = slots_for([in_support])[in_support.pk]
    end = next(s for s in slots if s.instrument.code == "swemwbs" and s.timepoint == "end")
    assert end.state == DONE and [s.state for s in end.also_for] == [DONE]


def test_a_baseline_stands_for_nothing_else(coordinator_a, in_support, schedule_a, study):
    study.people.add(in_support.pk)
    slots = slots_for([in_support])[in_support.pk]
    baseline = next(
        s for s in slots if s.instrument.code == "swemwbs" and s.timepoint == "baseline"
    )
    assert baseline.state == DUE and baseline.also_for == []
    assert [s.label for s in slots if s.is_extra] == ["Study: week 6"]


def test_outside_support_a_measure_during_support_needs_a_source_asking_for_it(
    coordinator_a, pathway_a, gp_referrer, manager, instruments_on, study
):
    waiting = make_referral(
        ReferralStatus.WAITING, pathway=pathway_a, by=gp_referrer, staff=manager
    )

    def record(**kwargs):
        values = {"instrument": "swemwbs", "timepoint": "review", "answers": SWEMWBS}
        values.update(kwargs)
        return actions.record_measure(waiting, by=coordinator_a, **values)

    with pytest.raises(ActionRefused, match="once the person is allocated"):
        record()
    study.people.add(waiting.pk)
    with pytest.raises(ActionRefused):
        record(instrument="phq9", answers=[0] * 9)  # not what it asks for
    with pytest.raises(ActionRefused):
        record(completed_on=study.opens - datetime.timedelta(days=1))  # before its window
    with pytest.raises(ActionRefused):
        actions.create_measure_link(
            waiting, by=coordinator_a, instrument="phq9", timepoint="review"
        )
    record()
    with pytest.raises(ActionRefused, match="once the person is allocated"):
        record()  # done: nothing asked for any more


def test_due_for_coordinator_asks_each_source_once_for_everyone(
    coordinator_a, pathway_a, gp_referrer, manager, schedule_a, study
):
    for _ in range(3):
        person = make_referral(
            ReferralStatus.ALLOCATED,
            pathway=pathway_a,
            by=gp_referrer,
            staff=manager,
            coordinator=coordinator_a,
        )
        study.people.add(person.pk)
    due = due_for_coordinator(coordinator_a)
    assert study.calls == 1
    assert len([s for s in due if s.is_extra]) == 3

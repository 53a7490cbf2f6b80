"""The trial's follow-up measures, scheduled from the randomisation date (`trials.schedule`) and
shown and chased with the service's own: on the person's trial page and record, on their
coordinator's home page (and, while they still wait, on the managers'), recorded once when the
service asks for the same questionnaire at the same time.

The trial (tests/trials/conftest.py) measures GAD-7 at 4 and 12 weeks. From randomisation (day
0): the 4-week measure opens on day 14, is due by day 42 and missed after day 70; the 12-week
one opens on day 70, is due by day 98 and missed after day 126.
"""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linkwork.casework import actions as casework
from linkwork.core.errors import ActionRefused
from linkwork.outcomes import actions as outcomes
from linkwork.outcomes.models import Measure, ScheduledInstrument
from linkwork.outcomes.queries import due_for_coordinator, slots_for
from linkwork.referrals.status import ClosureReason
from linkwork.trials import actions
from linkwork.trials.measures import trial_slots
from linkwork.trials.models import ParticipantStatus
from linkwork.trials.queries import trial_measures_due_while_waiting
from tests.factories import allocate
from tests.trials.conftest import GAD7_ANSWERS, enrol

pytestmark = pytest.mark.django_db
S = ParticipantStatus


def randomise_to(trial, waiting_at_a, by, arm_name):
    """Randomise people until one lands in the arm (the list is concealed, so we ask it)."""
    while True:
        participant = enrol(trial, waiting_at_a(), by, until=S.RANDOMISED)
        if participant.arm.name == arm_name:
            return participant


def on_day(participant, days):
    """Travel to `days` after the participant was randomised."""
    return time_machine.travel(
        participant.randomised_at + datetime.timedelta(days=days), tick=False
    )


def home(client_for, user) -> str:
    return client_for(user).get(reverse("home")).content.decode()


def section(content: str, id_: str) -> str:
    """The list with this id (empty if the page has none)."""
    if f'id="{id_}"' not in content:
        return ""
    part = content[content.index(f'id="{id_}"') :]
    return part[: part.index("</ul>")]


def trial_page(client_for, user, participant) -> str:
    response = client_for(user).get(reverse("trials:participant", args=[participant.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    part = content[content.index('id="trial-measures"') :]
    return part[: part.index("</dl>")]


def states(participant, today=None) -> dict[str, str]:
    slots = trial_slots([participant.referral], today or timezone.localdate())
    return {slot.label: slot.state for slot in slots.get(participant.referral_id, [])}


def questionnaire(values, on: datetime.date, **extra) -> dict:
    data = {f"item_{n}": str(v) for n, v in enumerate(values, start=1)}
    data.update(
        {
            "completed_on_day": str(on.day),
            "completed_on_month": str(on.month),
            "completed_on_year": str(on.year),
        }
    )
    data.update(extra)
    return data


@pytest.fixture
def gad7_at_end(site_a):
    """Site A's own schedule asks for GAD-7 at baseline and at the end of support."""
    return ScheduledInstrument.objects.create(site=site_a, instrument="gad7")


# --- When they are due ----------------------------------------------------------------------------


def test_the_time_points_go_from_not_yet_to_due_overdue_and_missed(
    trial, waiting_at_a, coordinator_a, client_for
):
    participant = enrol(trial, waiting_at_a(), coordinator_a, until=S.RANDOMISED)
    assert states(participant) == {"Trial: 4 weeks": "not_yet", "Trial: 12 weeks": "not_yet"}
    page = trial_page(client_for, coordinator_a, participant)
    assert "4 weeks after randomisation" in page and "12 weeks after randomisation" in page
    assert "Not yet due" in page and "Complete GAD-7" not in page
    with on_day(participant, 14):
        assert states(participant)["Trial: 4 weeks"] == "due"
    with on_day(participant, 43):
        assert states(participant)["Trial: 4 weeks"] == "overdue"
        assert "Overdue" in trial_page(client_for, coordinator_a, participant)
    with on_day(participant, 71):
        assert states(participant) == {"Trial: 4 weeks": "missed", "Trial: 12 weeks": "due"}
        page = trial_page(client_for, coordinator_a, participant)
        assert "Missed" in page and "Due by" in page


def test_nothing_is_scheduled_before_randomisation(trial, waiting_at_a, coordinator_a):
    consented = enrol(trial, waiting_at_a(), coordinator_a)
    assert trial_slots([consented.referral], timezone.localdate()) == {}


# --- While they wait: the trial page records them, the managers' home page chases them -----------


def test_a_waitlisted_persons_4_week_measure_is_chased_and_recorded_while_they_wait(
    trial, waiting_at_a, coordinator_a, manager, manager_b, client_for
):
    participant = randomise_to(trial, waiting_at_a, coordinator_a, "Waitlist")
    referral = participant.referral
    name = referral.person.full_name
    url = reverse("trials:record_measure", args=[participant.pk, 4, "gad7"])
    assert name not in section(home(client_for, manager), "trial-measures-waiting")
    with on_day(participant, 20):
        assert referral.status == "waiting"
        waiting = section(home(client_for, manager), "trial-measures-waiting")
        assert name in waiting and "Trial: 4 weeks: GAD-7" in waiting
        assert reverse("trials:participant", args=[participant.pk]) in waiting
        assert name not in home(client_for, manager_b)
        page = trial_page(client_for, coordinator_a, participant)
        assert url in page and "Complete GAD-7 with them" in page
        browser = client_for(coordinator_a)
        assert browser.get(url).status_code == 200
        # A date before the window opens does not count.
        early = timezone.localdate() - datetime.timedelta(days=7)
        refused = browser.post(url, questionnaire(GAD7_ANSWERS, early))
        assert refused.status_code == 200
        assert "counts as the trial&#x27;s 4-week measure" in refused.content.decode()
        assert not referral.measures.filter(timepoint="review").exists()
        response = browser.post(url, questionnaire(GAD7_ANSWERS, timezone.localdate()))
        assert response.status_code == 302
        measure = referral.measures.get(timepoint="review")
        assert measure.completed_on == timezone.localdate()
        assert states(participant)["Trial: 4 weeks"] == "done"
        assert name not in section(home(client_for, manager), "trial-measures-waiting")
        assert "Completed" not in trial_page(client_for, coordinator_a, participant)
        assert "Done" in trial_page(client_for, coordinator_a, participant)
        # Nothing more to record for that time point.
        assert browser.get(url).status_code == 302


def test_outcomes_refuses_a_measure_while_waiting_unless_the_trial_asks_for_it(
    trial, waiting_at_a, coordinator_a
):
    participant = randomise_to(trial, waiting_at_a, coordinator_a, "Waitlist")
    referral = participant.referral

    def record(on=None):
        return outcomes.record_measure(
            referral,
            by=coordinator_a,
            instrument="gad7",
            timepoint="review",
            answers=GAD7_ANSWERS,
            completed_on=on,
        )

    with pytest.raises(ActionRefused, match="once the person is allocated"):
        record()  # day 0: nothing is due yet
    with on_day(participant, 20):
        with pytest.raises(ActionRefused):
            outcomes.record_measure(  # not an instrument of the trial
                referral, by=coordinator_a, instrument="phq9", timepoint="review", answers=[0] * 9
            )
        record()


def test_only_the_waiting_list_records_on_the_trial_page(
    trial, waiting_at_a, coordinator_a, manager, client_for
):
    participant = randomise_to(trial, waiting_at_a, coordinator_a, "Immediate support")
    allocate(participant.referral, coordinator=coordinator_a, by=manager)
    with on_day(participant, 20):
        url = reverse("trials:record_measure", args=[participant.pk, 4, "gad7"])
        assert client_for(coordinator_a).get(url).status_code == 302
        for wrong in (
            reverse("trials:record_measure", args=[participant.pk, 5, "gad7"]),
            reverse("trials:record_measure", args=[participant.pk, 4, "phq9"]),
        ):
            assert client_for(coordinator_a).get(wrong).status_code == 404


# --- In support: the coordinator's home page and the record ---------------------------------------


def test_in_support_the_coordinators_home_page_and_the_record_chase_them(
    trial, waiting_at_a, coordinator_a, coordinator_b, manager, client_for
):
    participant = randomise_to(trial, waiting_at_a, coordinator_a, "Immediate support")
    referral = participant.referral
    name = referral.person.full_name
    allocate(referral, coordinator=coordinator_a, by=manager)
    with on_day(participant, 14):
        due = section(home(client_for, coordinator_a), "measures-due")
        assert name in due and "Trial: 4 weeks: GAD-7" in due
        assert name not in home(client_for, coordinator_b)
        record = client_for(coordinator_a).get(reverse("casework:record", args=[referral.pk]))
        content = record.content.decode()
        assert "Also asked for, besides the site" in content and "Trial: 4 weeks" in content
        link = reverse("outcomes:record_measure", args=[referral.pk])
        assert f"{link}?instrument=gad7&amp;timepoint=review" in content
        # The trial page sends the coordinator to the record, as for the service's measures.
        assert f"{link}?instrument=gad7&amp;timepoint=review" in trial_page(
            client_for, coordinator_a, participant
        )
        form = client_for(coordinator_a).get(f"{link}?instrument=gad7&timepoint=review")
        assert (
            "Recorded now, this GAD-7 also counts as the trial&#x27;s 4-week measure."
            in form.content.decode()
        )
        outcomes.record_measure(
            referral, by=coordinator_a, instrument="gad7", timepoint="review", answers=[0] * 7
        )
        assert name not in section(home(client_for, coordinator_a), "measures-due")
        assert states(participant)["Trial: 4 weeks"] == "done"


def test_a_waitlisted_person_allocated_after_the_wait_is_chased_by_their_coordinator(
    trial, waiting_at_a, coordinator_a, manager, client_for
):
    participant = randomise_to(trial, waiting_at_a, coordinator_a, "Waitlist")
    name = participant.referral.person.full_name
    with on_day(participant, 29):
        assert name in section(home(client_for, manager), "trial-measures-waiting")
        assert name not in section(home(client_for, coordinator_a), "measures-due")
        allocate(participant.referral, coordinator=coordinator_a, by=manager)
        assert name in section(home(client_for, coordinator_a), "measures-due")
        assert name not in section(home(client_for, manager), "trial-measures-waiting")


def test_an_end_of_support_measure_at_12_weeks_is_the_trials_12_week_measure_too(
    trial, waiting_at_a, coordinator_a, manager, gad7_at_end, client_for
):
    participant = randomise_to(trial, waiting_at_a, coordinator_a, "Immediate support")
    referral = participant.referral
    name = referral.person.full_name
    allocate(referral, coordinator=coordinator_a, by=manager)
    with on_day(participant, 20):
        outcomes.record_measure(  # the 4-week measure, during support
            referral, by=coordinator_a, instrument="gad7", timepoint="review", answers=[1] * 7
        )
    with on_day(participant, 76):
        casework.close_case(
            referral, by=coordinator_a, reason=ClosureReason.GOALS_ACHIEVED, summary="Done"
        )
        referral.refresh_from_db()
        due = section(home(client_for, coordinator_a), "measures-due")
        # One line: the end of support, which counts as the trial's 12-week measure too.
        assert due.count(name) == 1
        assert "end of support: GAD-7" in due
        assert "also counts as the trial&#x27;s 12-week measure" in due
        assert "Trial: 12 weeks" not in due
        (slot,) = [s for s in due_for_coordinator(coordinator_a) if s.referral == referral]
        assert slot.timepoint == "end" and [s.label for s in slot.also_for] == ["Trial: 12 weeks"]
        page = trial_page(client_for, coordinator_a, participant)
        assert "one questionnaire, recorded as that, counts for both" in page
        link = reverse("outcomes:record_measure", args=[referral.pk])
        assert f"{link}?instrument=gad7&amp;timepoint=end" in page
        record = client_for(coordinator_a).get(reverse("casework:record", args=[referral.pk]))
        assert "Also counts as the trial&#x27;s 12-week measure" in record.content.decode()
        form = client_for(coordinator_a).get(f"{link}?instrument=gad7&timepoint=end")
        assert "also counts as the trial&#x27;s 12-week measure" in form.content.decode()
        outcomes.record_measure(
            referral, by=coordinator_a, instrument="gad7", timepoint="end", answers=[0] * 7
        )
        assert name not in section(home(client_for, coordinator_a), "measures-due")
        assert states(participant) == {"Trial: 4 weeks": "done", "Trial: 12 weeks": "done"}
        slots = slots_for([referral])[referral.pk]
        end = next(s for s in slots if s.timepoint == "end")
        assert end.state == "done" and [s.label for s in end.also_for] == ["Trial: 12 weeks"]
        assert not [s for s in slots if s.is_extra and s.label == "Trial: 12 weeks"]
        assert "(recorded as end of support)" in trial_page(client_for, coordinator_a, participant)


def test_after_support_closed_the_trial_measure_is_recorded_during_its_window_only(
    trial, waiting_at_a, coordinator_a, manager, gad7_at_end, client_for
):
    participant = randomise_to(trial, waiting_at_a, coordinator_a, "Immediate support")
    referral = participant.referral
    allocate(referral, coordinator=coordinator_a, by=manager)
    with on_day(participant, 30):
        casework.close_case(
            referral, by=coordinator_a, reason=ClosureReason.GOALS_ACHIEVED, summary="Done"
        )
        outcomes.record_measure(  # also the trial's 4-week measure
            referral, by=coordinator_a, instrument="gad7", timepoint="end", answers=[1] * 7
        )
        with pytest.raises(ActionRefused, match="Support has closed"):
            outcomes.record_measure(
                referral, by=coordinator_a, instrument="gad7", timepoint="review", answers=[1] * 7
            )
    with on_day(participant, 80):
        due = section(home(client_for, coordinator_a), "measures-due")
        assert "Trial: 12 weeks: GAD-7" in due
        url = reverse("outcomes:record_measure", args=[referral.pk])
        response = client_for(coordinator_a).post(
            url,
            questionnaire([0] * 7, timezone.localdate(), instrument="gad7", timepoint="review"),
        )
        assert response.status_code == 302
        assert states(participant) == {"Trial: 4 weeks": "done", "Trial: 12 weeks": "done"}
        assert referral.measures.filter(timepoint="review").count() == 1


def test_a_participant_who_withdrew_keeping_only_what_was_collected_is_not_chased(
    trial, waiting_at_a, coordinator_a, manager, client_for
):
    participant = randomise_to(trial, waiting_at_a, coordinator_a, "Immediate support")
    referral = participant.referral
    allocate(referral, coordinator=coordinator_a, by=manager)
    with on_day(participant, 14):
        assert referral.person.full_name in section(home(client_for, coordinator_a), "measures-due")
        actions.withdraw(
            participant,
            by=coordinator_a,
            on=timezone.localdate(),
            reason="no_longer_wishes",
            data_kept="collected",
        )
        assert referral.person.full_name not in section(
            home(client_for, coordinator_a), "measures-due"
        )
        assert trial_slots([referral], timezone.localdate()) == {}
        record = client_for(coordinator_a).get(reverse("casework:record", args=[referral.pk]))
        assert "Trial: 4 weeks" not in record.content.decode()
        page = trial_page(client_for, coordinator_a, participant)
        assert "Not followed up" in page and "Complete GAD-7" not in page


def test_a_participant_who_withdrew_but_continues_follow_up_is_still_chased(
    trial, waiting_at_a, coordinator_a, manager, client_for
):
    participant = randomise_to(trial, waiting_at_a, coordinator_a, "Immediate support")
    allocate(participant.referral, coordinator=coordinator_a, by=manager)
    with on_day(participant, 14):
        actions.withdraw(
            participant,
            by=coordinator_a,
            on=timezone.localdate(),
            reason="no_longer_wishes",
            data_kept="follow_up",
        )
        assert participant.referral.person.full_name in section(
            home(client_for, coordinator_a), "measures-due"
        )


# --- Scope ----------------------------------------------------------------------------------------


def test_nobody_outside_the_persons_site_sees_or_records_anything(
    trial,
    waiting_at_a,
    coordinator_a,
    coordinator_b,
    manager_b,
    outsider,
    researcher,
    trial_manager,
    client_for,
):
    participant = randomise_to(trial, waiting_at_a, coordinator_a, "Waitlist")
    with on_day(participant, 20):
        url = reverse("trials:record_measure", args=[participant.pk, 4, "gad7"])
        for user in (coordinator_b, manager_b, outsider, researcher, trial_manager):
            browser = client_for(user)
            assert browser.get(url).status_code == 404
            assert (
                browser.post(url, questionnaire(GAD7_ANSWERS, timezone.localdate())).status_code
                == 404
            )
            assert (
                browser.get(reverse("trials:participant", args=[participant.pk])).status_code == 404
            )
        for user in (coordinator_b, manager_b):
            assert participant.referral.person.full_name not in home(client_for, user)
    assert not Measure.objects.filter(timepoint="review").exists()


# --- Queries --------------------------------------------------------------------------------------


def test_the_trial_slots_take_three_queries_however_many_people(
    trial, waiting_at_a, coordinator_a, django_assert_max_num_queries
):
    people = [enrol(trial, waiting_at_a(), coordinator_a, until=S.RANDOMISED) for _ in range(2)]
    referrals = [p.referral for p in people]
    with django_assert_max_num_queries(3):
        few = trial_slots(referrals, timezone.localdate())
    people += [enrol(trial, waiting_at_a(), coordinator_a, until=S.RANDOMISED) for _ in range(4)]
    referrals = [p.referral for p in people]
    with django_assert_max_num_queries(3):
        many = trial_slots(referrals, timezone.localdate())
    assert len(few) == 2 and len(many) == 6
    outside = waiting_at_a()
    with django_assert_max_num_queries(1):
        assert trial_slots([outside], timezone.localdate()) == {}


def test_reading_only_those_who_may_be_due_misses_nobody_on_any_day(
    trial, waiting_at_a, coordinator_a, manager
):
    """The managers' list reads only people randomised when a time point can be due today
    (`schedule.randomised_between`): on every day from randomisation to past the last window,
    it lists exactly what the schedule says is due or overdue."""
    # One person, in whichever arm (someone given immediate support still waits until
    # allocated): the only one the list can hold.
    participant = enrol(trial, waiting_at_a(), coordinator_a, until=S.RANDOMISED)
    randomised = timezone.localdate(participant.randomised_at)
    seen = set()
    for days in range(0, 131):
        today = randomised + datetime.timedelta(days=days)
        expected = sorted(
            (slot.label, slot.state)
            for slot in trial_slots([participant.referral], today)[participant.referral_id]
            if slot.collectable
        )
        lines = trial_measures_due_while_waiting(manager, today=today)
        assert sorted((line.slot.label, line.slot.state) for line in lines) == expected, days
        seen.update(state for _label, state in expected)
    assert seen == {"due", "overdue"}


def test_the_home_page_shows_the_first_few_and_their_own_page_has_all(
    trial, waiting_at_a, coordinator_a, manager, manager_b, client_for, monkeypatch
):
    from linkwork.home import dashboards
    from linkwork.trials.views import enrolment

    monkeypatch.setattr(dashboards, "TRIAL_MEASURES_ON_HOME", 2)
    monkeypatch.setattr(enrolment, "MEASURES_DUE_PAGE_SIZE", 2)
    # Everyone randomised is still waiting (those given immediate support not allocated yet).
    people = [enrol(trial, waiting_at_a(), coordinator_a, until=S.RANDOMISED) for _ in range(3)]
    names = [p.referral.person.full_name for p in people]
    url = reverse("trials:measures_due")
    with on_day(people[-1], 20):
        content = home(client_for, manager)
        assert section(content, "trial-measures-waiting").count("<li>") == 2
        assert "See all 3 trial measures due" in content and url in content
        browser = client_for(manager)
        first = browser.get(url).content.decode()
        second = browser.get(url + "?page=2").content.decode()
        assert section(first, "trial-measures-waiting").count("<li>") == 2
        listed = "".join(section(page, "trial-measures-waiting") for page in (first, second))
        assert all(name in listed for name in names)
        assert "3 measures due, overdue ones first." in first
        # Scoped like the waiting list: another site's manager has nobody to chase.
        other = client_for(manager_b).get(url).content.decode()
        assert not any(name in other for name in names)
        assert "No trial measures are due for anyone on the waiting list." in other


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_home_pages_queries_do_not_grow_with_the_participants(
    trial, waiting_at_a, coordinator_a, manager, client_for
):
    def add(arm):
        participant = randomise_to(trial, waiting_at_a, coordinator_a, arm)
        if arm == "Immediate support":
            allocate(participant.referral, coordinator=coordinator_a, by=manager)
        return participant

    first = add("Immediate support")
    add("Waitlist")
    with on_day(first, 20):
        coordinator, managers = client_for(coordinator_a), client_for(manager)
        _count(coordinator, reverse("home")), _count(managers, reverse("home"))  # sessions
        one = _count(coordinator, reverse("home")), _count(managers, reverse("home"))
    for _ in range(3):
        add("Immediate support")
        add("Waitlist")
    with on_day(first, 20):
        coordinator, managers = client_for(coordinator_a), client_for(manager)
        _count(coordinator, reverse("home")), _count(managers, reverse("home"))
        four = _count(coordinator, reverse("home")), _count(managers, reverse("home"))
        assert section(home(client_for, coordinator_a), "measures-due").count("Trial: 4 weeks") == 4
        assert section(home(client_for, manager), "trial-measures-waiting").count("Trial: 4") >= 4
    assert four == one


# --- Welsh ----------------------------------------------------------------------------------------


def test_the_trial_measures_read_in_welsh(
    trial, waiting_at_a, coordinator_a, manager, gad7_at_end, client_for
):
    participant = randomise_to(trial, waiting_at_a, coordinator_a, "Immediate support")
    referral = participant.referral
    allocate(referral, coordinator=coordinator_a, by=manager)
    with on_day(participant, 76):
        casework.close_case(
            referral, by=coordinator_a, reason=ClosureReason.GOALS_ACHIEVED, summary="Done"
        )
        browser = client_for(coordinator_a)
        browser.post(reverse("set_language"), {"language": "cy", "next": "/"})
        due = section(browser.get(reverse("home")).content.decode(), "measures-due")
        assert "mae hefyd yn cyfrif fel mesur 12 wythnos y treial" in due
        page = browser.get(reverse("trials:participant", args=[participant.pk])).content.decode()
        assert "Mesurau'r treial" in page and "Wedi&#x27;i golli" in page  # missed
        assert "12 wythnos ar ôl hapddyrannu" in page
        assert (
            "Treial: 4 wythnos"
            in browser.get(reverse("casework:record", args=[referral.pk])).content.decode()
        )

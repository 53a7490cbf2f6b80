"""The delivery, outcomes and reach dashboards against records built for the test, on top of
the story in conftest.py (R1 allocated to coordinator_a on 20 January, R2 on 1 March)."""

import datetime
import statistics

import pytest
from django.urls import reverse
from scipy import stats

from linkwork.casework import actions as casework
from linkwork.casework.models import (
    ClientFeedback,
    ContactMode,
    ContactOutcome,
    Goal,
    GoalStatus,
    LifeDomain,
)
from linkwork.outcomes.models import Measure, Timepoint
from linkwork.referrals.status import ClosureReason
from linkwork.reports.dashboards import delivery
from linkwork.reports.models import ServiceEvent

from .conftest import PERIOD, at, moment
from .test_referrals_dashboard import board_of, figure, table


def dashboard(name):
    return reverse("reports:dashboard", args=[name])


@pytest.fixture
def casework_story(story, coordinator_a):
    r1 = story["r1"]

    def contact(referral, when, mode, outcome=ContactOutcome.ATTENDED):
        with at(when + datetime.timedelta(hours=1)):
            casework.log_contact(referral, by=coordinator_a, at=when, mode=mode, outcome=outcome)

    # R1 was seen by telephone on 21 January (conftest); then two home visits and a missed call
    # in February, and a video call in March. R2: seen by telephone on 5 March (conftest).
    contact(r1, moment(2, 4), ContactMode.HOME_VISIT)
    contact(r1, moment(2, 11), ContactMode.HOME_VISIT)
    contact(r1, moment(2, 18), ContactMode.TELEPHONE, ContactOutcome.DID_NOT_ATTEND)
    contact(r1, moment(3, 4), ContactMode.VIDEO)
    with at(moment(1, 21, hour=12)):
        casework.set_support_plan(
            r1,
            by=coordinator_a,
            starts_on=datetime.date(2026, 1, 21),
            ends_on=datetime.date(2026, 4, 15),
            planned_sessions=6,
        )
    with at(moment(3, 1)):
        casework.extend_support(
            r1, by=coordinator_a, new_end=datetime.date(2026, 5, 13), reason="Only support."
        )
    with at(moment(3, 10, hour=16)):
        casework.close_case(
            r1,
            by=coordinator_a,
            reason=ClosureReason.GOALS_ACHIEVED,
            summary="Back at the walking group.",
            closed_on=datetime.date(2026, 3, 10),
        )
    return story


def test_contacts_mode_mix_and_missed_appointments(client_for, manager, casework_story, today):
    board = board_of(client_for(manager).get(dashboard("delivery"), PERIOD))
    # Took place: 3 by telephone or video... R1: Jan tel, Feb 2 home visits, Mar video; R2: Mar tel.
    assert figure(board, "contacts").value == 5
    assert figure(board, "people_seen").value == 2
    assert figure(board, "contacts_per_person").text == "2.5"
    assert figure(board, "in_person_share").text == "2 of 5 (40%)"
    assert figure(board, "dna_rate").value == pytest.approx(1 / 6)
    mix = board.sections[1].charts[0]
    rows = {row[0].text: [c.text for c in row[1:]] for row in mix.rows}
    assert mix.columns[1:] == ["Telephone", "Face to face", "Video"]
    assert rows == {
        "2026-01": ["1", "0", "0"],
        "2026-02": ["0", "2", "0"],
        "2026-03": ["1", "0", "1"],
    }


def test_contacts_counted_from_the_daily_counts_or_the_contacts_agree(
    client_for, manager, coordinator_a, site_a, casework_story, today
):
    """Chosen by site and pathway, the figures come from the daily counts the contact actions
    keep; chosen by link coordinator, from the contacts themselves. Every contact in the story
    is with coordinator_a's people, so both must give the same figures, before/after included."""
    ServiceEvent.objects.create(on="2026-02-15", title="Lockdown", created_by=manager).sites.set(
        [site_a]
    )
    client = client_for(manager)
    split = {**PERIOD, "split1": "2026-02-15"}
    by_counts = board_of(client.get(dashboard("delivery"), split))
    by_contacts = board_of(
        client.get(dashboard("delivery"), {**split, "coordinator": coordinator_a.pk})
    )

    def contact_figures(board):
        contacts = next(s for s in board.sections if s.key == "contacts")
        comparison = table(board, "comparison")
        return (
            [(f.key, f.value) for f in contacts.figures],
            [[c.text for c in row] for chart in contacts.charts for row in chart.rows],
            [[f.text for f in row.figures] for row in comparison.rows],
        )

    assert contact_figures(by_counts) == contact_figures(by_contacts)
    assert contact_figures(by_counts)[0][0] == ("contacts", 5)


def test_caseloads_at_each_months_end(client_for, manager, coordinator_a, casework_story, today):
    board = board_of(client_for(manager).get(dashboard("delivery"), PERIOD))
    chart = board.sections[0].charts[0]
    # R1 from 20 January to 10 March; R2 from 1 March.
    assert [[c.text for c in row] for row in chart.rows] == [
        ["2026-01", "1"],
        ["2026-02", "1"],
        ["2026-03", "1"],
    ]
    caseloads = table(board, "caseloads")
    assert caseloads.rows[0].label == str(coordinator_a)
    assert [f.text for f in caseloads.rows[0].figures][:3] == ["15", "1", "1"]


def test_many_coordinators_are_charted_added_up_against_their_caps(
    client_for, manager, casework_story, today, monkeypatch
):
    """A region's 200 link coordinators would be 200 lines: past `LINES_CHARTED` the chart
    shows everyone's caseloads added up against their caps added up; the table keeps each."""
    monkeypatch.setattr(delivery, "LINES_CHARTED", 0)
    board = board_of(client_for(manager).get(dashboard("delivery"), PERIOD))
    chart = board.sections[0].charts[0]
    assert chart.columns[1:] == ["People on caseloads", "Places (the caps added up)"]
    assert [[c.text for c in row] for row in chart.rows] == [
        ["2026-01", "1", "15"],
        ["2026-02", "1", "15"],
        ["2026-03", "1", "15"],
    ]
    assert len(table(board, "caseloads").rows) == 1


def test_length_of_support_against_the_plan(client_for, manager, casework_story, today):
    board = board_of(client_for(manager).get(dashboard("delivery"), PERIOD))
    # 21 January to 10 March is 48 days; planned 21 January to 15 April, 84 days; extended once.
    assert figure(board, "closed").value == 1
    assert figure(board, "weeks_median").value == pytest.approx(48 / 7)
    assert figure(board, "planned_weeks_median").value == pytest.approx(12.0)
    assert figure(board, "extended_share").text == "1 of 1 (100%)"
    bands = next(s for s in board.sections if s.key == "length").charts[0]
    assert [[c.text for c in row] for row in bands.rows] == [
        ["0 to 4 weeks", "0"],
        ["4 to 8 weeks", "1"],
        ["8 to 12 weeks", "0"],
        ["12 to 16 weeks", "0"],
        ["Over 16 weeks", "0"],
    ]


def test_research_roles_see_no_coordinators_name(client_for, researcher, casework_story, today):
    board = board_of(client_for(researcher).get(dashboard("delivery"), PERIOD))
    labels = [row.label for row in table(board, "caseloads").rows]
    assert labels == ["Link coordinator 1"]


@pytest.fixture
def outcomes_story(casework_story, coordinator_a):
    r1, r2, r7 = casework_story["r1"], casework_story["r2"], casework_story["r7"]
    pairs = [(r1, 21, 0), (r2, 10, 10), (r7, 5, 12)]  # GAD-7 totals: -21, 0, +7
    for referral, before, after in pairs:
        for timepoint, total, day in (
            (Timepoint.BASELINE, before, datetime.date(2026, 1, 15)),
            (Timepoint.END, after, datetime.date(2026, 3, 10)),
        ):
            Measure.objects.create(
                referral=referral,
                instrument="gad7",
                timepoint=timepoint,
                completed_on=day,
                answers=[],
                total=total,
                raw=total,
                collected_by="coordinator",
                by=coordinator_a,
            )
    for status, domain in (
        (GoalStatus.ACHIEVED, LifeDomain.SOCIAL),
        (GoalStatus.ACHIEVED, LifeDomain.ACTIVITY),
        (GoalStatus.NOT_ACHIEVED, LifeDomain.SOCIAL),
    ):
        Goal.objects.create(
            referral=r1,
            description="Go to the walking group",
            domain=domain,
            status=status,
            started_on=datetime.date(2026, 1, 25),
            ended_on=datetime.date(2026, 3, 10),
            by=coordinator_a,
        )
    ClientFeedback.objects.create(
        referral=r1,
        helpful=5,
        listened_to=4,
        involved_in_decisions=2,
        preferred_mode="mix",
        completed_via="with_coordinator",
        submitted_at=moment(3, 10),
    )
    return casework_story


def test_change_from_baseline_with_confidence_interval_and_reliable_change(
    client_for, manager, outcomes_story, today
):
    board = board_of(client_for(manager).get(dashboard("outcomes"), PERIOD))
    gad7 = next(r for r in table(board, "change_from_baseline").rows if r.key == "gad7")
    people, mean, interval, improved, unchanged, worse = gad7.figures
    changes = [-21, 0, 7]
    assert people.value == 3
    assert mean.value == pytest.approx(statistics.mean(changes))
    half = stats.t.ppf(0.975, 2) * statistics.stdev(changes) / 3**0.5
    low, high = statistics.mean(changes) - half, statistics.mean(changes) + half
    assert interval.text == f"{low:.2f} to {high:.2f}"
    # GAD-7 (lower is better): 21 to 0 is a reliable improvement, 10 to 10 no change, 5 to 12
    # a reliable deterioration.
    assert [improved.text, unchanged.text, worse.text] == [
        "1 of 3 (33%)",
        "1 of 3 (33%)",
        "1 of 3 (33%)",
    ]


def test_goals_and_feedback(client_for, manager, outcomes_story, today):
    board = board_of(client_for(manager).get(dashboard("outcomes"), PERIOD))
    assert figure(board, "goals_set").value == 3
    assert figure(board, "goals_achieved").text == "2 of 3 (67%)"
    assert figure(board, "feedback_forms").value == 1
    answers = {
        row.key: [f.text for f in row.figures] for row in table(board, "feedback_answers").rows
    }
    assert answers["helpful"] == ["0", "0", "0", "0", "1", "1 of 1 (100%)"]
    assert answers["involved_in_decisions"][1] == "1"
    modes = {row.key: row.figures[0].text for row in table(board, "preferred_mode").rows}
    assert modes["mix"] == "1 of 1 (100%)"


def test_reach_compares_who_is_referred_with_who_is_supported(client_for, manager, story, today):
    board = board_of(client_for(manager).get(dashboard("reach"), PERIOD))
    # Five referred in the period (R1 to R5); R1 and R2 were allocated.
    assert figure(board, "referred").value == 5
    assert figure(board, "reached").text == "2 of 5 (40%)"
    frequent = {
        r.key: [f.text for f in r.figures] for r in table(board, "reach_by_frequent_attender").rows
    }
    assert frequent["Frequent attender"][:3] == ["2", "0", "0%"]
    assert frequent["Not a frequent attender"][:3] == ["3", "2", "67%"]
    area = {r.key: r.figures[0].text for r in table(board, "reach_by_area").rows}
    assert area == {"SY18": "5"}


def test_the_researcher_sees_reach_suppressed(client_for, researcher, story, today):
    board = board_of(client_for(researcher).get(dashboard("reach"), PERIOD))
    assert figure(board, "referred").value == 6
    assert figure(board, "reached").text == "fewer than 5"


def test_delivery_and_outcome_figures_lead_to_their_people(
    client_for, manager, outcomes_story, today
):
    browser = client_for(manager)
    delivery = board_of(browser.get(dashboard("delivery"), PERIOD))
    outcomes = board_of(browser.get(dashboard("outcomes"), PERIOD))
    gad7 = next(r for r in table(outcomes, "change_from_baseline").rows if r.key == "gad7")
    expected = {
        figure(delivery, "people_seen").href: ["r1", "r2"],
        figure(delivery, "closed").href: ["r1"],
        gad7.figures[0].href: ["r1", "r2", "r7"],
        figure(outcomes, "goals_set").href: ["r1"],
        figure(outcomes, "feedback_forms").href: ["r1"],
    }
    for href, keys in expected.items():
        listed = browser.get(href).context["page"]
        assert sorted(r.pk for r in listed) == sorted(outcomes_story[k].pk for k in keys), href


def test_every_site_reads_whole_tables_and_gives_the_same_figures(
    client_for, manager, manager_both, researcher, coordinator_a, outcomes_story, today, monkeypatch
):
    """A reader of every site there is (here, both sites) has the fact tables read whole, with
    no join to the referrals; the figures must be those of the joined reading."""
    from linkwork.reports import data
    from linkwork.reports.scope import scope_for

    assert scope_for(manager_both).every_site
    assert scope_for(researcher).every_site
    assert not scope_for(manager).every_site
    assert not scope_for(coordinator_a).every_site

    client = client_for(manager_both)
    keys = ("referrals", "access", "delivery", "outcomes", "reach")
    whole = {key: client.get(dashboard(key), {**PERIOD, "format": "json"}).json() for key in keys}
    monkeypatch.setattr(data, "everything", lambda scope, filters: False)
    joined = {key: client.get(dashboard(key), {**PERIOD, "format": "json"}).json() for key in keys}

    assert whole == joined
    contacts = next(
        f for s in whole["delivery"]["sections"] for f in s["figures"] if f["key"] == "contacts"
    )
    assert contacts["value"] == 5

"""The access dashboard against the story in conftest.py: the waiting list at each month's end,
the wait from acceptance to first contact, and support while waiting."""

import pytest
from django.urls import reverse

from .conftest import PERIOD
from .test_referrals_dashboard import board_of, figure

URL = reverse("reports:dashboard", args=["access"])


def test_the_waiting_list_at_each_months_end(client_for, manager, story, today):
    board = board_of(client_for(manager).get(URL, PERIOD))
    chart = board.sections[0].charts[0]
    # End of January: R7 (since December) and R2; R1 waited 7 to 20 January. End of February:
    # the same two. End of March: R2 was allocated on 1 March, so R7 alone.
    assert [(row[0].text, row[1].text) for row in chart.rows] == [
        ("2026-01", "2"),
        ("2026-02", "2"),
        ("2026-03", "1"),
    ]
    assert figure(board, "waiting_at_end").value == 1
    assert figure(board, "waiting_longest").value == 2
    on_the_list = client_for(manager).get(chart.rows[0][1].href)
    assert sorted(r.pk for r in on_the_list.context["page"]) == sorted(
        [story["r2"].pk, story["r7"].pk]
    )


def test_the_wait_from_acceptance_to_first_contact(client_for, manager, story, today):
    board = board_of(client_for(manager).get(URL, PERIOD))
    # R1 waited 14 days, R2 50: the median is 32, the 90th percentile 46.4.
    assert figure(board, "first_contact_median_days").value == pytest.approx(32.0)
    assert figure(board, "first_contact_median_days").text == "32 days"
    assert figure(board, "first_contact_p90_days").value == pytest.approx(46.4)
    assert figure(board, "not_yet_seen").value == 0


def test_people_accepted_and_not_yet_seen_are_counted_apart(client_for, manager, story, today):
    board = board_of(client_for(manager).get(URL, {"from": "2025-12", "to": "2026-03"}))
    # R7, accepted in December, has not been seen.
    assert figure(board, "not_yet_seen").value == 1
    listed = client_for(manager).get(figure(board, "not_yet_seen").href)
    assert [r.pk for r in listed.context["page"]] == [story["r7"].pk]


def test_support_while_waiting(client_for, manager, story, today):
    board = board_of(client_for(manager).get(URL, PERIOD))
    # R1, R2 and R7 were on the list in the period; R2 had a call, from a volunteer.
    assert figure(board, "interim_share").text == "1 of 3 (33%)"
    assert figure(board, "interim_contacts").value == 1
    assert figure(board, "interim_volunteer_share").value == pytest.approx(1.0)
    listed = client_for(manager).get(figure(board, "interim_share").href)
    assert [r.pk for r in listed.context["page"]] == [story["r2"].pk]


def test_before_and_after_compares_waits(client_for, manager, story, today):
    from linkwork.reports.models import ServiceEvent

    ServiceEvent.objects.create(on="2026-01-12", title="Second half", created_by=manager)
    event = ServiceEvent.objects.get()
    event.sites.set([manager.sites.get()])
    board = board_of(client_for(manager).get(URL, {**PERIOD, "split1": "2026-01-12"}))
    comparison = next(t for s in board.sections for t in s.tables if t.key == "comparison")
    rows = {row.key: [f.text for f in row.figures] for row in comparison.rows}
    assert rows["accepted"] == ["1", "1"]
    assert rows["first_contact_median_days"] == ["14 days", "50 days"]

"""The referrals dashboard, checked figure by figure against the story in conftest.py: what a
manager sees exactly, the CSV and JSON twins (suppressed), the filters, the comparison at an
event, and the records behind a figure."""

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from linkwork.reports.models import ServiceEvent

from .conftest import PERIOD

URL = reverse("reports:dashboard", args=["referrals"])


def board_of(response):
    assert response.status_code == 200
    return response.context["board"]


def figure(board, key, section=None):
    for s in board.sections:
        if section and s.key != section:
            continue
        for f in s.figures:
            if f.key == key:
                return f
    raise KeyError(key)


def table(board, key):
    return next(t for s in board.sections for t in s.tables if t.key == key)


def test_a_manager_sees_each_figure_exactly(client_for, manager, story, today):
    board = board_of(client_for(manager).get(URL, PERIOD))
    received = figure(board, "received_total")
    assert (received.value, received.text) == (5, "5")
    assert figure(board, "received_per_month").text == "1.7"
    assert figure(board, "frequent_attenders").text == "2 of 5 (40%)"
    assert figure(board, "acceptance_rate").value == pytest.approx(2 / 4)
    assert figure(board, "redirect_rate").value == pytest.approx(1 / 4)
    assert figure(board, "awaiting_triage").value == 1
    # Triage took 2, 4, 1 and 6 days: the median is 3, the 90th percentile 5.4.
    assert figure(board, "triage_median_days").value == pytest.approx(3.0)
    assert figure(board, "triage_p90_days").value == pytest.approx(5.4, abs=0.01)


def test_the_monthly_chart_counts_each_month_and_links_to_its_records(
    client_for, manager, story, today
):
    board = board_of(client_for(manager).get(URL, PERIOD))
    chart = board.sections[0].charts[0]
    assert chart.columns == ["Month", "GP practices"]
    rows = {row[0].text: row[1] for row in chart.rows}
    assert [rows[m].text for m in ("2026-01", "2026-02", "2026-03")] == ["3", "2", "0"]
    records = client_for(manager).get(rows["2026-01"].href)
    assert records.status_code == 200
    listed = [r.pk for r in records.context["page"]]
    assert listed == [story["r3"].pk, story["r2"].pk, story["r1"].pk]


def test_triage_by_pathway_gives_rates_and_reasons(client_for, manager, story, today):
    board = board_of(client_for(manager).get(URL, PERIOD))
    by_pathway = table(board, "triage_by_pathway")
    gp = by_pathway.rows[0]
    assert gp.label == "GP practices"
    assert [f.text for f in gp.figures] == ["5", "2", "1", "1", "1", "50%", "25%", "2 of 5 (40%)"]
    reasons = table(board, "decline_reasons_by_pathway")
    assert reasons.columns[1:] == [
        "Outside the service's criteria",
        "Needs above the service's remit (redirected)",
    ]
    assert [f.text for f in reasons.rows[0].figures] == ["1", "1"]


def test_other_sites_referrals_are_not_counted_for_a_manager_of_one_site(
    client_for, manager, manager_both, story, today
):
    one = board_of(client_for(manager).get(URL, PERIOD))
    both = board_of(client_for(manager_both).get(URL, PERIOD))
    assert figure(one, "received_total").value == 5
    assert figure(both, "received_total").value == 6
    # Two pathways of one name at two sites are one series of the chart...
    assert both.sections[0].charts[0].columns == ["Month", "GP practices"]
    # ...and two rows of the triage table, named with their site.
    labels = [row.label for row in table(both, "triage_by_pathway").rows]
    assert labels == [
        "GP practices (Powys Rural)",
        "GP practices (Rhondda Valleys)",
        "All pathways",
    ]


def test_filters_narrow_every_figure(client_for, manager_both, story, site_b, pathway_a, today):
    browser = client_for(manager_both)
    by_site = board_of(browser.get(URL, {**PERIOD, "site": site_b.pk}))
    assert figure(by_site, "received_total").value == 1
    by_pathway = board_of(browser.get(URL, {**PERIOD, "pathway": pathway_a.pk}))
    assert figure(by_pathway, "received_total").value == 5
    january = board_of(browser.get(URL, {"from": "2026-01", "to": "2026-01"}))
    assert figure(january, "received_total").value == 3


def test_a_coordinator_filter_counts_the_people_they_supported(
    client_for, manager, coordinator_a, story, today
):
    board = board_of(client_for(manager).get(URL, {**PERIOD, "coordinator": coordinator_a.pk}))
    assert figure(board, "received_total").value == 2  # R1 and R2 were allocated to them


def test_a_filter_outside_the_readers_scope_is_refused_and_ignored(
    client_for, manager, story, site_b, pathway_b, today
):
    response = client_for(manager).get(URL, {**PERIOD, "pathway": pathway_b.pk})
    board = board_of(response)
    assert "pathway" in response.context["form"].errors
    assert figure(board, "received_total").value == 5


def test_before_and_after_an_event(client_for, manager, story, site_a, today):
    ServiceEvent.objects.create(
        on="2026-02-01", title="Crisis team pathway opened", created_by=manager
    ).sites.set([site_a])
    board = board_of(client_for(manager).get(URL, {**PERIOD, "split1": "2026-02-01"}))
    comparison = table(board, "comparison")
    assert comparison.columns == ["Figure", "Before 1 Feb 2026", "From 1 Feb 2026"]
    rows = {row.key: [f.text for f in row.figures] for row in comparison.rows}
    assert rows["received"] == ["3", "2"]
    assert rows["acceptance_rate"] == ["67%", "0%"]
    assert rows["redirect_rate"] == ["0%", "100%"]
    # The event is marked on the time charts.
    chart = board.sections[0].charts[0]
    assert [(m.letter, m.labels) for m in chart.markers] == [("A", ("Crisis team pathway opened",))]


def test_the_json_twin_has_the_same_figures_with_small_numbers_suppressed(
    client_for, manager, story, today
):
    response = client_for(manager).get(URL, {**PERIOD, "format": "json"})
    assert response.status_code == 200
    data = response.json()
    assert data["dashboard"] == "referrals"
    assert data["filters"] == {"from": "2026-01", "to": "2026-03"}
    assert data["suppressed_below"] == 5
    received = {s["key"]: s for s in data["sections"]}["received"]
    total = next(f for f in received["figures"] if f["key"] == "received_total")
    assert total == {
        "key": "received_total",
        "label": "Referrals received",
        "value": 5,
        "text": "5",
        "suppressed": False,
        "unit": "count",
    }
    frequent = next(f for f in received["figures"] if f["key"] == "frequent_attenders")
    assert frequent["suppressed"] is True and frequent["value"] is None
    assert frequent["text"] == "fewer than 5"
    # No links leave the service.
    assert "/reports/records/" not in response.content.decode()


def test_the_csv_twin_is_the_same_figures_in_long_form(client_for, manager, story, today):
    response = client_for(manager).get(URL, {**PERIOD, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    total = next(r for r in rows if r["key"] == "received_total")
    assert (total["value"], total["text"], total["suppressed"]) == ("5", "5", "False")
    triage = [r for r in rows if r["item"] == "triage_by_pathway" and r["row"] == "GP practices"]
    assert [r["text"] for r in triage][:2] == ["5", "fewer than 5"]


def test_an_unknown_format_or_dashboard_is_a_clear_error(client_for, manager, story, today):
    browser = client_for(manager)
    assert browser.get(URL, {"format": "xml"}).status_code == 400
    assert browser.get(reverse("reports:dashboard", args=["nonsense"])).status_code == 404


def test_figures_link_to_records_inside_the_readers_scope_only(
    client_for, manager, story, site_b, today
):
    board = board_of(client_for(manager).get(URL, PERIOD))
    href = figure(board, "received_total").href
    query = parse_qs(urlsplit(href).query)
    assert query["metric"] == ["received"]
    # Asking the records page for another site's referrals gives nothing of theirs.
    crafted = client_for(manager).get(
        reverse("reports:records"), {**PERIOD, "metric": "received", "site": site_b.pk}
    )
    assert story["r6"].pk not in [r.pk for r in crafted.context["page"]]
    assert story["r6"].person.full_name not in crafted.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"metric": "decided", "decision": "redirected"}, ["r4"]),
        ({"metric": "decided", "decision": "pending"}, ["r5"]),
        ({"metric": "decided", "decision": "declined_any", "reason": "outside_criteria"}, ["r3"]),
        ({"metric": "received", "frequent": "1"}, ["r5", "r4"]),
        ({"metric": "triaged"}, ["r4", "r3", "r2", "r1"]),
    ],
)
def test_each_metric_lists_the_records_it_counted(
    client_for, manager, story, today, params, expected
):
    response = client_for(manager).get(reverse("reports:records"), {**PERIOD, **params})
    assert [r.pk for r in response.context["page"]] == [story[k].pk for k in expected]


@pytest.mark.parametrize(
    "params",
    [
        {"metric": "nonsense"},
        {"metric": "decided", "decision": "maybe"},
        {"metric": "received", "by_pathway": "abc"},
        {"metric": "received", "month": "2026-13"},
        {"metric": "waiting_on", "on": "yesterday"},
    ],
)
def test_records_page_refuses_what_it_does_not_understand(client_for, manager, story, params):
    assert client_for(manager).get(reverse("reports:records"), params).status_code == 404

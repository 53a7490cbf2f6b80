"""Charts drawn on the server: the SVG is safe to put in a page (escaped text, no script, no
style attribute the CSP would block), the table says what the picture shows, and dated events
share a letter per day."""

import datetime

from linkwork.core import charts

D = datetime.date


def _chart(**overrides):
    values = {
        "title": "Referrals",
        "summary": "Six referrals.",
        "points": [
            charts.Point(D(2026, 1, 1), "GP <script>alert(1)</script>", 2),
            charts.Point(D(2026, 3, 1), "GP <script>alert(1)</script>", 4, href="/r/?m=3"),
            charts.Point(D(2026, 3, 1), "Crisis team", None, text="fewer than 5"),
        ],
        "y_title": "Referrals",
        "month_title": "Month",
        "months": [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)],
        "markers": [
            charts.Marker(D(2026, 2, 1), "Crisis team pathway opened"),
            charts.Marker(D(2026, 2, 1), "Lockdown"),
            charts.Marker(D(2026, 3, 9), "Second coordinator started"),
            charts.Marker(D(2025, 12, 1), "Before the chart"),
        ],
    }
    return charts.time_chart(**(values | overrides))


def test_the_svg_is_escaped_and_needs_no_script_or_inline_style():
    chart = _chart()
    svg = str(chart.svg)
    assert svg.startswith("<svg ")
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    assert "style=" not in svg
    assert 'aria-hidden="true"' in svg


def test_the_table_has_every_month_and_the_text_the_reader_may_see():
    chart = _chart()
    assert chart.columns == ["Month", "GP <script>alert(1)</script>", "Crisis team"]
    assert [[cell.text for cell in row] for row in chart.rows] == [
        ["2026-01", "2", "0"],
        ["2026-02", "0", "0"],
        ["2026-03", "4", "fewer than 5"],
    ]
    assert chart.rows[2][1].href == "/r/?m=3"


def test_events_on_one_day_share_a_letter_and_those_outside_are_left_out():
    chart = _chart()
    assert [(m.letter, m.on, m.labels) for m in chart.markers] == [
        ("A", D(2026, 2, 1), ("Crisis team pathway opened", "Lockdown")),
        ("B", D(2026, 3, 9), ("Second coordinator started",)),
    ]


def test_the_same_chart_gives_the_same_svg():
    assert _chart().svg == _chart().svg


def test_an_empty_chart_draws_nothing_but_keeps_its_title():
    chart = _chart(points=[], months=[])
    assert chart.is_empty
    assert chart.svg == ""


def test_a_bar_chart_with_series_tabulates_each_series():
    chart = charts.bar_chart(
        title="Decisions",
        summary="Most accepted.",
        bars=[
            charts.Bar("GP", 5, "Accepted"),
            charts.Bar("GP", 1, "Declined"),
            charts.Bar("Crisis", 2, "Accepted"),
        ],
        label_title="Pathway",
        value_title="Referrals",
    )
    assert chart.columns == ["Pathway", "Accepted", "Declined"]
    assert [[c.text for c in row] for row in chart.rows] == [["GP", "5", "1"], ["Crisis", "2", "0"]]
    assert "<svg" in chart.svg

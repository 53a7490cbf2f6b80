"""Charts drawn on the server: Vega-Lite specifications built with Altair, converted to SVG by
vl-convert, so a chart needs no JavaScript and looks the same in a page, a PDF and a print-out.

The caller has already counted: it passes plain points (a month, a series, a value) or bars (a
label, a value), already-translated titles, and a one- or two-sentence `summary` that says what
the chart shows (its text alternative). What comes back is a `Chart`: the SVG, the summary, the
dated markers written out as text, and a table of the same figures (`columns`, `rows`) whose
cells may carry a link to the records behind them. The page shows the SVG with the summary as
its caption and the table beneath it, so nothing is only in the picture.

A point's `value` is what is drawn and its `text` what the table shows: a suppressed small
count ("fewer than 5") has `value=None` (not drawn) and the text the caller chose.

Dated events ("crisis-team pathway opened") are drawn on a time chart as vertical rules with a
letter above each; the letters are explained beneath the chart (`Chart.markers`). Letters rather
than the events' names keep labels from running into each other on a phone's narrow screen.

The SVG uses presentation attributes only (no `style`, which the Content-Security-Policy would
block), holds no script, and every text in it went through vl-convert's XML escaping. The same
specification always gives the same SVG; conversions are cached by a hash of the specification.
"""

import datetime
import hashlib
import json
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import altair as alt
import vl_convert
from django.core.cache import cache
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .months import add_months

# GOV.UK Frontend's colours, in an order where neighbours differ for most colour vision.
PALETTE = (
    "#1d70b8",  # blue
    "#f47738",  # orange
    "#28a197",  # turquoise
    "#4c2c92",  # purple
    "#d53880",  # pink
    "#00703c",  # green
    "#b58840",  # brown
    "#5694ca",  # light blue
    "#d4351c",  # red
    "#505a5f",  # dark grey
)
TEXT = "#0b0c0c"
# For series that mean better, no different and worse (reliable change, say).
GOOD, NEUTRAL, BAD = "#00703c", "#b1b4b6", "#d4351c"
SECONDARY = "#505a5f"
MARKER = "#d4351c"
FONT = "Arial, Helvetica, sans-serif"
WIDTH = 640
HEIGHT = 260
CACHE_SECONDS = 60 * 60 * 24


@dataclass(frozen=True)
class Cell:
    """One figure in a chart's table: what it says, and where its records are listed, if the
    reader may see them."""

    text: str
    href: str = ""


@dataclass(frozen=True)
class Point:
    """One value on a time chart: `month` is any date in the month (the first, by convention)."""

    month: datetime.date
    series: str
    value: float | None
    text: str = ""  # what the table shows; the value, if empty
    href: str = ""

    def cell(self) -> Cell:
        return Cell(self.text or _number(self.value), self.href)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    series: str = ""
    text: str = ""
    href: str = ""

    def cell(self) -> Cell:
        return Cell(self.text or _number(self.value), self.href)


@dataclass(frozen=True)
class Marker:
    """A dated event drawn on a time chart."""

    on: datetime.date
    label: str


@dataclass(frozen=True)
class Lettered:
    """The markers of one day, as the chart draws them: one rule, one letter."""

    letter: str
    on: datetime.date
    labels: tuple[str, ...]


@dataclass
class Chart:
    title: str
    summary: str
    svg: SafeString
    columns: list[str]
    rows: list[list[Cell]]
    markers: list[Lettered] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.rows


def _number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return f"{int(value):,}"


def _config(chart):
    return (
        chart.properties(width=WIDTH, height=HEIGHT)
        .configure(font=FONT, background="white")
        .configure_axis(
            labelColor=TEXT,
            titleColor=TEXT,
            labelFontSize=12,
            titleFontSize=13,
            titleFontWeight="normal",
            gridColor="#e5e6e7",
            domainColor=SECONDARY,
            tickColor=SECONDARY,
        )
        .configure_legend(
            labelColor=TEXT,
            titleColor=TEXT,
            labelFontSize=12,
            titleFontSize=13,
            orient="bottom",
            columns=2,
            labelLimit=300,
        )
        .configure_view(stroke=None)
        .configure_range(category=list(PALETTE))
    )


def _letters():
    yield from string.ascii_uppercase
    for first in string.ascii_uppercase:
        for second in string.ascii_uppercase:
            yield first + second


def _lettered(markers: Sequence[Marker], start: datetime.date, end: datetime.date):
    """One letter per day with markers (events on one day share a rule), in date order."""
    days: dict[datetime.date, list[str]] = {}
    for marker in sorted(markers, key=lambda m: (m.on, m.label)):
        if start <= marker.on <= end and marker.label not in days.get(marker.on, []):
            days.setdefault(marker.on, []).append(marker.label)
    return [
        Lettered(letter, on, tuple(labels))
        for letter, (on, labels) in zip(_letters(), days.items(), strict=False)
    ]


def time_chart(
    *,
    title: str,
    summary: str,
    points: Sequence[Point],
    y_title: str,
    month_title: str,
    series_title: str = "",
    markers: Sequence[Marker] = (),
    kind: str = "line",  # "line"; "bar" (stacked by series); "share" (stacked to 100%)
    months: Sequence[datetime.date] = (),
    percent: bool = False,
) -> Chart:
    """Values per month, one line (or stack of bars) per series, with dated markers.

    `months` lists every month the chart covers, so a month with nothing in it still has its
    row in the table (and its place on the axis); by default, the months the points name.
    """
    points = [replace(p, series=str(p.series)) for p in points]
    months = sorted(set(months) | {p.month for p in points})
    series = list(dict.fromkeys(p.series for p in points))
    columns = [month_title, *series]
    by_key = {(p.month, p.series): p for p in points}
    rows = [
        [Cell(month.strftime("%Y-%m"))]
        + [by_key[(month, s)].cell() if (month, s) in by_key else Cell("0") for s in series]
        for month in months
    ]
    lettered = (
        _lettered(markers, months[0], add_months(months[-1], 1) - datetime.timedelta(days=1))
        if months
        else []
    )
    if not points:
        return Chart(title, summary, mark_safe(""), columns, [], lettered)  # noqa: S308

    data = [
        {"month": p.month.isoformat(), "series": p.series, "value": p.value}
        for p in points
        if p.value is not None
    ]
    x = alt.X("yearmonth(month):T", title=month_title, axis=alt.Axis(format="%b %Y", labelAngle=0))
    stack = {"bar": True, "share": "normalize"}.get(kind)
    axis = alt.Axis(format=".0%") if kind == "share" or percent else alt.Axis()
    y = alt.Y("value:Q", title=y_title, stack=stack, axis=axis)
    colour = alt.Color(
        "series:N",
        title=series_title or None,
        sort=series,
        legend=alt.Legend() if len(series) > 1 else None,
    )
    tooltip_free = {"month": x, "value": y, "color": colour}
    if kind in ("bar", "share"):
        base = alt.Chart(alt.Data(values=data)).mark_bar().encode(**_renamed(tooltip_free))
    else:
        base = (
            alt.Chart(alt.Data(values=data))
            .mark_line(point=alt.OverlayMarkDef(size=30), strokeWidth=2.5)
            .encode(**_renamed(tooltip_free))
        )
    layers = [base]
    if lettered:
        marks = [{"on": m.on.isoformat(), "letter": m.letter} for m in lettered]
        rule = alt.Chart(alt.Data(values=marks)).mark_rule(
            color=MARKER, strokeDash=[4, 3], strokeWidth=1.5
        )
        rule = rule.encode(x=alt.X("on:T"))
        label = alt.Chart(alt.Data(values=marks)).mark_text(
            color=MARKER, fontWeight="bold", fontSize=13, dy=-8, align="center", baseline="bottom"
        )
        label = label.encode(x=alt.X("on:T"), y=alt.value(0), text="letter:N")
        layers += [rule, label]
    chart = alt.layer(*layers) if len(layers) > 1 else base
    return Chart(title, summary, render(_config(chart).to_dict()), columns, rows, lettered)


def _renamed(encodings: dict) -> dict:
    return {"x": encodings["month"], "y": encodings["value"], "color": encodings["color"]}


def bar_chart(
    *,
    title: str,
    summary: str,
    bars: Sequence[Bar],
    label_title: str,
    value_title: str,
    series_title: str = "",
    percent: bool = False,
    grouped: bool = False,
    colours: dict[str, str] | None = None,
) -> Chart:
    """Horizontal bars, one per label, in the order given; with series, stacked (counts that
    add up) or `grouped` side by side (shares of different wholes)."""
    bars = [replace(b, label=str(b.label), series=str(b.series)) for b in bars]
    labels = list(dict.fromkeys(b.label for b in bars))
    series = [s for s in dict.fromkeys(b.series for b in bars) if s]
    if series:
        columns = [label_title, *series]
        by_key = {(b.label, b.series): b for b in bars}
        rows = [
            [Cell(label)]
            + [by_key[(label, s)].cell() if (label, s) in by_key else Cell("0") for s in series]
            for label in labels
        ]
    else:
        columns = [label_title, value_title]
        rows = [[Cell(b.label), b.cell()] for b in bars]
    if not bars:
        return Chart(title, summary, mark_safe(""), columns, [])  # noqa: S308
    data = [
        {"label": b.label, "series": b.series, "value": b.value}
        for b in bars
        if b.value is not None
    ]
    axis = alt.Axis(format=".0%", tickCount=5) if percent else alt.Axis()
    encoding = {
        "y": alt.Y("label:N", title=None, sort=labels, axis=alt.Axis(labelLimit=260)),
        "x": alt.X(
            "value:Q", title=value_title, axis=axis, stack=True if series and not grouped else None
        ),
    }
    if series and grouped:
        encoding["yOffset"] = alt.YOffset("series:N", sort=series)
    if series:
        scale = (
            alt.Scale(domain=series, range=[colours.get(s, SECONDARY) for s in series])
            if colours
            else alt.Undefined
        )
        encoding["color"] = alt.Color(
            "series:N", title=series_title or None, sort=series, legend=alt.Legend(), scale=scale
        )
    else:
        encoding["color"] = alt.value(PALETTE[0])
    chart = alt.Chart(alt.Data(values=data)).mark_bar().encode(**encoding)
    height = max(60, (26 + (14 * (len(series) - 1) if grouped else 0)) * len(labels))
    spec = _config(chart.properties(height=height)).to_dict()
    spec["height"] = height
    return Chart(title, summary, render(spec), columns, rows)


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_ARIA = re.compile(r'\s(?:role|aria-[a-z]+)="[^"]*"')


def render(spec: dict) -> SafeString:
    """The SVG for a Vega-Lite specification, at its natural size (its viewBox and the
    stylesheet's max-width let it shrink into a narrower container), hidden from assistive
    technology (the caption and table say the same), and cached by the specification's hash."""
    payload = json.dumps(spec, sort_keys=True, default=str)
    key = "chart-svg:" + hashlib.sha256(payload.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = vl_convert.vegalite_to_svg(spec)
        opening = _SVG_OPEN.search(svg)
        if opening is None:  # pragma: no cover - vl-convert always returns an <svg> element
            raise ValueError("vl-convert returned no SVG")
        attributes = dict(re.findall(r'(width|height|viewBox)="([^"]*)"', opening.group(0)))
        replacement = format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="lw-chart__svg" width="{}" '
            'height="{}" viewBox="{}" aria-hidden="true" focusable="false">',
            attributes.get("width", ""),
            attributes.get("height", ""),
            attributes.get("viewBox", ""),
        )
        # Vega labels each mark for assistive technology; the whole picture is hidden from it
        # (the caption and the table say the same), so those labels only get in the way.
        body = _ARIA.sub("", svg[opening.end() :])
        svg = svg[: opening.start()] + replacement + body
        cache.set(key, svg, CACHE_SECONDS)
    return mark_safe(svg)  # noqa: S308 - vl-convert's own output, its text XML-escaped


@dataclass(frozen=True)
class BandPoint:
    """A forecast for one month: its middle value and the band around it."""

    month: datetime.date
    series: str
    low: float
    middle: float
    high: float


def band_chart(
    *,
    title: str,
    summary: str,
    points: Sequence[BandPoint],
    observed: Sequence[Point] = (),
    y_title: str,
    month_title: str,
    band_text: str,
) -> Chart:
    """Forecasts: a line per series with its band shaded around it, and what was observed (if
    anything) as points. The table gives each month's middle value and band as text
    ("7 (4 to 11)"), `band_text` being its format with `{middle}`, `{low}` and `{high}`."""
    points = [replace(p, series=str(p.series)) for p in points]
    series = list(dict.fromkeys(p.series for p in points))
    observed_name = next((str(p.series) for p in observed), "")
    months = sorted({p.month for p in points} | {p.month for p in observed})
    columns = [month_title, *series] + ([observed_name] if observed else [])
    by_key = {(p.month, p.series): p for p in points}
    seen = {p.month: p for p in observed}
    rows = []
    for month in months:
        row = [Cell(month.strftime("%Y-%m"))]
        for name in series:
            p = by_key.get((month, name))
            row.append(
                Cell(
                    band_text.format(
                        middle=_number(p.middle), low=_number(p.low), high=_number(p.high)
                    )
                    if p
                    else ""
                )
            )
        if observed:
            row.append(seen[month].cell() if month in seen else Cell(""))
        rows.append(row)
    if not points:
        return Chart(title, summary, mark_safe(""), columns, [])  # noqa: S308
    data = [
        {
            "month": p.month.isoformat(),
            "series": p.series,
            "low": p.low,
            "middle": p.middle,
            "high": p.high,
        }
        for p in points
    ]
    x = alt.X("yearmonth(month):T", title=month_title, axis=alt.Axis(format="%b %Y", labelAngle=0))
    colour = alt.Color("series:N", title=None, sort=series, legend=alt.Legend())
    base = alt.Chart(alt.Data(values=data))
    band = base.mark_area(opacity=0.18).encode(
        x=x, y=alt.Y("low:Q", title=y_title), y2="high:Q", color=colour
    )
    line = base.mark_line(point=alt.OverlayMarkDef(size=30), strokeWidth=2.5).encode(
        x=x, y="middle:Q", color=colour
    )
    layers = [band, line]
    if observed:
        seen_data = [
            {"month": p.month.isoformat(), "value": p.value}
            for p in observed
            if p.value is not None
        ]
        layers.append(
            alt.Chart(alt.Data(values=seen_data))
            .mark_point(shape="diamond", size=90, filled=True, color=TEXT)
            .encode(x=x, y="value:Q")
        )
    return Chart(title, summary, render(_config(alt.layer(*layers)).to_dict()), columns, rows)

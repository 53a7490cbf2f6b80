"""A dashboard's machine-readable twins: the same figures as the page, as CSV (one row per
figure, in long form) and as JSON (the page's structure). Both are built from the same
`Dashboard` object the page is rendered from, with the scope made for export (small numbers
suppressed, no links to records)."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from linkwork.core.spreadsheets import spreadsheet_safe

from .figures import Dashboard, Figure
from .filters import Filters
from .scope import SMALL_NUMBER

CSV_COLUMNS = ["section", "item", "row", "column", "key", "value", "text", "suppressed", "unit"]


def _lines(dashboard: Dashboard):
    """(section, item, row, column, figure) for every figure on the page."""
    for section in dashboard.sections:
        for figure in section.figures:
            yield section.key, "figures", "", figure.label, figure
        for chart in section.charts:
            for row in chart.rows:
                for column, cell in zip(chart.columns[1:], row[1:], strict=False):
                    yield section.key, chart.title, row[0].text, column, cell
        for table in section.tables:
            for row in table.rows:
                for column, figure in zip(table.columns[1:], row.figures, strict=False):
                    yield section.key, table.key, row.label, column, figure


def as_csv(dashboard: Dashboard, filters: Filters) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for section, item, row, column, figure in _lines(dashboard):
        if isinstance(figure, Figure):
            values = [figure.key, _value(figure.value), figure.text, figure.suppressed, figure.unit]
        else:  # a chart's cell: its text only
            values = ["", "", figure.text, "", ""]
        writer.writerow([spreadsheet_safe(str(v)) for v in [section, item, row, column, *values]])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="linkwork-{dashboard.key}-{filters.params()["from"]}-'
        f'{filters.params()["to"]}-{stamp}.csv"'
    )
    return response


def _value(value) -> str:
    if value is None:
        return ""
    return f"{value:.4f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _figure(figure: Figure) -> dict:
    return {
        "key": figure.key,
        "label": figure.label,
        "value": figure.value,
        "text": figure.text,
        "suppressed": figure.suppressed,
        "unit": figure.unit,
    }


def as_json(dashboard: Dashboard, filters: Filters) -> JsonResponse:
    sections = []
    for section in dashboard.sections:
        sections.append(
            {
                "key": section.key,
                "title": section.title,
                "figures": [_figure(f) for f in section.figures],
                "charts": [
                    {
                        "title": chart.title,
                        "summary": chart.summary,
                        "columns": chart.columns,
                        "rows": [[cell.text for cell in row] for row in chart.rows],
                        "events": [
                            {"letter": m.letter, "on": m.on.isoformat(), "titles": list(m.labels)}
                            for m in chart.markers
                        ],
                    }
                    for chart in section.charts
                ],
                "tables": [
                    {
                        "key": table.key,
                        "title": table.title,
                        "columns": table.columns,
                        "rows": [
                            {
                                "label": row.label,
                                "key": row.key,
                                "figures": [_figure(f) for f in row.figures],
                            }
                            for row in table.rows
                        ],
                    }
                    for table in section.tables
                ],
                "notes": section.notes,
            }
        )
    payload = {
        "dashboard": dashboard.key,
        "title": dashboard.title,
        "filters": filters.params(),
        "filters_described": filters.described(),
        "suppressed_below": SMALL_NUMBER,
        "generated_at": timezone.now().isoformat(),
        "sections": sections,
    }
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False, "indent": 1})

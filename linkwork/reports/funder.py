"""The funder report: one document for the funder and the steering group, for a period at some
sites, as a PDF (WeasyPrint, in the language of whoever asked for it) and a spreadsheet.

It holds the headline figures, every dashboard's charts and tables, the service timeline for the
period, the outcome summary, the case studies the manager chose, and a data-quality section.
Everything in it leaves the service, so it is built with an export scope: counts of 1 to 4 are
"fewer than 5" and nothing links to a record.

`make(report_id)` runs in the worker (`tasks.make_funder_report`), writing its progress to the
report's row step by step.
"""

from __future__ import annotations

import datetime
import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from linkwork.casework.models import ClientFeedback, Closure, SupportPlan
from linkwork.core import pdf
from linkwork.core.spreadsheets import spreadsheet_safe
from linkwork.outcomes.models import Measure, Timepoint
from linkwork.referrals.models import Referral
from linkwork.referrals.status import TO_TRIAGE, ReferralStatus

from .dashboards import DASHBOARDS
from .dashboards.context import Context
from .figures import Dashboard, Figure, Figures, Row, Section, Table
from .filters import Filters
from .models import FunderReport, ReportStatus
from .scope import Scope, sites_scope
from .timeline import service_timeline

logger = logging.getLogger(__name__)

# The headline figures, by dashboard and figure key, in the order the report gives them.
HEADLINES = (
    ("referrals", "received_total"),
    ("referrals", "acceptance_rate"),
    ("access", "waiting_at_end"),
    ("access", "first_contact_median_days"),
    ("delivery", "people_seen"),
    ("delivery", "contacts"),
    ("delivery", "closed"),
    ("outcomes", "swemwbs_mean_change"),
    ("outcomes", "goals_achieved"),
    ("outcomes", "feedback_forms"),
)
FEEDBACK_OVERDUE_AFTER = datetime.timedelta(days=14)
TRIAGE_OVERDUE_AFTER = datetime.timedelta(days=14)


@dataclass
class Built:
    pdf: bytes
    xlsx: bytes


def scope_of(report: FunderReport) -> Scope:
    return sites_scope(report.sites.order_by("name"), exact=False, names=False)


def filters_of(report: FunderReport) -> Filters:
    return Filters(report.first_month, report.last_month)


def build(report: FunderReport, progress=lambda done, total, name: None) -> Built:
    scope, filters = scope_of(report), filters_of(report)
    events = service_timeline(scope, first=filters.first_month, last=filters.end_date)
    figures = Figures(scope, lambda **_link: "")
    ctx = Context(scope, filters, figures, [e.marker for e in events])
    total = len(DASHBOARDS) + 3
    boards: dict[str, Dashboard] = {}
    for done, (key, (title, build_board)) in enumerate(DASHBOARDS.items()):
        progress(done, total, str(title))
        boards[key] = build_board(ctx)
    progress(len(DASHBOARDS), total, _("Checking the data"))
    quality = data_quality(scope, filters, figures)
    headlines = [_find(boards, board, key) for board, key in HEADLINES]
    context = {
        "report": report,
        "sites": scope.sites,
        "filters": filters,
        "period": filters.described()["period"],
        "headlines": [h for h in headlines if h is not None],
        "boards": list(boards.values()),
        "events": events,
        "case_studies": list(report.case_studies.order_by("title")),
        "quality": quality,
        "generated_at": timezone.now(),
    }
    progress(len(DASHBOARDS) + 1, total, _("Writing the PDF"))
    pdf = render_pdf(context)
    progress(len(DASHBOARDS) + 2, total, _("Writing the spreadsheet"))
    xlsx = render_xlsx(context)
    return Built(pdf, xlsx)


def _find(boards: dict[str, Dashboard], board: str, key: str) -> Figure | None:
    for section in boards[board].sections:
        for figure in section.figures:
            if figure.key == key:
                return figure
    return None


def data_quality(scope: Scope, filters: Filters, f: Figures) -> Section:
    """What is missing from the records of the period: measures, feedback, triage, plans."""
    referrals = Referral.objects.filter(site__in=scope.site_ids)
    closed = Closure.objects.filter(
        referral__in=referrals.values("pk"),
        closed_on__gte=filters.first_month,
        closed_on__lte=filters.end_date,
        reopened_at__isnull=True,
    )
    current = Measure.objects.filter(withdrawn_at__isnull=True, referral=OuterRef("referral"))
    no_baseline = closed.filter(~Exists(current.filter(timepoint=Timepoint.BASELINE))).count()
    no_end = closed.filter(~Exists(current.filter(timepoint=Timepoint.END))).count()
    now = timezone.now()
    feedback_due = closed.filter(closed_on__lte=(now - FEEDBACK_OVERDUE_AFTER).date())
    no_feedback = feedback_due.filter(
        ~Exists(ClientFeedback.objects.filter(referral=OuterRef("referral")))
    ).count()
    waiting_triage = referrals.filter(
        status__in=TO_TRIAGE, received_at__lt=min(filters.end, now) - TRIAGE_OVERDUE_AFTER
    ).count()
    no_plan = (
        referrals.filter(status=ReferralStatus.ALLOCATED)
        .filter(~Exists(SupportPlan.objects.filter(referral=OuterRef("pk"))))
        .count()
    )
    received = referrals.filter(received_at__gte=filters.start, received_at__lt=filters.end)
    no_pathway = received.filter(Q(pathway__isnull=True)).count()
    no_source = received.filter(referring_organisation__isnull=True).exclude(
        pathway__source_type="self_referral"
    )
    closed_total = closed.count()
    rows = [
        Row(
            _("Support ended without a baseline measure"),
            [f.share("", "", no_baseline, closed_total)],
            "no_baseline",
        ),
        Row(
            _("Support ended without an end-of-support measure"),
            [f.share("", "", no_end, closed_total)],
            "no_end_measure",
        ),
        Row(
            _("Support ended more than two weeks ago, no feedback form"),
            [f.share("", "", no_feedback, feedback_due.count())],
            "feedback_overdue",
        ),
        Row(
            _("Referrals waiting more than two weeks for triage"),
            [f.count("", "", waiting_triage)],
            "triage_overdue",
        ),
        Row(_("People in support without a support plan"), [f.count("", "", no_plan)], "no_plan"),
        Row(_("Referrals received without a pathway"), [f.count("", "", no_pathway)], "no_pathway"),
        Row(
            _("Referrals received without a referring organisation (not self-referrals)"),
            [f.count("", "", no_source.count())],
            "no_organisation",
        ),
    ]
    return Section(
        "data_quality",
        _("Data quality"),
        tables=[
            Table(
                "data_quality",
                _("What is missing from the records"),
                [_("Check"), _("How many")],
                rows,
            )
        ],
    )


def render_pdf(context: dict) -> bytes:
    return pdf.render_pdf(
        "reports/funder/report.html",
        context,
        stylesheets=(pdf.DOCUMENT_CSS, "reports/funder/report.css"),
    )


def _cells(values) -> list:
    """Spreadsheet cells: text made safe to open (no formulas), numbers and dates as they are."""
    return [spreadsheet_safe(str(v)) if isinstance(v, str | Promise) else v for v in values]


def render_xlsx(context: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list):
        page = book.create_sheet(str(title)[:31])
        page.append(_cells(header))
        for cell in page[1]:
            cell.font = bold
        return page

    book.remove(book.active)
    summary = sheet(_("Summary"), [_("Figure"), _("Value"), _("Shown as")])
    for figure in context["headlines"]:
        summary.append(_cells([figure.label, figure.value, figure.text]))
    summary.append([])
    summary.append(_cells([_("Period"), context["period"]]))
    summary.append(_cells([_("Sites"), ", ".join(s.name for s in context["sites"])]))
    summary.append(_cells([_("Made"), context["generated_at"].strftime("%Y-%m-%d %H:%M")]))
    header = [_("Section"), _("Table"), _("Row"), _("Column"), _("Value"), _("Shown as")]
    for board in context["boards"]:
        page = sheet(board.title, header)
        for section in board.sections:
            for figure in section.figures:
                page.append(
                    _cells([section.title, "", "", figure.label, figure.value, figure.text])
                )
            for chart in section.charts:
                for row in chart.rows:
                    for column, cell in zip(chart.columns[1:], row[1:], strict=False):
                        page.append(
                            _cells(
                                [section.title, chart.title, row[0].text, column, None, cell.text]
                            )
                        )
            for table in section.tables:
                for row in table.rows:
                    for column, figure in zip(table.columns[1:], row.figures, strict=False):
                        page.append(
                            _cells(
                                [
                                    section.title,
                                    table.title,
                                    row.label,
                                    column,
                                    figure.value,
                                    figure.text,
                                ]
                            )
                        )
    timeline = sheet(_("Timeline"), [_("Date"), _("What changed"), _("Sites"), _("Description")])
    for event in context["events"]:
        timeline.append(_cells([event.on, event.title, ", ".join(event.sites), event.description]))
    quality = sheet(_("Data quality"), [_("Check"), _("How many")])
    for table in context["quality"].tables:
        for row in table.rows:
            quality.append(_cells([row.label, row.figures[0].text]))
    studies = sheet(_("Case studies"), [_("Title"), _("The case study")])
    for study in context["case_studies"]:
        studies.append(_cells([study.title, study.text]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make(report_id: int) -> str:
    """Make a queued report, writing progress to its row; answers its status. A report already
    claimed, or finished, is left alone. A failure is recorded by its kind only."""
    claimed = FunderReport.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING, started_at=timezone.now(), error=""
    )
    if not claimed:
        return FunderReport.objects.filter(pk=report_id).values_list("status", flat=True).first()
    report = FunderReport.objects.defer("pdf", "xlsx").get(pk=report_id)

    def progress(done: int, total: int, name: str) -> None:
        FunderReport.objects.filter(pk=report_id).update(
            steps_done=done, steps=total, step_name=name[:100]
        )

    try:
        with translation.override(report.language or settings.LANGUAGE_CODE):
            built = build(report, progress)
    except Exception as error:  # any failure: record its kind, never its text
        logger.error("Funder report %s failed: %s", report_id, type(error).__name__)
        FunderReport.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED, error=type(error).__name__[:200], finished_at=timezone.now()
        )
        return ReportStatus.FAILED.value
    FunderReport.objects.filter(pk=report_id, status=ReportStatus.RUNNING).update(
        status=ReportStatus.DONE,
        pdf=built.pdf,
        xlsx=built.xlsx,
        steps_done=len(DASHBOARDS) + 3,
        steps=len(DASHBOARDS) + 3,
        finished_at=timezone.now(),
    )
    return ReportStatus.DONE.value

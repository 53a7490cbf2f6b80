"""The funder report's pages: case studies (written, checked for identifiers, corrected), asking
for a report, watching it being made, and downloading its PDF or spreadsheet (each download
audited). Managers only, for the sites they manage."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from linkwork.accounts.permissions import Permission, require
from linkwork.core.downloads import attachment
from linkwork.core.errors import ActionRefused
from linkwork.core.form_pages import posted, submit
from linkwork.core.months import month_of

from . import actions
from .forms import CaseStudyForm, FunderReportForm
from .queries import (
    case_studies_for,
    case_study_for,
    funder_report_for,
    funder_reports_for,
    sites_to_record_for,
)

SHOWN = 20
FILES = {
    "pdf": ("application/pdf", "pdf"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


@require_http_methods(["GET", "POST"])
def funder_reports(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.WRITE_FUNDER_REPORT)
    sites = sites_to_record_for(request.user)
    form = posted(
        request,
        FunderReportForm,
        sites=sites,
        case_studies=case_studies_for(request.user).order_by("site__name", "title"),
        this_month=month_of(timezone.localdate()),
    )

    def ask(data):
        report = actions.request_funder_report(
            by=request.user,
            first_month=data["from_month"],
            last_month=data["to_month"],
            sites=list(data["sites"]),
            case_studies=list(data.get("case_studies") or []),
        )
        return redirect("reports:funder_report", pk=report.pk)

    return submit(request, form, ask) or render(
        request,
        "reports/funder/list.html",
        {
            "form": form,
            "reports": list(funder_reports_for(request.user)[:SHOWN]),
            "case_studies": list(case_studies_for(request.user)[:SHOWN]),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def funder_report(request: HttpRequest, pk: int) -> HttpResponse:
    report = funder_report_for(request.user, pk)
    return render(request, "reports/funder/detail.html", {"report": report})


@require_GET
def funder_report_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The fragment htmx polls while the report is made; once it is finished, htmx reloads the
    page, which offers the downloads (or says why there are none)."""
    report = funder_report_for(request.user, pk)
    if report.finished and request.htmx:
        return HttpResponseClientRefresh()
    return render(request, "reports/funder/progress.html", {"report": report})


@require_GET
def funder_report_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in FILES:
        return redirect("reports:funder_report", pk=pk)
    report = funder_report_for(request.user, pk, with_files=True)
    try:
        actions.record_report_download(report, by=request.user, fmt=fmt)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("reports:funder_report", pk=pk)
    content_type, extension = FILES[fmt]
    name = f"linkwork-funder-report-{report.first_month:%Y-%m}-to-{report.last_month:%Y-%m}"
    return attachment(
        getattr(report, fmt), content_type=content_type, filename=f"{name}.{extension}"
    )


def _case_study_page(request, form, study=None):
    return render(request, "reports/funder/case_study.html", {"form": form, "study": study})


@require_http_methods(["GET", "POST"])
def new_case_study(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.WRITE_FUNDER_REPORT)
    form = posted(request, CaseStudyForm, sites=sites_to_record_for(request.user))

    def save(data):
        actions.save_case_study(None, by=request.user, **data)
        messages.success(request, _("Case study saved"))
        return redirect("reports:funder_reports")

    return submit(request, form, save) or _case_study_page(request, form)


@require_http_methods(["GET", "POST"])
def change_case_study(request: HttpRequest, pk: int) -> HttpResponse:
    study = case_study_for(request.user, pk)
    form = posted(
        request,
        CaseStudyForm,
        sites=sites_to_record_for(request.user),
        initial={"site": study.site, "title": study.title, "text": study.text},
    )

    def save(data):
        actions.save_case_study(study, by=request.user, **data)
        messages.success(request, _("Case study saved"))
        return redirect("reports:funder_reports")

    return submit(request, form, save) or _case_study_page(request, form, study)

"""Data protection pages.

Subject access: asking for an export from a person's referral, the list of requests with their
deadlines, one request (its progress, the review warning and its downloads, each audited).
Managers, for people with a referral at a site they manage.

The record of processing (article 30): read by managers and administrators, its controller's
part kept by administrators; as a page and as a PDF to send the ICO."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from linkwork.accounts.permissions import Permission, has_permission, require
from linkwork.core import pdf
from linkwork.core.downloads import attachment
from linkwork.core.errors import ActionRefused
from linkwork.core.form_pages import posted, submit

from . import actions, processing
from .forms import ProcessingRecordForm, SubjectAccessForm
from .models import ProcessingRecord
from .queries import referral_to_export, request_for, requests_for

SHOWN = 50
FILES = {"pdf": ("application/pdf", "pdf"), "json": ("application/json", "json")}


@require_GET
def requests_list(request: HttpRequest) -> HttpResponse:
    requests = list(requests_for(request.user)[:SHOWN])
    return render(request, "subjects/list.html", {"requests": requests})


@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest, referral_pk: int) -> HttpResponse:
    referral = referral_to_export(request.user, referral_pk)
    form = posted(request, SubjectAccessForm)

    def ask(data):
        made = actions.request_subject_access(
            referral, by=request.user, received_on=data["received_on"], note=data["note"]
        )
        messages.success(request, _("Subject access request recorded: the export is being made"))
        return redirect("subjects:request", pk=made.pk)

    return submit(request, form, ask) or render(
        request,
        "subjects/new.html",
        {"form": form, "referral": referral},
        status=400 if form.errors else 200,
    )


@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    made = request_for(request.user, pk)
    return render(request, "subjects/detail.html", {"sar": made})


@require_GET
def request_progress(request: HttpRequest, pk: int) -> HttpResponse:
    made = request_for(request.user, pk)
    if made.finished and request.htmx:
        return HttpResponseClientRefresh()
    return render(request, "subjects/progress.html", {"sar": made})


@require_GET
def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in FILES:
        return redirect("subjects:request", pk=pk)
    made = request_for(request.user, pk, with_files=True)
    try:
        actions.record_download(made, by=request.user, fmt=fmt)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("subjects:request", pk=pk)
    content_type, extension = FILES[fmt]
    name = f"linkwork-subject-access-{made.person.reference}-{made.received_on:%Y-%m-%d}"
    return attachment(getattr(made, fmt), content_type=content_type, filename=f"{name}.{extension}")


@require_GET
def record_of_processing(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.VIEW_RECORD_OF_PROCESSING)
    return render(
        request,
        "subjects/processing/record.html",
        {
            "record": processing.record_of_processing(),
            "may_edit": has_permission(request.user, Permission.EDIT_RECORD_OF_PROCESSING),
        },
    )


@require_GET
def record_of_processing_pdf(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.VIEW_RECORD_OF_PROCESSING)
    record = processing.record_of_processing()
    made = pdf.render_pdf(
        "subjects/processing/document.html",
        {"record": record},
        stylesheets=(pdf.DOCUMENT_CSS, "subjects/processing/document.css"),
    )
    return attachment(
        made,
        content_type="application/pdf",
        filename=f"linkwork-record-of-processing-{record.made_at:%Y-%m-%d}.pdf",
    )


@require_http_methods(["GET", "POST"])
def edit_record_of_processing(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.EDIT_RECORD_OF_PROCESSING)
    form = posted(request, ProcessingRecordForm, instance=ProcessingRecord.current())

    def save(data):
        actions.review_record_of_processing(by=request.user, changes=data)
        messages.success(request, _("The record of processing is saved and marked as reviewed"))
        return redirect("subjects:record_of_processing")

    return submit(request, form, save) or render(
        request,
        "subjects/processing/edit.html",
        {"form": form},
        status=400 if form.errors else 200,
    )

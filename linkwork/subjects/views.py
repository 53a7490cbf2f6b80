"""Data protection pages.

Subject access (decision 0024): asking for an export from a person's referral, the list of
requests with their deadlines, one request (its progress, the review warning and its downloads,
each audited). Managers, for people with a referral at a site they manage.

Rectification (decision 0026): changing a person's details and correcting a contact note, each
with its reason, by the staff who may act on the referral; the history of what was held before,
and the rectification requests with their deadlines, refusals and statements, for managers.

Erasure (decision 0027): recording a request from a person's referral, what stands in its way,
and the decision with its reason (managers). Retention: the rules, what is due (a dry run on
demand, in the background), and past runs' reports, for administrators.

The record of processing (article 30): read by managers and administrators, its controller's
part kept by administrators; as a page and as a PDF to send the ICO."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from linkwork.accounts.permissions import Permission, has_permission, require
from linkwork.audit.models import RecordPart
from linkwork.core import pdf
from linkwork.core.downloads import attachment
from linkwork.core.errors import ActionRefused
from linkwork.core.form_pages import posted, submit
from linkwork.core.params import parse_id
from linkwork.referrals.actions import record_view
from linkwork.referrals.forms import PERSON_FIELDS

from . import actions, erasure, processing, retention
from .forms import (
    ChangeDetailsForm,
    CorrectNoteForm,
    DryRunForm,
    ErasureDecisionForm,
    ErasureRequestForm,
    ProcessingRecordForm,
    RectificationRequestForm,
    RefuseForm,
    StatementForm,
    SubjectAccessForm,
)
from .models import ProcessingRecord, RectificationRequest
from .queries import (
    contact_to_correct,
    corrections_of,
    details_changes_of,
    erasure_request_for,
    erasure_requests_for,
    interim_contact_to_correct,
    open_rectification_requests,
    rectification_request_for,
    rectification_requests_for,
    referral_for_rectification,
    referral_to_change,
    referral_to_erase,
    referral_to_export,
    referral_with_corrections,
    request_for,
    requests_about,
    requests_for,
    retention_run,
    retention_runs,
)

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


# --- Rectification (decision 0026) ---------------------------------------------------------------

SHOWN_REQUESTS = 100


def _answering(request: HttpRequest, referral) -> RectificationRequest | None:
    """The open rectification request a correction is made for (`?request=ID`, from the
    request's page): only a manager who keeps the requests can name one, and only one about
    this person."""
    wanted = parse_id(request.GET.get("request"))
    if wanted is None or not has_permission(
        request.user, Permission.HANDLE_RECTIFICATION, referral
    ):
        return None
    return open_rectification_requests(referral).filter(pk=wanted).first()


def _after_correcting(answering, fallback: HttpResponse) -> HttpResponse:
    return redirect("subjects:rectification", pk=answering.pk) if answering else fallback


@require_http_methods(["GET", "POST"])
def change_details(request: HttpRequest, referral_pk: int) -> HttpResponse:
    """Change the person's details: the form shows what is held now; the reason is required."""
    referral = referral_to_change(request.user, referral_pk)
    person = referral.person
    answering = _answering(request, referral)
    form = posted(request, ChangeDetailsForm, person=person, answering=answering)

    def change(data):
        made = actions.change_details(
            referral,
            by=request.user,
            details={name: data[name] for name in PERSON_FIELDS},
            **form.reason_data(),
        )
        if made is None:
            messages.info(
                request,
                _("Nothing was changed: the details saved are the ones already held."),
            )
            return redirect("referrals:detail", pk=referral.pk)
        messages.success(
            request,
            _("Details changed: %(fields)s. What they were before is kept.")
            % {"fields": ", ".join(made.field_labels())},
        )
        return _after_correcting(answering, redirect("referrals:detail", pk=referral.pk))

    if response := submit(request, form, change):
        return response
    record_view(
        by=request.user, obj=referral, person_id=referral.person_id, part=RecordPart.REFERRAL
    )
    return render(
        request,
        "subjects/change_details.html",
        {"form": form, "referral": referral, "person": person, "answering": answering},
        status=400 if form.errors else 200,
    )


@require_GET
def details_history(request: HttpRequest, referral_pk: int) -> HttpResponse:
    """For the site's managers: every change to the person's details (old and new values, who,
    when, why), and their rectification requests."""
    referral = referral_with_corrections(request.user, referral_pk)
    record_view(
        by=request.user, obj=referral, person_id=referral.person_id, part=RecordPart.CORRECTIONS
    )
    return render(
        request,
        "subjects/details_history.html",
        {
            "referral": referral,
            "person": referral.person,
            "changes": details_changes_of(referral),
            "requests": requests_about(referral),
        },
    )


@require_http_methods(["GET", "POST"])
def correct_contact_note(request: HttpRequest, referral_pk: int, contact_pk: int) -> HttpResponse:
    """Correct a contact's note: the corrected text becomes the note; what it said is kept."""
    referral, contact = contact_to_correct(request.user, referral_pk, contact_pk)
    back = reverse("casework:record", args=[referral.pk]) + "#contacts"
    return _correct_note(request, referral, contact, back=back)


@require_http_methods(["GET", "POST"])
def correct_interim_note(request: HttpRequest, referral_pk: int, contact_pk: int) -> HttpResponse:
    """Correct the note of interim support given while the person waited."""
    referral, contact = interim_contact_to_correct(request.user, referral_pk, contact_pk)
    back = reverse("referrals:detail", args=[referral.pk]) + "#interim-support"
    return _correct_note(request, referral, contact, back=back)


def _correct_note(request: HttpRequest, referral, entry, *, back: str) -> HttpResponse:
    answering = _answering(request, referral)
    form = posted(request, CorrectNoteForm, entry=entry, answering=answering)

    def correct(data):
        made = actions.correct_note(
            referral, entry, by=request.user, note=data["note"], **form.reason_data()
        )
        if made is None:
            messages.info(request, _("The note is unchanged, so nothing was corrected."))
            return redirect(back)
        messages.success(request, _("Note corrected. What it said before is kept."))
        return _after_correcting(answering, redirect(back))

    if response := submit(request, form, correct):
        return response
    sees_earlier = has_permission(request.user, Permission.VIEW_CORRECTIONS, referral)
    record_view(
        by=request.user,
        obj=entry,
        person_id=referral.person_id,
        part=RecordPart.CORRECTIONS if sees_earlier else RecordPart.REFERRAL,
    )
    return render(
        request,
        "subjects/correct_note.html",
        {
            "form": form,
            "referral": referral,
            "entry": entry,
            "kind": entry._meta.verbose_name,
            "back": back,
            "answering": answering,
            "corrections": corrections_of(entry) if sees_earlier else None,
        },
        status=400 if form.errors else 200,
    )


@require_GET
def rectifications(request: HttpRequest) -> HttpResponse:
    """For managers: rectification requests about people at their sites, open ones first with
    their deadlines."""
    requests = list(rectification_requests_for(request.user)[:SHOWN_REQUESTS])
    return render(
        request,
        "subjects/rectifications.html",
        {"requests": requests, "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
def new_rectification(request: HttpRequest, referral_pk: int) -> HttpResponse:
    """Record a request to correct something, to look into before answering."""
    referral = referral_for_rectification(request.user, referral_pk)
    form = posted(request, RectificationRequestForm)

    def record_it(data):
        made = actions.record_request(
            referral, by=request.user, received_on=data["received_on"], asked_for=data["asked_for"]
        )
        messages.success(request, _("Rectification request recorded."))
        return redirect("subjects:rectification", pk=made.pk)

    return submit(request, form, record_it) or render(
        request,
        "subjects/rectification_new.html",
        {"form": form, "referral": referral},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def rectification(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: what was asked, its deadline, and its answer. While open: correct the
    details or a note for it, mark it corrected, or refuse it with a reason. Once refused: the
    person's statement."""
    asked = rectification_request_for(request.user, pk)
    doing = request.POST.get("do") if request.method == "POST" else None
    refuse_form = posted(request, RefuseForm) if doing == "refuse" else RefuseForm()
    statement_form = posted(request, StatementForm) if doing == "statement" else StatementForm()
    here = redirect("subjects:rectification", pk=asked.pk)

    def refuse(data):
        actions.refuse(asked, by=request.user, reason=data["reason"], told_on=data["told_on"])
        messages.success(request, _("Refusal recorded. Tell the person, with the reason."))
        return here

    def keep_statement(data):
        actions.record_statement(
            asked, by=request.user, statement=data["statement"], told_on=data["told_on"]
        )
        messages.success(request, _("The person's statement is kept with the record."))
        return here

    if doing == "corrected":
        try:
            actions.mark_corrected(asked, by=request.user)
            messages.success(request, _("Request marked as corrected."))
        except ActionRefused as refusal:
            messages.error(request, refusal.message)
        return here
    if doing == "refuse" and (response := submit(request, refuse_form, refuse)):
        return response
    if doing == "statement" and (response := submit(request, statement_form, keep_statement)):
        return response
    record_view(
        by=request.user, obj=asked, person_id=asked.person_id, part=RecordPart.RECTIFICATION
    )
    errors = refuse_form.errors or statement_form.errors
    return render(
        request,
        "subjects/rectification.html",
        {
            "asked": asked,
            "referral": asked.referral,
            "has_interim_support": asked.is_open and asked.referral.interim_contacts.exists(),
            "refuse_form": refuse_form,
            "statement_form": statement_form,
            "today": timezone.localdate(),
        },
        status=400 if errors else 200,
    )


# --- The record of processing (article 30) ------------------------------------------------------


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


# --- Retention (decision 0027): administrators ------------------------------------------

RUNS_SHOWN = 50


@require_GET
def retention_rules(request: HttpRequest) -> HttpResponse:
    runs = retention_runs(request.user)
    return render(
        request,
        "subjects/retention.html",
        {
            "rules": retention.rules(),
            "latest_dry_run": runs.filter(dry_run=True).first(),
            "latest_run": runs.filter(dry_run=False).first(),
            "form": DryRunForm(),
        },
    )


@require_http_methods(["POST"])
def retention_dry_run(request: HttpRequest) -> HttpResponse:
    retention_runs(request.user)  # administrators only
    form = posted(request, DryRunForm)

    def ask(_data):
        report = actions.ask_for_dry_run(by=request.user)
        messages.success(request, _("Dry run started: it lists what is due and changes nothing"))
        return redirect("subjects:retention_run", pk=report.pk)

    return submit(request, form, ask) or redirect("subjects:retention")


@require_GET
def retention_run_list(request: HttpRequest) -> HttpResponse:
    runs = list(retention_runs(request.user)[:RUNS_SHOWN])
    return render(request, "subjects/retention_runs.html", {"runs": runs})


@require_GET
def retention_run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = retention_run(request.user, pk)
    if report.finished and request.htmx:
        return HttpResponseClientRefresh()
    labels = {rule.key: rule for rule in retention.rules()}
    rows = [
        (labels.get(key), key, count, report.references.get(key, []))
        for key, count in report.counts.items()
    ]
    template = (
        "subjects/retention_run_progress.html" if request.htmx else "subjects/retention_run.html"
    )
    return render(request, template, {"run": report, "rows": rows})


# Erasure on request (article 17): managers at one of the person's sites.


@require_GET
def erasure_list(request: HttpRequest) -> HttpResponse:
    requests = list(erasure_requests_for(request.user)[:SHOWN])
    return render(request, "subjects/erasure_list.html", {"requests": requests})


@require_http_methods(["GET", "POST"])
def erasure_new(request: HttpRequest, referral_pk: int) -> HttpResponse:
    referral = referral_to_erase(request.user, referral_pk)
    form = posted(request, ErasureRequestForm)

    def ask(data):
        made = erasure.request_erasure(
            referral, by=request.user, received_on=data["received_on"], note=data["note"]
        )
        messages.success(request, _("Erasure request recorded: decide it below"))
        return redirect("subjects:erasure", pk=made.pk)

    return submit(request, form, ask) or render(
        request,
        "subjects/erasure_new.html",
        {"form": form, "referral": referral, "grounds": erasure.assess(referral.person)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def erasure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    made = erasure_request_for(request.user, pk)
    form = posted(request, ErasureDecisionForm)

    def decide(data):
        erasure.decide_erasure(
            made, by=request.user, decision=data["decision"], reason=data["reason"]
        )
        messages.success(request, _("Decision recorded"))
        return redirect("subjects:erasure", pk=made.pk)

    grounds = [] if made.decided else erasure.assess(made.person)
    return submit(request, form, decide) or render(
        request,
        "subjects/erasure.html",
        {
            "erasure": made,
            "form": form,
            "grounds": grounds,
            "blocked": erasure.blocked(grounds),
        },
        status=400 if form.errors else 200,
    )

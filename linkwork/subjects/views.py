"""Subject rights pages. Subject access: asking for an export from a person's referral, the
list of requests with their deadlines, one request (its progress, the review warning and its
downloads, each audited). Erasure: recording a request from a person's referral, what stands
in its way, and the decision with its reason. Managers, for people with a referral at a site
they manage. Retention: the rules, what is due (a dry run on demand, in the background), and
past runs' reports, for administrators."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from linkwork.core.downloads import attachment
from linkwork.core.errors import ActionRefused
from linkwork.core.form_pages import posted, submit

from . import actions, erasure, retention
from .forms import DryRunForm, ErasureDecisionForm, ErasureRequestForm, SubjectAccessForm
from .queries import (
    erasure_request_for,
    erasure_requests_for,
    referral_to_erase,
    referral_to_export,
    request_for,
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


# Retention (decision 0027): administrators.

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

"""Reports pages. Thin: work out the reader's scope and filters, build the dashboard, render it
as HTML, CSV or JSON.

The figures a reader sees are decided in `scope.py` (whose sites, exact or suppressed, with or
without links to records); the CSV and JSON twins are made with the scope for export, so they
are suppressed for everyone. Following a figure to the records behind it needs
FOLLOW_FIGURES_TO_RECORDS, and lists only referrals inside the reader's own scope.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from linkwork.accounts.permissions import Permission, has_permission, require
from linkwork.core.form_pages import posted, submit
from linkwork.core.months import month_of

from . import actions
from .dashboards import DASHBOARDS
from .dashboards.context import Context
from .figures import Figures
from .filters import FiltersForm
from .formats import as_csv, as_json
from .forms import ServiceEventForm
from .queries import event_for, sites_to_record_for
from .records import records_behind
from .scope import SMALL_NUMBER, scope_for
from .timeline import service_timeline

RECORDS_PER_PAGE = 50
FORMATS = ("html", "csv", "json")


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    return render(
        request,
        "reports/index.html",
        {
            "dashboards": [(key, title) for key, (title, _build) in DASHBOARDS.items()],
            "scope": scope,
            "small_number": SMALL_NUMBER,
            "may_write_funder_report": has_permission(request.user, Permission.WRITE_FUNDER_REPORT),
            "may_plan_capacity": has_permission(request.user, Permission.PLAN_CAPACITY),
        },
    )


def _filters_form(request: HttpRequest, scope):
    events = service_timeline(scope)
    form = FiltersForm(
        request.GET, scope=scope, events=events, this_month=month_of(timezone.localdate())
    )
    form.is_valid()
    return form, form.filters(), events


def _records_link(filters):
    base = reverse("reports:records")

    def link(**narrowing) -> str:
        return f"{base}?{filters.query(**narrowing)}"

    return link


@require_GET
def dashboard(request: HttpRequest, key: str) -> HttpResponse:
    if key not in DASHBOARDS:
        raise Http404
    output = request.GET.get("format", "html")
    if output not in FORMATS:
        return HttpResponseBadRequest(_("Ask for format=html, format=csv or format=json."))
    scope = scope_for(request.user)
    if output != "html":
        scope = scope.for_export()
    form, filters, events = _filters_form(request, scope)
    markers = [
        e.marker
        for e in events
        if filters.first_month <= e.on <= filters.end_date
        and (filters.site is None or filters.site.name in e.sites)
    ]
    title, build = DASHBOARDS[key]
    ctx = Context(scope, filters, Figures(scope, _records_link(filters)), markers)
    board = build(ctx)
    if output == "csv":
        return as_csv(board, filters)
    if output == "json":
        return as_json(board, filters)
    query = filters.query()
    return render(
        request,
        "reports/dashboard.html",
        {
            "board": board,
            "form": form,
            "filters": filters,
            "scope": scope,
            "dashboards": [(k, t) for k, (t, _build) in DASHBOARDS.items()],
            "csv_url": f"?{query}&format=csv",
            "json_url": f"?{query}&format=json",
            "small_number": SMALL_NUMBER,
        },
    )


@require_GET
def records(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.FOLLOW_FIGURES_TO_RECORDS)
    scope = scope_for(request.user)
    form, filters, _events = _filters_form(request, scope)
    title, chosen = records_behind(scope, filters, request.GET)
    page = Paginator(chosen, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "reports/records.html",
        {
            "title": title,
            "page": page,
            "filters": filters,
            "described": filters.described(),
            "query": params.urlencode(),
        },
    )


@require_GET
def timeline(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    events = service_timeline(scope)
    return render(
        request,
        "reports/timeline.html",
        {
            "events": list(reversed(events)),
            "scope": scope,
            "may_record": has_permission(request.user, Permission.RECORD_SERVICE_EVENT),
        },
    )


def _event_form_page(request, form, event=None):
    return render(request, "reports/event_form.html", {"form": form, "event": event})


@require_http_methods(["GET", "POST"])
def new_event(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.RECORD_SERVICE_EVENT)
    form = posted(request, ServiceEventForm, sites=sites_to_record_for(request.user))

    def save(data):
        actions.record_event(by=request.user, **data)
        messages.success(request, _("Event added to the service timeline"))
        return redirect("reports:timeline")

    return submit(request, form, save) or _event_form_page(request, form)


@require_http_methods(["GET", "POST"])
def change_event(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request.user, pk, Permission.RECORD_SERVICE_EVENT)
    initial = {
        "on": event.on,
        "title": event.title,
        "description": event.description,
        "sites": list(event.sites.all()),
    }
    form = posted(
        request, ServiceEventForm, sites=sites_to_record_for(request.user), initial=initial
    )

    def save(data):
        actions.change_event(event, by=request.user, **data)
        messages.success(request, _("Event changed"))
        return redirect("reports:timeline")

    return submit(request, form, save) or _event_form_page(request, form, event)


@require_http_methods(["GET", "POST"])
def remove_event(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request.user, pk, Permission.RECORD_SERVICE_EVENT)
    if request.method == "POST":
        actions.remove_event(event, by=request.user)
        messages.success(request, _("Event removed from the service timeline"))
        return redirect("reports:timeline")
    return render(request, "reports/remove_event.html", {"event": event})

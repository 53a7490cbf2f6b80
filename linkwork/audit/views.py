"""The audit log, searchable by person or by user, for administrators."""

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linkwork.accounts.permissions import Permission, require
from linkwork.core.keyset import keyset_links, keyset_page
from linkwork.core.spreadsheets import spreadsheet_safe

from .forms import AuditSearchForm
from .presenters import describe_all
from .queries import audit_events
from .service import record_export

EVENTS_PER_PAGE = 100


def _searched(request: HttpRequest):
    """The search form, and the events it asks for (none while it has errors)."""
    form = AuditSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, audit_events().none()
    if form.is_valid():
        data = form.cleaned_data
        return form, audit_events(
            person_id=data["person"],
            user=data["user"],
            action=data["action"],
            part=data["part"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    return form, audit_events()


def audit_log(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.VIEW_AUDIT_LOG)
    form, events = _searched(request)
    # Millions of lines: a page reads its own 100 and counts up to a cap, never the whole log.
    page = keyset_page(
        events,
        size=EVENTS_PER_PAGE,
        older=request.GET.get("older", ""),
        newer=request.GET.get("newer", ""),
    )
    export = request.GET.copy()
    for key in ("older", "newer"):
        export.pop(key, None)
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "page": page,
            "lines": describe_all(list(page.object_list)),
            "page_links": keyset_links(request, page),
            "export_query": export.urlencode(),
        },
    )


#: An export holds at most this many lines (the newest); a longer one asks for narrower dates.
EXPORT_LIMIT = 50_000


def export(request: HttpRequest) -> HttpResponse:
    """The lines the search finds, as CSV, newest first, in words; the export is itself in the
    log, with how many lines it held."""
    require(request.user, Permission.VIEW_AUDIT_LOG)
    form, events = _searched(request)
    if form.is_bound and not form.is_valid():
        return redirect(reverse("audit:log") + "?" + request.GET.urlencode())
    chosen = list(events.order_by("-at", "-pk")[:EXPORT_LIMIT])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            _("When"),
            _("Who"),
            _("Username"),
            _("What"),
            _("Record"),
            _("Person"),
            _("Name"),
            _("Detail"),
        ]
    )
    for line in describe_all(chosen):
        event = line.event
        writer.writerow(
            spreadsheet_safe(value)
            for value in (
                timezone.localtime(event.at).isoformat(timespec="seconds"),
                line.who,
                event.user.username if event.user else "",
                line.what,
                line.record,
                line.person_reference,
                line.person_name,
                line.detail_in_full,
            )
        )
    record_export(by=request.user, detail=f"audit log exported: {len(chosen)} lines")
    return response

"""The audit log, searchable by person or by user, for administrators."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from linkwork.accounts.permissions import Permission, require
from linkwork.core.keyset import keyset_links, keyset_page

from .forms import AuditSearchForm
from .queries import audit_events

EVENTS_PER_PAGE = 100


def audit_log(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.VIEW_AUDIT_LOG)
    form = AuditSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        events = audit_events().none()
    elif form.is_valid():
        data = form.cleaned_data
        events = audit_events(
            person_id=data["person"],
            user=data["user"],
            action=data["action"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    else:
        events = audit_events()
    # Millions of lines: a page reads its own 100 and counts up to a cap, never the whole log.
    page = keyset_page(
        events,
        size=EVENTS_PER_PAGE,
        older=request.GET.get("older", ""),
        newer=request.GET.get("newer", ""),
    )
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "page_links": keyset_links(request, page)},
    )

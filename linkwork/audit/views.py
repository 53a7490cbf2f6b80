"""The audit log, searchable by person or by user, for administrators."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from linkwork.accounts.permissions import Permission, require

from .forms import AuditSearchForm
from .queries import audit_events


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
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )

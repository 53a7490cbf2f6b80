"""The audit log, searchable by person or by user, for administrators."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from linkwork.accounts.models import User
from linkwork.accounts.permissions import Permission, require

from .forms import AuditSearchForm
from .models import AuditEvent


def audit_log(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.VIEW_AUDIT_LOG)
    form = AuditSearchForm(request.GET or None)
    events = AuditEvent.objects.select_related("user")
    if form.is_bound and not form.is_valid():
        events = events.none()
    elif form.is_valid():
        data = form.cleaned_data
        if data["person"]:
            events = events.filter(person_id=data["person"])
        if data["user"]:
            events = events.filter(user=data["user"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["date_from"]:
            events = events.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(at__date__lte=data["date_to"])
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "query": query.urlencode(), "users": User.objects.all()},
    )

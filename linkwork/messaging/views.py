"""The referrer's messages page. Thin: check, query, render."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from linkwork.accounts.permissions import Permission, require

from .queries import messages_seen_by


def message_list(request: HttpRequest) -> HttpResponse:
    """What the service has told the referrer's organisation, newest first."""
    require(request.user, Permission.VIEW_REFERRER_MESSAGES)
    page = Paginator(messages_seen_by(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "messaging/list.html", {"page": page})

"""A coordinator refused a referral they may open after giving a reason (decision 0023) is sent
to the page that asks for it, and back to where they were going once they have given it."""

from urllib.parse import urlencode

from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse

from linkwork.accounts.permissions import ReasonRequired


class OpenWithReasonMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        # Only a page being read: a form posted without access is refused (404) as before, and
        # what was posted is not replayed after the reason.
        if not isinstance(exception, ReasonRequired) or request.method not in ("GET", "HEAD"):
            return None
        address = reverse("referrals:open_with_reason", args=[exception.referral_id])
        return redirect(f"{address}?{urlencode({'next': request.get_full_path()})}")

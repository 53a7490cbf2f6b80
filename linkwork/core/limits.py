"""A smaller limit on what may be posted to the public forms (the pages opened without an
account: the self-referral form and the one-time links).

Django refuses a body over `DATA_UPLOAD_MAX_MEMORY_SIZE` (2.5 MB) everywhere. Public forms
need far less: every answer on them has a maximum length, and the largest, the self-referral
form filled to every limit in a script needing 9 bytes a character once encoded, is well under
64 KB. A body larger than `PUBLIC_FORM_MAX_BYTES` (64 KB unless the settings say otherwise) is
answered 413 with a page that says nothing was saved, before the form or the action sees it.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

DEFAULT_PUBLIC_FORM_MAX_BYTES = 64 * 1024


def _limit() -> int:
    return getattr(settings, "PUBLIC_FORM_MAX_BYTES", DEFAULT_PUBLIC_FORM_MAX_BYTES)


def _declared_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def too_large(request: HttpRequest) -> HttpResponse:
    return render(request, "core/413.html", status=413)


def public_form_body_limit(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer 413 (`core/413.html`) when the request's body is larger than
    `PUBLIC_FORM_MAX_BYTES`. Django reads no more of a body than its Content-Length says, so
    the declared length is the size of what the view could read."""

    @wraps(view)
    def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if _declared_length(request) > _limit():
            return too_large(request)
        return view(request, *args, **kwargs)

    return limited

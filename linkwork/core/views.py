"""Pages that belong to no one context: health check and error pages."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "core/429.html", status=429)


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """Sign-in refused after too many failures (django-axes' AXES_LOCKOUT_CALLABLE): for the
    account tried or the address, whichever reached the limit. Says how long, never whether the
    account exists."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return render(
        request,
        "core/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
        status=429,
    )


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "core/404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "core/403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request data or exception details: they may hold personal data.
    return render(request, "core/500.html", status=500)

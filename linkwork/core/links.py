"""Absolute addresses of Linkwork's own pages, for emails, calendar feeds, QR codes and links
shown to copy: one place that decides the service's address.

`SITE_URL` (the environment, required in production) is the address people reach the service
at, behind whatever proxy. Where it is not set (development), a page uses the address of the
request it answers, so a link shown on a page served at http://192.168.1.20:8080 says so; work
done outside a request (the worker's emails) falls back to the development server's address.
"""

from django.conf import settings
from django.http import HttpRequest

DEVELOPMENT_ADDRESS = "http://127.0.0.1:8000"


def base_url(request: HttpRequest | None = None) -> str:
    configured = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    if configured:
        return configured
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return DEVELOPMENT_ADDRESS


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """`path` (from `reverse`) as an address anyone can open."""
    return base_url(request) + path

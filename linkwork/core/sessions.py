"""How long a sign-in lasts, and that pages with personal data are never kept by a browser or a
proxy.

- **Inactivity**: a session unused for `SESSION_IDLE_MINUTES` (30 by default) ends; the next
  request goes to the sign-in page, which says why. Two minutes before, a GOV.UK-style warning
  (`linkwork.js`, from the `data-lw-idle` attributes `base.html` carries) offers to stay signed
  in, which posts to `core:keep_alive`.
- **Absolute limit**: a session ends `SESSION_COOKIE_AGE` (8 hours) after signing in, however
  busy, checked here as well as by the cookie's own age.
- **Sign out everywhere** (`accounts.actions.sign_out_everywhere`) raises the user's
  `session_epoch`: every session begun before it ends at its next request.
- **A password an administrator set** (`User.must_change_password`): every page leads to
  "Change your password" until its owner has chosen their own.
- **No caching**: every response that does not say otherwise gets `Cache-Control: no-store`
  (static files are served, with their own long caching, before this middleware runs).

Activity is written to the session at most once a minute, so a busy page does not write the
session on every request.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

SIGNED_IN_AT, LAST_SEEN, EPOCH = "lw_signed_in_at", "lw_last_seen", "lw_epoch"
WRITE_EVERY = 60  # seconds


def idle_seconds() -> int:
    return settings.SESSION_IDLE_MINUTES * 60


def started(sender, request, user, **kwargs) -> None:
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now
    # From the database: the user object signing in may predate a "sign out everywhere".
    epoch = type(user).objects.filter(pk=user.pk).values_list("session_epoch", flat=True)
    request.session[EPOCH] = epoch.first() or 0


user_logged_in.connect(started, dispatch_uid="core.sessions.started")


def why_ended(request: HttpRequest, now: int) -> str:
    """ "idle", "expired" or "elsewhere" when this sign-in has ended, "" while it lasts."""
    session = request.session
    if session.get(EPOCH, 0) != request.user.session_epoch:
        return "elsewhere"
    if now - session.get(SIGNED_IN_AT, now) > settings.SESSION_COOKIE_AGE:
        return "expired"
    if now - session.get(LAST_SEEN, now) > idle_seconds():
        return "idle"
    return ""


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            session = request.session
            session.setdefault(SIGNED_IN_AT, now)
            session.setdefault(EPOCH, user.session_epoch)
            if reason := why_ended(request, now):
                logout(request)
                query = urlencode({"ended": reason, "next": request.get_full_path()})
                response = HttpResponseRedirect(f"{reverse('login')}?{query}")
                add_never_cache_headers(response)
                return response
            if now - session.get(LAST_SEEN, 0) >= WRITE_EVERY:
                session[LAST_SEEN] = now
            # A password an administrator set: its owner changes it before anything else, once
            # they have given their second factor (a code, or a passkey through its API).
            if getattr(user, "must_change_password", False) and request.path not in {
                reverse(name)
                for name in (
                    "password_change",
                    "logout",
                    "keep_alive",
                    "set_language",
                    "two_factor_verify",
                    "passkeys:sign_in_begin",
                    "passkeys:sign_in_complete",
                    "passkeys:catalog",
                )
            }:
                return HttpResponseRedirect(reverse("password_change"))
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response

"""Two-factor sign-in (django-otp, decision 0019): an authenticator app (TOTP), passkeys
(WebAuthn, decision 0025: `accounts.passkeys`) and a set of single-use recovery codes.

- **Who must have one**: managers, administrators (and any staff or superuser account) and
  researchers (`TWO_FACTOR_REQUIRED_ROLES`), and link coordinators where
  `TWO_FACTOR_REQUIRED_FOR_COORDINATORS` is on. The demo loader's accounts are exempt, but only
  while `DEBUG` is on.
- **The gate** (`SecondFactorMiddleware`): after the password, someone with a second factor
  gives a code before any page, Django admin's included; someone who must have one and has not
  is sent to set it up, on every page, until they have. Signing out, the language switch and
  "Stay signed in" stay reachable.

Wrong codes are slowed down by django-otp's own throttling: after n wrong codes the next is
refused for 2^(n-1) seconds, per device.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from .models import Role
from .queries import has_second_factor

#: Reachable before the second factor: giving it (a code, or a passkey through its API and the
#: words of its script), signing out, the language, "Stay signed in".
ALWAYS_OPEN = (
    "two_factor_verify",
    "passkeys:sign_in_begin",
    "passkeys:sign_in_complete",
    "passkeys:catalog",
    "logout",
    "keep_alive",
    "set_language",
)
#: And, for someone who must set one up: setting it up (an app, or a passkey), and changing a
#: password they must change.
OPEN_TO_ENROL = (
    *ALWAYS_OPEN,
    "two_factor",
    "passkeys:add",
    "passkeys:register_begin",
    "passkeys:register_complete",
    "password_change",
)


def exempt(user) -> bool:
    """The demo loader's accounts, while DEBUG is on (a developer's machine), and never else."""
    return bool(settings.DEBUG and getattr(user, "is_demo", False))


def required_for(user) -> bool:
    """Whether this user must have a second factor before using Linkwork."""
    if exempt(user):
        return False
    if user.is_staff or user.is_superuser:
        return True
    if user.role in settings.TWO_FACTOR_REQUIRED_ROLES:
        return True
    return user.role == Role.COORDINATOR and settings.TWO_FACTOR_REQUIRED_FOR_COORDINATORS


def _paths(names) -> set[str]:
    return {reverse(name) for name in names}


def _redirect(to: str, request: HttpRequest) -> HttpResponse:
    response = HttpResponseRedirect(to)
    add_never_cache_headers(response)
    return response


class SecondFactorMiddleware:
    """After `OTPMiddleware`, which sets `request.user.is_verified()`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            if has_second_factor(user):
                if request.path not in _paths(ALWAYS_OPEN):
                    query = urlencode({"next": request.get_full_path()})
                    return _redirect(f"{reverse('two_factor_verify')}?{query}", request)
            elif (
                settings.TWO_FACTOR_ENROLMENT_REQUIRED
                and required_for(user)
                and request.path not in _paths(OPEN_TO_ENROL)
            ):
                return _redirect(reverse("two_factor"), request)
        return self.get_response(request)

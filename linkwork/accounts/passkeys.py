"""Passkeys (WebAuthn) as a second factor, through django-otp-webauthn (decision 0025).

A passkey is a django-otp device like the authenticator app: having one counts as two-factor
sign-in, `SecondFactorMiddleware` asks for it after the password, and using it verifies the
session. The library does the WebAuthn checks and its JavaScript drives the browser; Linkwork
keeps its own API views (subclasses of the library's) so that each:

- answers only in the right sign-in state: adding one needs a signed-in session that has given
  its second factor (or has none yet); using one needs a password sign-in not yet verified, with
  a passkey to use. Nobody signs in with a passkey alone;
- is rate limited per account and per address (`PASSKEY_RATE`) and, like every POST, needs the
  CSRF token (the library's script sends it in a header);
- is audited (`accounts.signals`: added, used, failed, removed), and a failed use counts as a
  failed sign-in for django-axes, so enough of them lock the account and address out.

The relying party (the domain a passkey belongs to) and the origins it may be used at come from
SITE_URL (`core.relying_party`); without it (development) from the address of the request.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, JsonResponse
from django.middleware import csrf
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.utils import rewrite_exceptions
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
    _get_pywebauthn_logger,
)
from django_ratelimit.core import is_ratelimited

from linkwork.core.relying_party import relying_party

from . import actions, queries, signals
from .models import User

#: The name typed for a passkey being added, kept in the session until the browser has made it.
NEW_NAME = "lw_new_passkey_name"


def _relying_party(request: HttpRequest) -> tuple[str, list[str]]:
    if settings.OTP_WEBAUTHN_RP_ID:
        return settings.OTP_WEBAUTHN_RP_ID, list(settings.OTP_WEBAUTHN_ALLOWED_ORIGINS)
    if settings.SITE_URL:
        return "", []  # SITE_URL is an address browsers refuse passkeys at
    return relying_party(f"{request.scheme}://{request.get_host()}")


def relying_party_id(request: HttpRequest) -> str:
    """`OTP_WEBAUTHN_RP_ID_CALLABLE`."""
    return _relying_party(request)[0]


def available(request: HttpRequest) -> bool:
    """Whether passkeys can work at the address of this request (not at an IP address)."""
    return bool(relying_party_id(request))


def configuration(request: HttpRequest) -> dict:
    """What the library's script reads from the page (a JSON data block, which the
    Content-Security-Policy does not treat as a script)."""
    return {
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": csrf.get_token(request),
        "beginAuthenticationUrl": reverse("passkeys:sign_in_begin"),
        "completeAuthenticationUrl": reverse("passkeys:sign_in_complete"),
        "beginRegistrationUrl": reverse("passkeys:register_begin"),
        "completeRegistrationUrl": reverse("passkeys:register_complete"),
    }


class PasskeyHelper(WebAuthnHelper):
    """The library's WebAuthn helper, with Linkwork's origins and the passkey's name."""

    def get_allowed_origins(self) -> list[str]:
        return _relying_party(self.request)[1]

    def create_credential(self, user, response, parsed_credential, original_data):
        passkey = super().create_credential(user, response, parsed_credential, original_data)
        passkey.name = (self.request.session.get(NEW_NAME) or gettext("Passkey"))[:64]
        return passkey


# --- Refusals, as the library's JSON errors ----------------------------------------------------


class Unavailable(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_detail = _("Passkeys do not work at this address.")
    default_code = "unavailable"


class TooMany(exceptions.OTPWebAuthnApiError):
    status_code = 429
    default_detail = _("Too many tries with a passkey. Wait a while, then try again.")
    default_code = "rate_limited"


class AlreadyVerified(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_detail = _("You have already given your second factor.")
    default_code = "already_verified"


class NoPasskey(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_detail = _("You have no passkey. Enter a code instead.")
    default_code = "no_passkey"


class LockedOut(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_detail = _("Signing in is paused after too many failures. Try again later.")
    default_code = "locked_out"


class _Checked:
    """Rate limited per account and per address, and only where passkeys can work."""

    def initial(self, request, *args, **kwargs):
        if request.method not in self._allowed_methods():
            return  # answered 405, with nothing counted
        for key in ("user", "ip"):
            if is_ratelimited(
                request,
                group=f"passkeys-{key}",
                key=key,
                rate=settings.PASSKEY_RATE,
                method="POST",
                increment=True,
            ):
                raise TooMany()
        if not available(request):
            raise Unavailable()
        super().initial(request, *args, **kwargs)


# --- Adding a passkey --------------------------------------------------------------------------


class RegisterBegin(_Checked, BeginCredentialRegistrationView):
    """The challenge for a new passkey. The library refuses a session that has a second factor
    but has not given it (`NotVerified`)."""


class RegisterComplete(_Checked, CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        user = self.get_user()
        state = self.get_state()
        with rewrite_exceptions(logger=_get_pywebauthn_logger()):
            passkey = actions.add_passkey(
                user,
                helper=self.get_helper(),
                state=state,
                data=self.request.data,
                request=self.request,
            )
        self.request.session.pop(NEW_NAME, None)
        messages.success(
            self.request, gettext("Passkey “%(name)s” added.") % {"name": passkey.name}
        )
        return JsonResponse({"id": passkey.pk})


# --- Using a passkey after the password --------------------------------------------------------


def _credentials(user) -> dict:
    return {"username": user.get_username()}


class _SignInState(_Checked):
    """A password sign-in that has not given its second factor yet, with a passkey to give, and
    not locked out by django-axes."""

    def check_can_authenticate(self):
        user = self.get_user()
        if user is None:
            raise exceptions.NotAuthenticated()
        if user.is_verified():
            raise AlreadyVerified()
        if not queries.passkeys_for(user).exists():
            raise NoPasskey()
        if AxesProxyHandler.is_locked(self.request, _credentials(user)):
            raise LockedOut()
        super().check_can_authenticate()


class SignInBegin(_SignInState, BeginCredentialAuthenticationView):
    pass


class SignInComplete(_SignInState, CompleteCredentialAuthenticationView):
    def post(self, *args, **kwargs):
        user = self.get_user()
        try:
            state = self.get_state()
            with rewrite_exceptions(logger=_get_pywebauthn_logger()):
                passkey = actions.sign_in_with_passkey(
                    user,
                    helper=self.get_helper(),
                    state=state,
                    data=self.request.data,
                    request=self.request,
                )
        except (exceptions.OTPWebAuthnApiError, actions.PasskeyRefused) as error:
            self._failed(user)
            if isinstance(error, actions.PasskeyRefused):
                raise exceptions.CredentialDisabled() from error
            raise
        return JsonResponse(self.get_success_data(passkey))

    def _failed(self, user) -> None:
        """Audited, and counted by django-axes as a failed sign-in for the account and address.
        The failure that locks them out is answered in JSON like any other refusal."""
        request = self.request
        signals.passkey_failed.send(sender=User, user=user, request=request)
        AxesProxyHandler.user_login_failed(
            sender=SignInComplete, credentials=_credentials(user), request=request
        )
        if getattr(request, "axes_locked_out", False):
            # Answered here (the lock-out is audited by axes' signal), not as axes' HTML page.
            request.axes_locked_out = False
            raise LockedOut()


class Catalog(JavaScriptCatalog):
    """The library's script's own words, and any Welsh for them in Linkwork's catalogue
    (linkwork/locale/cy/LC_MESSAGES/djangojs.po)."""

    packages = ["django_otp_webauthn"]

    def get_paths(self, packages):
        return [*super().get_paths(packages), *(str(path) for path in settings.LOCALE_PATHS)]

"""The signed-in user's own account: how long a sign-in lasts, signing out everywhere, the
password and two-factor sign-in; and resetting a forgotten password by email."""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import (
    PasswordChangeView,
    PasswordResetCompleteView,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

from . import actions, passkeys, queries, signals
from . import two_factor as two_factor_policy
from .forms import (
    ChangeOwnPasswordForm,
    ChooseNewPasswordForm,
    ConfirmAuthenticatorForm,
    ConfirmPasswordForm,
    PasskeyNameForm,
    PasswordResetRequestForm,
    SecondFactorForm,
)
from .models import User


@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/account.html",
        {
            "idle_minutes": settings.SESSION_IDLE_MINUTES,
            "hours": round(settings.SESSION_COOKIE_AGE / 3600),
            "two_factor_on": queries.has_second_factor(request.user),
        },
    )


@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    actions.sign_out_everywhere(request.user, request=request)
    logout(request)
    return redirect(f"{reverse('login')}?ended=you")


@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in" on the inactivity warning: the request itself counts as activity
    (`core.sessions`), so there is nothing more to do."""
    return HttpResponse(status=204)


class ChangePassword(PasswordChangeView):
    """Change one's own password (also where a password an administrator set must be changed:
    `core.sessions` sends its owner here first)."""

    form_class = ChangeOwnPasswordForm
    template_name = "accounts/password_change.html"

    def get_success_url(self) -> str:
        return reverse("account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


# --- Two-factor sign-in ------------------------------------------------------------------------

#: The secret of an authenticator being set up, kept in the session until a code confirms it.
NEW_KEY = "lw_new_totp_key"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The code after the password (`two_factor.SecondFactorMiddleware` sends people here)."""
    if request.user.is_verified() or not queries.has_second_factor(request.user):
        return redirect(_next(request))
    form = SecondFactorForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            actions.verified(request, form.device)
            signals.second_factor_passed.send(
                sender=User, user=request.user, request=request, recovery=form.recovery
            )
            return redirect(_next(request))
        signals.second_factor_failed.send(sender=User, user=request.user, request=request)
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next(request), **_passkey_sign_in(request)},
        status=429 if form.throttled else 200,
    )


def _passkey_sign_in(request: HttpRequest) -> dict:
    """ "Use a passkey" beside the code, for someone with one, where passkeys work."""
    if not queries.passkeys_for(request.user).exists():
        return {}
    # Someone with only passkeys has no code to give (asked only of those with a passkey).
    context = {"passkey_only": not queries.second_factors(request.user)}
    if passkeys.available(request):
        context["passkey_config"] = passkeys.configuration(request)
    return context


def _qr_svg(url: str) -> str:
    return mark_safe(  # noqa: S308 - segno's own SVG paths
        segno.make(url, error="m").svg_inline(scale=4, border=4, light="#fff")
    )


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Two-factor sign-in on one's own account: set it up (a QR code and the secret, then a
    code to confirm), or, once set up, see it is on."""
    user = request.user
    authenticator = queries.authenticator_for(user)
    user_passkeys = list(queries.passkeys_for(user))
    # Someone with only passkeys sees them, and sets up an app too with ?app.
    if authenticator is not None or (
        user_passkeys and request.method == "GET" and "app" not in request.GET
    ):
        codes = queries.recovery_codes_for(user)
        return render(
            request,
            "accounts/two_factor.html",
            {
                "authenticator": authenticator,
                "passkeys": user_passkeys,
                "passkeys_here": passkeys.available(request),
                "codes_left": codes.token_set.count() if codes else 0,
                "required": two_factor_policy.required_for(user),
            },
        )
    key = request.session.get(NEW_KEY) or random_hex(20)
    request.session[NEW_KEY] = key
    form = ConfirmAuthenticatorForm(request.POST or None, key=key)
    if request.method == "POST" and form.is_valid():
        codes = actions.add_second_factor(user, key=key, request=request)
        request.session.pop(NEW_KEY, None)
        return _show_recovery_codes(request, codes, first=True)
    setup = TOTPDevice(user=user, name="Authenticator app", key=key)
    secret = b32encode(bytes.fromhex(key)).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr": _qr_svg(setup.config_url),
            "secret": _grouped(secret),
            "required": two_factor_policy.required_for(user),
            "passkeys_here": passkeys.available(request),
            "has_passkeys": bool(user_passkeys),
        },
    )


def _show_recovery_codes(request: HttpRequest, codes: list[str], *, first: bool) -> HttpResponse:
    # Shown once, in the answer to the POST that made them: they are in no page that can be
    # opened again.
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "first": first}, status=200
    )


@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """A new set of recovery codes; the old set stops working."""
    if not queries.has_second_factor(request.user):
        return redirect("two_factor")
    codes = actions.new_recovery_codes(request.user, request=request)
    return _show_recovery_codes(request, codes, first=False)


@require_http_methods(["GET", "POST"])
def remove_two_factor(request: HttpRequest) -> HttpResponse:
    """Remove one's authenticator and recovery codes, with the password typed again."""
    if not queries.has_second_factor(request.user):
        return redirect("two_factor")
    form = ConfirmPasswordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        actions.remove_second_factor(request.user, by=request.user, request=request)
        messages.success(request, _("Two-factor sign-in has been removed from your account."))
        return redirect("two_factor" if two_factor_policy.required_for(request.user) else "account")
    return render(
        request,
        "accounts/two_factor_remove.html",
        {"form": form, "required": two_factor_policy.required_for(request.user)},
    )


# --- Passkeys (decision 0025) --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def add_passkey(request: HttpRequest) -> HttpResponse:
    """Add a passkey: a name first (kept in the session), then the browser makes it (the
    library's script, with the API in `accounts.passkeys`). Without JavaScript or WebAuthn the
    page says passkeys need them."""
    form = PasskeyNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request.session[passkeys.NEW_NAME] = form.cleaned_data["name"]
        return render(
            request,
            "accounts/passkey_add.html",
            {
                "name": form.cleaned_data["name"],
                "passkey_config": passkeys.configuration(request),
                "required": two_factor_policy.required_for(request.user),
            },
        )
    return render(
        request,
        "accounts/passkey_name.html",
        {"form": form, "available": passkeys.available(request)},
    )


@require_http_methods(["GET", "POST"])
def remove_passkey(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove one of one's own passkeys, with the password typed again."""
    passkey = queries.passkey_for(request.user, pk)
    form = ConfirmPasswordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        actions.remove_passkey(request.user, passkey, request=request)
        messages.success(request, _("Passkey “%(name)s” removed.") % {"name": passkey.name})
        return redirect("two_factor")
    return render(
        request,
        "accounts/passkey_remove.html",
        {
            "form": form,
            "passkey": passkey,
            "last": not queries.second_factors(request.user)
            and queries.passkeys_for(request.user).count() == 1,
            "required": two_factor_policy.required_for(request.user),
        },
    )


# --- Resetting a forgotten password by email -----------------------------------------------------


def _typed_email(group, request) -> str:
    return (request.POST.get("email") or "").strip().lower()


@method_decorator(login_not_required, name="dispatch")
@method_decorator(
    ratelimit(
        key="ip",
        rate=lambda group, request: settings.PASSWORD_RESET_RATE,
        method="POST",
        group="password-reset-address",
    ),
    name="post",
)
class ResetPassword(PasswordResetView):
    """Ask for a link by email. The same page follows whatever was typed: it never says whether
    there is such an account."""

    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    success_url = reverse_lazy("password_reset_done")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        # Per email address typed: past the limit, nothing more is sent to it, and the page is
        # the same, so it says nothing either.
        if is_ratelimited(
            self.request,
            group="password-reset-email",
            key=_typed_email,
            rate=settings.PASSWORD_RESET_RATE,
            method="POST",
            increment=True,
        ):
            return redirect(self.success_url)
        return super().form_valid(form)


@method_decorator(login_not_required, name="dispatch")
class ResetPasswordSent(PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"

    def get_context_data(self, **kwargs):
        minutes = round(settings.PASSWORD_RESET_TIMEOUT / 60)
        return {**super().get_context_data(**kwargs), "minutes": minutes}


@method_decorator(login_not_required, name="dispatch")
class ChooseNewPassword(PasswordResetConfirmView):
    """From the link in the email: choose a new password. Every session signed in as the
    account ends; the second factor still applies at the next sign-in."""

    form_class = ChooseNewPasswordForm
    template_name = "accounts/password_reset_choose.html"
    success_url = reverse_lazy("password_reset_complete")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        actions.password_was_reset(form.user, request=self.request)
        return response


@method_decorator(login_not_required, name="dispatch")
class PasswordResetDone(PasswordResetCompleteView):
    template_name = "accounts/password_reset_done.html"

"""Forms about one's own account: the password, two-factor sign-in, a reset by email."""

import re

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.oath import TOTP

from linkwork.core.email import email_after_commit
from linkwork.core.forms import GovUKForm
from linkwork.core.links import absolute_url

from . import signals
from .models import User
from .queries import second_factors
from .signals import password_changed


class ChangeOwnPasswordForm(PasswordChangeForm, GovUKForm):
    """The owner's choice: from now on only they know it."""

    def save(self, commit=True):
        user = super().save(commit=False)
        user.must_change_password = False
        if commit:
            user.save()
            password_changed.send(sender=User, user=user, by=user)
        return user


def _code(value: str) -> str:
    """What was typed, without the spaces and hyphens people copy with a code."""
    return re.sub(r"[\s\-]", "", value or "").lower()


def _code_field(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=40,
        error_messages={"required": _("Enter the code")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
    )


class SecondFactorForm(GovUKForm):
    """The code after the password: six digits from the authenticator app, or a recovery code.
    `device` is the one that matched; `recovery` says whether it was a recovery code."""

    code = _code_field(_("Code"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None
        self.throttled = False

    @property
    def recovery(self) -> bool:
        return self.device is not None and self.device.persistent_id.startswith("otp_static")

    def clean_code(self) -> str:
        code = _code(self.cleaned_data["code"])
        devices = second_factors(self.user)
        if not devices:
            raise forms.ValidationError(
                _("You have no authenticator app or recovery codes set up. Use your passkey."),
                code="no_codes",
            )
        allowed = [device for device in devices if device.verify_is_allowed()[0]]
        if not allowed:
            self.throttled = True
            raise forms.ValidationError(
                _("You have entered too many wrong codes. Wait a few minutes, then try again."),
                code="throttled",
            )
        for device in allowed:
            if device.verify_token(code):
                self.device = device
                return code
        raise forms.ValidationError(
            _("That code is not right. Enter the code your authenticator app shows now."),
            code="wrong",
        )


class ConfirmAuthenticatorForm(GovUKForm):
    """Setting up: a code from the app just given the secret shows the app has it right."""

    code = _code_field(_("Code from your authenticator app"))

    def __init__(self, *args, key: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = key

    def clean_code(self) -> str:
        code = _code(self.cleaned_data["code"])
        totp = TOTP(bytes.fromhex(self.key))
        if not code.isdigit() or not totp.verify(int(code), tolerance=1):
            raise forms.ValidationError(
                _("That code is not right. Check the app shows Linkwork, then enter its code."),
                code="wrong",
            )
        return code


class PasskeyNameForm(GovUKForm):
    """A name for a passkey about to be added, to tell it from others in the list."""

    name = forms.CharField(
        label=_("Name this passkey"),
        help_text=_("So you can tell it from others, for example Work laptop or Phone."),
        max_length=64,
        error_messages={
            "required": _("Enter a name for the passkey"),
            "max_length": _("Name must be 64 characters or fewer"),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "govuk-!-width-two-thirds"}),
    )


class ConfirmPasswordForm(GovUKForm):
    """Your password again, before something that weakens how you sign in."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password"), code="wrong")
        return password


class PasswordResetRequestForm(PasswordResetForm, GovUKForm):
    """The email address an account has: a link to choose a new password goes there, if it is
    an active account's. The page that follows is the same whatever was typed."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the right format, like name@example.org"),
        },
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        # Through Linkwork's own email (queued, sent by the worker), in the page's language.
        path = reverse(
            "password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]}
        )
        context = {
            **context,
            "link": absolute_url(path, self.request),
            "timeout_minutes": round(settings.PASSWORD_RESET_TIMEOUT / 60),
        }
        subject = gettext("Choose a new password for Linkwork")
        body = render_to_string(email_template_name, context)
        email_after_commit(to=[to_email], subject=subject, body=body)
        signals.password_reset_sent.send(sender=User, user=context["user"], request=self.request)


class ChooseNewPasswordForm(SetPasswordForm, GovUKForm):
    """The new password, from the link in the email."""

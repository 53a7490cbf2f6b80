"""Changes to accounts: signing out everywhere, two-factor sign-in, a password reset by email."""

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from . import signals
from .models import User
from .signals import signed_out_everywhere


def sign_out_everywhere(user: User, *, request=None) -> None:
    """End every session the user has, on every device (`core.sessions` compares the epoch)."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    signed_out_everywhere.send(sender=User, user=user, request=request)


def verified(request, device) -> None:
    """This session has given its second factor: a new session key for the higher trust."""
    request.session.cycle_key()
    otp_login(request, device)


def _new_recovery_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="Recovery codes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def add_second_factor(user: User, *, key: str, request) -> list[str]:
    """Keep the authenticator app whose secret is `key` (hex), once the user has shown a code
    from it; make their recovery codes, and count this session as verified. Returns the codes,
    to be shown once."""
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", key=key)
    codes = _new_recovery_codes(user)
    signals.second_factor_added.send(sender=User, user=user, by=user, request=request)
    verified(request, device)
    return codes


@transaction.atomic
def new_recovery_codes(user: User, *, request) -> list[str]:
    """A new set of recovery codes; the old set stops working."""
    codes = _new_recovery_codes(user)
    signals.recovery_codes_made.send(sender=User, user=user, by=user, request=request)
    return codes


@transaction.atomic
def remove_second_factor(user: User, *, by: User | None, request=None) -> None:
    """Remove the user's authenticator, recovery codes and passkeys (they lost their phone, or
    want to set up another). Someone who must have two-factor sign-in is asked to set it up
    again."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    WebAuthnCredential.objects.filter(user=user).delete()
    signals.second_factor_removed.send(sender=User, user=user, by=by, request=request)


# --- Passkeys (decision 0025) --------------------------------------------------------------------


@transaction.atomic
def add_passkey(user: User, *, helper, state: dict, data: dict, request) -> WebAuthnCredential:
    """Keep the passkey the browser just made, once `helper` (`accounts.passkeys.PasskeyHelper`)
    has checked it answers the challenge in `state`. It counts as setting up two-factor sign-in:
    a session not yet verified is verified by it."""
    passkey = helper.register_complete(user=user, state=state, data=data)
    signals.passkey_added.send(sender=User, user=user, by=user, request=request)
    if not request.user.is_verified():
        verified(request, passkey)
    return passkey


@transaction.atomic
def sign_in_with_passkey(user: User, *, helper, state: dict, data: dict, request):
    """The second factor given with a passkey: `helper` checks the browser's answer to the
    challenge in `state` (and records the passkey as used), then the session is verified.
    Raises the library's API errors when the answer is not right."""
    passkey = helper.authenticate_complete(user=user, state=state, data=data)
    if not passkey.confirmed or not user.is_active:
        raise PasskeyRefused
    verified(request, passkey)
    signals.passkey_used.send(sender=User, user=user, request=request)
    return passkey


class PasskeyRefused(Exception):
    """A passkey that may not be used (turned off in Django admin, or its account is)."""


@transaction.atomic
def remove_passkey(user: User, passkey: WebAuthnCredential, *, request) -> None:
    """Remove one of the user's own passkeys. Someone who must have two-factor sign-in and has
    nothing else left is asked to set it up again."""
    WebAuthnCredential.objects.filter(pk=passkey.pk, user=user).delete()
    signals.passkey_removed.send(sender=User, user=user, by=user, request=request)


@transaction.atomic
def password_was_reset(user: User, *, request) -> None:
    """After a reset by email: the password is the owner's own, and every session that was
    signed in ends (whoever had it may be signed in somewhere). The second factor still applies
    at the next sign-in."""
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    user.must_change_password = False
    signals.password_reset.send(sender=User, user=user, request=request)
    sign_out_everywhere(user, request=request)

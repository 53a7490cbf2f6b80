"""Sign-ins in the audit log: each success, failure, sign-out and lock-out, on the sign-in page
and on Django admin alike, with the account (when there is one) and the address; the second
factor (each code given, right or wrong, setting it up, new recovery codes, removing it; each
passkey added, used, failed or removed); and
passwords reset by email (the link sent, the reset).

A failed sign-in for a name that is no account is recorded without the name typed: people
type their password in the wrong box."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction

from linkwork.core.client_ip import client_ip

from .models import AuditAction, AuditEvent

ADMIN_PREFIX = "/django-admin/"
ACCOUNT_PREFIX = "/account/"
RESET_PREFIX = "/account/password-reset/"
CODE_PREFIX = "/account/two-factor/code/"
PASSKEY_SIGN_IN_PREFIX = "/account/passkeys/api/sign-in/"


def _where(request) -> str:
    if request is None:
        return ""
    if request.path.startswith(ADMIN_PREFIX):
        place = "admin"
    elif request.path.startswith(RESET_PREFIX):
        place = "reset"
    elif request.path.startswith(ACCOUNT_PREFIX) and not request.path.startswith(
        (CODE_PREFIX, PASSKEY_SIGN_IN_PREFIX)
    ):
        place = "account"
    else:
        place = "sign-in"
    return f"{place} {client_ip(request)}"


def _account(username) -> object | None:
    if not username:
        return None
    User = get_user_model()
    return User.objects.filter(**{User.USERNAME_FIELD: username}).first()


def _write(action: AuditAction, user, request, *, everywhere: bool = False) -> None:
    detail = _where(request)
    if everywhere:
        detail = f"everywhere {detail}".strip()
    with transaction.atomic():
        AuditEvent.objects.create(
            user=user,
            action=action,
            object_type="accounts.user",
            object_id=str(user.pk) if user is not None else "",
            detail=detail[:200],
        )


def signed_in(sender, request, user, **kwargs) -> None:
    # Only sign-ins made through a page: not a session made in code (a shell, a test's
    # `force_login`), whose request has no path.
    if request is not None and request.path:
        _write(AuditAction.SIGN_IN, user, request)


def signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        _write(AuditAction.SIGN_OUT, user, request)


def sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    if request is not None and getattr(request, "axes_locked_out", False):
        return  # refused while locked out: the lock-out is the line
    _write(AuditAction.SIGN_IN_FAILED, _account(credentials.get("username")), request)


def _about(action: AuditAction):
    """A listener writing `action` about the signal's `user`, done by `by` (who is the user
    themselves unless the signal says otherwise: None for an administrator's command)."""

    def listener(sender, user, request=None, **kwargs) -> None:
        by = kwargs.get("by", user)
        with transaction.atomic():
            AuditEvent.objects.create(
                user=by,
                action=action,
                object_type="accounts.user",
                object_id=str(user.pk),
                detail=(_where(request) if request is not None else "command")[:200],
            )

    return listener


def second_factor_passed(sender, user, request=None, recovery=False, **kwargs) -> None:
    action = AuditAction.SECOND_FACTOR_RECOVERY if recovery else AuditAction.SECOND_FACTOR
    _write(action, user, request)


def locked_out(sender, request, username=None, ip_address=None, **kwargs) -> None:
    _write(AuditAction.LOCKED_OUT, _account(username), request)


def everywhere(sender, user, request=None, **kwargs) -> None:
    _write(AuditAction.SIGN_OUT, user, request, everywhere=True)


def password_changed(sender, user, by, **kwargs) -> None:
    with transaction.atomic():
        AuditEvent.objects.create(
            user=by,
            action=AuditAction.CHANGE,
            object_type="accounts.user",
            object_id=str(user.pk),
            fields=["password"],
        )


def connect() -> None:
    from axes.signals import user_locked_out

    from linkwork.accounts.signals import password_changed as password_changed_signal
    from linkwork.accounts.signals import signed_out_everywhere

    user_logged_in.connect(signed_in, dispatch_uid="audit.signed_in")
    user_logged_out.connect(signed_out, dispatch_uid="audit.signed_out")
    user_login_failed.connect(sign_in_failed, dispatch_uid="audit.sign_in_failed")
    user_locked_out.connect(locked_out, dispatch_uid="audit.locked_out")
    signed_out_everywhere.connect(everywhere, dispatch_uid="audit.signed_out_everywhere")
    password_changed_signal.connect(password_changed, dispatch_uid="audit.password_changed")

    from linkwork.accounts import signals

    signals.second_factor_passed.connect(second_factor_passed, dispatch_uid="audit.2fa_passed")
    for signal, action in (
        (signals.second_factor_failed, AuditAction.SECOND_FACTOR_FAILED),
        (signals.second_factor_added, AuditAction.SECOND_FACTOR_ADDED),
        (signals.recovery_codes_made, AuditAction.RECOVERY_CODES_MADE),
        (signals.second_factor_removed, AuditAction.SECOND_FACTOR_REMOVED),
        (signals.passkey_added, AuditAction.PASSKEY_ADDED),
        (signals.passkey_used, AuditAction.PASSKEY_USED),
        (signals.passkey_failed, AuditAction.PASSKEY_FAILED),
        (signals.passkey_removed, AuditAction.PASSKEY_REMOVED),
        (signals.password_reset_sent, AuditAction.PASSWORD_RESET_SENT),
        (signals.password_reset, AuditAction.PASSWORD_RESET),
    ):
        signal.connect(_about(action), dispatch_uid=f"audit.{action.value}", weak=False)

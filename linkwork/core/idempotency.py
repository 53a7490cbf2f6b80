"""No doubled submissions: every form that creates something carries a single-use key, so a
double click, a retried POST or a resubmission from the back button makes one record and shows it
(decision 0021).

How it works:

- The form's template puts ``{% submission_key %}`` (from ``submission_keys``) beside
  ``{% csrf_token %}``: a hidden ``submission_key`` field, a random token signed for the user the
  page was made for (or no one, on a public form) and the address the form is sent to, with the time
  it was made. ``{% submission_key "/where/it/posts/" %}`` when the form is sent somewhere else
  than the page it is on. A form shown again with errors keeps the key it was sent with (nothing
  was saved).
- ``core.form_pages.submit`` (or ``attempt`` given the request) claims the key inside the same
  transaction as the action: the key's row is inserted first, then the action runs, then the
  row records where the response led (``result_url``). A second request with the key finds the
  row and is redirected there; if it came at the same moment, its insert waits for the first
  transaction (PostgreSQL's unique index; SQLite's IMMEDIATE transactions take turns) and then
  fails, and it is redirected the same way. If the action was refused or could not be saved,
  the row went with it, and the key can be sent again.
- A form without a key (a page cached before keys existed, or a client that drops the field) is
  accepted as before, without this protection. A key signed for another user or another form
  is treated the same way: it can never lead to another form's result. A key older than
  ``SUBMISSION_KEY_HOURS`` is refused with a message and the form shown again with what was
  typed and a new key: its row may have been swept, so it can no longer tell a repeat.
- Rows are swept ``SUBMISSION_KEY_HOURS`` after they were claimed (``clear_old_submission_keys``).

Views reached through one-time links check for a repeat before the link (which the first
submission used up): ``if response := replayed(request): return response``.
"""

import enum
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import SubmissionKey
from .sweeps import register_sweep

logger = logging.getLogger(__name__)

FIELD = "submission_key"

ALREADY_SAVED = _("This was sent already, and saved once. Here it is.")
OUT_OF_DATE = _(
    "This page was opened too long ago to send. Nothing was saved: check what you entered and "
    "send it again."
)


class KeyState(enum.Enum):
    MISSING = "missing"
    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"


def max_age() -> timedelta:
    return timedelta(hours=getattr(settings, "SUBMISSION_KEY_HOURS", 24))


def _owner(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    return str(user.pk) if user is not None and user.is_authenticated else "-"


def _signer(request: HttpRequest, path: str) -> signing.TimestampSigner:
    # The salt binds the key to who it was made for and where it is sent: a key from one form
    # does not verify on another, nor for another user.
    return signing.TimestampSigner(salt=f"linkwork.core.idempotency|{_owner(request)}|{path}")


def new_key(request: HttpRequest, path: str | None = None) -> str:
    """A fresh key for a form sent to `path` (the page's own address unless given)."""
    return _signer(request, path or request.path).sign(secrets.token_urlsafe(24))


def _verify(request: HttpRequest, value: str, path: str) -> tuple[KeyState, str]:
    if not value:
        return KeyState.MISSING, ""
    try:
        token = _signer(request, path).unsign(value, max_age=max_age())
    except signing.SignatureExpired:
        return KeyState.EXPIRED, ""
    except signing.BadSignature:
        return KeyState.INVALID, ""
    return KeyState.VALID, token


def posted_key(request: HttpRequest) -> tuple[KeyState, str]:
    """What the POST's key is, and its random part when it is valid for this user and address."""
    if request.method != "POST":
        return KeyState.MISSING, ""
    return _verify(request, request.POST.get(FIELD, ""), request.path)


def key_to_render(request: HttpRequest, path: str | None = None) -> str:
    """The key for a form: the one posted when the form is shown again after a POST that saved
    nothing, a new one otherwise."""
    path = urlsplit(path).path if path else request.path
    if request.method == "POST":
        value = request.POST.get(FIELD, "")
        if _verify(request, value, path)[0] is KeyState.VALID:
            return value
    return new_key(request, path)


def _replay(request: HttpRequest, claim: SubmissionKey) -> HttpResponse:
    session = getattr(request, "session", None)
    if session is not None and claim.session_data:
        session.update(claim.session_data)
    messages.info(request, ALREADY_SAVED, fail_silently=True)
    return HttpResponseRedirect(claim.result_url or request.path)


def _claimed(request: HttpRequest, token: str) -> SubmissionKey | None:
    claim = SubmissionKey.objects.filter(key=token).first()
    if claim is None:
        return None
    user = getattr(request, "user", None)
    owner = user.pk if user is not None and user.is_authenticated else None
    # The signature already binds the key to its user; this is a second lock on the same door.
    return claim if claim.user_id == owner else None


def replayed(request: HttpRequest) -> HttpResponse | None:
    """A redirect to what the first submission made when this POST repeats one, else None."""
    state, token = posted_key(request)
    if state is not KeyState.VALID:
        return None
    claim = _claimed(request, token)
    return _replay(request, claim) if claim is not None else None


class _AlreadyClaimed(Exception):
    pass


class StaleKey(Exception):
    """The form's key is older than `SUBMISSION_KEY_HOURS`."""


def run_once(request: HttpRequest, act: Callable[[], HttpResponse]) -> HttpResponse:
    """`act()` in one transaction, at most once for the POST's submission key: a repeat of a
    submission that was saved gets a redirect to what it made. Exceptions from `act` (a refusal,
    a database error) leave nothing saved, the key included, and go to the caller.

    Raises `StaleKey` for a key too old to tell a repeat. Without a usable key, `act()` in one
    transaction, as before keys existed."""
    state, token = posted_key(request)
    if state is KeyState.EXPIRED:
        raise StaleKey
    if state is KeyState.INVALID:
        # Never personal: which page, not what was sent.
        match = getattr(request, "resolver_match", None)
        logger.warning(
            "A form was sent with a key made for another form or user (%s); saved without it.",
            match.view_name if match else "?",
        )
    if state is not KeyState.VALID:
        with transaction.atomic():
            return act()

    if (claim := _claimed(request, token)) is not None:
        return _replay(request, claim)
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    try:
        with transaction.atomic():
            try:
                # Its own savepoint, so that only the claim's IntegrityError is caught here,
                # never one from the action.
                with transaction.atomic():
                    claim = SubmissionKey.objects.create(
                        key=token, user=user if user is not None and user.is_authenticated else None
                    )
            except IntegrityError:
                # Another request claimed it first, and has committed (its insert held ours
                # until then): show what it made.
                raise _AlreadyClaimed from None
            before = dict(session.items()) if session is not None else {}
            response = act()
            claim.result_url = _result_url(response)
            if session is not None:
                claim.session_data = {
                    name: value
                    for name, value in session.items()
                    if not name.startswith("_") and before.get(name, _UNSET) != value
                }
            claim.save(update_fields=["result_url", "session_data"])
            return response
    except _AlreadyClaimed:
        claim = _claimed(request, token)
        if claim is None:  # pragma: no cover - only if the other request's user differs
            raise
        return _replay(request, claim)


_UNSET = object()


def _result_url(response: HttpResponse) -> str:
    if isinstance(response, HttpResponseRedirect) or response.status_code in (301, 302, 303):
        return response.get("Location", "")
    return ""


@register_sweep
def clear_old_submission_keys() -> int:
    """Forget keys claimed longer ago than a key can be sent (`SUBMISSION_KEY_HOURS`), with an
    hour to spare: an older key is refused before its row is looked for."""
    cutoff = timezone.now() - max_age() - timedelta(hours=1)
    deleted, _by_model = SubmissionKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted

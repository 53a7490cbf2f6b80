"""Reminder sweeps: the jobs the background worker runs every few minutes.

A sweep is a function taking no arguments that finds what is due (reviews, end dates,
unanswered links, unsent messages...), acts on it and returns how many things it did. Sweeps
must be idempotent: each records what it has done (a `sent_at`, a `chased_at`) and skips it
next time, so running the sweep twice, or in two workers at once, sends nothing twice.

Register one from any app by putting it in that app's `sweeps.py` (found at start-up):

    from linkwork.messaging.sweeps import register_sweep

    @register_sweep
    def remind_reviews_due() -> int: ...
"""

import datetime
import logging
from collections.abc import Callable

from django.utils import timezone

logger = logging.getLogger(__name__)

Sweep = Callable[[], int | None]

_sweeps: dict[str, Sweep] = {}


def _name_of(func: Sweep) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def register_sweep(func: Sweep, *, name: str | None = None) -> Sweep:
    """Add a sweep (usable as a decorator). Registering the same name again replaces it."""
    _sweeps[name or _name_of(func)] = func
    return func


def unregister_sweep(name_or_func: str | Sweep) -> None:
    name = name_or_func if isinstance(name_or_func, str) else _name_of(name_or_func)
    _sweeps.pop(name, None)


def registered_sweeps() -> dict[str, Sweep]:
    return dict(_sweeps)


def run_sweeps() -> dict[str, int | str]:
    """Run every registered sweep; one that fails does not stop the others.

    Returns what each did: a count, or "failed". A failure is logged by the kind of error only,
    since an error's text can hold personal data.
    """
    done: dict[str, int | str] = {}
    for name, sweep in registered_sweeps().items():
        try:
            result = sweep()
        except Exception as error:  # one broken sweep must not stop the reminders of others
            logger.error("Sweep %s failed: %s", name, type(error).__name__)
            done[name] = "failed"
            continue
        done[name] = _count(result)
        if done[name]:
            logger.info("Sweep %s did %s", name, done[name])
    return done


def _count(result) -> int:
    if result is None:
        return 0
    if isinstance(result, int):
        return result
    try:
        return len(result)
    except TypeError:
        return 1


# --- The sweeps this app owns ------------------------------------------------------------------

# A new message is queued as its transaction commits; this catches any whose queueing failed,
# or whose email failed, after giving the queued send time to run.
RETRY_AFTER = datetime.timedelta(minutes=5)


@register_sweep
def send_unsent_referrer_messages() -> int:
    """Email messages to referrers that have not gone yet (up to MAX_ATTEMPTS tries)."""
    from .models import MAX_ATTEMPTS, ReferrerMessage
    from .referrer import deliver

    due = (
        ReferrerMessage.objects.filter(
            sent_at__isnull=True,
            attempts__lt=MAX_ATTEMPTS,
            created_at__lte=timezone.now() - RETRY_AFTER,
        )
        .exclude(recipient_email="")
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    return sum(deliver(pk) == "sent" for pk in list(due))


def _chase_unanswered_links() -> int:
    """Chase receiving organisations that have not answered a social prescription's link."""
    try:
        from linkwork.prescriptions.actions import chase_unanswered_links
    except ImportError:
        logger.info("Skipped chasing unanswered links: prescriptions cannot chase them yet.")
        return 0
    return _count(chase_unanswered_links())


# Under the name of the function it calls: if the prescriptions app registers that function
# itself, this stand-in gives way (setdefault) rather than running it twice.
_sweeps.setdefault("linkwork.prescriptions.actions.chase_unanswered_links", _chase_unanswered_links)

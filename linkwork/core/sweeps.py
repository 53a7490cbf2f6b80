"""Reminder sweeps: the jobs the background worker runs every few minutes.

A sweep is a function taking no arguments that finds what is due (reviews, end dates,
unanswered links, unsent messages...), acts on it and returns how many things it did. Sweeps
must be idempotent: each records what it has done (a `sent_at`, a `chased_at`) and skips it
next time, so running the sweep twice, or in two workers at once, sends nothing twice.

Register one from any app by putting it in that app's `sweeps.py` (found at start-up):

    from linkwork.core.sweeps import register_sweep

    @register_sweep
    def remind_reviews_due() -> int: ...
"""

import logging
from collections.abc import Callable

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

"""What other parts of the service hear from the pathway, without the pathway importing them.

`referrer_news` is sent, inside the action's transaction, at each moment the service promises to
tell the referrer about: a referral accepted, declined, first allocated, or support closed.
Arguments: `referral`, `event` ("accepted", "declined", "allocated" or "closed"), `by` (who
did it) and `extra` (for "closed", the summary items; for any event, "message": the service's
own words to the referrer). The messaging app writes and emails the message; a receiver that
fails rolls the action back, so the referrer is never silently left out.
"""

from django.dispatch import Signal

referrer_news = Signal()


def announce_to_referrer(referral, event: str, *, by, extra: dict | None = None) -> None:
    """Announce a moment the referrer hears about (see `referrer_news`)."""
    referrer_news.send(
        sender=referral.__class__, referral=referral, event=event, by=by, extra=extra
    )

"""The messaging app's sweep: email messages to referrers whose queued send failed (see
`linkwork.core.sweeps`)."""

import datetime

from django.utils import timezone

from linkwork.core.sweeps import register_sweep

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

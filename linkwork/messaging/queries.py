"""Scoped querysets for messages to referrers: the only place views get them from."""

from django.db.models import QuerySet

from linkwork.referrals.queries import referrals_for

from .models import ReferrerMessage


def messages_for(referral) -> QuerySet[ReferrerMessage]:
    """The messages to the referrer about one referral, newest first.

    The caller has already checked that the user may see the referral (for example with
    `require(user, Permission.VIEW_REFERRAL, referral)`).
    """
    return ReferrerMessage.objects.filter(referral=referral).order_by("-created_at", "-pk")


def messages_seen_by(user) -> QuerySet[ReferrerMessage]:
    """Messages about the referrals the user may see, newest first: for a referrer, those
    about their organisation's referrals."""
    return (
        ReferrerMessage.objects.filter(referral__in=referrals_for(user).values("pk"))
        .select_related("referral__person")
        .order_by("-created_at", "-pk")
    )

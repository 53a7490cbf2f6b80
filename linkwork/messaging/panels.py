"""Messages to the referrer, as a section of the referral page (see `linkwork.core.panels`)."""

from django.template.loader import render_to_string

from .queries import messages_for


def referral_messages(referral, request) -> str:
    messages = list(messages_for(referral))
    if not messages:
        return ""
    return render_to_string(
        "messaging/includes/referral_messages.html",
        {"messages_to_referrer": messages},
        request=request,
    )

"""Messages to the referrer on the person's timeline (see `linkwork.casework.timeline`)."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from linkwork.casework.timeline import TimelineEntry, register_timeline_source

from .queries import messages_for


@register_timeline_source
def messages_to_referrer(referral) -> Iterable[TimelineEntry]:
    for message in messages_for(referral).select_related("created_by").order_by("created_at", "pk"):
        if message.sent_at:
            delivery = _("Emailed to %(address)s.") % {"address": message.recipient_email}
        elif message.delivery == "failed":
            delivery = _("The email could not be sent.")
        elif message.recipient_email:
            delivery = _("Waiting to be emailed.")
        else:
            delivery = _("No email address: the referrer sees it in Linkwork.")
        yield TimelineEntry(
            when=message.created_at,
            kind="referrer_message",
            title=_("Referrer told: %(event)s") % {"event": message.get_event_display()},
            # The whole message is under "Messages to the referrer" on the referral page.
            detail=delivery,
            who=message.created_by.display_name if message.created_by else "",
        )

"""Letters made for a person, on their timeline (see `linkwork.casework.timeline`)."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from linkwork.casework.timeline import TimelineEntry, register_timeline_source

from .models import Letter


@register_timeline_source
def letters(referral) -> Iterable[TimelineEntry]:
    made = Letter.objects.filter(referral=referral).select_related("created_by")
    for letter in made.order_by("created_at", "pk"):
        yield TimelineEntry(
            when=letter.created_at,
            kind="letter",
            title=_("Letter made: %(kind)s") % {"kind": letter.get_kind_display()},
            detail=_("To %(recipient)s, in %(language)s")
            % {"recipient": letter.recipient_name, "language": letter.get_language_display()},
            who=letter.created_by.display_name,
        )

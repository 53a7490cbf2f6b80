"""Sections other parts of the service add to the person's record (see `linkwork.core.panels`):
outcome measures, safeguarding..."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from linkwork.core.panels import Panels

from .loose_ends import loose_ends

record_panels = Panels()


def loose_ends_at_handover(referral, request) -> str:
    """On the re-allocation page: what is still open for the person (`loose_ends`)."""
    ends = loose_ends(referral)
    if not ends:
        return ""
    return render_to_string(
        "casework/includes/loose_ends.html",
        {
            "loose_ends": ends,
            "heading": _("Still open for the new coordinator to take on:"),
        },
        request=request,
    )

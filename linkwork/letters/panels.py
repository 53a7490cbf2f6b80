"""Letters as a section of the person's record (see `linkwork.core.panels`): the letters made,
and, for whoever may write them, each kind of letter, or why it cannot be made now."""

from django.template.loader import render_to_string

from linkwork.accounts.permissions import Permission, has_permission

from . import drafting
from .queries import letters_of


def letters_section(referral, request) -> str:
    """Shown on the record, which has already checked that the user may open it. The same
    number of queries however many letters there are."""
    can_write = has_permission(request.user, Permission.WRITE_LETTER, referral)
    context = {
        "referral": referral,
        "letters": list(letters_of(referral)),
        "can_write": can_write,
        "kinds": drafting.availability(drafting.Situation.of(referral)) if can_write else [],
    }
    return render_to_string("letters/includes/letters_panel.html", context, request=request)

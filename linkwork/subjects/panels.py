"""The rectification section of a person's referral and record (decision 0026): when their
details were last changed, the statements they gave about corrections refused (kept with the
record for everyone who reads it), and, for the site's managers, the history and the open
requests with their deadlines."""

from django.template.loader import render_to_string

from linkwork.accounts.permissions import Permission, has_permission

from .queries import details_changes_of, requests_about


def rectification_section(referral, request) -> str:
    user = request.user
    changes = list(details_changes_of(referral)[:1])
    requests = list(requests_about(referral))
    manages = has_permission(user, Permission.HANDLE_RECTIFICATION, referral)
    disputed = [r for r in requests if r.statement]
    open_requests = [r for r in requests if r.is_open]
    if not (changes or disputed or (manages and requests)):
        return ""
    return render_to_string(
        "subjects/includes/rectification_panel.html",
        {
            "referral": referral,
            "last_change": changes[0] if changes else None,
            "disputed": disputed,
            "open_requests": open_requests if manages else [],
            "manages": manages,
            "sees_history": has_permission(user, Permission.VIEW_CORRECTIONS, referral),
        },
        request=request,
    )

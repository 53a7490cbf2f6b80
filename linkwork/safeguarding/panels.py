"""Safeguarding as a section of the record and the referral page (see `linkwork.core.panels`)."""

from django.template.loader import render_to_string

from linkwork.accounts.permissions import Permission, has_permission

from .presenters import mark_removable, prompt_answer
from .queries import person_concerns, person_safeguarding_now


def safeguarding_section(referral, request) -> str:
    """The person's safeguarding on the record and the referral page: an open item 9 check first,
    active risk flags, concerns and their escalations. Nothing for someone without
    VIEW_SAFEGUARDING at the person's site; the same number of queries however many flags,
    concerns and escalations there are."""
    user = request.user
    if not has_permission(user, Permission.VIEW_SAFEGUARDING, referral):
        return ""
    flags, prompts = person_safeguarding_now(user, referral)  # as the page's alerts show
    for prompt in prompts:
        prompt.answer_label = prompt_answer(prompt)
    mark_removable(user, referral, flags)
    context = {
        "show": True,
        "referral": referral,
        "open_prompts": prompts,
        "flags": flags,
        "concerns": list(person_concerns(user, referral)),
        "can_safeguard": has_permission(user, Permission.SAFEGUARD, referral),
        "can_handle_prompt": has_permission(user, Permission.HANDLE_SAFEGUARDING_PROMPT, referral),
    }
    return render_to_string(
        "safeguarding/includes/safeguarding_panel.html", context, request=request
    )

"""`{% safeguarding_panel referral %}`: the person's safeguarding on the record and the referral
page (an open item 9 prompt first, active risk flags, concerns and their escalations), and
`{% escalation_state escalation %}`: where an escalation stands, as a tag.

The panel renders nothing for someone without VIEW_SAFEGUARDING at the person's site, and runs
the same number of queries however many flags, concerns and escalations there are.
"""

from django import template
from django.utils import timezone

from linkwork.accounts.permissions import Permission, has_permission, site_ids_of

from ..models import SafeguardingPrompt
from ..queries import active_flags
from ..safeguarding_views import mark_removable, person_concerns, prompt_answer

register = template.Library()


@register.inclusion_tag("outcomes/includes/safeguarding_panel.html", takes_context=True)
def safeguarding_panel(context, referral):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not has_permission(user, Permission.VIEW_SAFEGUARDING, referral):
        return {"show": False}
    prompts = list(
        SafeguardingPrompt.objects.filter(
            referral__person_id=referral.person_id,
            referral__site_id__in=site_ids_of(user),
            handled_at__isnull=True,
        )
        .select_related("measure")
        .order_by("raised_at", "pk")
    )
    for prompt in prompts:
        prompt.answer_label = prompt_answer(prompt)
    flags = list(
        active_flags(referral.person_id)
        .select_related("referral__site")
        .order_by("-raised_at", "-pk")
    )
    mark_removable(user, referral, flags)
    return {
        "show": True,
        "referral": referral,
        "open_prompts": prompts,
        "flags": flags,
        "concerns": list(person_concerns(user, referral)),
        "can_safeguard": has_permission(user, Permission.SAFEGUARD, referral),
        "can_handle_prompt": has_permission(user, Permission.HANDLE_SAFEGUARDING_PROMPT, referral),
    }


@register.inclusion_tag("outcomes/safeguarding/escalation_state.html")
def escalation_state(escalation):
    """ "Awaiting response – overdue by N days" (red), "Awaiting response", or "Responded …"."""
    today = timezone.localdate()
    return {
        "escalation": escalation,
        "overdue": escalation.is_overdue(today),
        "overdue_days": (today - escalation.response_due).days,
    }

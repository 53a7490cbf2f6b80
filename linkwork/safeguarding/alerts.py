"""Person alerts (a `{% page_alerts %}` alert, see `linkwork.core.templatetags.page_alerts`): on
every page about a person, their active risk flags and any PHQ-9
item 9 answer still waiting for someone to record what they did.

base.html asks on every page; it shows something only where the page's context has a
`referral` and the user may see that person's safeguarding (site staff at the referral's site).
Two queries on such pages (shared with the page's safeguarding panel), none elsewhere.
"""

from django.template.loader import render_to_string

from linkwork.accounts.permissions import Permission, has_permission, site_ids_of
from linkwork.referrals.models import Referral

from .queries import person_safeguarding_now


def person_alerts(context) -> str:
    referral = context.get("referral")
    user = context.get("user")
    if not isinstance(referral, Referral) or user is None:
        return ""
    if not has_permission(user, Permission.VIEW_SAFEGUARDING, referral):
        return ""
    # Checks on the person's referrals at the user's sites (another site's are theirs to act on),
    # read once for the page with its safeguarding panel.
    flags, prompts = person_safeguarding_now(user, referral)
    sites = site_ids_of(user)
    for flag in flags:
        # The risk travels with the person; the details stay with the site that raised it.
        flag.from_other_site = flag.referral.site_id not in sites
    for prompt in prompts:
        prompt.can_handle = has_permission(
            user, Permission.HANDLE_SAFEGUARDING_PROMPT, prompt.referral
        )
    if not (flags or prompts):
        return ""
    return render_to_string(
        "safeguarding/includes/person_alerts.html",
        {"show": True, "referral": referral, "flags": flags, "prompts": prompts},
        request=context.get("request"),
    )

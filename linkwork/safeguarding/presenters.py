"""How the safeguarding pages show things, worked out once for the views, the record's section and
the item 9 check: where a person's page is, which flags the user may remove, what an item 9
answer said."""

from django.urls import reverse

from linkwork.accounts.permissions import Permission, has_permission, site_ids_of
from linkwork.outcomes.instruments import get_instrument
from linkwork.referrals.models import Referral
from linkwork.referrals.status import ReferralStatus

from .models import SafeguardingPrompt


def record_url(user, referral: Referral) -> str:
    """The page about the person the user can open: their record once they are (or were) in
    support, otherwise the referral."""
    if referral.status in (ReferralStatus.ALLOCATED, ReferralStatus.CLOSED) and has_permission(
        user, Permission.VIEW_PERSON_RECORD, referral
    ):
        return reverse("casework:record", args=[referral.pk])
    return reverse("referrals:detail", args=[referral.pk])


def mark_removable(user, referral: Referral, flags) -> None:
    """Set `can_end` on each flag: the user may remove flags raised at their sites (flags need
    `referral` selected). A flag raised at another site is shown (the risk travels with the
    person) but not its details, which belong to that site: `from_other_site` says so."""
    may = has_permission(user, Permission.SAFEGUARD, referral)
    sites = site_ids_of(user)
    for flag in flags:
        flag.from_other_site = flag.referral.site_id not in sites
        flag.can_end = may and flag.is_active and not flag.from_other_site


def prompt_answer(prompt: SafeguardingPrompt) -> str:
    return dict(get_instrument("phq9").choices).get(prompt.answer, str(prompt.answer))

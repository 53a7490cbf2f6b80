"""How the safeguarding pages show things, worked out once for the views, the record's section and
the item 9 check: where a person's page is, which flags the user may remove, what an item 9
answer said."""

import datetime

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext

from linkwork.accounts.permissions import Permission, has_permission, site_ids_of
from linkwork.outcomes.instruments import get_instrument
from linkwork.referrals.models import Referral
from linkwork.referrals.status import ReferralStatus

from .models import FlagNote, RiskFlag, SafeguardingPrompt


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
    return phq9_answer(prompt.answer)


def phq9_answer(answer) -> str:
    return str(dict(get_instrument("phq9").choices).get(answer, answer))


def flag_note(flag: RiskFlag) -> str:
    """The sentence the service wrote when it raised the flag, in the reader's language."""
    params = flag.note_params or {}
    if flag.note_code == FlagNote.RAISED_WITH_CONCERN:
        return gettext("Raised with concern %(ref)s") % {"ref": params.get("concern", "")}
    if flag.note_code == FlagNote.PHQ9_ITEM9:
        day = params.get("date")
        return gettext("PHQ-9 question 9 answered '%(answer)s' on %(date)s.") % {
            "answer": phq9_answer(params.get("answer")),
            "date": date_format(datetime.date.fromisoformat(day), "j F Y") if day else "",
        }
    return ""

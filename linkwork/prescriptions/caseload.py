"""Social prescriptions' column on the "My caseload" page (`referrals.caseload`): those whose
service did not answer and was chased."""

import datetime

from django.db.models import Count
from django.utils.translation import ngettext

from linkwork.referrals.caseload import Fact
from linkwork.referrals.models import Referral

from .models import SocialPrescription


def needing_attention(referrals: list[Referral], today: datetime.date) -> dict[int, Fact]:
    counts = (
        SocialPrescription.objects.filter(
            referral__in=referrals, needs_attention_since__isnull=False
        )
        .values("referral")
        .annotate(n=Count("pk"))
        .values_list("referral", "n")
    )
    return {
        pk: Fact(
            ngettext("%(n)s needs attention", "%(n)s need attention", n) % {"n": n},
            -n,
            needs_action=True,
            colour="red",
        )
        for pk, n in counts
    }

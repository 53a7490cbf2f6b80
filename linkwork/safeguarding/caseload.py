"""Safeguarding's column on the "My caseload" page (`referrals.caseload`): the person's active
risk flags (known before a visit or a call)."""

import datetime

from linkwork.referrals.caseload import Fact
from linkwork.referrals.models import Referral

from .models import RiskFlag


def risk_flags(referrals: list[Referral], today: datetime.date) -> dict[int, Fact]:
    by_person: dict[int, list[str]] = {}
    for flag in RiskFlag.objects.filter(
        person__in=[r.person_id for r in referrals], ended_at__isnull=True
    ).order_by("raised_at"):
        by_person.setdefault(flag.person_id, []).append(str(flag.get_kind_display()))
    return {
        referral.pk: Fact(", ".join(by_person[referral.person_id]), 0, colour="red")
        for referral in referrals
        if referral.person_id in by_person
    }

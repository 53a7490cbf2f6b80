"""The person's part in research trials, as a section of their referral page and their record
(see `linkwork.core.panels`): where they stand, or "Offer the trial" while one is open on their
pathway."""

from django.template.loader import render_to_string

from linkwork.accounts.permissions import Permission, has_permission
from linkwork.referrals.status import ReferralStatus

from .queries import open_trials_for, participations_of


def trial_section(referral, request) -> str:
    if not has_permission(request.user, Permission.ENROL_IN_TRIAL, referral):
        return ""
    participations = participations_of(referral)
    offered = {p.trial_id for p in participations}
    offers = []
    if referral.status == ReferralStatus.WAITING:
        offers = [t for t in open_trials_for(referral) if t.pk not in offered]
    if not participations and not offers:
        return ""
    return render_to_string(
        "trials/includes/panel.html",
        {"referral": referral, "participations": participations, "offers": offers},
        request=request,
    )

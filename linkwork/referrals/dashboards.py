"""What each role sees first when they sign in."""

from .queries import caseload_of, coordinators_for, referrals_for, sites_for
from .status import TO_TRIAGE, ReferralStatus


def waiting_list_summary(user) -> list[dict]:
    """Per site: how many wait and the longest wait, for the manager's and coordinator's home."""
    summary = []
    visible = referrals_for(user)
    for site in sites_for(user):
        waiting = list(visible.filter(site=site).waiting_list())
        summary.append(
            {
                "site": site,
                "count": len(waiting),
                "urgent": sum(1 for r in waiting if r.priority == "urgent"),
                "longest_days": max((r.days_waiting() or 0 for r in waiting), default=0),
                "first": waiting[:5],
            }
        )
    return summary


def coordinator_home(user) -> dict:
    return {
        "caseload": caseload_of(user),
        "cap": user.caseload_cap,
        "waiting": waiting_list_summary(user),
    }


def manager_home(user) -> dict:
    visible = referrals_for(user)
    return {
        "to_triage": visible.filter(status__in=TO_TRIAGE).order_by("received_at"),
        "waiting": waiting_list_summary(user),
        "coordinators": coordinators_for(user),
    }


def referrer_home(user) -> dict:
    visible = referrals_for(user)
    return {
        "referrals": visible.order_by("-received_at")[:20],
        "awaiting_answer": visible.filter(status=ReferralStatus.INFORMATION_REQUESTED),
    }

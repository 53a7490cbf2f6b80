"""What each role sees first when they sign in."""

from django.db.models import Count, Min, Q
from django.utils import timezone

from linkwork.accounts.queries import sites_for
from linkwork.casework.queries import caseload_alerts, diary_summary
from linkwork.directory.queries import directory_summary
from linkwork.engagement.presenters import concentration_words
from linkwork.engagement.queries import referrer_summary
from linkwork.outcomes.queries import due_for_coordinator
from linkwork.prescriptions.queries import needing_attention_for
from linkwork.referrals.queries import caseload_of, coordinators_for, referrals_for
from linkwork.referrals.status import TO_TRIAGE, Priority, ReferralStatus
from linkwork.safeguarding.queries import (
    open_escalations_for,
    open_prompts_for,
    overdue_escalations_for,
)
from linkwork.trials.queries import recruitment_of, trial_measures_due_while_waiting, trials_for
from linkwork.unmet.queries import recorded_this_month


def waiting_list_summary(user) -> list[dict]:
    """Per site: how many wait and the longest wait, for the manager's and coordinator's home.

    One aggregate query for all the user's sites (and one for the sites themselves), however
    many sites and however many people are waiting.
    """
    now = timezone.now()
    per_site = {
        row["site_id"]: row
        for row in referrals_for(user)
        .filter(status=ReferralStatus.WAITING)
        .order_by()
        .values("site_id")
        .annotate(
            count=Count("pk"),
            urgent=Count("pk", filter=Q(priority=Priority.URGENT)),
            longest_since=Min("accepted_at"),
        )
    }
    summary = []
    for site in sites_for(user):
        row = per_site.get(site.pk, {})
        longest_since = row.get("longest_since")
        summary.append(
            {
                "site": site,
                "count": row.get("count", 0),
                "urgent": row.get("urgent", 0),
                "longest_days": max((now - longest_since).days, 0) if longest_since else 0,
            }
        )
    return summary


def coordinator_home(user) -> dict:
    return {
        "caseload": caseload_of(user),
        "cap": user.caseload_cap,
        "waiting": waiting_list_summary(user),
        "alerts": caseload_alerts(user),
        "open_prompts": list(open_prompts_for(user)),
        "overdue_escalations": list(overdue_escalations_for(user)),
        **_first_measures_due(user),
        "prescriptions_needing_attention": list(needing_attention_for(user)),
        "diary": diary_summary(user),
        "now": timezone.now(),
    }


# The home page lists the first measures due (overdue first); My caseload, sorted by its
# measures column, has them all.
MEASURES_ON_HOME = 10


def _first_measures_due(user) -> dict:
    groups = _grouped(due_for_coordinator(user))
    return {"measures_due": groups[:MEASURES_ON_HOME], "measures_due_count": len(groups)}


def _grouped(slots) -> list[dict]:
    """Measures due, one line per person and timepoint (overdue first, as the slots come): the
    site's timepoints, and those another part of the service asks for (a trial's "12 weeks"),
    each line with what else its measures count for ("the trial's 12-week measure")."""
    groups: dict[tuple[int, str, str], dict] = {}
    for slot in slots:
        key = (slot.referral.pk, slot.timepoint, slot.label)
        group = groups.setdefault(key, {"first": slot, "instruments": [], "also_for": []})
        group["instruments"].append(slot.instrument.short_name)
        for other in slot.also_for:
            if other.counts_as not in group["also_for"]:
                group["also_for"].append(other.counts_as)
    return list(groups.values())


# The home page shows the oldest referrals waiting for triage; the referrals list has the rest.
TRIAGE_ON_HOME = 25


# And the first trial measures due for people waiting (overdue first); their own page has all.
TRIAL_MEASURES_ON_HOME = 10


# And caseloads: every coordinator's in a small team; in a large one, those with the fewest places
# free (the caseloads page has everyone).
CASELOADS_ON_HOME = 15


def manager_home(user) -> dict:
    to_triage = referrals_for(user).filter(status__in=TO_TRIAGE).order_by("received_at")
    trial_measures = trial_measures_due_while_waiting(user)
    return {
        "to_triage": to_triage[:TRIAGE_ON_HOME],
        "to_triage_count": to_triage.count(),
        "waiting": waiting_list_summary(user),
        **caseloads_summary(user),
        "directory": directory_summary(sites_for(user)),
        "unmet_needs_this_month": recorded_this_month(sites_for(user)),
        "safeguarding": safeguarding_summary(user),
        "trial_measures_waiting": trial_measures[:TRIAL_MEASURES_ON_HOME],
        "trial_measures_waiting_count": len(trial_measures),
        "referrers": referrers_summary(user),
    }


def caseloads_summary(user) -> dict:
    coordinators = coordinators_for(user)
    count = coordinators.count()
    if count > CASELOADS_ON_HOME:
        coordinators = coordinators.order_by("places_free", "first_name", "last_name", "pk")
    return {"coordinators": coordinators[:CASELOADS_ON_HOME], "coordinators_count": count}


def referrers_summary(user) -> dict:
    """Referring organisations gone quiet at the user's sites, and how concentrated GP
    referrals were over the last 12 months, site by site ("one surgery referring and that was
    it" should be visible at a glance)."""
    sites = list(sites_for(user).order_by("name", "pk"))
    summary = referrer_summary(sites, timezone.localdate())
    return {
        "quiet": summary.quiet,
        "concentration": [(row, concentration_words(row)) for row in summary.concentration],
        "many_sites": len(sites) > 1,
    }


def safeguarding_summary(user) -> dict:
    """Open PHQ-9 item 9 prompts, and escalations awaiting a response, at the user's sites."""
    today = timezone.localdate()
    escalations = open_escalations_for(user).order_by()
    counts = escalations.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(response_due__lt=today)),
        oldest=Min("at"),
    )
    oldest = counts["oldest"]
    return {
        "prompts": list(open_prompts_for(user)),
        "open": counts["open"],
        "overdue": counts["overdue"],
        "oldest_days": max((timezone.now() - oldest).days, 0) if oldest else 0,
    }


def referrer_home(user) -> dict:
    visible = referrals_for(user)
    return {
        "referrals": visible.order_by("-received_at")[:20],
        "awaiting_answer": visible.filter(status=ReferralStatus.INFORMATION_REQUESTED),
    }


def research_home(user) -> dict:
    """Trial managers and researchers: the trials they are on, with recruitment so far."""
    trials = list(trials_for(user).prefetch_related("sites", "arms"))
    counts = recruitment_of(trials)
    return {"trials": [{"trial": t, "recruitment": counts[t.pk]} for t in trials]}

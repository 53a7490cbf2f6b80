"""The safeguarding pages that list records run the same number of SQL queries however many
they list (`tests/query_counts.py`): the open escalations and item 9 checks, for a manager and
for a coordinator, and a person's safeguarding history (flags, concerns with their escalations
and chases, item 9 checks). Each record added comes with its own person, pathway, organisation
and staff, so that a query per related row would show."""

import datetime
from functools import partial

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.outcomes import actions as outcomes
from linkwork.referrals.status import ReferralStatus
from linkwork.safeguarding import actions
from linkwork.safeguarding.models import PromptAction, RiskKind, SafeguardingPrompt
from tests.factories import CoordinatorFactory, ManagerFactory, PathwayFactory, make_referral
from tests.query_counts import N, Page, assert_flat, assert_record_flat, assert_same_count

S = ReferralStatus
PHQ9_ITEM9 = [0, 0, 0, 0, 0, 0, 0, 0, 1]  # item 9 answered: raises a check

pytestmark = pytest.mark.django_db


def referral_at(site, status=S.WAITING, **kwargs):
    """Someone new at the site, through a new pathway, from a new organisation."""
    return make_referral(status, pathway=PathwayFactory(site=site, organisations=[]), **kwargs)


def escalated(referral, *, raised_by=None, days_ago: int = 5, due_in: int = 2):
    """A concern about the person (raised by a new coordinator unless told), escalated by
    another new coordinator and chased by a third."""
    site = referral.site
    concern = actions.raise_concern(
        referral,
        by=raised_by or CoordinatorFactory(sites=[site]),
        kind=RiskKind.FALLS,
        summary="Fell twice this week",
    )
    at = timezone.now() - datetime.timedelta(days=days_ago)
    escalation = actions.escalate(
        concern,
        by=CoordinatorFactory(sites=[site]),
        to="social_services",
        at=at,
        method="phone",
        response_due=timezone.localdate(at) + datetime.timedelta(days=days_ago + due_in),
    )
    actions.chase(escalation, by=ManagerFactory(sites=[site]), method="email", note="Chased")
    return concern


def item_9_check(referral, by) -> SafeguardingPrompt:
    measure = outcomes.record_measure(
        referral, by=by, instrument="phq9", timepoint="review", answers=PHQ9_ITEM9
    )
    return SafeguardingPrompt.objects.get(measure=measure)


# --- The open escalations ----------------------------------------------------------------------


def test_open_escalations_for_a_manager(client_for, manager, site_a, instruments_on):
    def add(k):
        for i in range(k):
            escalated(referral_at(site_a), due_in=i - 2)  # some overdue
            coordinator = CoordinatorFactory(sites=[site_a])
            item_9_check(referral_at(site_a, S.ALLOCATED, coordinator=coordinator), coordinator)

    assert_flat(client_for(manager), reverse("safeguarding:open_escalations"), add)


def test_open_escalations_for_a_coordinator(client_for, coordinator_a, site_a, instruments_on):
    def add(k):
        for i in range(k):
            escalated(referral_at(site_a), raised_by=coordinator_a, due_in=i - 2)
            in_support = referral_at(site_a, S.ALLOCATED, coordinator=coordinator_a)
            item_9_check(in_support, coordinator_a)

    coordinator_a.caseload_cap = 50
    coordinator_a.save()
    assert_flat(client_for(coordinator_a), reverse("safeguarding:open_escalations"), add)


# --- A person's safeguarding history -------------------------------------------------------------


def history(site, k: int, name: str):
    """Someone in support with k item 9 checks (each handled by someone else), k concerns (each
    escalated and chased), and k risk flags raised and removed by different people."""
    coordinator = CoordinatorFactory(sites=[site])
    referral = referral_at(site, S.ALLOCATED, coordinator=coordinator, person={"given_name": name})
    for _ in range(k):
        prompt = item_9_check(referral, coordinator)
        actions.handle_prompt(
            prompt, by=ManagerFactory(sites=[site]), action=PromptAction.NO_RISK, note="Checked."
        )
        escalated(referral)
        flag = actions.raise_flag(
            referral, by=CoordinatorFactory(sites=[site]), kind=RiskKind.SELF_NEGLECT
        )
        actions.end_flag(flag, by=ManagerFactory(sites=[site]), reason="No longer a risk")
    return referral


def test_a_persons_safeguarding_page(client_for, manager, site_a, instruments_on):
    assert_record_flat(client_for(manager), "safeguarding:person", partial(history, site_a))


# --- One concern -------------------------------------------------------------------------------


def concern_with_escalations(site, k: int):
    """A concern escalated k times, each by someone new and chased by someone else."""
    referral = referral_at(site)
    concern = escalated(referral)
    for i in range(k - 1):
        at = timezone.now() - datetime.timedelta(days=i + 1)
        escalation = actions.escalate(
            concern,
            by=CoordinatorFactory(sites=[site]),
            to="gp" if i % 2 else "police",
            at=at,
            method="email",
            response_due=timezone.localdate(at) + datetime.timedelta(days=3),
        )
        actions.chase(escalation, by=ManagerFactory(sites=[site]), method="phone", note="Chased")
    return concern


def test_a_concern(client_for, manager, site_a):
    client = client_for(manager)
    small = concern_with_escalations(site_a, N)
    large = concern_with_escalations(site_a, 3 * N)
    assert_same_count(
        "/safeguarding/concerns/<pk>/",
        Page(client, reverse("safeguarding:concern", args=[small.pk])),
        Page(client, reverse("safeguarding:concern", args=[large.pk])),
    )

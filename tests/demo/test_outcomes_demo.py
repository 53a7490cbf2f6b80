"""The demo service's outcome measures and safeguarding: every feature has something to show.

Loading the demo takes a while, so one test loads it and checks everything, then loads it again.
"""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from linkwork.accounts.models import User
from linkwork.audit.models import AuditEvent
from linkwork.casework.models import SupportPlan
from linkwork.outcomes import actions, queries
from linkwork.outcomes.instruments.change import DETERIORATED, IMPROVED, NO_RELIABLE_CHANGE
from linkwork.outcomes.models import (
    CollectedBy,
    InstrumentSetting,
    Measure,
    MeasureLink,
    ScheduledInstrument,
    Timepoint,
)
from linkwork.referrals.models import Referral
from linkwork.referrals.status import ReferralStatus
from linkwork.safeguarding import queries as safeguarding_queries
from linkwork.safeguarding.models import (
    EscalatedTo,
    Escalation,
    EscalationChase,
    PromptAction,
    RiskFlag,
    RiskKind,
    SafeguardingConcern,
    SafeguardingPrompt,
)

pytestmark = pytest.mark.django_db


def load() -> None:
    call_command("load_demo", force=True, stdout=io.StringIO())


def swemwbs_verdicts(referral: Referral) -> set[str]:
    return {
        scored.change.direction
        for history in queries.history_for(referral)
        if history.instrument.code == "swemwbs"
        for scored in history.measures
        if scored.measure.timepoint == Timepoint.END and scored.change is not None
    }


def check_instruments_and_schedules() -> None:
    for code in ("swemwbs", "wemwbs"):
        setting = InstrumentSetting.objects.get(instrument=code)
        assert setting.enabled
        assert setting.registration_confirmed_by.username == "admin"
        assert setting.registration_reference == "Demo registration – WEMWBS-DEMO-0001"
    assert {i.code for i in actions.enabled_instruments()} >= {
        "swemwbs",
        "wemwbs",
        "phq9",
        "gad7",
        "ons4",
        "ucla3",
    }
    for slug in ("powys", "rhondda"):
        rows = {r.instrument: r for r in ScheduledInstrument.objects.filter(site__slug=slug)}
        assert rows["swemwbs"].timepoints() == [Timepoint.BASELINE, Timepoint.END, "follow_up"]
        assert {"phq9", "gad7", "ons4"} <= set(rows)
    assert ScheduledInstrument.objects.filter(instrument="ucla3").count() == 1


def check_measures(today) -> None:
    closed = Referral.objects.filter(status=ReferralStatus.CLOSED)
    verdicts = set().union(*(swemwbs_verdicts(r) for r in closed))
    assert {IMPROVED, NO_RELIABLE_CHANGE, DETERIORATED} <= verdicts

    # Most people in support have a baseline, a few do not.
    allocated = Referral.objects.filter(status=ReferralStatus.ALLOCATED)
    with_baseline = allocated.filter(measures__timepoint=Timepoint.BASELINE).distinct().count()
    assert allocated.count() * 0.7 <= with_baseline < allocated.count()

    gareth = User.objects.get(username="coordinator")
    slots = queries.due_for_coordinator(gareth)
    states = {slot.state for slot in slots}
    assert {queries.DUE, queries.OVERDUE} <= states
    past_planned_end = [
        slot
        for slot in slots
        if slot.timepoint == Timepoint.END
        and slot.referral.status == ReferralStatus.ALLOCATED
        and SupportPlan.objects.get(referral=slot.referral).ends_on < today
    ]
    assert past_planned_end

    # Follow-ups: one done, one due now.
    follow_ups = Measure.objects.filter(timepoint=Timepoint.FOLLOW_UP)
    assert follow_ups.exists()
    due_follow_ups = [
        slot
        for user in User.objects.filter(role="coordinator")
        for slot in queries.due_for_coordinator(user)
        if slot.timepoint == Timepoint.FOLLOW_UP
    ]
    assert due_follow_ups

    # Completed by the person through a link, one in Welsh by someone who prefers Welsh.
    by_link = Measure.objects.filter(collected_by=CollectedBy.LINK)
    assert by_link.filter(language="cy", referral__person__preferred_language="cy").exists()
    assert all(m.by is None for m in by_link)
    assert any(link.is_usable() for link in MeasureLink.objects.all())
    assert all(m.completed_on < today for m in Measure.objects.all())


def check_safeguarding(today) -> None:
    gareth = User.objects.get(username="coordinator")
    manager = User.objects.get(username="manager")

    handled = SafeguardingPrompt.objects.filter(handled_at__isnull=False)
    assert handled.filter(action=PromptAction.SAFETY_PLAN, answer=1).exists()
    prompt = handled.get()
    assert RiskFlag.objects.filter(
        person_id=prompt.referral.person_id, kind=RiskKind.SUICIDAL_THOUGHTS, ended_at=None
    ).exists()
    open_prompts = safeguarding_queries.open_prompts_for(gareth)
    assert open_prompts.count() == 1
    assert open_prompts.get().raised_at > prompt.raised_at

    kinds = set(RiskFlag.objects.values_list("kind", flat=True))
    assert {RiskKind.FALLS, RiskKind.SELF_NEGLECT, RiskKind.DOMESTIC_ABUSE} <= kinds
    ended = RiskFlag.objects.filter(ended_at__isnull=False).get()
    assert ended.end_reason

    answered = Escalation.objects.filter(responded_at__isnull=False)
    assert answered.exists()
    open_escalations = list(safeguarding_queries.open_escalations_for(manager))
    assert any(e.chase_count == 2 and e.response_due >= today for e in open_escalations)
    chased = next(e for e in open_escalations if e.chase_count == 2)
    assert EscalationChase.objects.filter(escalation=chased, next_due=chased.response_due)

    overdue = list(safeguarding_queries.overdue_escalations_for(manager))
    assert {e.concern.referral.site.slug for e in overdue} == {"powys", "rhondda"}
    gareths_overdue = list(safeguarding_queries.overdue_escalations_for(gareth))
    assert len(gareths_overdue) == 1
    assert gareths_overdue[0].chase_count == 1
    assert gareths_overdue[0].concern.referral.allocations.get(ended_at=None).coordinator == gareth
    # They were told when each went overdue, in the demo's past: the worker sends nothing now.
    from linkwork.safeguarding.sweeps import chase_overdue_escalations

    assert chase_overdue_escalations() == 0

    waiting = SafeguardingConcern.objects.filter(referral__status=ReferralStatus.WAITING)
    assert waiting.filter(escalations__to=EscalatedTo.POLICE).exists()
    assert SafeguardingConcern.objects.exclude(outcome="").filter(closed_at__isnull=False)
    assert Escalation.objects.filter(reference="MASH-2611-0457").exists()


def test_the_demo_shows_outcome_measures_and_safeguarding():
    load()
    today = timezone.localdate()

    check_instruments_and_schedules()
    check_measures(today)
    check_safeguarding(today)
    # Everything is back-dated: nothing happened in the last hour.
    assert not AuditEvent.objects.filter(at__gte=timezone.now() - timezone.timedelta(hours=1))
    for model, field in (
        (Measure, "created_at"),
        (SafeguardingPrompt, "raised_at"),
        (RiskFlag, "raised_at"),
        (SafeguardingConcern, "raised_at"),
        (EscalationChase, "at"),
    ):
        assert not model.objects.filter(
            **{f"{field}__gte": timezone.now() - timezone.timedelta(hours=1)}
        ).exists(), model
    counts = {
        model.__name__: model.objects.count()
        for model in (Measure, MeasureLink, SafeguardingConcern, Escalation, EscalationChase)
    }

    load()

    assert {
        model.__name__: model.objects.count()
        for model in (Measure, MeasureLink, SafeguardingConcern, Escalation, EscalationChase)
    } == counts
    assert Measure.objects.order_by("pk").first().pk == 1
    assert SafeguardingConcern.objects.order_by("pk").first().reference == "SG-00001"
    check_measures(today)

"""Outcome measures and safeguarding for the demo service.

Called by `linkwork.demo.service` in two steps, in the order things happened in the story:

- `build_demo_baselines(demo)`, while everyone in support is still allocated (before
  `demo.casework.close_demo_cases`): the instruments in use, each site's schedule, and the
  baseline measures taken at each person's first session;
- `build_demo_outcomes(demo)`, at the end: end-of-support and follow-up measures (two people
  whose support closed about three months ago are added for those), one-time links, the PHQ-9
  item 9 prompts, risk flags, and safeguarding concerns with their escalations and chases.

Every change goes through `outcomes.actions` and `safeguarding.actions` (and the casework and
referral actions for the two extra people), and is then re-stamped to the moment it happened in
the story, like the rest of the demo. Scores and times come from this module's own seeded random
generator, so running step 1 in the middle of the build leaves everything the rest of the demo
draws from `demo.rng` unchanged (step 2's two extra people are drawn from `demo.rng`, last).
Dates are relative to the demo's today.

Every person is fictional; the notes are written as a careful coordinator would write them.
"""

import datetime
import random
from collections.abc import Iterator
from contextlib import contextmanager

from dateutil.relativedelta import relativedelta
from django.db.models import QuerySet
from django.utils import timezone

from linkwork.audit.guard import suspended
from linkwork.casework import actions as casework
from linkwork.casework.models import Closure, ContactMode, ContactOutcome, GoalStatus, LifeDomain
from linkwork.outcomes import actions, queries
from linkwork.outcomes.models import CollectedBy, InstrumentSetting, Measure, MeasureLink, Timepoint
from linkwork.referrals import actions as referral_actions
from linkwork.referrals.models import Referral
from linkwork.referrals.status import ClosureReason, ReferralStatus
from linkwork.safeguarding import actions as safeguarding
from linkwork.safeguarding.models import (
    EscalatedTo,
    Escalation,
    EscalationChase,
    EscalationMethod,
    EscalationReminder,
    PromptAction,
    RiskFlag,
    RiskKind,
    SafeguardingConcern,
    SafeguardingPrompt,
)

SEED = 2611  # this module's own generator: see the module docstring

B, E, F = Timepoint.BASELINE, Timepoint.END, Timepoint.FOLLOW_UP

# Both sites: SWEMWBS at baseline, end and follow-up; PHQ-9, GAD-7 and ONS4 at baseline and end.
# Rhondda also asks the three UCLA loneliness questions. Follow-up three months after support.
SCHEDULES = {
    "powys": {"swemwbs": {B, E, F}, "phq9": {B, E}, "gad7": {B, E}, "ons4": {B, E}},
    "rhondda": {
        "swemwbs": {B, E, F},
        "phq9": {B, E},
        "gad7": {B, E},
        "ons4": {B, E},
        "ucla3": {B, E},
    },
}
FOLLOW_UP_MONTHS = 3

# SWEMWBS raw scores (7-35) at baseline and the end of support, chosen so that each verdict
# comes out (reliable change needs about 4.3 metric points either way):
IMPROVED = (14, 25)  # metric 15.32 -> 22.35: reliable improvement
DETERIORATED = (23, 14)  # metric 20.73 -> 15.32: reliable deterioration


# --- Back-dating --------------------------------------------------------------------------------


@contextmanager
def _back_dated(when: datetime.datetime) -> Iterator[None]:
    """`demo.service.as_of`, plus the times the outcome and safeguarding actions stamp."""
    from linkwork.demo.service import as_of  # the demo loader imports this module

    start = timezone.now()
    with as_of(when):
        yield
    day = timezone.localdate(when)
    InstrumentSetting.objects.filter(changed_at__gte=start).update(changed_at=when)
    InstrumentSetting.objects.filter(registration_confirmed_at__gte=start).update(
        registration_confirmed_at=when
    )
    # A measure the person completed through a link is dated the day they completed it.
    Measure.objects.filter(created_at__gte=start, collected_by=CollectedBy.LINK).update(
        completed_on=day
    )
    Measure.objects.filter(created_at__gte=start).update(created_at=when)
    for link in MeasureLink.objects.filter(created_at__gte=start):
        MeasureLink.objects.filter(pk=link.pk).update(
            created_at=when, expires_at=link.expires_at + (when - link.created_at)
        )
    MeasureLink.objects.filter(used_at__gte=start).update(used_at=when)
    MeasureLink.objects.filter(revoked_at__gte=start).update(revoked_at=when)
    SafeguardingPrompt.objects.filter(raised_at__gte=start).update(raised_at=when)
    SafeguardingPrompt.objects.filter(handled_at__gte=start).update(handled_at=when)
    RiskFlag.objects.filter(raised_at__gte=start).update(raised_at=when)
    RiskFlag.objects.filter(ended_at__gte=start).update(ended_at=when)
    SafeguardingConcern.objects.filter(raised_at__gte=start).update(raised_at=when)
    SafeguardingConcern.objects.filter(closed_at__gte=start).update(closed_at=when)
    Escalation.objects.filter(created_at__gte=start).update(created_at=when)
    # Chases are append-only; the demo's fictional past is the deliberate exception.
    with suspended(EscalationChase):
        QuerySet(EscalationChase).filter(at__gte=start).update(at=when)


def _moment(rng: random.Random, day: datetime.date) -> datetime.datetime:
    """Some time in the working day."""
    start = datetime.datetime.combine(day, datetime.time(9, 0))
    return timezone.make_aware(start + datetime.timedelta(minutes=rng.randrange(480)))


def _evening(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(20, 40)))


# --- Answers ------------------------------------------------------------------------------------


def _spread(rng: random.Random, count: int, low: int, high: int, total: int) -> list[int]:
    """`count` answers between `low` and `high` adding up to `total`, in a made-up order."""
    total = max(count * low, min(count * high, total))
    answers = [low] * count
    while sum(answers) < total:
        i = rng.randrange(count)
        if answers[i] < high:
            answers[i] += 1
    return answers


def swemwbs_answers(rng, raw: int) -> list[int]:
    """Seven SWEMWBS answers (1-5) adding up to the raw score `raw` (7-35)."""
    return _spread(rng, 7, 1, 5, raw)


def _phq9(rng, total: int, item9: int = 0) -> list[int]:
    return [*_spread(rng, 8, 0, 3, total - item9), item9]


def _answers(rng, code: str, level: float, *, swemwbs_raw: int | None = None) -> list[int]:
    """Plausible answers for someone whose difficulties are at `level` (0 well, 1 struggling):
    the service is for mild to moderate mental health problems."""
    if code == "swemwbs":
        return swemwbs_answers(rng, swemwbs_raw or round(27 - 12 * level))
    if code == "phq9":
        return _phq9(rng, round(3 + 13 * level + rng.randint(-1, 1)))
    if code == "gad7":
        return _spread(rng, 7, 0, 3, round(2 + 12 * level + rng.randint(-1, 1)))
    if code == "ons4":
        # Life satisfaction, worthwhile, happy yesterday (higher better); anxious yesterday.
        good = round(8 - 5 * level)
        return [
            max(0, min(10, good + rng.randint(-1, 1))),
            max(0, min(10, good + 1 + rng.randint(-1, 1))),
            max(0, min(10, good + rng.randint(-1, 1))),
            max(0, min(10, round(2 + 6 * level) + rng.randint(-1, 1))),
        ]
    if code == "ucla3":
        return _spread(rng, 3, 1, 3, round(4 + 4 * level))
    raise ValueError(code)


def _level_for(swemwbs_raw: int) -> float:
    return max(0.0, min(1.0, (27 - swemwbs_raw) / 12))


# --- Helpers ------------------------------------------------------------------------------------


def _coordinator(referral: Referral):
    return referral.allocations.order_by("-started_at", "-pk").first().coordinator


def _first_session(referral: Referral) -> datetime.date:
    first = referral.contacts.filter(outcome=ContactOutcome.ATTENDED).order_by("at").first()
    if first is not None:
        return timezone.localdate(first.at)
    return timezone.localdate(referral.allocations.order_by("started_at").first().started_at)


def _record(rng, referral, by, timepoint, on: datetime.date, scores: dict[str, list[int]]):
    """The instruments the site schedules at this timepoint, recorded with the person on `on`."""
    with _back_dated(_moment(rng, on)):
        for code, answers in scores.items():
            actions.record_measure(
                referral,
                by=by,
                instrument=code,
                timepoint=timepoint,
                answers=answers,
                completed_on=on,
            )


def _scheduled(referral: Referral, timepoint: str) -> list[str]:
    return [
        code
        for code, timepoints in SCHEDULES[referral.site.slug].items()
        if timepoint in timepoints
    ]


def _by_link(rng, referral, by, code, timepoint, answers, *, sent, done, language=None):
    """A one-time link sent on `sent` and used by the person on the evening of `done`.

    Both happen now (a link sent months ago would have expired) and are then re-stamped."""
    from linkwork.audit.models import AuditAction, AuditEvent

    sent_at, done_at = _moment(rng, sent), _evening(done)
    with _back_dated(done_at):
        link, _signed = actions.create_measure_link(
            referral, by=by, instrument=code, timepoint=timepoint
        )
        measure = actions.complete_measure_through_link(
            link, answers=answers, language=language or referral.person.preferred_language
        )
    MeasureLink.objects.filter(pk=link.pk).update(
        created_at=sent_at,
        expires_at=sent_at + datetime.timedelta(days=actions.measure_link_days()),
    )
    with suspended(AuditEvent):  # the chain is made again once the demo is built
        QuerySet(AuditEvent).filter(
            object_type=MeasureLink._meta.label_lower,
            object_id=str(link.pk),
            action=AuditAction.CREATE,
        ).update(at=sent_at)
    return measure


# --- Step 1: instruments, schedules and baselines -----------------------------------------------


def build_demo_baselines(demo) -> None:
    """Switch the instruments on, set each site's schedule, and record baselines for the people
    in support. Some are left out on purpose, so the coordinators' home pages show measures due
    and overdue: every baseline still due or overdue today, and one missed long ago."""
    rng = random.Random(SEED)
    admin, manager = demo.users["admin"], demo.users["manager"]
    switched_on = demo.at_day(demo.today - datetime.timedelta(days=340))
    for code in ("swemwbs", "wemwbs"):
        with _back_dated(switched_on):
            # The reference is made up for the demo. A real service must register its use of
            # WEMWBS and SWEMWBS with the University of Warwick before switching them on, and
            # record the registration it is given.
            actions.configure_instrument(
                code,
                by=admin,
                enabled=True,
                registration_confirmed=True,
                registration_reference="Demo registration – WEMWBS-DEMO-0001",
            )
    # Every other instrument is in use unless switched off, so needs no setting.
    for slug, due in SCHEDULES.items():
        with _back_dated(switched_on + datetime.timedelta(days=3)):
            actions.set_site_schedule(
                demo.sites[slug], by=manager, due=due, follow_up_months=FOLLOW_UP_MONTHS
            )

    allocated = list(
        Referral.objects.filter(status=ReferralStatus.ALLOCATED)
        .select_related("site", "person")
        .order_by("pk")
    )
    slots = queries.slots_for(allocated, today=demo.today)
    # One person whose baseline was missed (allocated long ago, never collected).
    missed = [
        r
        for r in allocated
        if _coordinator(r).username == "coordinator2"
        and _baseline_state(slots[r.pk]) == queries.MISSED
    ]
    left_out = {missed[-1].pk} if missed else set()
    welsh_link_done = False
    for referral in allocated:
        if referral.pk in left_out or _baseline_state(slots[referral.pk]) in (
            queries.DUE,
            queries.OVERDUE,
        ):
            continue
        coordinator = _coordinator(referral)
        on = min(_first_session(referral), demo.today - datetime.timedelta(days=1))
        raw = rng.randint(13, 22)
        level = _level_for(raw)
        scores = {
            code: _answers(rng, code, level, swemwbs_raw=raw) for code in _scheduled(referral, B)
        }
        if (
            not welsh_link_done
            and referral.person.preferred_language == "cy"
            and referral.site.slug == "rhondda"
        ):
            # Filled in on their phone the evening before the first session, with the page in
            # Welsh (the questions themselves are English-only: see the instruments' docs).
            _by_link(
                rng,
                referral,
                coordinator,
                "swemwbs",
                B,
                scores.pop("swemwbs"),
                sent=on - datetime.timedelta(days=3),
                done=on - datetime.timedelta(days=1),
                language="cy",
            )
            welsh_link_done = True
        _record(rng, referral, coordinator, B, on, scores)


def _baseline_state(slots) -> str | None:
    return next(
        (s.state for s in slots if s.timepoint == B and s.instrument.code == "swemwbs"), None
    )


# --- Step 2: end of support, follow-up and safeguarding -----------------------------------------


def build_demo_outcomes(demo) -> None:
    rng = random.Random(SEED + 1)
    _closed_three_months_ago(demo, rng)
    _closed_this_week(demo, rng)
    _ended_in_support(demo, rng)
    _item_9_prompts(demo, rng)
    _risk_flags(demo, rng)
    _concerns(demo, rng)
    _overdue_already_told(demo)


def _overdue_already_told(demo) -> None:
    """The demo's overdue escalations went overdue in its past, when the sweep would have told
    the coordinator and managers; record that, so the worker does not email about them now."""
    for escalation in Escalation.objects.filter(
        responded_at__isnull=True, response_due__lt=demo.today
    ):
        EscalationReminder.objects.create(
            escalation=escalation,
            due=escalation.response_due,
            sent_at=_evening(escalation.response_due + datetime.timedelta(days=1)),
        )


def _closed_three_months_ago(demo, rng) -> None:
    """Two people whose support ended about three months ago, so follow-up measures fall now:
    one in Powys (Welsh-speaking; she did her follow-up through a link, in Welsh) whose
    well-being improved reliably, and one in Rhondda whose well-being fell after a bereavement,
    whose follow-up is due now."""
    from linkwork.demo.service import GP, Case

    today = demo.today
    powys = demo.build_referral(
        Case(
            "powys",
            GP,
            ReferralStatus.ALLOCATED,
            250,
            org="newtown",
            via="email",
            story="widowed",
            waited=40,
            coordinator="coordinator",
            welsh=True,
        )
    )
    closed_on = today - relativedelta(months=FOLLOW_UP_MONTHS) - datetime.timedelta(days=4)
    _short_support(
        demo,
        rng,
        powys,
        closed_on=closed_on,
        swemwbs=IMPROVED,
        reason=ClosureReason.GOALS_ACHIEVED,
        summary="Goes to the lunch club every week and back at chapel on Sundays, with a "
        "neighbour. Says she has something to look forward to again. Happy to finish.",
        goal=(LifeDomain.SOCIAL, "Get back to the lunch club and chapel"),
        goal_outcome=GoalStatus.ACHIEVED,
    )
    coordinator = demo.users["coordinator"]
    _by_link(
        rng,
        powys,
        coordinator,
        "swemwbs",
        F,
        swemwbs_answers(rng, 26),
        sent=today - datetime.timedelta(days=6),
        done=today - datetime.timedelta(days=3),
    )

    rhondda = demo.build_referral(
        Case(
            "rhondda",
            GP,
            ReferralStatus.ALLOCATED,
            235,
            org="tonypandy",
            via="email",
            story="back_pain",
            waited=35,
            coordinator="formercoordinator",
            welsh=False,
        )
    )
    # Lowri handed this person to Rhys a week after he started, as he built up his caseload.
    rhys = demo.users["coordinator3"]
    _short_support(
        demo,
        rng,
        rhondda,
        handover=(rhys.started_on + datetime.timedelta(days=7), rhys),
        closed_on=today - relativedelta(months=FOLLOW_UP_MONTHS) + datetime.timedelta(days=5),
        swemwbs=DETERIORATED,
        reason=ClosureReason.REFERRED_TO_STATUTORY,
        summary="Mood much lower since a family bereavement part-way through support. With "
        "their agreement, referred back to the GP, who has referred on to the primary mental "
        "health team. Knows they can come back to us when ready.",
        goal=(LifeDomain.ACTIVITY, "Try the gentle exercise class at the leisure centre"),
        goal_outcome=GoalStatus.PARTLY_ACHIEVED,
    )


def _short_support(
    demo, rng, referral, *, closed_on, swemwbs, reason, summary, goal, goal_outcome, handover=None
) -> None:
    """Support from allocation to `closed_on`: a plan, fortnightly sessions, one goal, the
    baseline at the first session and the end measures at the last, then closure. With
    `handover` (day, coordinator), the person is re-allocated that day to that coordinator,
    who carries on."""
    coordinator = first = _coordinator(referral)
    allocated = timezone.localdate(referral.allocations.get(ended_at=None).started_at)
    started = allocated + datetime.timedelta(days=3)
    at = demo.at_day
    with _back_dated(at(started)):
        casework.set_support_plan(
            referral,
            by=coordinator,
            starts_on=started,
            planned_sessions=8,
            ends_on=closed_on + datetime.timedelta(days=1),
        )
        domain, description = goal
        the_goal = casework.add_goal(
            referral, by=coordinator, description=description, domain=domain, started_on=started
        )
    day = started
    modes = [ContactMode.HOME_VISIT, ContactMode.FACE_TO_FACE, ContactMode.TELEPHONE]
    while day < closed_on:
        if handover is not None and day >= handover[0] and coordinator == first:
            coordinator = _hand_over(demo, referral, handover)
        with _back_dated(at(day)):
            casework.log_contact(
                referral,
                by=coordinator,
                at=at(day),
                mode=demo.lockdown_mode(day, modes[0] if day == started else rng.choice(modes)),
                outcome=ContactOutcome.ATTENDED,
                minutes=rng.choice([30, 45, 60]),
                note="Reviewed how things are going and what to try next.",
            )
        day += datetime.timedelta(weeks=2)
    before, after = swemwbs
    level = _level_for(before)
    _record(
        rng,
        referral,
        first,
        B,
        started,
        {c: _answers(rng, c, level, swemwbs_raw=before) for c in _scheduled(referral, B)},
    )
    end_level = _level_for(after)
    _record(
        rng,
        referral,
        coordinator,
        E,
        closed_on,
        {c: _answers(rng, c, end_level, swemwbs_raw=after) for c in _scheduled(referral, E)},
    )
    with _back_dated(at(closed_on)):
        casework.close_case(
            referral,
            by=coordinator,
            reason=reason,
            summary=summary,
            closed_on=closed_on,
            goal_outcomes={the_goal.pk: goal_outcome},
        )


def _hand_over(demo, referral, handover):
    """Re-allocate the person, first thing on the day, to the coordinator taking over."""
    day, coordinator = handover
    current = referral.allocations.get(ended_at=None)
    leaving = current.coordinator
    with _back_dated(demo.at_day(day).replace(hour=9)):
        referral_actions.allocate_referral(
            referral,
            coordinator=coordinator,
            by=demo.users["manager"],
            replacing=current,
            note=f"Handed over from {leaving.first_name}'s caseload as "
            f"{coordinator.first_name} builds up his own.",
        )
    return coordinator


def _closed_this_week(demo, rng) -> None:
    """End measures for the cases `close_demo_cases` closed: a reliable improvement in
    well-being where goals were met, no reliable change where the person chose to end; none yet
    where the person stopped replying (a link has been sent and is still unused)."""
    recent = Closure.objects.filter(
        closed_on__gte=demo.today - datetime.timedelta(days=14), reopened_at__isnull=True
    ).select_related("referral__site", "referral__person")
    for closure in recent.order_by("pk"):
        referral = closure.referral
        coordinator = _coordinator(referral)
        baseline = referral.measures.filter(instrument="swemwbs", timepoint=B).first()
        if baseline is None:
            continue
        if closure.reason in (ClosureReason.GOALS_ACHIEVED, ClosureReason.PERSON_CHOSE_TO_END):
            # Nine raw points is a reliable improvement anywhere in the baselines' range
            # (13-22); one is not.
            gain = 9 if closure.reason == ClosureReason.GOALS_ACHIEVED else 1
            after = min(35, baseline.raw + gain)
            level = _level_for(after)
            _record(
                rng,
                referral,
                coordinator,
                E,
                closure.closed_on,
                {c: _answers(rng, c, level, swemwbs_raw=after) for c in _scheduled(referral, E)},
            )
        elif closure.reason == ClosureReason.DISENGAGED:
            # Sent with the closing letter, in case they would still like to fill it in.
            with _back_dated(_moment(rng, closure.closed_on)):
                actions.create_measure_link(
                    referral, by=coordinator, instrument="swemwbs", timepoint=E
                )


def _ended_in_support(demo, rng) -> None:
    """End measures for two of Ffion's people a month past their planned end and still in
    support (the others past their end show as overdue on her home page)."""
    from linkwork.casework.models import SupportPlan

    plans = SupportPlan.objects.filter(
        referral__status=ReferralStatus.ALLOCATED,
        referral__allocations__ended_at__isnull=True,
        referral__allocations__coordinator__username="coordinator2",
        ends_on__lt=demo.today - datetime.timedelta(days=30),
    ).select_related("referral__site", "referral__person")
    for plan in plans.order_by("referral_id")[:2]:
        referral = plan.referral
        baseline = referral.measures.filter(instrument="swemwbs", timepoint=B).first()
        if baseline is None:
            continue
        after = min(35, baseline.raw + rng.randint(2, 8))
        _record(
            rng,
            referral,
            _coordinator(referral),
            E,
            plan.ends_on,
            {
                c: _answers(rng, c, _level_for(after), swemwbs_raw=after)
                for c in _scheduled(referral, E)
            },
        )


# --- Safeguarding -------------------------------------------------------------------------------


def _supported_by(username: str) -> list[Referral]:
    """The people a coordinator supports now, oldest referral first: those with a baseline
    before those without (safeguarding is shown on people whose measures have started)."""
    people = (
        Referral.objects.filter(
            status=ReferralStatus.ALLOCATED,
            allocations__ended_at__isnull=True,
            allocations__coordinator__username=username,
        )
        .select_related("site", "person", "referring_organisation")
        .order_by("pk")
        .distinct()
    )
    started = set(
        Measure.objects.filter(referral__in=people, instrument="swemwbs", timepoint=B).values_list(
            "referral_id", flat=True
        )
    )
    return sorted(people, key=lambda r: (r.pk not in started, r.pk))


def _days_ago(demo, days: int) -> datetime.date:
    return demo.today - datetime.timedelta(days=days)


def _item_9_prompts(demo, rng) -> None:
    """Two PHQ-9s with item 9 ("thoughts that you would be better off dead, or of hurting
    yourself") answered "several days", both for Gareth (`coordinator`)."""
    gareth = demo.users["coordinator"]
    first, second = _supported_by("coordinator")[:2]

    # Handled: a review six weeks or so ago; talked it through and agreed a safety plan.
    on = max(_first_session(first) + datetime.timedelta(days=14), _days_ago(demo, 40))
    on = min(on, _days_ago(demo, 2))
    with _back_dated(_moment(rng, on)):
        measure = actions.record_measure(
            first, by=gareth, instrument="phq9", timepoint=Timepoint.REVIEW,
            answers=_phq9(rng, 12, item9=1), completed_on=on,
        )  # fmt: skip
        safeguarding.handle_prompt(
            measure.safeguarding_prompt,
            by=gareth,
            action=PromptAction.SAFETY_PLAN,
            note="Talked it through at the session. Has had passing thoughts of being better "
            "off dead on a few bad nights lately, no plans or intent, and has never acted on "
            "them. Wrote a safety plan together: warning signs, who in the family to ring, "
            "and the C.A.L.L. helpline and NHS 111 press 2 numbers on the fridge. With their "
            "agreement, let the GP know the same day. Will ask again at every contact.",
        )
        safeguarding.raise_flag(
            first,
            by=gareth,
            kind=RiskKind.SUICIDAL_THOUGHTS,
            note="Passing thoughts on bad nights, no plan or intent. Safety plan agreed; GP "
            "informed. Ask at every contact.",
        )

    # Left open on purpose, so the prompt can be seen on Gareth's home page and the person's
    # record: the person filled in a review PHQ-9 through a link last night, and no one has
    # looked at it yet.
    _by_link(
        rng,
        second,
        gareth,
        "phq9",
        Timepoint.REVIEW,
        _phq9(rng, 14, item9=1),
        sent=_days_ago(demo, 3),
        done=_days_ago(demo, 1),
    )


def _risk_flags(demo, rng) -> None:
    gareth = demo.users["coordinator"]
    waiting = Referral.objects.filter(site__slug="powys", status=ReferralStatus.WAITING)
    fallen = waiting.filter(known_risks__icontains="fall").order_by("pk").first()
    fallen = fallen or waiting.order_by("pk").first()
    with _back_dated(_moment(rng, timezone.localdate(fallen.accepted_at))):
        safeguarding.raise_flag(
            fallen,
            by=gareth,
            kind=RiskKind.FALLS,
            note="Fell at home earlier this year; walks with a stick. Volunteer callers to ask "
            "about falls and check the pendant alarm is being worn.",
        )

    # A falls flag raised early in support and ended once it was no longer needed.
    people = _supported_by("coordinator")  # the first four show the other features
    steady = people[min(4, len(people) - 1)]
    raised_on = _first_session(steady)
    with _back_dated(_moment(rng, raised_on)):
        flag = safeguarding.raise_flag(
            steady,
            by=gareth,
            kind=RiskKind.FALLS,
            note="Two falls at home in the last six months; nervous on the stairs.",
        )
    ended_on = min(
        max(raised_on + datetime.timedelta(days=21), _days_ago(demo, 20)), _days_ago(demo, 1)
    )
    with _back_dated(_moment(rng, ended_on)):
        safeguarding.end_flag(
            flag,
            by=gareth,
            reason="Falls clinic assessment done and a stair rail fitted. No falls since, and "
            "walking outdoors with confidence. Agreed together that the flag "
            "is no longer needed.",
        )


def _concerns(demo, rng) -> None:
    users = demo.users
    gareth, ffion, rhys, manager = (
        users["coordinator"],
        users["coordinator2"],
        users["coordinator3"],
        users["manager"],
    )
    today = demo.today
    gareth_people = _supported_by("coordinator")

    # Rhondda, Ffion: self-neglect, passed to the MASH, answered, and closed with an outcome.
    person = _supported_by("coordinator2")[0]
    raised = _moment(rng, _days_ago(demo, 40))
    with _back_dated(raised):
        concern = safeguarding.raise_concern(
            person,
            by=ffion,
            kind=RiskKind.SELF_NEGLECT,
            summary="At a home visit the house was very cold and there was little food in. "
            "Had not collected repeat prescriptions for three weeks and said they had stopped "
            "seeing the point of cooking. Agreed to us asking adult services for help.",
        )
        escalation = safeguarding.escalate(
            concern,
            by=ffion,
            to=EscalatedTo.SOCIAL_SERVICES,
            to_detail="Cwm Taf Morgannwg Multi-Agency Safeguarding Hub (MASH)",
            at=raised + datetime.timedelta(minutes=40),
            method=EscalationMethod.ONLINE_FORM,
            response_due=_days_ago(demo, 33),
            reference="MASH-2611-0391",
        )
    _respond(
        rng,
        escalation,
        _days_ago(demo, 35),
        by=ffion,
        response="A duty social worker visited with Ffion. Accepted help with shopping and "
        "a care and support assessment; no further safeguarding enquiry needed.",
    )
    with _back_dated(_moment(rng, _days_ago(demo, 30))):
        safeguarding.close_concern(
            concern,
            by=ffion,
            outcome="Care and support assessment done: a daily call from the home care team "
            "and a weekly shop delivered. Eating regularly, heating on, prescriptions "
            "collected by the pharmacy. Self-neglect flag kept while support continues.",
        )

    # Powys, Gareth: financial abuse, passed to adult services and chased twice; a chase set a
    # new due date, so it is waiting but not overdue.
    person = gareth_people[2]
    escalation = _escalated(
        demo,
        rng,
        person,
        by=gareth,
        days_ago=14,
        due_in=10,
        kind=RiskKind.ABUSE,
        summary="Said a relative who visits has been using their bank card without asking and "
        "pressing them for more money. Frightened of upsetting the family. Agreed to us "
        "passing this on to adult safeguarding.",
        to=EscalatedTo.SOCIAL_SERVICES,
        to_detail="Powys adult safeguarding (Powys People Direct)",
        method=EscalationMethod.PHONE,
        reference="PPD-2611-0318",
    )
    with _back_dated(_moment(rng, _days_ago(demo, 6))):
        safeguarding.chase(
            escalation,
            by=gareth,
            method=EscalationMethod.PHONE,
            note="Spoke to the duty desk: the referral is with a social worker, who will ring "
            "this week.",
        )
    with _back_dated(_moment(rng, _days_ago(demo, 2))):
        safeguarding.chase(
            escalation,
            by=gareth,
            method=EscalationMethod.EMAIL,
            note="Emailed the duty team. The social worker is visiting later this week and "
            "will send their outcome after that.",
            next_due=today + datetime.timedelta(days=5),
        )

    # Powys, Gareth: self-neglect passed to the GP, chased once, and now overdue.
    person = gareth_people[3]
    practice = (
        person.referring_organisation.name if person.referring_organisation else "GP practice"
    )
    escalation = _escalated(
        demo,
        rng,
        person,
        by=gareth,
        days_ago=21,
        due_in=14,
        kind=RiskKind.SELF_NEGLECT,
        summary="Has lost weight and is not managing personal care; the house has got into a "
        "state they are embarrassed about. Not taking their medication regularly. Agreed to us "
        "asking the GP for a review and a district nurse visit.",
        to=EscalatedTo.GP,
        to_detail=f"{practice} (duty doctor)",
        method=EscalationMethod.PHONE,
    )
    with _back_dated(_moment(rng, _days_ago(demo, 5))):
        safeguarding.chase(
            escalation,
            by=gareth,
            method=EscalationMethod.PHONE,
            note="Left a message with the practice manager; the duty doctor will ring back. No "
            "new date given.",
        )

    # Rhondda, Rhys: financial abuse passed to the MASH, unanswered and overdue, not chased yet.
    person = _supported_by("coordinator3")[0]
    _escalated(
        demo,
        rng,
        person,
        by=rhys,
        days_ago=16,
        due_in=10,
        kind=RiskKind.ABUSE,
        summary="Told me a neighbour comes in most days, borrows money that is not paid back "
        "and takes shopping, and they feel unable to say no. Agreed to us telling adult "
        "services.",
        to=EscalatedTo.SOCIAL_SERVICES,
        to_detail="Cwm Taf Morgannwg Multi-Agency Safeguarding Hub (MASH)",
        method=EscalationMethod.ONLINE_FORM,
        reference="MASH-2611-0457",
    )

    # Rhondda waiting list: domestic abuse, told the police the same day; the police answered.
    waiting = Referral.objects.filter(site__slug="rhondda", status=ReferralStatus.WAITING)
    person = waiting.filter(known_risks__icontains="controlling").order_by("pk").first()
    person = person or waiting.order_by("pk").first()
    escalation = _escalated(
        demo,
        rng,
        person,
        by=ffion,
        days_ago=6,
        due_in=2,
        kind=RiskKind.DOMESTIC_ABUSE,
        summary="On a waiting-list check-in call, said their ex-partner has been coming to the "
        "house at night and has made threats. Frightened. Agreed we would tell the police "
        "straight away, and talked through what to do if the ex-partner comes back.",
        to=EscalatedTo.POLICE,
        to_detail="South Wales Police (101)",
        method=EscalationMethod.PHONE,
        reference="POL-2611-0193",
    )
    _respond(
        rng,
        escalation,
        _days_ago(demo, 5),
        by=manager,
        response="An officer visited the next morning. Risk assessment done and referred to "
        "the independent domestic violence adviser (IDVA) service; a marker is on the address "
        "for a fast response.",
    )


def _escalated(
    demo, rng, referral, *, by, days_ago, due_in, kind, summary, **escalation
) -> Escalation:
    """A concern raised and escalated the same day, `days_ago`, with a response due
    `due_in` days later."""
    day = _days_ago(demo, days_ago)
    raised = _moment(rng, day)
    with _back_dated(raised):
        concern = safeguarding.raise_concern(referral, by=by, kind=kind, summary=summary)
        return safeguarding.escalate(
            concern,
            by=by,
            at=raised + datetime.timedelta(minutes=rng.randint(20, 90)),
            response_due=day + datetime.timedelta(days=due_in),
            **escalation,
        )


def _respond(rng, escalation: Escalation, day: datetime.date, *, by, response: str) -> None:
    when = max(_moment(rng, day), escalation.at + datetime.timedelta(hours=2))
    with _back_dated(when):
        safeguarding.record_response(escalation, by=by, response=response, responded_at=when)

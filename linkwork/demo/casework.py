"""Casework for the demo service: what matters, goals, contacts, plans and a few closed cases.

Called by `linkwork.demo.service` once the referrals exist. Everything goes through the casework
actions, back-dated with the demo's `as_of`, so the demo looks like months of real work.
"""

import datetime

from django.utils import timezone

from linkwork.casework import actions, tallies
from linkwork.casework.models import (
    Agreement,
    ClientFeedback,
    Contact,
    ContactMode,
    ContactOutcome,
    GoalStatus,
    LifeDomain,
)
from linkwork.referrals.models import Referral
from linkwork.referrals.status import ClosureReason, ReferralStatus

# (domain, the goal in the person's words, graded steps)
GOALS = (
    (
        LifeDomain.SOCIAL,
        "Get to the Thursday coffee morning at the chapel",
        (
            "Go with Gareth the first time",
            "Go by taxi on my own",
            "Walk there with a neighbour",
        ),
    ),
    (LifeDomain.ACTIVITY, "Walk to the end of the road and back every day", ()),
    (LifeDomain.WELLBEING, "Sleep better and worry less at night", ()),
    (
        LifeDomain.MONEY,
        "Sort out the council tax arrears",
        (
            "Gather the letters",
            "Go to Citizens Advice with the LC",
            "Set up a payment plan",
        ),
    ),
    (LifeDomain.HOUSING, "Get the damp in the bedroom fixed", ()),
    (LifeDomain.WORK, "Find some volunteering, two mornings a week", ()),
    (LifeDomain.HOME, "Get help with the garden so I can sit out in it", ()),
    (LifeDomain.HEALTH, "Go back to the GP about my knee", ()),
    (LifeDomain.SOCIAL, "Phone my daughter once a week", ()),
    (
        LifeDomain.ACTIVITY,
        "Join the walking group on Saturdays",
        (
            "Meet the walk leader with the LC",
            "Do the short route",
            "Do the full route",
        ),
    ),
)
WHAT_MATTERS = (
    {
        "what_matters": "Getting out of the house again. Not feeling like a burden on the kids.",
        "strengths": "Used to sing in the choir. Good with her hands; knits for the grandchildren.",
        "getting_in_the_way": "Buses are every two hours. Anxious in crowds since the fall.",
        "people_around": "Daughter in Cardiff, phones on Sundays. A good neighbour, Mair.",
        "next_steps": "Find out about the coffee morning; Gareth to go with her the first time.",
    },
    {
        "what_matters": "Sorting the money out so I can sleep. Being a good dad.",
        "strengths": "Practical, likes fixing things. Was a mechanic for 20 years.",
        "getting_in_the_way": "Letters from the council he can't face opening. Low mood.",
        "people_around": "Two boys at weekends. Brother nearby but they don't talk much.",
        "next_steps": "Bring the letters next week; look at Citizens Advice together.",
    },
    {
        "what_matters": "Feeling part of something. Having a reason to get up.",
        "strengths": "Loves walking and dogs. Reads a lot.",
        "getting_in_the_way": "Doesn't know anyone since moving here. No car.",
        "people_around": "Lives alone. Sister in Swansea.",
        "next_steps": "Try the walking group; look at volunteering at the dogs' home.",
    },
)
CONTACT_NOTES = {
    ContactMode.HOME_VISIT: "Home visit. Talked through what matters; agreed goals.",
    ContactMode.FACE_TO_FACE: "Met at the library café. Reviewed goals; more settled.",
    ContactMode.TELEPHONE: "Phone call. Checked in after the group; went well.",
    ContactMode.VIDEO: "Video call with daughter joining. Planned next steps.",
    ContactMode.TEXT_OR_EMAIL: "Text reminder about Thursday; replied to say she'll go.",
    ContactMode.ACCOMPANIED: "Went with her to the coffee morning. Stayed an hour.",
}
CLOSURES = (
    (
        ClosureReason.GOALS_ACHIEVED,
        "Goals met: goes to the coffee morning on her own now and "
        "has joined the walking group. Happy to finish.",
    ),
    (
        ClosureReason.PERSON_CHOSE_TO_END,
        "Felt ready to carry on without support after 9 weeks; knows how to get back in touch.",
    ),
    (
        ClosureReason.DISENGAGED,
        "No reply to three calls and a letter over four weeks. Closed, "
        "with a letter explaining how to come back.",
    ),
)


def build_demo_casework(demo) -> list[tuple[Referral, object]]:
    """Add casework to every allocated person. Returns the long-running cases, which
    `close_demo_cases` can close once their social prescriptions are in place."""
    allocated = (
        Referral.objects.filter(status=ReferralStatus.ALLOCATED)
        .select_related("site", "person")
        .prefetch_related("allocations__coordinator")
        .order_by("pk")
    )
    long_running = []
    for referral in allocated:
        allocation = referral.allocations.get(ended_at__isnull=True)
        started = timezone.localdate(allocation.started_at) + datetime.timedelta(days=3)
        days_in = (demo.today - started).days
        if days_in < 1:
            continue
        coordinator = allocation.coordinator
        _support(demo, referral, coordinator, started, days_in)
        if days_in > 100 and coordinator.username != "coordinator2":
            long_running.append((referral, coordinator))
    return long_running


def close_demo_cases(demo, long_running) -> list[Referral]:
    """Close a few long-running cases (never the full caseload the demo shows off)."""
    rng = demo.rng
    closed = []
    # At most two from any one caseload, so every coordinator still has people to support.
    chosen, per_coordinator = [], {}
    for referral, coordinator in rng.sample(long_running, len(long_running)):
        if per_coordinator.get(coordinator.pk, 0) < 2 and len(chosen) < len(CLOSURES):
            chosen.append((referral, coordinator))
            per_coordinator[coordinator.pk] = per_coordinator.get(coordinator.pk, 0) + 1
    for (referral, coordinator), (reason, summary) in zip(chosen, CLOSURES, strict=False):
        with demo.as_of(demo.moment(2)):
            # How each goal still open ended, in keeping with why support ended.
            endings = (
                [GoalStatus.ACHIEVED]
                if reason == ClosureReason.GOALS_ACHIEVED
                else [GoalStatus.PARTLY_ACHIEVED, GoalStatus.NOT_ACHIEVED]
            )
            actions.close_case(
                referral,
                by=coordinator,
                reason=reason,
                summary=summary,
                closed_on=demo.today - datetime.timedelta(days=2),
                goal_outcomes={
                    goal.pk: rng.choice(endings)
                    for goal in referral.goals.filter(status=GoalStatus.ACTIVE)
                },
            )
            if reason != ClosureReason.DISENGAGED:
                actions.record_client_feedback(
                    referral,
                    completed_via=ClientFeedback.CompletedVia.WITH_COORDINATOR,
                    language=referral.person.preferred_language,
                    helpful=Agreement.STRONGLY_AGREE,
                    listened_to=Agreement.STRONGLY_AGREE,
                    involved_in_decisions=rng.choice([Agreement.AGREE, Agreement.STRONGLY_AGREE]),
                    preferred_mode=rng.choice(["face_to_face", "mix"]),
                    what_helped="Having someone come with me the first time.",
                    what_could_be_better="Shorter wait at the start.",
                )
        closed.append(referral)
    return closed


def _support(demo, referral: Referral, coordinator, started: datetime.date, days_in: int):
    rng = demo.rng
    at = demo.at_day
    with demo.as_of(at(started)):
        actions.set_support_plan(
            referral, by=coordinator, starts_on=started, planned_sessions=rng.choice([6, 8, 10])
        )
        actions.record_what_matters(referral, by=coordinator, **rng.choice(WHAT_MATTERS))
    goals = rng.sample(GOALS, rng.randint(1, 3))
    for domain, description, steps in goals:
        with demo.as_of(at(started)):
            goal = actions.add_goal(
                referral,
                by=coordinator,
                description=description,
                domain=domain,
                steps=list(steps),
                started_on=started,
            )
        score = rng.randint(1, 4)
        for week in range(4, min(days_in // 7, 16), 4):
            day = started + datetime.timedelta(weeks=week)
            score = min(10, score + rng.randint(0, 3))
            with demo.as_of(at(day)):
                actions.rate_goal(
                    goal, by=coordinator, score=score, note="Reviewed together.", rated_on=day
                )
        for step in list(goal.steps.all())[: rng.randint(0, len(steps))]:
            with demo.as_of(at(started)):
                actions.complete_goal_step(
                    step,
                    by=coordinator,
                    done_on=started + datetime.timedelta(days=7 * step.position),
                )
        if days_in > 70 and rng.random() < 0.3:
            outcome = rng.choice(
                [GoalStatus.ACHIEVED, GoalStatus.PARTLY_ACHIEVED, GoalStatus.NOT_ACHIEVED]
            )
            ended = started + datetime.timedelta(days=70)
            with demo.as_of(at(ended)):
                actions.end_goal(goal, by=coordinator, outcome=outcome, ended_on=ended)
    modes = list(ContactMode)
    # Weekly or fortnightly for the first twelve weeks, then every three weeks or so.
    weeks = list(range(0, min(days_in // 7, 12), rng.choice([1, 2])))
    weeks += list(range(12, days_in // 7, 2))
    for week in weeks:
        day = started + datetime.timedelta(weeks=week, days=rng.randint(0, 2))
        if day >= demo.today:
            break
        mode = modes[(week + referral.pk) % len(modes)] if week else ContactMode.HOME_VISIT
        mode = demo.lockdown_mode(day, mode)
        outcome = (
            ContactOutcome.ATTENDED
            if rng.random() < 0.85
            else rng.choice(
                [
                    ContactOutcome.DID_NOT_ATTEND,
                    ContactOutcome.CANCELLED_BY_PERSON,
                    ContactOutcome.CANCELLED_BY_SERVICE,
                ]
            )
        )
        with demo.as_of(at(day)):
            actions.log_contact(
                referral,
                by=coordinator,
                at=at(day),
                mode=mode,
                outcome=outcome,
                minutes=rng.choice([20, 30, 45, 60]),
                volunteer_present=rng.random() < 0.15,
                note=CONTACT_NOTES[mode],
            )
    if rng.random() < 0.6:
        # Booked yesterday, for the coming week.
        with demo.as_of(demo.moment(1)):
            actions.log_contact(
                referral,
                by=coordinator,
                at=demo.at_day(demo.today + datetime.timedelta(days=rng.randint(2, 9))),
                mode=rng.choice([ContactMode.TELEPHONE, ContactMode.HOME_VISIT]),
                outcome=ContactOutcome.BOOKED,
                note="Review of goals.",
            )
    # Most people still in support long after twelve weeks had it extended, with a reason;
    # a few are simply past their planned end, which the coordinator's home page shows.
    if days_in > 84 and rng.random() < 0.8:
        plan = referral.support_plan
        new_end = max(
            plan.ends_on + datetime.timedelta(weeks=4),
            demo.today + datetime.timedelta(days=rng.randint(5, 40)),
        )
        with demo.as_of(at(plan.ends_on - datetime.timedelta(days=7))):
            actions.extend_support(
                referral,
                by=coordinator,
                new_end=new_end,
                reason="We might be the only source of support she has; more time to "
                "settle into the walking group.",
            )


def build_demo_diary(demo, coordinator) -> list[Contact]:
    """Gareth's diary, whenever the demo is loaded: a home visit and a call later today (while
    the day has room for them), a visit later this week (unless the week is ending), and a
    call booked for yesterday whose outcome is still to record. Chosen without the demo's random
    numbers, from the first people on his caseload. Booked a few days ago, as the audit log says."""
    now = timezone.now()
    local = timezone.localtime(now)
    today = local.date()
    people = list(
        Referral.objects.filter(
            status=ReferralStatus.ALLOCATED,
            allocations__coordinator=coordinator,
            allocations__ended_at__isnull=True,
        ).order_by("pk")[:4]
    )
    if len(people) < 4:
        return []

    def on(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

    booked = []
    next_hour = (local + datetime.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    plans = [
        (people[0], next_hour, ContactMode.HOME_VISIT, 45, "Goal review."),
        (people[1], next_hour + datetime.timedelta(hours=2), ContactMode.TELEPHONE, 20, ""),
    ]
    plans = [plan for plan in plans if plan[1].date() == today]
    if today.weekday() < 5:  # Monday to Friday: the week has a day left
        plans.append(
            (
                people[2],
                on(today + datetime.timedelta(days=1), 11),
                ContactMode.ACCOMPANIED,
                90,
                "Going with her to the walking group for the first time.",
            )
        )
    with demo.as_of(now - datetime.timedelta(days=3)):
        for person, start, mode, minutes, note in plans:
            booked.append(
                actions.log_contact(
                    person,
                    by=coordinator,
                    at=start,
                    mode=mode,
                    outcome=ContactOutcome.BOOKED,
                    minutes=minutes,
                    note=note,
                )
            )
    # Booked last week for yesterday; what happened is not recorded yet.
    yesterday = Contact.objects.create(
        referral=people[3],
        at=on(today - datetime.timedelta(days=1), 14, 30),
        mode=ContactMode.TELEPHONE,
        outcome=ContactOutcome.BOOKED,
        minutes=20,
        note="Check-in call.",
        by=coordinator,
        created_at=now - datetime.timedelta(days=6),
    )
    tallies.count_contact(yesterday, people[3])
    return [*booked, yesterday]

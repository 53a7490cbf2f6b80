"""Demo social prescriptions, for `linkwork.demo.service`.

Call `build_demo_prescriptions(referrals, coordinators, rng)` with allocated referrals, after
they are allocated. People are referred on to services in the demo directory
(`demo.directory.build_demo_directory`, built here if it is not there yet), matched to sites by
the demo's site slugs ("powys", "rhondda"). Everything goes through `prescriptions.actions`
(services answer through their links, as they would), with emails held, and each step is
back-dated like the rest of the demo.
"""

import datetime
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db.models import QuerySet
from django.utils import timezone

from linkwork.audit.guard import suspended
from linkwork.core.email import emails_held
from linkwork.demo.directory import build_demo_directory
from linkwork.directory.models import Availability, AvailabilityChange, Service
from linkwork.prescriptions import actions
from linkwork.prescriptions.models import PrescriptionUpdate, ServiceLink, SocialPrescription
from linkwork.prescriptions.status import PrescriptionStatus
from linkwork.referrals.models import Referral
from linkwork.referrals.queries import current_allocation

P = PrescriptionStatus

# Requests, by how they read to the service (no names: consent is given only on some), keyed
# by the code of the service's first category in the demo directory's taxonomy.
ASKED_FOR = {
    "money": "A benefits check and help with a letter about council tax arrears.",
    "mental-health": "One-to-one support for anxiety, then a place on a wellbeing course.",
    "walking": "A place on the next walk; would like to start slowly.",
    "exercise-referral": "A place on the next course; has been inactive for a while.",
    "social": "A visit to see if it suits; would like someone to say hello at the door.",
    "befriending": "A befriender: lives alone and would like a weekly chat.",
    "lunch-clubs": "A place at the lunch club, and help getting there the first time.",
    "learning": "A place on the next course, or a one-to-one to get started.",
    "housing": "Help with rent arrears and a repair that has been outstanding for months.",
    "carers": "Support as a carer, and a break now and then.",
    "volunteering": "Volunteering outdoors, ideally with animals.",
    "bereavement": "Bereavement support after losing their partner last year.",
    "food": "A food parcel this week, and advice on what else might help.",
    "nature": "Outdoor volunteering in the garden, a morning a week to start with.",
    "arts": "A place in the group; used to enjoy this years ago and would like to try again.",
    "welsh": "A Welsh-speaking group to meet people; Welsh is their first language.",
    "transport": "Transport to a group on Thursdays.",
}

# How each status is reached, step by step: (days before now, what happens). "send" is the
# coordinator sending; "accept", "decline" and outcome statuses come through the service's link.
STORIES: dict[str, tuple[tuple[int, str], ...]] = {
    P.SUGGESTED: ((3, "make"),),
    P.SENT: ((6, "make"), (6, "send")),
    P.ACCEPTED: ((30, "make"), (29, "send"), (25, "accept")),
    P.ATTENDING: ((60, "make"), (59, "send"), (55, "accept"), (30, P.ATTENDING)),
    P.COMPLETED: ((120, "make"), (119, "send"), (110, "accept"), (85, P.ATTENDING),
                  (60, P.COMPLETED)),
    P.DECLINED_BY_PERSON: ((40, "make"), (39, "send"), (35, "accept"),
                           (20, P.DECLINED_BY_PERSON)),
    P.DECLINED_BY_SERVICE: ((25, "make"), (24, "send"), (20, "decline")),
    P.UNAVAILABLE: ((50, "make"), (49, "send"), (45, "accept"), (25, P.UNAVAILABLE)),
}  # fmt: skip
# Each answer comes within the 30 days a service link lasts.

NOTES = {
    "decline": "Sorry, we are full until the spring. Try us again in March.",
    P.ATTENDING: "Attended 4 sessions so far and joining in well.",
    P.COMPLETED: "Came every week to the end, and has made friends who meet up outside it.",
    P.DECLINED_BY_PERSON: "Came once, then told us it was not for them.",
    P.UNAVAILABLE: "The session they wanted has stopped running and the others are full. Sorry.",
}


@contextmanager
def _back_dated(when: datetime.datetime) -> Iterator[None]:
    """`demo.service.as_of`, plus the times this app's actions stamp."""
    from linkwork.demo.service import as_of  # the demo loader imports this module

    start = timezone.now()
    with as_of(when):
        yield
    # The history is append-only; the demo's fictional past is the deliberate exception.
    with suspended(PrescriptionUpdate):
        QuerySet(PrescriptionUpdate).filter(at__gte=start).update(at=when)
    SocialPrescription.objects.filter(created_at__gte=start).update(created_at=when)
    SocialPrescription.objects.filter(status_changed_at__gte=start).update(status_changed_at=when)
    for link in ServiceLink.objects.filter(created_at__gte=start):
        shift = when - link.created_at
        ServiceLink.objects.filter(pk=link.pk).update(
            created_at=when, expires_at=link.expires_at + shift
        )
    ServiceLink.objects.filter(used_at__gte=start).update(used_at=when)
    ServiceLink.objects.filter(revoked_at__gte=start).update(revoked_at=when)


def _moment(rng: random.Random, days_ago: int) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    start = datetime.datetime.combine(day, datetime.time(9, 0))
    return timezone.make_aware(start + datetime.timedelta(minutes=rng.randrange(480)))


def _moments(referral, steps, rng: random.Random) -> list[datetime.datetime]:
    """When each step happened: in order, after the allocation, and not in the future."""
    now = timezone.now()
    started = current_allocation(referral).started_at
    # Squeeze a story longer than the allocation into the time since it started.
    scale = min(1.0, max((now - started).days - 1, 0) / max(steps[0][0], 1))
    floor, moments = started, []
    for days_ago, _step in steps:
        moment = max(_moment(rng, round(days_ago * scale)), floor + datetime.timedelta(minutes=5))
        moments.append(moment)
        floor = moment
    overshoot = moments[-1] - (now - datetime.timedelta(minutes=1))
    if overshoot > datetime.timedelta(0):
        moments = [moment - overshoot for moment in moments]
    return moments


def _open_link(prescription: SocialPrescription) -> ServiceLink:
    return prescription.links.filter(used_at=None, revoked_at=None).latest("created_at")


def build_demo_prescriptions(
    referrals: Sequence[Referral], coordinators: Sequence, rng: random.Random
) -> list[SocialPrescription]:
    """Social prescriptions in every status across `referrals`, to demo directory services.

    `referrals` should be allocated; each prescription is made by the person's coordinator
    (from `coordinators`, else whoever holds the allocation). Steps happen in the past, at most
    four months ago, each to a service that is open now, has been since the prescription was
    made, and takes people of the person's age (sent ones need a referral email). At least two
    end "service unavailable". Returns the prescriptions made.
    """
    allocated = [r for r in referrals if current_allocation(r) is not None]
    if not allocated:
        return []
    build_demo_directory(sorted({r.site for r in allocated}, key=lambda s: s.pk))
    by_pk = {c.pk: c for c in coordinators}
    open_since = _open_since()
    open_at: dict[int, list[Service]] = {}  # site id: open services serving it
    made = []
    # Every status at least once, then a second round so most people have one or two; and a
    # second "service unavailable", so reports have more than one.
    statuses = list(STORIES) + rng.sample(list(STORIES), k=min(len(STORIES), len(allocated)))
    if statuses.count(P.UNAVAILABLE) < 2:
        statuses.append(P.UNAVAILABLE)
    with emails_held():
        for index, status in enumerate(statuses):
            referral = allocated[index % len(allocated)]
            allocation = current_allocation(referral)
            coordinator = by_pk.get(allocation.coordinator_id, allocation.coordinator)
            steps = STORIES[status]
            moments = _moments(referral, steps, rng)
            made_on = timezone.localdate(moments[0])
            age = referral.person.age_on(made_on)
            if referral.site_id not in open_at:
                open_at[referral.site_id] = list(
                    Service.objects.serving(referral.site)
                    .filter(availability=Availability.OPEN)
                    .prefetch_related("attributes__taxonomy_term__parent")
                    .order_by("pk")
                )
            services = [
                s
                for s in open_at[referral.site_id]
                if open_since.get(s.pk, made_on) < made_on
                and (s.minimum_age or 0) <= age <= (s.maximum_age or 200)
                and (status == P.SUGGESTED or s.referral_email)
            ]
            if not services:
                continue
            service = rng.choice(services)
            prescription = _play(
                referral, coordinator, service, steps, moments, rng, first=index == 0
            )
            made.append(prescription)
    return made


def build_chased_prescription(coordinator) -> SocialPrescription | None:
    """One prescription of `coordinator`'s that the service never answered: sent three weeks
    ago and chased a week later, so it "needs attention" on their home page. Chosen without
    the demo's random numbers (everything after this stays as it was): their longest-supported
    person whose allocation is old enough, and the first open service there that takes
    referrals by email."""
    now = timezone.now()
    sent_ago = datetime.timedelta(days=21)
    for referral in Referral.objects.filter(
        status="allocated", allocations__coordinator=coordinator, allocations__ended_at=None
    ).order_by("allocations__started_at", "pk"):
        started = current_allocation(referral).started_at
        if started > now - sent_ago - datetime.timedelta(days=1):
            continue
        services = (
            Service.objects.serving(referral.site)
            .filter(availability=Availability.OPEN)
            .exclude(referral_email="")
            .exclude(prescriptions__referral=referral)
            .order_by("pk")
        )
        age = referral.person.age_on(timezone.localdate())
        service = next(
            (s for s in services if (s.minimum_age or 0) <= age <= (s.maximum_age or 200)), None
        )
        if service is None:
            continue
        sent = (now - sent_ago).replace(hour=10, minute=0)
        chased = sent + datetime.timedelta(days=actions.chase_days())
        with emails_held():
            with _back_dated(sent):
                prescription = actions.make_prescription(
                    referral,
                    by=coordinator,
                    service=service,
                    asked_for=_asked_for(service),
                    send=True,
                )
            with _back_dated(chased):
                actions.chase_unanswered_links(now=chased)
        prescription.refresh_from_db()
        return prescription
    return None


def _open_since() -> dict[int, datetime.date]:
    """For each service, the day from which it has been open (or open but limited) ever since."""
    since: dict[int, datetime.date] = {}
    changes = AvailabilityChange.objects.order_by("service_id", "effective_on", "recorded_at", "pk")
    for service_id, day, availability in changes.values_list(
        "service_id", "effective_on", "availability"
    ):
        if availability in (Availability.OPEN, Availability.LIMITED):
            since.setdefault(service_id, day)
        else:
            since.pop(service_id, None)
    return since


def _asked_for(service: Service) -> str:
    for attribute in service.attributes.all():
        term = attribute.taxonomy_term
        for code in (term.code, term.parent.code if term.parent_id else ""):
            if code in ASKED_FOR:
                return ASKED_FOR[code]
    return "An introduction."


def _play(
    referral, coordinator, service, steps, moments, rng, *, first: bool
) -> SocialPrescription:
    prescription = None
    for when, (_days_ago, step) in zip(moments, steps, strict=True):
        with _back_dated(when):
            if step == "make":
                prescription = actions.make_prescription(
                    referral,
                    by=coordinator,
                    service=service,
                    asked_for=_asked_for(service),
                    accompany_first_visit=rng.random() < 0.4,
                    share_contact_details=first or rng.random() < 0.6,
                )
            elif step == "send":
                actions.change_status(prescription, by=coordinator, to_status=P.SENT)
            elif step in ("accept", "decline"):
                actions.respond_through_link(
                    _open_link(prescription),
                    accept=step == "accept",
                    reason=NOTES.get(step, ""),
                    now=when,
                )
            else:
                actions.record_outcome_through_link(
                    _open_link(prescription), outcome=step, note=NOTES[step], now=when
                )
    prescription.refresh_from_db()
    return prescription

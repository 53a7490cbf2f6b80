"""Demo community services and social prescriptions, for `linkwork.core.demo`.

Call `build_demo_prescriptions(referrals, coordinators, rng)` with allocated referrals, after
they are allocated. Everything goes through `prescriptions.actions` (services answer through
their links, as they would), with emails held, and each step is back-dated like the rest of the
demo. Services are matched to sites by the demo's site slugs ("powys", "rhondda").
"""

import datetime
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db.models import QuerySet
from django.utils import timezone

from linkwork.directory.models import Organization, Phone, Service
from linkwork.partners.models import Site
from linkwork.referrals.models import Referral
from linkwork.referrals.queries import current_allocation

from . import actions
from .models import PrescriptionUpdate, ServiceLink, SocialPrescription
from .status import PrescriptionStatus

P = PrescriptionStatus

# (name, organisation, description, email, phone, open, note, site slugs (empty: all))
SERVICES = (
    (
        "Citizens Advice Rhondda Cynon Taf",
        "Citizens Advice",
        "Benefits checks, debt advice and help with forms.",
        "advice@rct-cab.example.org",
        "01632 960101",
        True,
        "",
        ("rhondda",),
    ),
    (
        "Citizens Advice Powys",
        "Citizens Advice",
        "Benefits checks, debt advice and help with forms; outreach in Llanidloes on Tuesdays.",
        "advice@powys-cab.example.org",
        "01632 960102",
        True,
        "",
        ("powys",),
    ),
    (
        "Mind Aberystwyth and Powys",
        "Mind",
        "Peer support groups, wellbeing courses and one-to-one support.",
        "referrals@mind-powys.example.org",
        "01632 960103",
        True,
        "Waiting list of about 4 weeks for one-to-one support",
        ("powys",),
    ),
    (
        "Valleys walking group",
        "Rhondda Ramblers",
        "Gentle guided walks twice a week, meeting at Treorchy park.",
        "walks@rhondda-ramblers.example.org",
        "",
        True,
        "",
        ("rhondda",),
    ),
    (
        "Men's Shed Treorchy",
        "Men's Sheds Cymru",
        "Woodwork, repairs and a cuppa: a place for men to meet and make things.",
        "treorchy@mensshed.example.org",
        "01632 960105",
        True,
        "",
        ("rhondda",),
    ),
    (
        "Llanidloes Library reading group",
        "Powys Libraries",
        "A friendly monthly book group at the library.",
        "llanidloes.library@powys.example.org",
        "01632 960106",
        False,
        "Closed for refurbishment",
        ("powys",),
    ),
    (
        "Housing association tenancy support",
        "Cymoedd Housing",
        "Help to keep a tenancy: arrears, repairs and dealing with the landlord.",
        "tenancy.support@cymoedd-housing.example.org",
        "01632 960107",
        True,
        "",
        (),
    ),
    (
        "Stroke Association communication group",
        "Stroke Association",
        "A weekly group for people with aphasia after a stroke, and their families.",
        "wales@stroke.example.org",
        "01632 960108",
        True,
        "",
        (),
    ),
    (
        "Cyfle volunteering",
        "Powys Association of Voluntary Organisations",
        "Finds volunteering that fits: outdoors, with animals, in shops or cafés.",
        "volunteering@pavo.example.org",
        "01632 960109",
        True,
        "",
        ("powys",),
    ),
    (
        "Cruse Bereavement Support Wales",
        "Cruse",
        "One-to-one and group support after a bereavement.",
        "wales@cruse.example.org",
        "01632 960110",
        True,
        "",
        (),
    ),
    (
        "Chapel lunch club, Pentre",
        "Pentre Community Chapel",
        "A hot lunch and company every Wednesday.",
        "",
        "01632 960111",
        False,
        "Closed until January",
        ("rhondda",),
    ),
)

# Requests, by how they read to the service (no names: consent is given only on some).
ASKED_FOR = {
    "Citizens Advice": "A benefits check and help with a letter about council tax arrears.",
    "Mind": "One-to-one support for anxiety, then a place on a wellbeing course.",
    "Rhondda Ramblers": "A place on the Tuesday walk; would like to start slowly.",
    "Men's Sheds Cymru": "A visit to the shed to see if it suits; used to be a carpenter.",
    "Powys Libraries": "A place in the reading group.",
    "Cymoedd Housing": "Help with rent arrears and a repair that has been outstanding for months.",
    "Stroke Association": "A place in the communication group; his wife would like to come too.",
    "Powys Association of Voluntary Organisations": "Volunteering outdoors, ideally with animals.",
    "Cruse": "Bereavement support after losing her husband last year.",
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
    P.COMPLETED: "Completed the course; debt write-off agreed with two creditors.",
    P.DECLINED_BY_PERSON: "Came once, then told us it was not for them.",
    P.UNAVAILABLE: "Our funding ended and the group has stopped running.",
}


@contextmanager
def _back_dated(when: datetime.datetime) -> Iterator[None]:
    """`core.demo.as_of`, plus the times this app's actions stamp."""
    from linkwork.core.demo import as_of  # the demo loader imports this module

    start = timezone.now()
    with as_of(when):
        yield
    # The history is append-only; the demo's fictional past is the deliberate exception.
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


def build_demo_services(sites: Sequence[Site] | None = None) -> list[Service]:
    """The demo's community services (made once; matched to sites by slug)."""
    by_slug = {site.slug: site for site in (sites or Site.objects.all())}
    services = []
    for name, org, description, email, phone, is_open, note, slugs in SERVICES:
        organization, _ = Organization.objects.get_or_create(name=org or name)
        service, created = Service.objects.get_or_create(
            name=name,
            organization=organization,
            defaults={
                "description": description,
                "referral_email": email,
                "availability": "open" if is_open else "temporarily_closed",
                "availability_note": note,
            },
        )
        if created:
            service.sites.set([by_slug[slug] for slug in slugs if slug in by_slug])
            if phone:
                Phone.objects.create(service=service, number=phone)
        services.append(service)
    return services


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
    """Community services, and social prescriptions in every status across `referrals`.

    `referrals` should be allocated; each prescription is made by the person's coordinator
    (from `coordinators`, else whoever holds the allocation). Steps happen in the past, at most
    four months ago. Returns the prescriptions made.
    """
    allocated = [r for r in referrals if current_allocation(r) is not None]
    if not allocated:
        return []
    build_demo_services(sorted({r.site for r in allocated}, key=lambda s: s.pk))
    by_pk = {c.pk: c for c in coordinators}
    made = []
    # Every status at least once, then a second round so most people have one or two.
    statuses = list(STORIES) + rng.sample(list(STORIES), k=min(len(STORIES), len(allocated)))
    with actions.emails_held():
        for index, status in enumerate(statuses):
            referral = allocated[index % len(allocated)]
            allocation = current_allocation(referral)
            coordinator = by_pk.get(allocation.coordinator_id, allocation.coordinator)
            services = [
                s
                for s in Service.objects.serving(referral.site).open()
                if status == P.SUGGESTED or s.referral_email
            ]
            if not services:
                continue
            service = rng.choice(services)
            prescription = _play(referral, coordinator, service, status, rng, first=index == 0)
            made.append(prescription)
    return made


def _play(referral, coordinator, service, status, rng, *, first: bool) -> SocialPrescription:
    prescription = None
    steps = STORIES[status]
    for when, (_days_ago, step) in zip(_moments(referral, steps, rng), steps, strict=True):
        with _back_dated(when):
            if step == "make":
                prescription = actions.make_prescription(
                    referral,
                    by=coordinator,
                    service=service,
                    asked_for=ASKED_FOR.get(service.organization.name, "An introduction."),
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

"""Letters in the demo service: each site's letterhead (made-up addresses; the phone numbers
are in Ofcom's range kept for drama), the default wording, and a few letters made through the
actions: an appointment letter and an "unable to contact you" letter on Gareth's caseload, and
end-of-support letters (with one to the referrer) for people whose support just ended."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from linkwork.audit.guard import suspended
from linkwork.letters import actions
from linkwork.letters.defaults import DEFAULT_TEMPLATES
from linkwork.letters.drafting import Situation, default_recipient, why_not
from linkwork.letters.models import Letter, LetterKind, LetterTemplate
from linkwork.letters.queries import booked_contacts
from linkwork.referrals.models import Referral
from linkwork.referrals.status import ReferralStatus

# Wiped before the records they point at (`service.WIPED`); letterheads go with their sites, and
# the wording stays (it is the service's, seeded by migration).
LETTER_MODELS = (Letter,)

LETTERHEADS = {
    "powys": (
        "Cyswllt Cymunedol Powys",
        "Canolfan y Dref\nStryd Fawr\nLlanidloes\nSY18 6BN",
        "01632 960123",
        "powys@linkwork.example.org",
    ),
    "rhondda": (
        "Rhondda Community Link",
        "The Old Library\nStryd Bute\nTreorci\nCF42 6AH",
        "01632 960456",
        "rhondda@linkwork.example.org",
    ),
}


def _make(referral: Referral, by, kind: str, **choices) -> Letter:
    name, address = default_recipient(referral, kind)
    if kind == LetterKind.REFERRER:
        address += "\nHeol y Doctor\nLlanidloes\nSY18 6EY"
    return actions.make_letter(
        referral,
        by=by,
        kind=kind,
        language=choices.pop("language", referral.person.preferred_language),
        recipient_name=name,
        recipient_address=address or "Llanidloes",
        **choices,
    )


def build_demo_letters(demo) -> list[Letter]:
    """Made a couple of hours ago, as the audit log says (the demo's past is back-dated)."""
    when = demo.now - datetime.timedelta(hours=2)
    with demo.as_of(when):
        made = _build(demo)
    # Letters are kept as made; the demo's fictional past is the one deliberate exception.
    with suspended(Letter):
        QuerySet(Letter).filter(pk__in=[letter.pk for letter in made]).update(
            created_at=when, dated=timezone.localdate(when)
        )
    return made


def _build(demo) -> list[Letter]:
    admin = demo.users["admin"]
    for (kind, language), (subject, body) in DEFAULT_TEMPLATES.items():
        if not LetterTemplate.objects.filter(kind=kind, language=language).exists():
            actions.change_template(kind, language, by=admin, subject=subject, body=body)
    for slug, (service_name, address, phone, email) in LETTERHEADS.items():
        actions.save_letterhead(
            demo.sites[slug],
            by=demo.users["manager"],
            service_name=service_name,
            address=address,
            phone=phone,
            email=email,
        )

    made = []
    gareth = demo.users["coordinator"]
    caseload = list(
        Referral.objects.filter(
            status=ReferralStatus.ALLOCATED,
            allocations__coordinator=gareth,
            allocations__ended_at__isnull=True,
        )
        .select_related("person", "site", "referring_organisation")
        .order_by("pk")
    )
    for referral in caseload:
        if booked := booked_contacts(referral):
            made.append(_make(referral, gareth, LetterKind.APPOINTMENT, contact=booked[0]))
            break
    if caseload:
        made.append(_make(caseload[-1], gareth, LetterKind.NO_CONTACT))

    recently_closed = (
        Referral.objects.filter(
            status=ReferralStatus.CLOSED,
            closures__closed_on__gte=demo.today - datetime.timedelta(days=7),
        )
        .select_related("person", "site", "referring_organisation")
        .order_by("pk")
        .distinct()[:3]
    )
    told_a_referrer = False
    for referral in recently_closed:
        last = referral.allocations.select_related("coordinator").order_by("-started_at").first()
        if last is None:
            continue
        made.append(_make(referral, last.coordinator, LetterKind.END_OF_SUPPORT))
        if not told_a_referrer and not why_not(Situation.of(referral), LetterKind.REFERRER):
            made.append(_make(referral, last.coordinator, LetterKind.REFERRER, language="en"))
            told_a_referrer = True
    return made

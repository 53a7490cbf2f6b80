"""The demo's partners: named contacts, and a year of engagement with them, for
`linkwork.demo.service`.

What the report says happened: letters to every GP practice when the pathways opened (and again
when GP referral widened to all patients), practice visits, MDT meetings attended month after
month, steering groups, and training for the crisis team when its pathway opened. At Powys the
service kept writing to and visiting Elan Valley Surgery after it stopped referring, which is
the engagement that did not produce referrals. Referrals themselves are built elsewhere.

Everything goes through `engagement.actions`, back-dated like the rest of the demo.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.utils import timezone

from linkwork.directory.models import Organization
from linkwork.engagement import actions
from linkwork.engagement.models import (
    ActivityKind,
    EngagementActivity,
    PartnerContact,
    PartnerKind,
    SiteEngagementSettings,
)
from linkwork.engagement.queries import Partner

if TYPE_CHECKING:
    from linkwork.demo.service import Demo

# For `demo.service.wipe`.
ENGAGEMENT_MODELS = (EngagementActivity, PartnerContact, SiteEngagementSettings)

K = ActivityKind

# Contacts at each referring organisation (key in demo.service.ORGANISATIONS): (name, role,
# email, phone, notes). Emails at example domains, phones in Ofcom's drama range.
REFERRING_CONTACTS = {
    "llanidloes": (
        ("Carol Bebb", "Practice manager", "carol.bebb@llanidloes-hc.example.org",
         "01632 960101", "Chairs the monthly MDT meeting, first Tuesday of the month."),
        ("Dr Nia Rowlands", "GP lead for mental health", "nia.rowlands@llanidloes-hc.example.org",
         "", ""),
    ),
    "newtown": (
        ("Gwyn Pryce", "Practice manager", "gwyn.pryce@severnvalley.example.org", "01632 960102",
         "New in post since the spring; the previous manager, Janet Hughes, has left."),
        ("Janet Hughes", "Practice manager (until the spring)", "", "", ""),
        ("Dr Mark Ellis", "GP partner", "mark.ellis@severnvalley.example.org", "", ""),
    ),
    "elan": (
        ("Dr Huw Pugh", "GP partner, mental health lead", "huw.pugh@elanvalley.example.org",
         "01632 960104", "Referred often in the first months; very busy since the winter."),
        ("Bethan Watkin", "Practice manager", "bethan.watkin@elanvalley.example.org", "", ""),
    ),
    "treorchy": (
        ("Lisa Howells", "Practice manager", "lisa.howells@treorchy-hc.example.org",
         "01632 960103", ""),
    ),
    "tonypandy": (
        ("Dr Sara Pugh", "GP partner", "sara.pugh@tonypandy-fp.example.org", "", ""),
        ("Helen Watkins", "Reception team leader", "", "01632 960104",
         "Knows which GPs have referred; good first call."),
    ),
    "ambulance": (
        ("Tom Bevan", "Frequent caller lead, Mid and West", "tom.bevan@ambulance.example.org",
         "01632 960105", ""),
    ),
    "crisis_powys": (
        ("Jo Evans", "Community psychiatric nurse", "jo.evans@crisis-powys.example.org", "", ""),
        ("Mike Rowe", "Team manager", "mike.rowe@crisis-powys.example.org", "01632 960106", ""),
    ),
    "crisis_rhondda": (
        ("Kelly Harries", "Mental health practitioner", "kelly.harries@crisis-rct.example.org",
         "", ""),
    ),
    "council_powys": (
        ("Gwenllian Roberts", "Family support worker", "", "01632 960107", ""),
    ),
    "council_rhondda": (
        ("Danielle Lewis", "Lead worker", "danielle.lewis@rct-taf.example.org", "", ""),
    ),
    "primary_powys": (
        ("Steve Marsh", "Primary care mental health practitioner",
         "steve.marsh@pmht-powys.example.org", "", "The pilot closed; still happy to be asked."),
    ),
}  # fmt: skip

# Contacts at a few receiving organisations (by their name in the demo directory).
RECEIVING_CONTACTS = {
    "Citizens Advice Powys": (
        ("Ruth Morgan", "Advice services manager", "ruth.morgan@powys-advice.example.org",
         "01632 960110", "Takes referrals by secure link; ring if urgent."),
    ),
    "Powys Befriending Network": (
        ("Eleri James", "Volunteer coordinator", "eleri@powysbefriending.example.org", "", ""),
    ),
    "Citizens Advice Rhondda Cynon Taf": (
        ("Owen Price", "Team leader", "owen.price@rct-advice.example.org", "01632 960111", ""),
    ),
    "Valleys Mind": (
        ("Sophie Rees", "Wellbeing services lead", "sophie.rees@valleysmind.example.org", "", ""),
    ),
}  # fmt: skip

# (organisation key, site, days ago, kind, who recorded it, summary). Months are counted back
# from today; "coordinator" is the site's first link coordinator.
LETTER_OPENING = (
    "Letter introducing the service and the frequent-attender pathway, with the referral form "
    "and the eligibility criteria."
)
LETTER_WIDENED = (
    "Letter: GP referral is now open to all patients, not only frequent attenders. Enclosed "
    "posters for the waiting room."
)
REFERRING_ACTIVITIES = (
    # When the frequent-attender pathways opened, about eleven months ago.
    *((org, site, 345, K.LETTER, "manager", LETTER_OPENING)
      for org, site in (("llanidloes", "powys"), ("newtown", "powys"), ("elan", "powys"),
                        ("treorchy", "rhondda"), ("tonypandy", "rhondda"))),
    ("ambulance", "powys", 340, K.EMAIL, "manager",
     "Email to the frequent caller lead with the pathway details and a contact at each site."),
    ("llanidloes", "powys", 330, K.VISIT, "manager",
     "Visited the practice meeting: ten minutes on who to refer, questions from two GPs."),
    ("newtown", "powys", 325, K.VISIT, "manager",
     "Visited the practice manager; agreed to put the referral form on their clinical system."),
    ("treorchy", "rhondda", 320, K.VISIT, "manager",
     "Practice meeting at Treorchy; the nurses asked about self-referral."),
    ("primary_powys", "powys", 300, K.STEERING_GROUP, "manager",
     "Pilot steering group: agreed the referral route and a review after three months."),
    # Monthly MDT meetings at Llanidloes; every other month at Treorchy.
    *(("llanidloes", "powys", days, K.MDT_MEETING, "coordinator",
       "Attended the practice MDT meeting; two people discussed as possible referrals.")
      for days in (300, 270, 240, 210, 180, 150, 120, 90, 60, 30)),
    *(("treorchy", "rhondda", days, K.MDT_MEETING, "coordinator",
       "Attended the MDT meeting; the practice will refer one of the people discussed.")
      for days in (290, 230, 170, 110, 50)),
    # GP referral widened to all patients six months ago.
    *((org, site, 185, K.LETTER, "manager", LETTER_WIDENED)
      for org, site in (("llanidloes", "powys"), ("newtown", "powys"),
                        ("treorchy", "rhondda"), ("tonypandy", "rhondda"))),
    # The crisis teams' pathways, about five and four months ago.
    ("crisis_powys", "powys", 150, K.TRAINING, "manager",
     "Training session for the crisis team as their pathway opened: who the service is for, "
     "what it is not for, and how to refer. Eight staff attended."),
    ("crisis_powys", "powys", 95, K.STEERING_GROUP, "manager",
     "Mental health partnership steering group: the crisis team reported the first referrals "
     "had gone well."),
    ("crisis_rhondda", "rhondda", 118, K.TRAINING, "manager",
     "Training for the crisis team on the new pathway, at their team meeting."),
    ("council_powys", "powys", 88, K.STEERING_GROUP, "manager",
     "Team Around the Family steering group: presented the local authority pathway."),
    ("council_rhondda", "rhondda", 85, K.EMAIL, "manager",
     "Email with the local authority pathway details and the referral form."),
    ("tonypandy", "rhondda", 140, K.VISIT, "manager",
     "Visited the practice; spoke to reception about where the referral forms are kept."),
    ("ambulance", "rhondda", 75, K.STEERING_GROUP, "manager",
     "Frequent callers steering group with the ambulance service and the health board."),
    # Elan Valley Surgery stopped referring about four months ago: the service wrote, rang
    # and visited, and no referrals followed.
    ("elan", "powys", 100, K.EMAIL, "manager",
     "Emailed the practice manager: no referrals for a while, is anything getting in the way?"),
    ("elan", "powys", 70, K.LETTER, "manager",
     "Letter to all the partners with the service's first results and a new referral form."),
    ("elan", "powys", 45, K.VISIT, "manager",
     "Visited the new practice manager, who had not heard of the service. Left leaflets."),
    ("elan", "powys", 20, K.MDT_MEETING, "coordinator",
     "Offered to attend their MDT meeting; attended, but no one was discussed as a referral."),
    ("elan", "powys", 8, K.LETTER, "manager",
     "Follow-up letter to the GP partners, copied to the practice manager."),
)  # fmt: skip

RECEIVING_ACTIVITIES = (
    ("Citizens Advice Powys", "powys", 200, K.VISIT, "manager",
     "Met the advice team to agree how they answer the service's secure links."),
    ("Powys Befriending Network", "powys", 120, K.EMAIL, "coordinator",
     "Asked about the waiting time for a befriender; about six weeks at the moment."),
    ("Citizens Advice Rhondda Cynon Taf", "rhondda", 160, K.STEERING_GROUP, "manager",
     "Community partners steering group: money advice waiting times."),
    ("Valleys Mind", "rhondda", 60, K.VISIT, "coordinator",
     "Visited the wellbeing hub and met the new group leaders."),
)  # fmt: skip


def _user(demo: Demo, who: str, site: str):
    if who == "coordinator":
        return demo.site_coordinators(site)[0]
    return demo.users[who]


@contextmanager
def _back_dated(demo: Demo, when: datetime.datetime) -> Iterator[None]:
    """`demo.as_of`, plus the times this app's actions stamp."""
    start = timezone.now()
    with demo.as_of(when):
        yield
    EngagementActivity.objects.filter(recorded_at__gte=start).update(recorded_at=when)
    PartnerContact.objects.filter(created_at__gte=start).update(created_at=when, changed_at=when)


def _partner(kind: str, organisation) -> Partner:
    # The demo records engagement at sites it names; no page is involved, so no site scope.
    return Partner(kind, organisation, frozenset())


def build_demo_engagement(demo: Demo) -> None:
    """Contacts at every referring organisation and a few receiving ones, and a year of
    engagement with them."""
    manager = demo.users["manager"]
    added = demo.at_day(demo.today - datetime.timedelta(days=350))
    receiving = {o.name: o for o in Organization.objects.filter(name__in=RECEIVING_CONTACTS)}
    with _back_dated(demo, added):
        for key, contacts in REFERRING_CONTACTS.items():
            partner = _partner(PartnerKind.REFERRING, demo.organisations[key])
            for contact in contacts:
                _add(partner, manager, contact)
        for name, contacts in RECEIVING_CONTACTS.items():
            if name in receiving:
                for contact in contacts:
                    _add(_partner(PartnerKind.RECEIVING, receiving[name]), manager, contact)
    # The practice manager who left is no longer a current contact.
    left = PartnerContact.objects.get(name="Janet Hughes")
    with _back_dated(demo, demo.at_day(demo.today - datetime.timedelta(days=130))):
        actions.change_contact(left, by=manager, details={**_details(left), "is_current": False})

    activities = [
        (PartnerKind.REFERRING, demo.organisations[key], *rest)
        for key, *rest in REFERRING_ACTIVITIES
    ] + [
        (PartnerKind.RECEIVING, receiving[name], *rest)
        for name, *rest in RECEIVING_ACTIVITIES
        if name in receiving
    ]
    for kind, organisation, site, days, activity, who, summary in sorted(
        activities, key=lambda a: -a[3]
    ):
        day = demo.today - datetime.timedelta(days=days)
        with _back_dated(demo, demo.at_day(day) + datetime.timedelta(hours=6)):
            actions.record_activity(
                _partner(kind, organisation),
                by=_user(demo, who, site),
                site=demo.sites[site],
                kind=activity,
                happened_on=day,
                summary=summary,
                sites=[demo.sites[site]],
            )


def _add(partner: Partner, by, contact: tuple) -> None:
    name, role, email, phone, notes = contact
    actions.add_contact(
        partner,
        by=by,
        details={"name": name, "role": role, "email": email, "phone": phone, "notes": notes},
    )


def _details(contact: PartnerContact) -> dict:
    return {
        "name": contact.name,
        "role": contact.role,
        "email": contact.email,
        "phone": contact.phone,
        "notes": contact.notes,
        "is_current": contact.is_current,
    }

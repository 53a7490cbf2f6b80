"""A believable demo service: two Welsh sites, their partners and staff, and about sixty
referrals at every step of the pathway. Loaded by `manage.py load_demo`.

Everything is built through the real actions (`referrals.actions`), so the status history and
audit log are what the service itself would have written. Actions stamp the current time, so
each step runs inside `as_of(when)`, which re-stamps what the step wrote to the moment it
happened in the story. Dates are relative to today, so the demo always looks current. The
finished cases of the months before, and the service's own timeline, come last, from
`demo.history`, which writes in bulk what the actions would have written.

Every person is made up: NHS numbers are in the 999 range reserved for testing, mobile numbers in
Ofcom's drama range (07700 900xxx), landlines in 01632 960xxx, emails at example domains.
"""

import base64
import datetime
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult

from linkwork.accounts.models import Role, User
from linkwork.audit import chain
from linkwork.audit.guard import suspended
from linkwork.audit.models import AuditEvent, ChainRewrite
from linkwork.casework import tallies
from linkwork.casework.models import (
    ClientFeedback,
    Closure,
    ContactDay,
    ContactMode,
    CoordinatorReminder,
    FeedbackLink,
    FirstContact,
    Goal,
    GoalRating,
    GoalStep,
    PlanExtension,
    SupportPlan,
    WhatMatters,
)
from linkwork.casework.models import Contact as CaseContact
from linkwork.casework.models import (
    ContactNoteCorrection as CaseContactNoteCorrection,
)
from linkwork.core.email import emails_held
from linkwork.demo.casework import build_demo_casework, build_demo_diary, close_demo_cases
from linkwork.demo.directory import (
    DIRECTORY_MODELS,
    build_demo_directory,
    build_demo_unmet_needs,
)
from linkwork.demo.engagement import ENGAGEMENT_MODELS, build_demo_engagement
from linkwork.demo.history import build_demo_history
from linkwork.demo.letters import LETTER_MODELS, build_demo_letters
from linkwork.demo.outcomes import build_demo_baselines, build_demo_outcomes
from linkwork.demo.prescriptions import build_chased_prescription, build_demo_prescriptions
from linkwork.demo.reports import REPORT_MODELS, build_demo_reports
from linkwork.demo.trials import TRIAL_MODELS, build_demo_trials
from linkwork.messaging.models import ReferrerMessage
from linkwork.outcomes.models import (
    InstrumentSetting,
    Measure,
    MeasureLink,
    ScheduledInstrument,
    SiteOutcomeSettings,
)
from linkwork.partners.models import Organisation, Site, SourceType
from linkwork.prescriptions.models import (
    PrescriptionUpdate,
    ServiceLink,
    SocialPrescription,
)
from linkwork.referrals import actions, derived
from linkwork.referrals.models import (
    Allocation,
    CorrectionReason,
    InterimContact,
    InterimContactCorrection,
    Language,
    Need,
    OpenedWithReason,
    Pathway,
    PathwayVersion,
    Person,
    PersonDetailsChange,
    ReceivedVia,
    Referral,
    StatusChange,
    WaitingSpell,
)
from linkwork.referrals.queries import possible_duplicates
from linkwork.referrals.search import fold
from linkwork.referrals.status import DeclineReason, Priority, ReferralStatus, WithdrawalReason
from linkwork.safeguarding.models import (
    Escalation,
    EscalationChase,
    EscalationReminder,
    RiskFlag,
    SafeguardingConcern,
    SafeguardingPrompt,
)
from linkwork.subjects import actions as subject_actions
from linkwork.subjects import erasure as subject_erasure
from linkwork.subjects import exports as subject_exports
from linkwork.subjects import sweep as retention_sweep
from linkwork.subjects.models import (
    Anonymisation,
    ErasureRequest,
    ProcessingRecord,
    RectificationRequest,
    RetentionRun,
    SubjectAccessRequest,
)

SEED = 2026
# Lockdown, so many days ago: from the day the Rhondda trial closed for COVID-19 until
# restrictions eased. Support was by telephone and video only (`Demo.in_lockdown`).
LOCKDOWN = (215, 152)
PASSWORD = "linkwork-demo"  # noqa: S105 - a published demo password, for a demo database only
# The demo account that shows two-factor sign-in, and its authenticator's secret (base32, as an
# app takes it; published in the README, for a demo database only): its code is
# `oathtool --totp -b NRUW423XN5ZGWLLEMVWW6LJSMZQSCIJB`.
TWO_FACTOR_USER = "admin"
TWO_FACTOR_SECRET = "NRUW423XN5ZGWLLEMVWW6LJSMZQSCIJB"  # noqa: S105 - published, demo only

S = ReferralStatus
GP = SourceType.GP_PRACTICE
AMBULANCE = SourceType.AMBULANCE
CRISIS = SourceType.CRISIS_TEAM
PRIMARY = SourceType.PRIMARY_MENTAL_HEALTH
COUNCIL = SourceType.LOCAL_AUTHORITY
SELF = SourceType.SELF_REFERRAL

# --- The service -------------------------------------------------------------------------------

# slug: (name, health board, setting)
SITES = {
    "powys": ("Powys Rural", "Powys Teaching Health Board", Site.Setting.RURAL),
    "rhondda": (
        "Rhondda Valleys",
        "Cwm Taf Morgannwg University Health Board",
        Site.Setting.VALLEYS,
    ),
}

# key: (name, source type, code, the people who refer from there)
ORGANISATIONS = {
    "llanidloes": ("Llanidloes Health Centre", GP, "W91001", ("Dr Alun Hughes", "Dr Nia Rowlands")),
    "newtown": ("Severn Valley Surgery", GP, "W91002", ("Dr Mark Ellis", "Nurse Beth Corfield")),
    "treorchy": ("Treorchy Health Centre", GP, "W93001", ("Dr Rhian Jenkins", "Dr Imran Shah")),
    "tonypandy": ("Tonypandy Family Practice", GP, "W93002", ("Dr Sara Pugh", "Dr Dewi Rees")),
    "ambulance": (
        "Welsh Ambulance Services NHS Trust",
        AMBULANCE,
        "",
        ("Paramedic Tom Bevan", "Paramedic Leah Morris"),
    ),
    "crisis_powys": (
        "Powys Crisis Resolution and Home Treatment Team",
        CRISIS,
        "",
        ("Jo Evans, community psychiatric nurse",),
    ),
    "crisis_rhondda": (
        "Rhondda Crisis Resolution and Home Treatment Team",
        CRISIS,
        "",
        ("Kelly Harries, mental health practitioner",),
    ),
    "council_powys": (
        "Powys Team Around the Family",
        COUNCIL,
        "",
        ("Gwenllian Roberts, family support worker",),
    ),
    "council_rhondda": (
        "Rhondda Cynon Taf Team Around the Family",
        COUNCIL,
        "",
        ("Danielle Lewis, lead worker",),
    ),
    "primary_powys": (
        "North Powys Primary Mental Health Team",
        PRIMARY,
        "",
        ("Steve Marsh, primary care mental health practitioner",),
    ),
    "wellbeing_trust": ("Valleys Community Wellbeing Trust", SourceType.THIRD_SECTOR, "", ()),
    # Referred steadily in the service's first months, then stopped (only the history, in
    # `demo.history`, refers from it, so it is not among PARTNERS below).
    "elan": ("Elan Valley Surgery", GP, "W91003", ("Dr Huw Pugh", "Nurse Anwen Lloyd")),
}

# Which partners refer to which site, by source type.
PARTNERS = {
    "powys": {
        GP: ("llanidloes", "newtown"),
        AMBULANCE: ("ambulance",),
        CRISIS: ("crisis_powys",),
        COUNCIL: ("council_powys",),
        PRIMARY: ("primary_powys",),
    },
    "rhondda": {
        GP: ("treorchy", "tonypandy"),
        AMBULANCE: ("ambulance",),
        CRISIS: ("crisis_rhondda",),
        COUNCIL: ("council_rhondda",),
    },
}

# The service's history: (site, name, source type, opens / closes so many months ago (on the
# 1st), frequent attenders only, organisations allowed (empty: every one of the type)).
# It began with GP practices and the ambulance service for frequent attenders; GP referral
# widened to all patients six months ago (the old pathway closed, a new one opened, so reports
# can compare before and after); the crisis teams and local authorities came later, and the
# Rhondda site opened self-referral. Powys ran a primary mental health pilot that has closed.
PATHWAYS = (
    (
        "powys",
        "GP practices (frequent attenders)",
        GP,
        11,
        6,
        True,
        ("llanidloes", "newtown", "elan"),
    ),
    ("powys", "GP practices (all patients)", GP, 6, None, False, ()),
    ("powys", "Ambulance service (frequent callers)", AMBULANCE, 11, None, True, ()),
    ("powys", "Mental health crisis team", CRISIS, 5, None, False, ()),
    ("powys", "Local authority", COUNCIL, 3, None, False, ()),
    ("powys", "Primary mental health team (pilot)", PRIMARY, 10, 7, False, ("primary_powys",)),
    ("rhondda", "GP practices (frequent attenders)", GP, 11, 6, True, ("treorchy", "tonypandy")),
    ("rhondda", "GP practices (all patients)", GP, 6, None, False, ()),
    ("rhondda", "Ambulance service (frequent callers)", AMBULANCE, 11, None, True, ()),
    ("rhondda", "Mental health crisis team", CRISIS, 4, None, False, ()),
    ("rhondda", "Local authority", COUNCIL, 3, None, False, ()),
    ("rhondda", "Self-referral", SELF, 2, None, False, ()),
)
# What people using Linkwork in Welsh read instead.
PATHWAY_NAMES_CY = {
    "GP practices (frequent attenders)": "Practisau meddygon teulu (mynychwyr cyson)",
    "GP practices (all patients)": "Practisau meddygon teulu (pob claf)",
    "Ambulance service (frequent callers)": "Gwasanaeth ambiwlans (galwyr cyson)",
    "Mental health crisis team": "Tîm argyfwng iechyd meddwl",
    "Local authority": "Awdurdod lleol",
    "Primary mental health team (pilot)": "Tîm iechyd meddwl sylfaenol (cynllun peilot)",
    "Self-referral": "Hunangyfeirio",
}

# username: (first name, last name, role, sites, organisation, caseload cap)
USERS = {
    "admin": ("Owain", "Thomas", Role.ADMINISTRATOR, (), None, None),
    "manager": ("Sian", "Morgan", Role.MANAGER, ("powys", "rhondda"), None, None),
    "coordinator": ("Gareth", "Price", Role.COORDINATOR, ("powys",), None, 15),
    "coordinator2": ("Ffion", "Davies", Role.COORDINATOR, ("rhondda",), None, 15),
    "coordinator3": ("Rhys", "Bowen", Role.COORDINATOR, ("rhondda",), None, 10),
    "referrer": ("Alun", "Hughes", Role.REFERRER, (), "llanidloes", None),
    "researcher": ("Catrin", "Lloyd", Role.RESEARCHER, (), None, None),
    "trialmanager": ("Mair", "Owen", Role.TRIAL_MANAGER, (), None, None),
}
# Link coordinators' first days, so many days ago (the others started with the service, twelve
# months ago). Rhys joined Rhondda as its third coordinator when its waiting list grew.
STARTED_DAYS_AGO = {"coordinator3": 130}
# A link coordinator who has left: (first name, last name, site, caseload cap, last day so many
# days ago). Lowri held Rhondda's second caseload from the start, through the trial, handed some
# of her people to Rhys when he started, and left a month ago. Built after the directory and
# the unmet needs (which today's staff keep) and signed out at the end.
FORMER_USERS = {
    "formercoordinator": ("Lowri", "Jenkins", "rhondda", 15, 30),
}

FACE_TO_FACE = (ContactMode.HOME_VISIT, ContactMode.FACE_TO_FACE, ContactMode.ACCOMPANIED)

# --- The people referred -----------------------------------------------------------------------

# Stories that say "she" or "he" pick from the matching list; others from either.
WOMEN = (
    "Angharad", "Bethan", "Carys", "Cerys", "Dilys", "Eirlys", "Elin", "Glenys", "Gwen",
    "Gwyneth", "Lowri", "Mared", "Siân", "Nia", "Rhiannon", "Sioned", "Amy", "Carol", "Chloe",
    "Donna", "Hayley", "Joan", "Julie", "Karen", "Kayleigh", "Lisa", "Margaret", "Michelle",
    "Sharon", "Tracey",
)  # fmt: skip
MEN = (
    "Aled", "Dafydd", "Dylan", "Emyr", "Eurig", "Geraint", "Huw", "Llŷr", "Ieuan", "Iwan",
    "Osian", "Tomos", "Brian", "Darren", "Gary", "Jason", "Jordan", "Keith", "Kevin", "Lee",
    "Mark", "Paul", "Ronald", "Ryan", "Stephen", "Wayne",
)  # fmt: skip
FAMILY_NAMES = (
    "Bevan", "Bowen", "Davies", "Edwards", "Evans", "Griffiths", "Harries", "Howells", "Hughes",
    "Jenkins", "Jones", "Lewis", "Lloyd", "Meredith", "Morgan", "Owen", "Parry", "Phillips",
    "Powell", "Pritchard", "Probert", "Prosser", "Rees", "Roberts", "Thomas", "Vaughan",
    "Watkins", "Williams", "Baker", "Brown", "Clarke", "Cooper", "Hall", "Harris", "Smith",
    "Taylor", "Turner", "Walker", "Wilson", "Wood",
)  # fmt: skip

# site: ((town, postcode district), ...) and made-up streets
TOWNS = {
    "powys": (
        ("Llanidloes", "SY18"),
        ("Newtown", "SY16"),
        ("Caersws", "SY17"),
        ("Rhayader", "LD6"),
        ("Llandrindod Wells", "LD1"),
    ),
    "rhondda": (
        ("Treorchy", "CF42"),
        ("Treherbert", "CF42"),
        ("Tonypandy", "CF40"),
        ("Porth", "CF39"),
        ("Ferndale", "CF43"),
        ("Pentre", "CF41"),
    ),
}
STREETS = {
    "powys": (
        "Heol Hafren", "Maes y Dderwen", "Ffordd y Felin", "Bryn Teg", "Clos yr Eglwys",
        "Dolydd Road", "Upper Green Lane", "Pen y Bont Terrace",
    ),
    "rhondda": (
        "Glanyrafon Terrace", "Brynhyfryd Road", "Station Terrace", "Chapel Street",
        "Mountain View", "Colliery Row", "Heol y Cwm", "Park Place",
    ),
}  # fmt: skip
WELSH_SPEAKERS = {"powys": 0.25, "rhondda": 0.1}
BEST_TIMES = ("Mornings", "Afternoons", "After 3pm", "Any time", "Not before 10am", "")


@dataclass(frozen=True)
class Story:
    """Why someone was referred, as the referrer wrote it."""

    ages: tuple[int, int]
    needs: tuple[str, ...]
    detail: str
    risks: str = ""
    routine: bool = True  # used for the randomly filled caseloads and waiting list
    names: tuple[str, ...] = WOMEN + MEN


STORIES = {
    "widowed": Story(
        (68, 85),
        (Need.LONELINESS, Need.BEREAVEMENT),
        "Lost her husband last year and has stopped going to chapel and the lunch club. Comes "
        "to the surgery most weeks; would like company and something to look forward to.",
        names=WOMEN,
    ),
    "stress_money": Story(
        (25, 50),
        (Need.LOW_MOOD, Need.MONEY),
        "Off work with stress since the summer and worried about bills. Would like a benefits "
        "check and help getting back into a routine.",
    ),
    "left_college": Story(
        (18, 24),
        (Need.CONFIDENCE, Need.WORK),
        "Left college last year and has spent most of the time since at home. Anxious in "
        "groups; interested in volunteering, ideally outdoors or with animals.",
    ),
    "carer_son": Story(
        (40, 65),
        (Need.CARING, Need.LOW_MOOD),
        "Full-time carer for his mother, who has dementia. Feels worn out and has lost touch "
        "with friends.",
        names=MEN,
    ),
    "tenancy": Story(
        (30, 55),
        (Need.HOUSING, Need.MONEY, Need.LOW_MOOD),
        "Private tenancy ends in two months and cannot find anywhere affordable nearby. Low "
        "mood and poor sleep since.",
    ),
    "knee": Story(
        (50, 78),
        (Need.ACTIVITY, Need.LONELINESS),
        "Recovering from a knee replacement and lost contact with her walking group. Wants to "
        "build up activity and confidence again.",
        names=WOMEN,
    ),
    "separated": Story(
        (32, 60),
        (Need.RELATIONSHIPS, Need.LOW_MOOD),
        "Recently separated and living alone for the first time. Sleeping badly; would like "
        "someone to talk things through with.",
    ),
    "farm": Story(
        (62, 85),
        (Need.LONELINESS, Need.ACTIVITY),
        "Lives alone on the family farm since his brother died. No longer drives and goes days "
        "without seeing anyone.",
        "Has had a fall at home this year; walks with a stick.",
        names=MEN,
    ),
    "night_calls": Story(
        (22, 45),
        (Need.LOW_MOOD, Need.CONFIDENCE),
        "Calls 999 at night when anxious, several times this month. Would like daytime support "
        "and a reason to get out of the house.",
        "Has said in the past that she felt life was not worth living; no current plans. GP aware.",
        names=WOMEN,
    ),
    "redundant": Story(
        (45, 64),
        (Need.WORK, Need.MONEY, Need.LOW_MOOD),
        "Made redundant from the quarry after twenty years. Drinking more than he would like "
        "and wants something to fill his days.",
        "Alcohol use; GP reviewing.",
        names=MEN,
    ),
    "young_mum": Story(
        (20, 35),
        (Need.CARING, Need.LONELINESS, Need.CONFIDENCE),
        "Mum of two under five; moved to the area last year and knows few people. Would like "
        "to meet other parents.",
        names=WOMEN,
    ),
    "lost_son": Story(
        (55, 80),
        (Need.BEREAVEMENT, Need.LOW_MOOD),
        "Her son died two years ago. Finds evenings and weekends hardest and would like to try "
        "a bereavement group.",
        names=WOMEN,
    ),
    "sofa": Story(
        (18, 28),
        (Need.HOUSING, Need.RELATIONSHIPS),
        "Staying on friends' sofas after falling out with family. Wants help with housing and "
        "to stay in touch with his younger brother.",
        names=MEN,
    ),
    "back_pain": Story(
        (35, 62),
        (Need.LOW_MOOD, Need.ACTIVITY),
        "Long-term back pain and low mood; would like gentle exercise and to meet people.",
    ),
    "hearing": Story(
        (65, 85),
        (Need.LONELINESS, Need.OTHER),
        "Hearing loss makes phone calls and groups hard. Would like help to get out and about; "
        "prefers face to face.",
        "Hard of hearing: text or visit, please do not phone.",
    ),
    "arrears": Story(
        (35, 62),
        (Need.MONEY, Need.HOUSING, Need.LOW_MOOD),
        "Rent arrears and a letter from the landlord. Very anxious about opening post and "
        "answering the door.",
    ),
    "panic_work": Story(
        (20, 40),
        (Need.WORK, Need.LOW_MOOD),
        "Panic attacks on the way to work since the spring; signed off by the GP for a month.",
    ),
    "carer_wife": Story(
        (65, 85),
        (Need.CARING, Need.LONELINESS),
        "Cares for her husband since his stroke. Rarely gets out; would like a break and "
        "someone to talk to.",
        names=WOMEN,
    ),
    "since_pandemic": Story(
        (25, 50),
        (Need.CONFIDENCE, Need.LONELINESS),
        "Has hardly left the house since the pandemic and works from home. Would like to get "
        "back to the gym and see people.",
    ),
    "divorce": Story(
        (40, 65),
        (Need.RELATIONSHIPS, Need.MONEY),
        "Going through a divorce and worried about debts in joint names.",
        "Ex-partner has been controlling: do not leave messages on the landline.",
    ),
    "veteran": Story(
        (50, 75),
        (Need.LOW_MOOD, Need.LONELINESS),
        "Ex-forces and lives alone. Low mood since retiring; would like a veterans' group or "
        "something practical to do.",
        names=MEN,
    ),
    "after_crisis": Story(
        (25, 55),
        (Need.LOW_MOOD, Need.RELATIONSHIPS),
        "Seen by the crisis team after a difficult few weeks and now more settled. Would "
        "benefit from community support to stay well.",
        "Recent crisis team contact; discharged with a safety plan.",
    ),
    "above_remit": Story(
        (30, 60),
        (Need.LOW_MOOD,),
        "Long history of severe depression with several hospital admissions. Currently very "
        "unwell and not sleeping.",
        "Needs specialist mental health review.",
        routine=False,
    ),
    "memory": Story(
        (72, 85),
        (Need.OTHER,),
        "Family worried about his memory; the main need is a memory assessment.",
        routine=False,
        names=MEN,
    ),
}

# --- What happened to them ---------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """Interim support while waiting: so many days after acceptance."""

    after: int
    note: str
    volunteer: bool = False
    mode: str = InterimContact.Mode.TELEPHONE
    minutes: int | None = 15


@dataclass(frozen=True)
class Case:
    """One referral's story. Days count back from today."""

    site: str
    source: str
    status: str
    received: int  # days ago
    org: str = ""  # organisation key; empty: one of the site's partners of that type
    online: bool = False  # sent by the `referrer` account through the online form
    via: str = ""  # for referrals staff record: phone, email or paper
    story: str = ""
    triage: int = 3  # days from arrival to the decision
    waited: int = 0  # days on the waiting list before allocation
    urgent: bool = False
    coordinator: str = ""
    first_coordinator: str = ""  # allocated to first, then re-allocated to `coordinator`
    decline: tuple[str, str, str] = ()  # reason, note, redirected to
    withdraw: tuple[str, str] = ()  # reason, note
    ask: str = ""  # information requested of the referrer
    answer: str = ""  # their answer, which sends the referral back to triage
    contacts: tuple[Contact, ...] = ()
    share: bool = True  # consents to feedback being shared with the referrer
    reallocation_note: str = ""
    name: tuple[str, str] = ()  # given and family name; empty: made up
    label: str = ""  # so another case can be the same person
    same_as: tuple[str, str] = ()  # (label, "name" or "nhs"): a possible duplicate
    welsh: bool | None = None


CHECK_IN = "Check-in call. Talked through the expected wait; gave the C.A.L.L. helpline number."
VOLUNTEER_CALL = (
    "Volunteer call: chatted about her garden and the lunch club. Looking forward to starting."
)

# Referrals with something to show: every decline reason, duplicates, re-allocation, requests
# for information, self-referrals, the referrer's own referrals. `routine_cases` fills the rest.
# fmt: off
SCENARIOS = (
    # Still to triage.
    Case("powys", GP, S.RECEIVED, 2, org="llanidloes", online=True, story="after_crisis"),
    Case("powys", AMBULANCE, S.RECEIVED, 1, via=ReceivedVia.PHONE, story="night_calls"),
    Case("powys", GP, S.RECEIVED, 4, org="newtown", via=ReceivedVia.EMAIL, story="hearing"),
    Case("powys", GP, S.RECEIVED, 9, org="llanidloes", online=True, story="tenancy", share=False,
         ask="The form says they are between addresses. What is the best way to reach them?",
         answer="Staying with their sister for now; the mobile number on the form is best."),
    Case("rhondda", CRISIS, S.RECEIVED, 3, via=ReceivedVia.EMAIL, story="after_crisis"),
    Case("rhondda", SELF, S.RECEIVED, 5, story="widowed", same_as=("gwyneth", "name")),
    Case("rhondda", GP, S.RECEIVED, 6, org="treorchy", via=ReceivedVia.PAPER, story="carer_wife",
         name=("Kath", "Probert"), same_as=("kathryn", "nhs")),

    # Waiting for the referrer to answer.
    Case("powys", GP, S.INFORMATION_REQUESTED, 8, org="llanidloes", online=True,
         story="redundant", share=False,
         ask="Is he still under the Community Mental Health Team after his admission in the "
             "spring? And is he happy for us to phone him?"),
    Case("rhondda", COUNCIL, S.INFORMATION_REQUESTED, 10, via=ReceivedVia.EMAIL,
         story="young_mum",
         ask="The phone number on the form is not recognised. Could you send a current number?"),
    Case("powys", CRISIS, S.INFORMATION_REQUESTED, 12, via=ReceivedVia.PHONE, story="separated",
         ask="Is there a care coordinator we should work alongside?"),

    # On the waiting list (received = days waiting + triage).
    Case("powys", GP, S.WAITING, 24, org="llanidloes", online=True, story="night_calls",
         urgent=True, contacts=(
             Contact(5, CHECK_IN, minutes=20),
             Contact(14, "Check-in call. Mood a little better; has been out with her sister."),
         )),
    Case("powys", AMBULANCE, S.WAITING, 50, via=ReceivedVia.PHONE, story="farm", urgent=True,
         triage=2, contacts=(
             Contact(10, "Volunteer call. Says the days are long; enjoyed the chat.",
                     volunteer=True),
             Contact(30, "Volunteer call. No falls since last time.", volunteer=True, minutes=25),
         )),
    Case("rhondda", GP, S.WAITING, 75, org="tonypandy", via=ReceivedVia.EMAIL, story="lost_son",
         triage=5, contacts=(
             Contact(7, CHECK_IN),
             Contact(21, VOLUNTEER_CALL, volunteer=True, minutes=30),
             Contact(42, VOLUNTEER_CALL, volunteer=True, minutes=20),
             Contact(63, "Text to say we have not forgotten her and where she is on the list.",
                     mode=InterimContact.Mode.TEXT, minutes=None),
         )),
    Case("rhondda", SELF, S.WAITING, 17, story="since_pandemic", welsh=True),
    Case("rhondda", GP, S.WAITING, 34, org="treorchy", via=ReceivedVia.EMAIL, story="widowed",
         label="gwyneth"),
    Case("rhondda", CRISIS, S.WAITING, 12, via=ReceivedVia.EMAIL, story="after_crisis",
         urgent=True, triage=1, contacts=(Contact(4, CHECK_IN, minutes=25),)),
    Case("rhondda", GP, S.WAITING, 25, org="tonypandy", via=ReceivedVia.PHONE,
         story="stress_money", label="darren"),

    # On a caseload, some through pathways that have since closed.
    Case("powys", GP, S.ALLOCATED, 95, org="llanidloes", online=True, story="knee", waited=30,
         coordinator="coordinator"),
    Case("powys", GP, S.ALLOCATED, 250, org="llanidloes", online=True, story="widowed",
         waited=60, share=False, coordinator="coordinator"),
    Case("powys", PRIMARY, S.ALLOCATED, 270, via=ReceivedVia.EMAIL, story="panic_work",
         waited=50, coordinator="coordinator"),
    Case("rhondda", GP, S.ALLOCATED, 120, org="treorchy", via=ReceivedVia.EMAIL,
         story="veteran", waited=40, welsh=True,
         first_coordinator="coordinator3", coordinator="coordinator2",
         reallocation_note="Asked to be supported in Welsh; Ffion speaks Welsh."),
    Case("rhondda", GP, S.ALLOCATED, 150, org="tonypandy", via=ReceivedVia.PAPER,
         story="carer_wife", waited=45, coordinator="coordinator2",
         name=("Kathryn", "Probert"), label="kathryn"),
    Case("rhondda", GP, S.ALLOCATED, 240, org="treorchy", via=ReceivedVia.EMAIL,
         story="back_pain", waited=35, coordinator="coordinator2"),

    # Declined, for every reason.
    Case("powys", GP, S.DECLINED, 40, org="llanidloes", online=True, story="above_remit",
         share=False, decline=(
             DeclineReason.NEEDS_ABOVE_REMIT,
             "Needs specialist support now; discussed with the GP, who agreed.",
             "Community Mental Health Team",
         )),
    Case("powys", AMBULANCE, S.DECLINED, 70, via=ReceivedVia.PHONE, story="above_remit",
         decline=(
             DeclineReason.NEEDS_ABOVE_REMIT,
             "Very unwell when we called; passed to the crisis team the same day.",
             "Crisis Resolution and Home Treatment Team",
         )),
    Case("rhondda", GP, S.DECLINED, 55, org="treorchy", via=ReceivedVia.EMAIL, story="memory",
         decline=(
             DeclineReason.OUTSIDE_CRITERIA,
             "The main need is a memory assessment, which we do not offer.",
             "",
         )),
    Case("powys", COUNCIL, S.DECLINED, 30, via=ReceivedVia.EMAIL, story="young_mum",
         decline=(DeclineReason.SUPPORTED_ELSEWHERE, "Already has a Mind wellbeing worker.", "")),
    Case("rhondda", AMBULANCE, S.DECLINED, 110, via=ReceivedVia.PHONE, story="veteran",
         decline=(
             DeclineReason.PERSON_DECLINED,
             "Spoke to him on the phone: he does not want support at the moment.",
             "",
         )),
    Case("powys", GP, S.DECLINED, 160, org="newtown", via=ReceivedVia.PAPER, story="sofa",
         triage=14, decline=(
             DeclineReason.UNABLE_TO_CONTACT,
             "Three calls over two weeks and a letter; no reply.",
             "",
         )),
    Case("rhondda", SELF, S.DECLINED, 23, story="stress_money", triage=2,
         same_as=("darren", "name"), decline=(
             DeclineReason.DUPLICATE,
             "Their GP referred them the same week; we are taking that referral forward.",
             "",
         )),

    # Withdrawn: from the waiting list, and from a caseload.
    Case("powys", GP, S.WITHDRAWN, 80, org="newtown", via=ReceivedVia.EMAIL, story="panic_work",
         withdraw=(WithdrawalReason.PERSON_DECLINED, "Feeling better and has started a new job.")),
    Case("rhondda", COUNCIL, S.WITHDRAWN, 70, via=ReceivedVia.EMAIL, story="arrears", waited=20,
         coordinator="coordinator3",
         withdraw=(WithdrawalReason.MOVED_AWAY, "Moved to Bridgend to be near family.")),
)
# fmt: on

# Filled in at random after the scenarios: (site, status, coordinator, how many). With the
# scenarios this makes caseloads of 10 of 15 (Gareth), 15 of 15 (Ffion: full, to show the cap)
# and 4 of 10 (Rhys), and waiting lists of 7 (Powys) and 8 (Rhondda).
ROUTINE = (
    ("powys", S.WAITING, "", 5),
    ("rhondda", S.WAITING, "", 3),
    ("powys", S.ALLOCATED, "coordinator", 7),
    ("rhondda", S.ALLOCATED, "coordinator2", 12),
    ("rhondda", S.ALLOCATED, "coordinator3", 4),
)
# How often each kind of referrer sends someone, and how staff receive it.
SOURCE_WEIGHTS = {GP: 6, AMBULANCE: 2, CRISIS: 2, COUNCIL: 1, PRIMARY: 1}
RECEIVED_VIA = {
    GP: (ReceivedVia.EMAIL, ReceivedVia.EMAIL, ReceivedVia.PAPER, ReceivedVia.PHONE),
    AMBULANCE: (ReceivedVia.PHONE, ReceivedVia.EMAIL),
    CRISIS: (ReceivedVia.EMAIL, ReceivedVia.PHONE),
    COUNCIL: (ReceivedVia.EMAIL,),
    PRIMARY: (ReceivedVia.EMAIL,),
}
ROUTINE_CONTACTS = (
    CHECK_IN,
    "Check-in call. Managing; has been getting out for short walks.",
    "Volunteer call. Talked about what they would like to do once support starts.",
    "Left a voicemail; a text came back to say all is well.",
)

# --- Building it -------------------------------------------------------------------------------


@transaction.atomic
def load() -> dict[str, Counter]:
    """Replace whatever is in the database with the demo service. Returns status counts per site."""
    wipe()
    demo = Demo(random.Random(SEED))
    # Nobody in the story is emailed: the worker `make run` starts has nothing to send.
    with emails_held():
        demo.build()
    # The history was written in bulk and back-dated: derive what the actions would have kept.
    derived.rebuild()
    tallies.rebuild()
    # The story's audit lines were written in bulk and back-dated: chain them in the order
    # they were written, as the migration that introduced the chain did.
    with suspended(AuditEvent):
        chain.rebuild(AuditEvent)
    return {
        site.name: Counter(site.referrals.values_list("status", flat=True))
        for site in Site.objects.order_by("name")
    }


# Children before parents: most links are PROTECT. New models that point at these go first.
WIPED = (
    ChainRewrite,
    AuditEvent,
    Anonymisation,
    ErasureRequest,
    RetentionRun,
    SubjectAccessRequest,
    ProcessingRecord,
    RectificationRequest,
    *LETTER_MODELS,
    *REPORT_MODELS,
    *ENGAGEMENT_MODELS,
    *TRIAL_MODELS,
    EscalationReminder,
    EscalationChase,
    Escalation,
    SafeguardingPrompt,  # points at both a measure and a concern
    RiskFlag,
    SafeguardingConcern,
    MeasureLink,
    Measure,
    ScheduledInstrument,
    SiteOutcomeSettings,
    InstrumentSetting,
    CoordinatorReminder,
    DBTaskResult,
    ReferrerMessage,
    PrescriptionUpdate,
    ServiceLink,
    SocialPrescription,
    *DIRECTORY_MODELS,
    FeedbackLink,
    ClientFeedback,
    Closure,
    ContactDay,
    FirstContact,
    CaseContactNoteCorrection,
    CaseContact,
    GoalRating,
    GoalStep,
    Goal,
    WhatMatters,
    PlanExtension,
    SupportPlan,
    InterimContactCorrection,
    InterimContact,
    OpenedWithReason,
    PersonDetailsChange,
    Allocation,
    WaitingSpell,
    StatusChange,
    Referral,
    Person,
    PathwayVersion,
    Pathway,
    User,
    Organisation,
    Site,
)


def wipe() -> None:
    """Delete the previous demo (and anything else in these tables).

    The status history and audit log are append-only (their managers refuse bulk deletes), so
    this goes through a plain QuerySet; that is why load_demo refuses to run with DEBUG off
    unless forced. Restarting the ids makes references (R000001...) the same on every load.
    """
    # A changed goal points at the goal that replaced it (PROTECT): unhook them first.
    QuerySet(Goal).exclude(replaced_by=None).update(replaced_by=None)
    # So does a referral declined as a duplicate, at the one it repeats.
    QuerySet(Referral).exclude(duplicate_of=None).update(duplicate_of=None)
    with suspended():
        for model in WIPED:
            QuerySet(model).delete()
    sequences = [{"table": m._meta.db_table, "column": m._meta.pk.column} for m in WIPED]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_by_name_sql(no_style(), sequences):
            cursor.execute(sql)


@contextmanager
def as_of(when: datetime.datetime) -> Iterator[None]:
    """Re-stamp everything the actions inside stamped with the current time to `when`."""
    start = timezone.now()
    yield
    # Status history and the audit log are append-only; the demo's fictional past is the one
    # deliberate exception, so it uses a plain QuerySet rather than their guarded managers.
    # The audit chain is made again once the demo is built.
    with suspended(StatusChange, AuditEvent, WhatMatters, PlanExtension, OpenedWithReason):
        QuerySet(StatusChange).filter(at__gte=start).update(at=when)
        QuerySet(AuditEvent).filter(at__gte=start).update(at=when)
        QuerySet(OpenedWithReason).filter(at__gte=start).update(at=when)
        QuerySet(WhatMatters).filter(at__gte=start).update(at=when)
        QuerySet(PlanExtension).filter(at__gte=start).update(at=when)
    Allocation.objects.filter(started_at__gte=start).update(started_at=when)
    Allocation.objects.filter(ended_at__gte=start).update(ended_at=when)
    Referral.objects.filter(accepted_at__gte=start).update(accepted_at=when)
    Person.objects.filter(created_at__gte=start).update(created_at=when)
    Pathway.objects.filter(created_at__gte=start).update(created_at=when)
    PathwayVersion.objects.filter(created_at__gte=start).update(created_at=when)
    SupportPlan.objects.filter(created_at__gte=start).update(created_at=when)
    CaseContact.objects.filter(created_at__gte=start).update(created_at=when)
    ClientFeedback.objects.filter(submitted_at__gte=start).update(submitted_at=when)
    # Messages to referrers in the demo's past count as sent, so the worker emails none of them.
    written = ReferrerMessage.objects.filter(created_at__gte=start)
    written.exclude(recipient_email="").update(sent_at=when)  # before created_at moves
    written.update(created_at=when)


@contextmanager
def corrected_as_of(when: datetime.datetime) -> Iterator[None]:
    """`as_of`, also re-stamping the corrections and rectification requests made inside (only
    the rectification story makes them, so `as_of` itself need not)."""
    start = timezone.now()
    with as_of(when):
        yield
    corrections = (PersonDetailsChange, CaseContactNoteCorrection, InterimContactCorrection)
    with suspended(*corrections):
        for model in corrections:
            QuerySet(model).filter(at__gte=start).update(at=when)
    RectificationRequest.objects.filter(recorded_at__gte=start).update(recorded_at=when)
    RectificationRequest.objects.filter(decided_at__gte=start).update(decided_at=when)


@contextmanager
def cap_lifted(coordinator: User) -> Iterator[None]:
    """Let the allocation action give `coordinator` someone in the story's past although their
    caseload is full today. The action checks today's caseload; a story that allocates in the
    past keeps to the caseload the coordinator had on that day itself."""
    cap = User.objects.get(pk=coordinator.pk).caseload_cap
    User.objects.filter(pk=coordinator.pk).update(caseload_cap=100)
    try:
        yield
    finally:
        User.objects.filter(pk=coordinator.pk).update(caseload_cap=cap)


def months_ago(today: datetime.date, months: int) -> datetime.date:
    """The 1st of the month so many months before this one."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return datetime.date(year, month + 1, 1)


def nhs_number(rng: random.Random) -> str:
    """A valid NHS number in the 999 range, which is never issued to real patients."""
    while True:
        first_nine = "999" + "".join(str(rng.randrange(10)) for _ in range(6))
        total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        if check != 10:  # no valid number has these nine digits
            return first_nine + str(check)


@dataclass
class Demo:
    """Builds the demo into an empty database, drawing every made-up detail from `rng`."""

    rng: random.Random
    now: datetime.datetime = field(default_factory=timezone.now)
    sites: dict[str, Site] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    pathways: list[Pathway] = field(default_factory=list)
    people: dict[str, dict] = field(default_factory=dict)
    used: set = field(default_factory=set)  # names, NHS and phone numbers already given out

    @property
    def today(self) -> datetime.date:
        return timezone.localdate(self.now)

    # So other apps' demo builders can back-date their steps the same way.
    as_of = staticmethod(as_of)
    cap_lifted = staticmethod(cap_lifted)

    def moment(self, days_ago: int) -> datetime.datetime:
        """Some time in the working day, so many days ago."""
        day = self.today - datetime.timedelta(days=days_ago)
        start = datetime.datetime.combine(day, datetime.time(9, 0))
        return timezone.make_aware(start + datetime.timedelta(minutes=self.rng.randrange(480)))

    def build(self) -> None:
        self.build_sites_and_partners()
        self.build_users()
        # The community directory, as staff have kept it over the last eighteen months.
        build_demo_directory(list(self.sites.values()), today=self.today)
        self.build_pathways()
        cases = list(SCENARIOS) + list(self.routine_cases())
        for case in sorted(cases, key=lambda c: -c.received):
            self.build_referral(case)
        long_running = build_demo_casework(self)
        in_support = list(Referral.objects.filter(status=ReferralStatus.ALLOCATED).order_by("pk"))
        coordinators = [u for u in self.users.values() if u.role == Role.COORDINATOR]
        build_demo_prescriptions(in_support, coordinators, self.rng)
        # Outcome measures: the baselines are taken while everyone is still in support.
        build_demo_baselines(self)
        close_demo_cases(self, long_running)
        # A service that never answered Gareth, chased: on his home page as needing attention.
        build_chased_prescription(self.users["coordinator"])
        # Gareth's diary: visits today and this week, and a call yesterday still to record.
        build_demo_diary(self, self.users["coordinator"])
        # What coordinators found nothing for, some of it for people still on their caseloads.
        still_supported = Referral.objects.filter(status=ReferralStatus.ALLOCATED).order_by("pk")
        build_demo_unmet_needs(list(self.sites.values()), still_supported, today=self.today)
        # Staff who have left since, for the stories of the past that follow.
        self.build_former_staff()
        # End-of-support and follow-up measures, item 9 prompts, risk flags and safeguarding.
        build_demo_outcomes(self)
        # The trial closed for COVID-19 at Rhondda, and the one open at Powys.
        build_demo_trials(self)
        # The months behind all this, finished cases only, and the service's own timeline. After
        # the present, so that everything above is the same with or without it.
        build_demo_history(self)
        self.former_staff_left()
        # Contacts at the partners, and a year of engagement with them.
        build_demo_engagement(self)
        # The manager's case studies for the funder report.
        build_demo_reports(self)
        # Letterheads, and letters to people on Gareth's caseload and about support just ended.
        build_demo_letters(self)
        # Today the manager widened one pathway: its referrals keep the rules they came through.
        self.widen_a_pathway()
        # This morning Rhys opened the record of one of Ffion's people, saying why (0023).
        self.open_a_record_with_a_reason()
        # Last week someone asked for everything held about them; the export is ready (0024).
        self.answer_a_subject_access_request()
        # The record of processing: the controller's part, reviewed in the spring.
        self.review_the_record_of_processing()
        # A new phone number, a contact note corrected, a correction asked for (0026).
        self.correct_some_records()
        # Yesterday the administrator ran a retention dry run, and a manager refused a request
        # to erase a record of support that ended recently, saying why (0027).
        self.retention_and_erasure()

    # Configuration ------------------------------------------------------------------------------

    def build_sites_and_partners(self) -> None:
        for slug, (name, board, setting) in SITES.items():
            self.sites[slug] = Site.objects.create(
                name=name, slug=slug, health_board=board, setting=setting
            )
        for key, (name, source_type, code, _people) in ORGANISATIONS.items():
            self.organisations[key] = Organisation.objects.create(
                name=name, source_type=source_type, code=code
            )

    def build_users(self) -> None:
        joined = timezone.make_aware(
            datetime.datetime.combine(months_ago(self.today, 12), datetime.time(9))
        )
        for username, (first, last, role, sites, org, cap) in USERS.items():
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{first}.{last}@example.org".lower(),
                role=role,
                organisation=self.organisations[org] if org else None,
                is_staff=role == Role.ADMINISTRATOR,
                is_superuser=role == Role.ADMINISTRATOR,
                date_joined=joined,
                is_demo=True,
            )
            if cap:
                user.caseload_cap = cap
            if role == Role.COORDINATOR:
                user.started_on = self.started_on(username)
            user.set_password(PASSWORD)
            user.save()
            user.sites.set([self.sites[slug] for slug in sites])
            self.users[username] = user
        # One account with two-factor sign-in set up, to show the code step after the password.
        TOTPDevice.objects.create(
            user=self.users[TWO_FACTOR_USER],
            name="Authenticator app",
            key=base64.b32decode(TWO_FACTOR_SECRET).hex(),
        )

    def started_on(self, username: str) -> datetime.date:
        if username in STARTED_DAYS_AGO:
            return self.today - datetime.timedelta(days=STARTED_DAYS_AGO[username])
        return months_ago(self.today, 12)

    def build_former_staff(self) -> None:
        """The coordinators who have since left, still at work in the story's past (the actions
        allocate only to active coordinators); `former_staff_left` signs them out."""
        joined = timezone.make_aware(
            datetime.datetime.combine(months_ago(self.today, 12), datetime.time(9))
        )
        for username, (first, last, site, cap, _left) in FORMER_USERS.items():
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{first}.{last}@example.org".lower(),
                role=Role.COORDINATOR,
                caseload_cap=cap,
                date_joined=joined,
                started_on=self.started_on(username),
                is_demo=True,
            )
            user.set_password(PASSWORD)
            user.save()
            user.sites.set([self.sites[site]])
            self.users[username] = user

    def former_staff_left(self) -> None:
        for username in FORMER_USERS:
            user = self.users[username]
            user.left_on = self.left_on(username)
            user.is_active = False
            user.save(update_fields=["left_on", "is_active"])

    def left_on(self, username: str) -> datetime.date | None:
        if username not in FORMER_USERS:
            return None
        return self.today - datetime.timedelta(days=FORMER_USERS[username][4])

    def coordinators_on(self, site: str, day: datetime.date) -> list[User]:
        """The site's link coordinators at work on `day`, leavers included, by username."""
        working = []
        for username, user in sorted(self.users.items()):
            sites = USERS[username][3] if username in USERS else (FORMER_USERS[username][2],)
            left = self.left_on(username)
            if (
                user.is_coordinator
                and site in sites
                and user.started_on <= day
                and (left is None or day <= left)
            ):
                working.append(user)
        return working

    def build_pathways(self) -> None:
        admin = self.users["admin"]
        for slug, name, source_type, opens, closes, frequent, orgs in PATHWAYS:
            opens_on = months_ago(self.today, opens)
            pathway = Pathway(
                site=self.sites[slug],
                name=name,
                name_cy=PATHWAY_NAMES_CY[name],
                source_type=source_type,
                opens_on=opens_on,
                frequent_attender_required=frequent,
                minimum_age=18,
            )
            with as_of(self.at_day(opens_on - datetime.timedelta(days=14))):
                actions.save_pathway(
                    pathway,
                    organisations=[self.organisations[key] for key in orgs],
                    by=admin,
                    changed_fields=[],
                )
            pathway.refresh_from_db()  # pick up the re-stamped created_at before saving again
            if closes is not None:
                # Closing is a change made on the day, so the audit log shows when it happened.
                pathway.closes_on = months_ago(self.today, closes)
                with as_of(self.at_day(pathway.closes_on)):
                    actions.save_pathway(
                        pathway,
                        organisations=pathway.organisations.all(),
                        by=admin,
                        changed_fields=["closes_on"],
                    )
            self.pathways.append(pathway)

    def widen_a_pathway(self) -> None:
        """Three weeks ago the manager took 17-year-olds through one pathway: version 2 of its
        rules. Referrals since came through version 2; those before keep version 1."""
        # The history's referrals, made in bulk, came through the first rules too.
        for each in Pathway.objects.all():
            each.referrals.filter(pathway_version=None).update(
                pathway_version=actions.current_version(each)
            )
        pathway = Pathway.objects.get(site__slug="powys", name="GP practices (all patients)")
        pathway.minimum_age = 17
        day = self.today - datetime.timedelta(days=21)
        with as_of(self.at_day(day)):
            actions.save_pathway(
                pathway,
                organisations=pathway.organisations.all(),
                by=self.users["manager"],
                changed_fields=["minimum_age"],
                reason="Agreed with the health board: 17-year-olds about to leave CAMHS, so "
                "that support starts before they turn 18.",
            )
        version = pathway.versions.get(number=2)
        PathwayVersion.objects.filter(pk=version.pk).update(valid_from=day)
        since = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
        pathway.referrals.filter(received_at__gte=since).update(pathway_version=version)

    def open_a_record_with_a_reason(self) -> None:
        """Both sites keep coordinators to their caseload and the waiting list, and take a
        reason for anyone else (the default). Rhys covered a call for one of Ffion's people;
        the manager reads why under Caseloads → Records opened with a reason."""
        ffions = (
            Referral.objects.filter(
                site__slug="rhondda",
                status=ReferralStatus.ALLOCATED,
                allocations__coordinator=self.users["coordinator2"],
                allocations__ended_at=None,
            )
            .order_by("pk")
            .first()
        )
        if ffions is None:
            return
        with as_of(timezone.now() - datetime.timedelta(hours=2)):
            actions.open_with_reason(
                ffions,
                by=self.users["coordinator3"],
                reason="Phoned the office upset while Ffion was out on a home visit; I called "
                "back to check she was safe and arranged for Ffion to ring tomorrow.",
            )
        # Open for a working day from when it was opened (as_of moves only `at`).
        hours = datetime.timedelta(hours=settings.OPENED_WITH_REASON_HOURS)
        with suspended(OpenedWithReason):
            QuerySet(OpenedWithReason).update(until=F("at") + hours)

    def answer_a_subject_access_request(self) -> None:
        """A person whose support ended asked, by letter, for a copy of their record."""
        closed = (
            Referral.objects.filter(site__slug="powys", status=ReferralStatus.CLOSED)
            .order_by("pk")
            .first()
        )
        if closed is None:
            return
        when = timezone.now() - datetime.timedelta(days=2)
        with as_of(when):
            made = subject_actions.request_subject_access(
                closed,
                by=self.users["manager"],
                received_on=self.today - datetime.timedelta(days=6),
                note="The person, by letter. Identity checked against their passport at the "
                "Newtown office.",
            )
            subject_exports.make(made.pk)  # already made where tasks run at once
        SubjectAccessRequest.objects.filter(pk=made.pk).update(
            requested_at=when, started_at=when, finished_at=when
        )

    def review_the_record_of_processing(self) -> None:
        """The administrator filled in the controller's part of the record of processing, and
        the data protection officer reviewed it eight months ago."""
        when = timezone.now() - datetime.timedelta(days=240)
        with as_of(when):
            subject_actions.review_record_of_processing(
                by=self.users["admin"],
                changes={
                    "controller_name": "Cysylltu Cymunedol (a fictional charity)",
                    "controller_address": "Unit 4, Parc Busnes\nNewtown\nSY16 1AA",
                    "controller_contact": "dataprotection@cysylltu.example",
                    "ico_registration": "ZA000000",
                    "dpo_name": "Gwen Price, data protection officer",
                    "dpo_contact": "dpo@cysylltu.example · 01686 000000",
                    "processors": "Hosting and backups: Example Cloud Ltd, UK data centres "
                    "(contract in the shared drive, Contracts/Hosting)\nEmail: the charity's "
                    "own mail server\nText messages: GOV.UK Notify (terms of use accepted "
                    "March 2025)",
                    "transfers": "None: all data is held and processed in the UK.",
                    "lawful_basis_notes": "Commissioned by the health boards to provide social "
                    "prescribing: article 6(1)(e), as Linkwork suggests. Confirmed by the DPO.",
                    "dpia": "DPIA version 3, Data protection/DPIA, reviewed April 2026",
                },
            )
        ProcessingRecord.objects.filter(pk=1).update(reviewed_on=timezone.localdate(when))

    def correct_some_records(self) -> None:
        """On Gareth's caseload at Powys: this morning the first person rang from a new phone
        number, and Gareth corrected a contact note he had mixed up with another call. At
        Powys, the manager corrected an interim support note, and someone on the waiting list
        asked by letter three weeks ago for their address to be corrected, not yet answered
        (Caseloads → Rectification requests). Decision 0026."""
        gareth, manager = self.users["coordinator"], self.users["manager"]
        theirs = Referral.objects.filter(
            site__slug="powys",
            status=ReferralStatus.ALLOCATED,
            allocations__coordinator=gareth,
            allocations__ended_at=None,
        ).order_by("pk")
        first = theirs.first()
        if first is not None:
            with corrected_as_of(timezone.now() - datetime.timedelta(hours=3)):
                subject_actions.change_details(
                    first,
                    by=gareth,
                    details={"phone": "07700 900461"},
                    reason=CorrectionReason.DETAILS_CHANGED,
                    reason_detail="Rang from a new mobile: the old one was lost.",
                )
            contact = (
                CaseContact.objects.filter(referral=first, outcome="attended", mode="telephone")
                .exclude(note="")
                .order_by("at")
                .first()
            )
            if contact is not None:
                with corrected_as_of(timezone.now() - datetime.timedelta(hours=2, minutes=50)):
                    subject_actions.correct_note(
                        first,
                        contact,
                        by=gareth,
                        note="Checked in after the group. Found it hard going and left early; "
                        "agreed to try the shorter walk next week.",
                        reason=CorrectionReason.RECORDED_WRONGLY,
                        reason_detail="Mixed up with another call that day: this one had not "
                        "gone well.",
                    )
        interim = (
            InterimContact.objects.filter(referral__site__slug="powys")
            .exclude(note="")
            .order_by("referral_id", "at")
            .first()
        )
        if interim is not None:
            with corrected_as_of(timezone.now() - datetime.timedelta(days=1, hours=4)):
                subject_actions.correct_note(
                    interim.referral,
                    interim,
                    by=manager,
                    note="Left a voicemail. A text came back the next day to say all is well.",
                    reason=CorrectionReason.RECORDED_WRONGLY,
                    reason_detail="The reply came the next day, not straight away.",
                )
        waiting = (
            Referral.objects.filter(site__slug="powys", status=ReferralStatus.WAITING)
            .order_by("pk")
            .first()
        )
        if waiting is not None:
            received = self.today - datetime.timedelta(days=24)
            with corrected_as_of(
                timezone.make_aware(datetime.datetime.combine(received, datetime.time(11)))
            ):
                subject_actions.record_request(
                    waiting,
                    by=manager,
                    received_on=received,
                    asked_for="By letter: the address on the referral is their old one; they "
                    "moved to 4 Stryd y Bont, Llanidloes, in the spring.",
                )

    def retention_and_erasure(self) -> None:
        """A retention dry run (it changes nothing) and a refused erasure request."""
        when = timezone.now() - datetime.timedelta(days=1)
        with as_of(when):
            report = retention_sweep.run(dry_run=True, by=self.users["admin"])
        RetentionRun.objects.filter(pk=report.pk).update(started_at=when, finished_at=when)
        closed = (
            Referral.objects.filter(site__slug="rhondda", status=ReferralStatus.CLOSED)
            .order_by("-pk")
            .first()
        )
        if closed is None:
            return
        manager = closed.site.staff.filter(role=Role.MANAGER).order_by("pk").first()
        if manager is None:
            return
        with as_of(when):
            made = subject_erasure.request_erasure(
                closed,
                by=manager,
                received_on=self.today - datetime.timedelta(days=3),
                note="The person, by phone; identity checked by calling back on the number "
                "held and asking their date of birth.",
            )
            subject_erasure.decide_erasure(
                made,
                by=manager,
                decision="refused",
                reason="Support ended this year: the service keeps records of care for 8 years "
                "after support ends (article 17(3)(b) and (c)). Explained by phone and in a "
                "letter, with the right to complain to the ICO.",
            )
        ErasureRequest.objects.filter(pk=made.pk).update(requested_at=when, decided_at=when)

    def in_lockdown(self, day: datetime.date) -> bool:
        start, end = LOCKDOWN
        return (
            self.today - datetime.timedelta(days=start)
            <= day
            < self.today - datetime.timedelta(days=end)
        )

    def lockdown_mode(self, day: datetime.date, mode: str) -> str:
        """How a contact planned in `mode` happened on `day`: by telephone, in lockdown, if it
        would have been face to face."""
        if self.in_lockdown(day) and mode in FACE_TO_FACE:
            return ContactMode.TELEPHONE
        return mode

    def at_day(self, day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))

    # Referrals ----------------------------------------------------------------------------------

    def routine_cases(self) -> Iterator[Case]:
        routine_stories = [key for key, story in STORIES.items() if story.routine]
        for site, status, coordinator, count in ROUTINE:
            for _ in range(count):
                triage = self.rng.randint(1, 6)
                waited = self.rng.randint(7, 84)
                if status == S.WAITING:
                    received = triage + waited
                    contacts = self.routine_contacts(waited)
                else:
                    received = triage + waited + self.rng.randint(3, 150)
                    contacts = ()
                yield Case(
                    site,
                    self.routine_source(site, received),
                    status,
                    received,
                    story=self.rng.choice(routine_stories),
                    triage=triage,
                    waited=waited,
                    urgent=self.rng.random() < 0.2,
                    coordinator=coordinator,
                    contacts=contacts,
                    share=self.rng.random() < 0.75,
                )

    def routine_source(self, site: str, days_ago: int) -> str:
        day = self.today - datetime.timedelta(days=days_ago)
        open_sources = {
            p.source_type
            for p in self.pathways
            if p.site.slug == site and p.is_open_on(day) and p.source_type in SOURCE_WEIGHTS
        }
        sources = sorted(open_sources)
        return self.rng.choices(sources, weights=[SOURCE_WEIGHTS[s] for s in sources])[0]

    def routine_contacts(self, waited: int) -> tuple[Contact, ...]:
        if waited < 14 or self.rng.random() < 0.5:
            return ()
        note = self.rng.choice(ROUTINE_CONTACTS)
        return (Contact(self.rng.randint(3, waited - 1), note, volunteer="Volunteer" in note),)

    def build_referral(self, case: Case) -> Referral:
        received_at = self.moment(case.received)
        day = timezone.localdate(received_at)
        organisation = self.organisation_for(case)
        pathway = self.pathway_for(case, organisation, day)
        story = STORIES[case.story]
        recorder = self.rng.choice([self.users["manager"], self.site_coordinators(case.site)[0]])
        online = case.online or case.source == SELF or organisation == self.referrer_practice
        if case.source == SELF:
            by, via, name, contact = None, ReceivedVia.SELF_REFERRAL, "", ""
        elif online:
            referrer = self.users["referrer"]
            by, via = referrer, ReceivedVia.ONLINE
            name, contact = f"Dr {referrer.get_full_name()}", referrer.email
        else:
            by = recorder
            via = case.via or self.rng.choice(RECEIVED_VIA[case.source])
            key = self.org_key(organisation)
            name = self.rng.choice(ORGANISATIONS[key][3])
            contact = f"01632 960{list(ORGANISATIONS).index(key):03d}"

        with as_of(received_at):
            referral = actions.submit_referral(
                pathway=pathway,
                person=self.person_for(case, story, day),
                details={
                    "needs": list(story.needs),
                    "needs_detail": story.detail,
                    "known_risks": story.risks,
                    "frequent_attender": pathway.frequent_attender_required
                    or self.rng.random() < 0.3,
                    "consent_to_referral": True,
                    "consent_to_share_feedback": case.share,
                },
                by=by,
                organisation=organisation,
                received_via=via,
                received_at=received_at,
                referrer_name=name,
                referrer_contact=contact,
            )
        self.triage(referral, case)
        return referral

    def triage(self, referral: Referral, case: Case) -> None:
        manager = self.users["manager"]
        days = case.received
        if case.ask:
            days -= 1
            with as_of(self.moment(days)):
                actions.request_information(referral, by=manager, request=case.ask)
            if case.answer:
                days -= 1
                answered_by = referral.referred_by or manager
                with as_of(self.moment(days)):
                    actions.provide_information(referral, by=answered_by, response=case.answer)
        if case.status in (S.RECEIVED, S.INFORMATION_REQUESTED):
            return
        decided = case.received - case.triage
        if case.decline:
            reason, note, redirected_to = case.decline
            with as_of(self.moment(decided)):
                actions.decline_referral(
                    referral,
                    by=manager,
                    reason=reason,
                    note=note,
                    redirected_to=redirected_to,
                    message="Thank you for the referral. We are not able to take it forward: "
                    + note,
                    duplicate_of=possible_duplicates(referral, within=Referral.objects.all())
                    .order_by("received_at")
                    .first()
                    if reason == DeclineReason.DUPLICATE
                    else None,
                )
            return
        with as_of(self.moment(decided)):
            actions.accept_referral(
                referral,
                by=manager,
                priority=Priority.URGENT if case.urgent else Priority.ROUTINE,
                note="Meets the criteria.",
                message="Accepted. We will let you know when a link coordinator is allocated.",
            )
        self.interim_support(referral, case, decided)
        if case.coordinator:
            self.allocate(referral, case, decided - case.waited)
        if case.withdraw:
            reason, note = case.withdraw
            with as_of(self.moment(max(1, decided - case.waited - 10))):
                actions.withdraw_referral(referral, by=manager, reason=reason, note=note)

    def interim_support(self, referral: Referral, case: Case, accepted: int) -> None:
        for contact in case.contacts:
            when = self.moment(accepted - contact.after)
            assert when < self.now, case
            with as_of(when):
                actions.log_interim_contact(
                    referral,
                    by=self.rng.choice(self.site_coordinators(case.site)),
                    at=when,
                    mode=contact.mode,
                    minutes=contact.minutes,
                    by_volunteer=contact.volunteer,
                    note=contact.note,
                )

    def allocate(self, referral: Referral, case: Case, days_ago: int) -> None:
        assert days_ago >= 1, case
        manager = self.users["manager"]
        current = None
        if case.first_coordinator:
            with as_of(self.moment(days_ago)):
                current = actions.allocate_referral(
                    referral, coordinator=self.users[case.first_coordinator], by=manager
                )
            days_ago = max(1, days_ago - 14)
        with as_of(self.moment(days_ago)):
            actions.allocate_referral(
                referral,
                coordinator=self.users[case.coordinator],
                by=manager,
                replacing=current,
                note=case.reallocation_note,
            )

    # Who and where ------------------------------------------------------------------------------

    @property
    def referrer_practice(self) -> Organisation:
        return self.organisations[USERS["referrer"][4]]

    def org_key(self, organisation: Organisation) -> str:
        return next(k for k, o in self.organisations.items() if o == organisation)

    def organisation_for(self, case: Case) -> Organisation | None:
        if case.source == SELF:
            return None
        key = case.org or self.rng.choice(PARTNERS[case.site][case.source])
        return self.organisations[key]

    def pathway_for(
        self, case: Case, organisation: Organisation | None, day: datetime.date
    ) -> Pathway:
        for pathway in self.pathways:
            if (
                pathway.site.slug == case.site
                and pathway.source_type == case.source
                and pathway.is_open_on(day)
                and pathway.accepts_organisation(organisation)
            ):
                return pathway
        raise ValueError(f"No open pathway for {case}")

    def site_coordinators(self, site: str) -> list[User]:
        """The site's link coordinators today (not those who have left)."""
        return [
            u
            for u in self.users.values()
            if u.is_coordinator and u.username in USERS and site in USERS[u.username][3]
        ]

    def person_for(self, case: Case, story: Story, day: datetime.date) -> dict:
        person = self.new_person(case, story, day)
        if case.same_as:
            label, kind = case.same_as
            twin = self.people[label]
            person["date_of_birth"] = twin["date_of_birth"]
            if kind == "nhs":
                # The same NHS number, under a name written differently.
                person["nhs_number"] = twin["nhs_number"]
            else:
                person.update(given_name=twin["given_name"], family_name=twin["family_name"])
        if case.label:
            self.people[case.label] = person
        return person

    def new_person(self, case: Case, story: Story, day: datetime.date) -> dict:
        rng = self.rng
        given, family = case.name or self.unique(
            lambda: (rng.choice(story.names), rng.choice(FAMILY_NAMES))
        )
        age = rng.randint(*story.ages)
        dob = day - datetime.timedelta(days=int(age * 365.25) + rng.randint(10, 350))
        town, district = rng.choice(TOWNS[case.site])
        welsh = case.welsh if case.welsh is not None else rng.random() < WELSH_SPEAKERS[case.site]
        details = {
            "given_name": given,
            "family_name": family,
            "date_of_birth": dob,
            # Self-referrers rarely know their NHS number.
            "nhs_number": "" if case.source == SELF else self.unique(lambda: nhs_number(rng)),
            "phone": self.unique(lambda: f"07700 900{rng.randrange(1000):03d}"),
            "email": f"{fold(given)}.{fold(family)}{rng.randint(1, 99)}@example.com".replace(
                " ", ""
            )
            if rng.random() < 0.4
            else "",
            "address": f"{rng.randint(1, 60)} {rng.choice(STREETS[case.site])}\n{town}",
            "postcode": f"{district} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
            "best_time_to_call": rng.choice(BEST_TIMES),
            "preferred_language": Language.WELSH if welsh else Language.ENGLISH,
        }
        # Half agreed to texts (chosen from their number, not the demo's random numbers).
        details["texts_agreed"] = int(details["phone"][-1]) % 2 == 0
        return details

    def unique(self, make):
        """A value `make` has not made before (names, NHS and phone numbers)."""
        while (value := make()) in self.used:
            pass
        self.used.add(value)
        return value

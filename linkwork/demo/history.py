"""The demo service's past: the months behind today's caseloads, so its reports have a story.

`build_demo_history(demo)` runs last in `Demo.build`, once everything else is in place, and
draws from `demo.rng` only after everything else has, so the rest of the demo is the same with
or without it. Days count back from the demo's today. What it tells:

- **Referrals.** Few at first, when only frequent attenders could be referred (the service's
  first months; Rhondda's frequent-attender referrals went into its trial, so only the ones
  declined at triage are added there); more once GP referral opened to all patients six months
  ago; a jump when the crisis teams' pathways opened (five months ago at Powys, four at
  Rhondda), with many more referrals above the service's remit (redirected) from the crisis
  teams than from GPs, and fewer once the criteria were agreed with them. One practice,
  Tonypandy, sends most GP referrals; Elan Valley Surgery referred steadily, then stopped about
  four months ago. Every decline reason is used; some referrals need more information first.
- **Waiting.** Each site offers the wait it could then (`History.expected_wait`): at Powys,
  with one coordinator, two or three weeks until the crisis team's referrals came, six to
  eight after; at Rhondda much the same when its crisis pathway opened, until Rhys, its third
  coordinator, had finished his induction (about three months ago), when waits fell again.
  People are allocated at the weekly allocation meeting once that wait is up and a coordinator
  has room for the whole of their support; some give up waiting first, and the longer the
  list, the more of those told how long the wait is would rather not wait. People waiting get
  telephone check-ins (from volunteers too, once they started).
- **Contact mode.** Mostly face to face, then telephone and video only in lockdown (from the
  day the trial closed for COVID-19, about seven months ago, for nine weeks), then a mix.
- **Support and outcomes.** Twelve-week plans, a few extended (with a reason), some ending
  early; goals rated and ended; social prescriptions to the demo directory's services; SWEMWBS
  at baseline, the end (about two to three metric points better on average) and follow-up;
  feedback forms.

Everything it adds is finished (closed, declined, redirected or withdrawn), so today's caseloads
and waiting lists are the ones the rest of the demo set up; and none of its allocations takes a
coordinator over their cap on any day, counting everyone the rest of the demo allocated. The
caseloads it fills leave room for only so many: a couple of hundred referrals, not more, can
have a plausible history with these sites' coordinators and twelve-week support.

It writes with `bulk_create`, for speed (several hundred cases through the actions would take
minutes), but writes what the actions would have: a status change for every step, the audit
log, messages to referrers (counted as sent, like the rest of the demo's past), scores worked
out by the instruments. The service timeline's own events (`reports.ServiceEvent`) are here too.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Max, Min, QuerySet
from django.utils import timezone

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.casework.models import (
    Agreement,
    ClientFeedback,
    Closure,
    ContactMode,
    ContactOutcome,
    FeedbackLink,
    Goal,
    GoalRating,
    GoalStatus,
    GoalStep,
    LifeDomain,
    PlanExtension,
    PreferredMode,
    SupportPlan,
    WhatMatters,
)
from linkwork.casework.models import Contact as CaseContact
from linkwork.core.signed_links import hash_token
from linkwork.demo.outcomes import SCHEDULES, _answers, _level_for
from linkwork.demo.prescriptions import NOTES as SERVICE_NOTES
from linkwork.demo.prescriptions import _asked_for, _open_since
from linkwork.directory.models import Availability, Service
from linkwork.messaging.models import Event, ReferrerMessage
from linkwork.messaging.referrer import recipient_for, render_message
from linkwork.outcomes.instruments import get_instrument
from linkwork.outcomes.models import CollectedBy, Measure, Timepoint
from linkwork.partners.models import SourceType
from linkwork.prescriptions.models import (
    LinkPurpose,
    PrescriptionUpdate,
    ServiceLink,
    SocialPrescription,
)
from linkwork.prescriptions.status import PrescriptionStatus
from linkwork.referrals.models import (
    Allocation,
    InterimContact,
    Person,
    ReceivedVia,
    Referral,
    StatusChange,
)
from linkwork.referrals.status import (
    ClosureReason,
    DeclineReason,
    Priority,
    ReferralStatus,
    WithdrawalReason,
)
from linkwork.reports.models import ServiceEvent
from linkwork.trials.models import Trial

S = ReferralStatus
P = PrescriptionStatus
GP = SourceType.GP_PRACTICE
AMBULANCE = SourceType.AMBULANCE
CRISIS = SourceType.CRISIS_TEAM
PRIMARY = SourceType.PRIMARY_MENTAL_HEALTH
COUNCIL = SourceType.LOCAL_AUTHORITY
SELF = SourceType.SELF_REFERRAL

# --- The story's dates (days ago, unless said) ---------------------------------------------------

CRITERIA_AGREED = 60  # referral criteria agreed with the crisis teams
ELAN_STOPPED = 125  # Elan Valley Surgery's last referral was before this
VOLUNTEERS_FROM_MONTHS = 6  # volunteers call people on the waiting list from the 1st, 6 months ago
LAST_DAY = 2  # everything in the history has finished by this many days ago
LAST_REFERRAL = 16  # and its last referral came this many days ago (the rest are today's)

# --- Referrals -----------------------------------------------------------------------------------

# Referrals a month (30 days) through each kind of pathway: (site, source type, frequent
# attenders only) -> rate. Rhondda's frequent-attender pathways ran the trial: only what triage
# declined is added while it ran (see `History.rate`).
RATES = {
    ("powys", GP, True): 4.5,
    ("powys", GP, False): 3.5,
    ("powys", AMBULANCE, True): 1.5,
    ("powys", PRIMARY, False): 1.0,
    ("powys", CRISIS, False): 10.0,
    ("powys", COUNCIL, False): 2.0,
    ("rhondda", GP, True): 5.0,
    ("rhondda", GP, False): 6.5,
    ("rhondda", AMBULANCE, True): 1.5,
    ("rhondda", CRISIS, False): 8.0,
    ("rhondda", COUNCIL, False): 1.5,
    ("rhondda", SELF, False): 2.0,
}
CRISIS_AGREED_SHARE = 0.6  # fewer crisis team referrals once the criteria were agreed
TRIAL_DECLINES = 0.22  # of the usual rate, while Rhondda's trial took the rest
# Fewer referrals are added in the last weeks, where the rest of the demo has its own (but for
# the crisis teams', most of which are not taken on).
RECENT_DAYS, RECENT_SHARE = 60, 0.35

# Which organisation refers, by site and source type: (key, weight), in order.
GP_PRACTICES = {
    "powys": (("llanidloes", 3), ("newtown", 2), ("elan", 7)),
    "rhondda": (("tonypandy", 17), ("treorchy", 3)),
}
OTHER_PARTNERS = {
    AMBULANCE: "ambulance",
    CRISIS: "crisis_{site}",
    COUNCIL: "council_{site}",
    PRIMARY: "primary_powys",
}

# How often a referrer ticks "frequent attender" when the pathway does not require it.
FREQUENT = {GP: 0.3, AMBULANCE: 1.0, CRISIS: 0.15, COUNCIL: 0.1, PRIMARY: 0.2, SELF: 0.1}

# The stories (`demo.service.STORIES`) each kind of referrer sends.
SOURCE_STORIES = {
    GP: (
        "widowed", "stress_money", "carer_son", "tenancy", "knee", "separated", "farm",
        "lost_son", "back_pain", "hearing", "arrears", "panic_work", "carer_wife",
        "since_pandemic", "divorce", "veteran", "redundant", "left_college",
    ),
    AMBULANCE: ("night_calls", "farm", "hearing", "widowed", "carer_wife", "redundant"),
    CRISIS: ("after_crisis", "after_crisis", "separated", "panic_work", "redundant", "divorce"),
    COUNCIL: ("young_mum", "arrears", "tenancy", "sofa", "carer_son"),
    PRIMARY: ("panic_work", "stress_money", "separated", "left_college"),
    SELF: ("since_pandemic", "left_college", "separated", "stress_money", "lost_son", "widowed"),
}  # fmt: skip

# Triage, by source type: weights of accepting, asking for more information, and each decline
# reason. The crisis teams' referrals are often above the remit, less so once criteria were
# agreed with them (the second set).
A, INFO = "accept", "info"
D = DeclineReason
TRIAGE = {
    GP: {A: 80, INFO: 8, D.OUTSIDE_CRITERIA: 4, D.NEEDS_ABOVE_REMIT: 3,
         D.SUPPORTED_ELSEWHERE: 3, D.PERSON_DECLINED: 2, D.UNABLE_TO_CONTACT: 2, D.OTHER: 3},
    AMBULANCE: {A: 66, INFO: 4, D.OUTSIDE_CRITERIA: 3, D.NEEDS_ABOVE_REMIT: 8,
                D.SUPPORTED_ELSEWHERE: 2, D.PERSON_DECLINED: 9, D.UNABLE_TO_CONTACT: 7, D.OTHER: 2},
    CRISIS: {A: 46, INFO: 5, D.OUTSIDE_CRITERIA: 3, D.NEEDS_ABOVE_REMIT: 40,
             D.SUPPORTED_ELSEWHERE: 6, D.PERSON_DECLINED: 1, D.UNABLE_TO_CONTACT: 1, D.OTHER: 1},
    COUNCIL: {A: 70, INFO: 8, D.OUTSIDE_CRITERIA: 8, D.SUPPORTED_ELSEWHERE: 10,
              D.PERSON_DECLINED: 3, D.OTHER: 2},
    PRIMARY: {A: 78, INFO: 5, D.OUTSIDE_CRITERIA: 4, D.NEEDS_ABOVE_REMIT: 7,
              D.SUPPORTED_ELSEWHERE: 6},
    SELF: {A: 74, D.OUTSIDE_CRITERIA: 9, D.NEEDS_ABOVE_REMIT: 5, D.SUPPORTED_ELSEWHERE: 5,
           D.PERSON_DECLINED: 2, D.UNABLE_TO_CONTACT: 5},
}  # fmt: skip
CRISIS_AGREED = {**TRIAGE[CRISIS], A: 60, D.NEEDS_ABOVE_REMIT: 25}

# Why, in the note the referrer is sent. Above the remit: (note, redirected to, story).
DECLINE_NOTES = {
    D.OUTSIDE_CRITERIA: (
        "The main need is a memory assessment, which we do not offer.",
        "Lives outside the area we cover; passed to the service there.",
        "The need is for help with personal care at home, which we do not provide.",
    ),
    D.SUPPORTED_ELSEWHERE: (
        "Already has a Mind wellbeing worker.",
        "Has a support worker from the council's housing team, who is helping with this.",
        "Open to the Community Mental Health Team, who are arranging similar support.",
        "Still open to the crisis team, who will refer again at discharge if it would help.",
    ),
    D.PERSON_DECLINED: (
        "Spoke to them: they did not know about the referral and do not want support.",
        "Does not want support at the moment; knows how to refer themselves.",
    ),
    D.UNABLE_TO_CONTACT: (
        "Three calls over two weeks and a letter; no reply.",
        "The number on the form is not in use, and a letter came back.",
    ),
    D.OTHER: (
        "Referred twice in the same week; we are taking the other referral forward.",
        "Has moved to England since the referral; the GP has been told.",
    ),
}
ABOVE_REMIT = (
    ("Currently very unwell and needs specialist mental health care first.",
     "Community Mental Health Team", "above_remit"),
    ("Active thoughts of ending their life, with a plan; the crisis team is keeping them open.",
     "Crisis Resolution and Home Treatment Team", "active_risk"),
    ("Drinking heavily every day; needs the substance misuse service first.",
     "Community Drug and Alcohol Team", "alcohol"),
    ("New unusual experiences and beliefs; needs a specialist assessment first.",
     "Early Intervention in Psychosis service", "psychosis"),
)  # fmt: skip
INFO_REQUESTS = (
    ("Could you send a current phone number? The one on the form is not recognised.",
     "The mobile number is 07700 900 on the updated form; best after 3pm."),
    ("Is the person still under the Community Mental Health Team?",
     "Discharged from the CMHT last month; the GP is happy to hold their care."),
    ("Does the person know about the referral and agree to it?",
     "Yes, discussed at the appointment; they are keen to hear from you."),
    ("The form does not say what the person would like help with. Could you tell us more?",
     "Mainly loneliness since moving into the area, and getting out more."),
)  # fmt: skip

# People whose referral is above the remit, as the referrer described them.
MORE_STORIES = {
    "active_risk": (
        (25, 60),
        ("low_mood",),
        "Several crisis contacts this month after a relationship ended. Says they cannot see a "
        "way forward.",
        "Thoughts of ending their life with a plan; under the crisis team.",
    ),
    "alcohol": (
        (30, 65),
        ("low_mood", "relationships"),
        "Drinking most of the day since losing their job. Family very worried.",
        "Alcohol dependence; has had withdrawal fits in the past.",
    ),
    "psychosis": (
        (18, 40),
        ("low_mood", "other"),
        "Has stopped going out and believes the neighbours are watching them.",
        "New unusual beliefs; not yet assessed.",
    ),
}

# --- Waiting -------------------------------------------------------------------------------------

URGENT = 0.15
# From this many waiting (one coordinator at Powys, two or three at Rhondda), more and more of
# those told how long the wait is would rather not wait.
LONG_LIST = {"powys": 3, "rhondda": 10}
ALLOCATION_DAY = 1  # the weekly team meeting, on Tuesdays, allocates people to coordinators
# Days from acceptance to allocation while the site has room, and once it has not (the first
# contact follows a week or so after allocation).
WAITS = {"short": (2, 14), "long": (28, 56)}
INDUCTION = 42  # days: a new coordinator trains and shadows before taking on a full caseload
PATIENCE_DAYS = 200  # on average, how long people will wait before giving up
WITHDRAWALS = (
    (WithdrawalReason.PERSON_DECLINED, "Feeling better and no longer wants support.", 4),
    (WithdrawalReason.UNABLE_TO_CONTACT,
     "Could not reach them when a place came up: three calls and a letter.", 3),
    (WithdrawalReason.SUPPORTED_ELSEWHERE,
     "Started counselling through the GP practice while waiting.", 3),
    (WithdrawalReason.MOVED_AWAY, "Moved to Swansea to be near family.", 1),
    (WithdrawalReason.OTHER, "Went into hospital; the GP will refer again when they are home.", 1),
)  # fmt: skip
CHECK_INS = (
    "Check-in call. Talked through the expected wait; gave the C.A.L.L. helpline number.",
    "Check-in call. Managing; has been getting out for short walks.",
    "Check-in call. Struggling with sleep; agreed to see the GP. Still keen to start.",
    "Left a voicemail; a text came back to say all is well.",
)
VOLUNTEER_CALLS = (
    "Volunteer call. Chatted about the garden and the grandchildren; looking forward to starting.",
    "Volunteer call. Says the days are long; enjoyed the chat.",
    "Volunteer call. Talked about what they would like to do once support starts.",
)

# --- Support -------------------------------------------------------------------------------------

# How support went: (kind, weight). "full": to the planned end; "extended": past it, with a
# reason; "light": goals met in a few weeks; "disengaged"; "early": ended early otherwise.
COURSES = (("full", 62), ("light", 14), ("disengaged", 12), ("early", 12))
EXTENDED = 0.25  # of full courses, extended near the planned end (if the coordinator has room)
FULL_ENDINGS = (
    (ClosureReason.GOALS_ACHIEVED, 66),
    (ClosureReason.PERSON_CHOSE_TO_END, 20),
    (ClosureReason.REFERRED_TO_STATUTORY, 6),
    (ClosureReason.OTHER, 8),
)
EARLY_ENDINGS = (
    (ClosureReason.MOVED_AWAY, 4),
    (ClosureReason.REFERRED_TO_STATUTORY, 5),
    (ClosureReason.NEEDS_ABOVE_REMIT, 2),
    (ClosureReason.PERSON_CHOSE_TO_END, 4),
    (ClosureReason.DIED, 1),
)
SUMMARIES = {
    ClosureReason.GOALS_ACHIEVED: (
        "Goals met: goes to the group on their own now and has made friends there. Happy to "
        "finish; knows how to come back.",
        "Benefits sorted and the arrears on a payment plan; sleeping better. Ready to finish.",
        "Back out walking twice a week with the group and volunteering on Fridays.",
    ),
    ClosureReason.PERSON_CHOSE_TO_END: (
        "Felt ready to carry on without support; knows how to get back in touch.",
        "Decided to stop as work has picked up; the walking group continues.",
    ),
    ClosureReason.DISENGAGED: (
        "No reply to three calls and a letter over four weeks. Closed, with a letter "
        "explaining how to come back.",
    ),
    ClosureReason.MOVED_AWAY: ("Moved out of the area to live with family; told the GP.",),
    ClosureReason.REFERRED_TO_STATUTORY: (
        "Mood much lower; with their agreement referred back to the GP, who has referred on to "
        "the Community Mental Health Team.",
    ),
    ClosureReason.NEEDS_ABOVE_REMIT: (
        "Needs have grown beyond what we can offer; passed to the crisis team with their "
        "agreement.",
    ),
    ClosureReason.DIED: (
        "Died in hospital after a short illness. Condolences sent to the family.",
    ),
    ClosureReason.OTHER: (
        "Moving on to the Mind wellbeing course; will keep in touch with the walking group.",
    ),
}
EXTENSIONS = (
    "We might be the only source of support he has; more time to settle into the group.",
    "Waiting for the housing appeal; agreed a few more weeks to see it through.",
    "Support paused for three weeks while she was in hospital.",
    "Still anxious about going alone; more time for the graded steps.",
)

# Goals in the person's words: (domain, goal, graded steps).
GOALS = (
    (LifeDomain.SOCIAL, "Get to the Thursday coffee morning at the chapel",
     ("Go with my link coordinator the first time", "Go by taxi on my own",
      "Walk there with a neighbour")),
    (LifeDomain.ACTIVITY, "Walk to the end of the road and back every day", ()),
    (LifeDomain.WELLBEING, "Sleep better and worry less at night", ()),
    (LifeDomain.MONEY, "Sort out the council tax arrears",
     ("Gather the letters", "Go to Citizens Advice together", "Set up a payment plan")),
    (LifeDomain.HOUSING, "Get the damp in the bedroom fixed", ()),
    (LifeDomain.WORK, "Find some volunteering, two mornings a week", ()),
    (LifeDomain.HOME, "Get help with the garden so I can sit out in it", ()),
    (LifeDomain.HEALTH, "Go back to the GP about my knee", ()),
    (LifeDomain.SOCIAL, "Phone my daughter once a week", ()),
    (LifeDomain.ACTIVITY, "Join the walking group on Saturdays",
     ("Meet the walk leader", "Do the short route", "Do the full route")),
    (LifeDomain.SOCIAL, "Meet other mums in the area", ()),
    (LifeDomain.WELLBEING, "Have a plan for the bad evenings", ()),
    (LifeDomain.MONEY, "Get a benefits check", ()),
    (LifeDomain.SOCIAL, "Go back to choir", ()),
    (LifeDomain.WORK, "Write a CV and apply for one job", ()),
    (LifeDomain.ACTIVITY, "Go swimming once a week", ()),
)  # fmt: skip

# How goals still open end, by why support ended (None: any other reason), as weights.
GOAL_ENDINGS = {
    ClosureReason.GOALS_ACHIEVED: ((GoalStatus.ACHIEVED, 7), (GoalStatus.PARTLY_ACHIEVED, 3)),
    ClosureReason.PERSON_CHOSE_TO_END: (
        (GoalStatus.ACHIEVED, 35),
        (GoalStatus.PARTLY_ACHIEVED, 45),
        (GoalStatus.NOT_ACHIEVED, 20),
    ),
    ClosureReason.DISENGAGED: ((GoalStatus.PARTLY_ACHIEVED, 4), (GoalStatus.NOT_ACHIEVED, 6)),
    None: ((GoalStatus.PARTLY_ACHIEVED, 5), (GoalStatus.NOT_ACHIEVED, 5)),
}
CHANGED_GOALS = 0.12  # goals the person changed part-way, for something else

# Contact modes by period, as weights.
H, F, T, V, X, C = (
    ContactMode.HOME_VISIT,
    ContactMode.FACE_TO_FACE,
    ContactMode.TELEPHONE,
    ContactMode.VIDEO,
    ContactMode.TEXT_OR_EMAIL,
    ContactMode.ACCOMPANIED,
)
MODES = {
    "before": ((H, 38), (F, 27), (C, 8), (T, 14), (V, 1), (X, 6)),
    "lockdown": ((T, 78), (V, 19), (X, 3)),
    "after": ((H, 20), (F, 20), (C, 6), (T, 38), (V, 9), (X, 7)),
}
MINUTES = {H: (45, 60, 75, 90), F: (30, 45, 60), T: (15, 20, 30, 40), V: (20, 30, 45),
           X: (None, 5), C: (60, 90, 120)}  # fmt: skip
NOTES = {
    H: ("Home visit. Talked through what matters; agreed goals.",
        "Home visit. Reviewed goals together; more settled this week."),
    F: ("Met at the library café. Reviewed goals; more settled.",
        "Met at the community centre. Looked at courses together."),
    T: ("Phone call. Checked in after the group; went well.",
        "Phone call. A hard week; talked it through and agreed next steps."),
    V: ("Video call with their daughter joining. Planned next steps.",
        "Video call. Went through the benefits form together on screen."),
    X: ("Text reminder about Thursday; replied to say they will go.",
        "Emailed the details of the walking group, as agreed."),
    C: ("Went with them to the coffee morning. Stayed an hour.",
        "Went with them to Citizens Advice for the first appointment."),
}  # fmt: skip
MISSED = {
    ContactOutcome.DID_NOT_ATTEND: "Not in when I called round / no answer at the booked time.",
    ContactOutcome.CANCELLED_BY_PERSON: "Cancelled: not feeling up to it today. Rebooked.",
    ContactOutcome.CANCELLED_BY_SERVICE: "Cancelled: link coordinator off sick. Rebooked.",
}

# SWEMWBS raw change from baseline to the end, by why support ended: (low, high) of a spread
# that, with the odd setback, averages two to three metric points across closed cases.
SWEMWBS_CHANGE = {
    ClosureReason.GOALS_ACHIEVED: (3, 11),
    ClosureReason.PERSON_CHOSE_TO_END: (0, 8),
    ClosureReason.OTHER: (0, 7),
    ClosureReason.DISENGAGED: (-3, 4),
    ClosureReason.REFERRED_TO_STATUTORY: (-8, 1),
    ClosureReason.NEEDS_ABOVE_REMIT: (-8, 0),
}

# The "what matters" conversation, in the person's words.
WHAT_MATTERS = (
    {
        "what_matters": "Getting out of the house again. Not feeling like a burden on the family.",
        "strengths": "Used to sing in the choir. Good with their hands.",
        "getting_in_the_way": "Buses are every two hours. Anxious in crowds.",
        "people_around": "A daughter in Cardiff who phones on Sundays. A good neighbour.",
        "next_steps": "Find out about the coffee morning; go together the first time.",
    },
    {
        "what_matters": "Sorting the money out so I can sleep. Being there for the children.",
        "strengths": "Practical, likes fixing things. Worked for twenty years.",
        "getting_in_the_way": "Letters from the council they cannot face opening. Low mood.",
        "people_around": "The children at weekends. A brother nearby, but they rarely talk.",
        "next_steps": "Bring the letters next week; look at Citizens Advice together.",
    },
    {
        "what_matters": "Feeling part of something. Having a reason to get up.",
        "strengths": "Loves walking and dogs. Reads a lot.",
        "getting_in_the_way": "Does not know anyone since moving here. No car.",
        "people_around": "Lives alone. A sister in Swansea.",
        "next_steps": "Try the walking group; look at volunteering at the dogs' home.",
    },
    {
        "what_matters": "Feeling less on edge. Getting back to the things I used to enjoy.",
        "strengths": "Good cook; used to play darts for the club.",
        "getting_in_the_way": "Bad nights, and worrying about what people think.",
        "people_around": "A partner who works shifts; an old friend from school.",
        "next_steps": "A plan for the evenings; ask about the darts team.",
    },
)
SETBACKS = 0.08

FEEDBACK_HELPED = (
    "Having someone come with me the first time.",
    "Someone listening, and not rushing me.",
    "Being put in touch with the walking group.",
    "Help with the forms; I could not have done it alone.",
    "The phone calls kept me going in lockdown.",
)
FEEDBACK_BETTER = (
    "Shorter wait at the start.",
    "More sessions.",
    "Meeting in person sooner.",
    "",
    "",
)

# --- Building it ---------------------------------------------------------------------------------


@dataclass
class Entry:
    """Someone accepted onto a site's waiting list, and what became of them."""

    referral: Referral
    site: str
    accepted_at: datetime.datetime
    urgent: bool
    patience: int  # days they will wait before giving up
    allocated_on: datetime.date | None = None
    left_on: datetime.date | None = None  # withdrawn
    coordinator: object = None
    course: dict = field(default_factory=dict)


@dataclass
class Pending:
    """A referral waiting for its triage decision, on `decided`."""

    referral: Referral
    site: str
    decided: datetime.date
    last: datetime.datetime  # its latest step so far
    outcome: str
    note: str
    redirected_to: str


def build_demo_history(demo) -> None:
    History(demo).build()


def history_referrals():
    """The referrals the history built (for tests and checks): it runs last, so they are the
    ones after the last of the trials' people."""
    last = Referral.objects.filter(trial_participations__isnull=False).aggregate(pk=Max("pk"))
    return Referral.objects.filter(pk__gt=last["pk"] or 0)


class History:
    def __init__(self, demo):
        from linkwork.demo import service

        self.demo = demo
        self.service = service
        self.rng = demo.rng
        self.today = demo.today
        self.manager = demo.users["manager"]
        self.rows = defaultdict(list)  # model: instances, in the order to write them
        self.audit_rows = []  # (at, by, action, obj, person, fields, detail)
        self.messages = []  # (referral, event, at, by, extra)
        self.entries: list[Entry] = []
        self.pending: list[Pending] = []
        self.given = defaultdict(int)  # (coordinator id, day): people allocated at that meeting
        self.crisis_opened = {
            p.site.slug: p.opens_on for p in demo.pathways if p.source_type == CRISIS
        }
        self.first_day = min(p.opens_on for p in demo.pathways)
        self.pathways = list(demo.pathways)
        self.organisations = demo.organisations
        self.open_since = _open_since()  # service id: open (or limited) ever since that day
        self._services = {}

    # Dates --------------------------------------------------------------------------------------

    def ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    def months(self, months: int) -> datetime.date:
        return self.service.months_ago(self.today, months)

    def moment(self, day: datetime.date, after: datetime.datetime | None = None):
        """Some time in the working day on `day`, later than `after`."""
        start = datetime.datetime.combine(day, datetime.time(9, 0))
        when = timezone.make_aware(start + datetime.timedelta(minutes=self.rng.randrange(450)))
        if after is not None and when <= after:
            when = after + datetime.timedelta(minutes=self.rng.randint(5, 60))
        return when

    @staticmethod
    def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

    @staticmethod
    def workday(day: datetime.date) -> datetime.date:
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        return day

    def weighted(self, pairs):
        pairs = list(pairs.items()) if isinstance(pairs, dict) else list(pairs)
        return self.rng.choices([k for k, _w in pairs], weights=[w for _k, w in pairs])[0]

    def period(self, day: datetime.date) -> str:
        """Before lockdown, in it (`demo.service.LOCKDOWN`), or after restrictions eased."""
        if self.demo.in_lockdown(day):
            return "lockdown"
        return "before" if day < self.ago(self.service.LOCKDOWN[0]) else "after"

    # The whole ---------------------------------------------------------------------------------

    def build(self) -> None:
        self.load_what_is_there()
        for arrival in self.arrivals():
            self.refer(*arrival)
        for site in ("powys", "rhondda"):
            self.wait_and_allocate(site)
        for entry in self.entries:
            self.waited(entry)
            if entry.coordinator is not None:
                self.support(entry)
        self.write()
        self.service_events()

    # What the rest of the demo has put in place -------------------------------------------------

    def load_what_is_there(self) -> None:
        """Everyone on a caseload, and on a waiting list, on each day of the story so far."""
        self.days = (self.today - self.first_day).days + 2
        self.caseload = defaultdict(lambda: [0] * self.days)  # coordinator id: people, by day
        for allocation in Allocation.objects.all():
            start = timezone.localdate(allocation.started_at)
            end = timezone.localdate(allocation.ended_at) if allocation.ended_at else self.today
            self.take(allocation.coordinator_id, start, end)
        self.waiting = defaultdict(lambda: [0] * self.days)  # site slug: people, by day
        first_allocated = dict(
            Allocation.objects.values("referral_id")
            .annotate(first=Min("started_at"))
            .values_list("referral_id", "first")
        )
        left = dict(
            StatusChange.objects.filter(to_status=S.WITHDRAWN, from_status=S.WAITING).values_list(
                "referral_id", "at"
            )
        )
        for referral in Referral.objects.filter(accepted_at__isnull=False).select_related("site"):
            ended = first_allocated.get(referral.pk) or left.get(referral.pk)
            self.list_for(
                referral.site.slug,
                timezone.localdate(referral.accepted_at),
                timezone.localdate(ended) if ended else self.today,
            )
        closed = Trial.objects.filter(status="closed").first()
        self.trial = (
            (timezone.localdate(closed.opened_at), timezone.localdate(closed.closed_at))
            if closed
            else None
        )

    def index(self, day: datetime.date) -> int:
        return max(0, min(self.days - 1, (day - self.first_day).days))

    def take(self, coordinator_id: int, start: datetime.date, end: datetime.date) -> None:
        row = self.caseload[coordinator_id]
        for i in range(self.index(start), self.index(end)):
            row[i] += 1

    def list_for(self, site: str, start: datetime.date, end: datetime.date) -> None:
        row = self.waiting[site]
        for i in range(self.index(start), self.index(end)):
            row[i] += 1

    def has_room(self, coordinator, start: datetime.date, end: datetime.date) -> bool:
        row = self.caseload[coordinator.pk]
        busiest = max(row[self.index(start) : self.index(end) + 1])
        return busiest < coordinator.caseload_cap

    def working(self, site: str, start: datetime.date, end: datetime.date | None = None):
        """The site's coordinators at work from `start` to `end` (leavers included)."""
        people = self.demo.coordinators_on(site, start)
        if end is not None:
            people = [c for c in people if c in self.demo.coordinators_on(site, end)]
        return people

    # Arrivals ----------------------------------------------------------------------------------

    def rate(self, pathway, day: datetime.date) -> float:
        """Referrals a day through `pathway` on `day`."""
        site = pathway.site.slug
        key = (site, pathway.source_type, pathway.frequent_attender_required)
        monthly = RATES.get(key, 0.0)
        if self.in_trial(pathway, day):
            monthly *= TRIAL_DECLINES
        if pathway.source_type == CRISIS and day >= self.ago(CRITERIA_AGREED):
            monthly *= CRISIS_AGREED_SHARE
        if day > self.ago(RECENT_DAYS) and pathway.source_type != CRISIS:
            monthly *= RECENT_SHARE
        return monthly / 30

    def in_trial(self, pathway, day: datetime.date) -> bool:
        """Whether the pathway's accepted referrals went into the Rhondda trial that day."""
        return (
            self.trial is not None
            and pathway.site.slug == "rhondda"
            and pathway.frequent_attender_required
            and self.trial[0] <= day < self.trial[1]
        )

    def arrivals(self):
        """(pathway, organisation, day) for every referral, oldest first."""
        found = []
        last = self.ago(LAST_REFERRAL)
        # Each pathway's referrals come at about its rate, a little irregularly: the next one
        # when the referrals due since the last add up to between a half and one and a half.
        due = {p.pk: 0.0 for p in self.pathways}
        next_at = {p.pk: self.rng.uniform(0.1, 1.0) for p in self.pathways}
        day = self.first_day
        while day <= last:
            for pathway in self.pathways:
                if not pathway.is_open_on(day):
                    continue
                # Fewer at weekends (online forms and self-referrals, mostly).
                due[pathway.pk] += self.rate(pathway, day) * (1.2 if day.weekday() < 5 else 0.3)
                while due[pathway.pk] >= next_at[pathway.pk]:
                    due[pathway.pk] -= next_at[pathway.pk]
                    next_at[pathway.pk] = self.rng.uniform(0.5, 1.5)
                    organisation = self.organisation_for(pathway, day)
                    if pathway.accepts_organisation(organisation):
                        found.append((pathway, organisation, day))
            day += datetime.timedelta(days=1)
        return found

    def organisation_for(self, pathway, day: datetime.date):
        site, source = pathway.site.slug, pathway.source_type
        if source == SELF:
            return None
        if source == GP:
            practices = [
                (key, weight)
                for key, weight in GP_PRACTICES[site]
                if not (key == "elan" and day >= self.ago(ELAN_STOPPED))
            ]
            return self.organisations[self.weighted(practices)]
        return self.organisations[OTHER_PARTNERS[source].format(site=site)]

    # A referral and its triage ------------------------------------------------------------------

    def refer(self, pathway, organisation, day: datetime.date) -> None:
        service, rng = self.service, self.rng
        site, source = pathway.site.slug, pathway.source_type
        decision = self.triage_decision(pathway, day)
        story_key = (
            decision[2] if decision[0] == D.NEEDS_ABOVE_REMIT else
            "memory" if decision[0] == D.OUTSIDE_CRITERIA and rng.random() < 0.5 else
            rng.choice(SOURCE_STORIES[source])
        )  # fmt: skip
        story = self.story(story_key)
        case = service.Case(site, source, S.RECEIVED, 0, story=story_key)
        received_at = self.moment(day)
        person = Person(**self.demo.new_person(case, story, day))
        person.story_at = received_at  # auto_now_add stamps today: put back in `write`
        recorder = rng.choice([self.manager, *self.working(site, day)])
        if source == SELF:
            by, via, name, contact = None, ReceivedVia.SELF_REFERRAL, "", ""
        elif organisation == self.demo.referrer_practice:
            referrer = self.demo.users["referrer"]
            by, via = referrer, ReceivedVia.ONLINE
            name, contact = f"Dr {referrer.get_full_name()}", referrer.email
        else:
            key = self.demo.org_key(organisation)
            by, via = recorder, rng.choice(service.RECEIVED_VIA.get(source, (ReceivedVia.EMAIL,)))
            name = rng.choice(service.ORGANISATIONS[key][3])
            contact = f"01632 960{list(service.ORGANISATIONS).index(key):03d}"
        referral = Referral(
            person=person,
            pathway=pathway,
            site=pathway.site,
            referring_organisation=organisation,
            referred_by=by,
            referrer_name=name,
            referrer_contact=contact,
            received_via=via,
            received_at=received_at,
            needs=list(story.needs),
            needs_detail=story.detail,
            known_risks=story.risks,
            frequent_attender=pathway.frequent_attender_required or rng.random() < FREQUENT[source],
            consent_to_referral=True,
            consent_to_share_feedback=rng.random() < 0.75,
        )
        self.rows[Person].append(person)
        self.rows[Referral].append(referral)
        self.audit(received_at, by, AuditAction.CREATE, person, person)
        self.audit(
            received_at,
            by,
            AuditAction.CREATE,
            referral,
            person,
            detail=f"pathway {pathway.pk} via {via}",
        )
        self.step(referral, "", S.RECEIVED, received_at, by)
        self.triage(referral, decision, day)

    def story(self, key: str):
        if key in MORE_STORIES:
            ages, needs, detail, risks = MORE_STORIES[key]
            return self.service.Story(ages, needs, detail, risks, routine=False)
        return self.service.STORIES[key]

    def triage_decision(self, pathway, day: datetime.date) -> tuple:
        """(outcome, note, story, redirected to): the outcome is "accept", "info" (ask the
        referrer for more first) or a decline reason; the story and where the person was
        redirected to are for referrals above the remit."""
        source = pathway.source_type
        weights = TRIAGE[source]
        if source == CRISIS and day >= self.ago(CRITERIA_AGREED):
            weights = CRISIS_AGREED
        if self.in_trial(pathway, day):
            weights = {k: w for k, w in weights.items() if k not in (A, INFO)}
        outcome = self.weighted(weights)
        if outcome == D.NEEDS_ABOVE_REMIT:
            note, redirected_to, story = self.rng.choice(ABOVE_REMIT)
            return outcome, note, story, redirected_to
        if outcome in DECLINE_NOTES:
            return outcome, self.rng.choice(DECLINE_NOTES[outcome]), "", ""
        return outcome, "", "", ""

    def step(self, referral, from_status, to_status, at, by, reason="", note="", message=""):
        """One status change, as `referrals.actions.move_to` writes it."""
        self.rows[StatusChange].append(
            StatusChange(
                referral=referral,
                from_status=from_status,
                to_status=to_status,
                at=at,
                by=by,
                reason=reason,
                note=note,
                message_to_referrer=message,
            )
        )
        if from_status:
            self.audit(
                at,
                by,
                AuditAction.TRANSITION,
                referral,
                referral.person,
                fields=["status"],
                detail=f"{from_status} -> {to_status}",
            )
        referral.status = to_status

    def triage(self, referral, decision, day: datetime.date) -> None:
        """What happens before the decision (a request for more information, and the answer),
        and when the decision falls; the decision itself is made on the day (`decide`)."""
        rng, manager = self.rng, self.manager
        outcome, note, _story, redirected_to = decision
        last = referral.received_at
        decided = self.workday(day + datetime.timedelta(days=rng.randint(1, 5)))
        if outcome == INFO:
            request, answer = rng.choice(INFO_REQUESTS)
            asked = self.moment(self.workday(day + datetime.timedelta(days=rng.randint(1, 2))))
            self.step(referral, S.RECEIVED, S.INFORMATION_REQUESTED, asked, manager, note=request,
                      message=request)  # fmt: skip
            referral.information_requested = request
            answered = timezone.localdate(asked) + datetime.timedelta(days=rng.randint(2, 8))
            if rng.random() < 0.2 or answered > self.ago(LAST_DAY + 1):
                # No answer: declined once the referrer has been chased.
                decided = self.workday(timezone.localdate(asked) + datetime.timedelta(days=14))
                outcome = D.UNABLE_TO_CONTACT
                note = "We asked the referrer for more information twice and had no reply."
                last = asked
            else:
                at = self.moment(answered, asked)
                self.step(referral, S.INFORMATION_REQUESTED, S.RECEIVED, at,
                          referral.referred_by or manager, note=answer)  # fmt: skip
                referral.information_requested = ""
                last = at
                decided = self.workday(answered + datetime.timedelta(days=rng.randint(0, 2)))
                outcome = A if rng.random() < 0.85 else D.SUPPORTED_ELSEWHERE
                note = "Now supported by the Community Mental Health Team."
        elif outcome == D.UNABLE_TO_CONTACT:
            decided = self.workday(day + datetime.timedelta(days=rng.randint(12, 16)))
        decided = min(decided, self.ago(LAST_DAY))
        self.pending.append(
            Pending(referral, referral.site.slug, decided, last, outcome, note, redirected_to)
        )

    def decide(self, pending: "Pending", waiting: int) -> Entry | None:
        """Triage on the day. Someone who would be accepted while `waiting` people are already
        waiting is told how long the wait is; the longer it is, the more of them would rather
        not wait, or are pointed to something sooner."""
        rng, manager, referral = self.rng, self.manager, pending.referral
        outcome, note = pending.outcome, pending.note
        at = self.moment(pending.decided, pending.last)
        too_long = (waiting - LONG_LIST[pending.site]) * 0.08
        if outcome == A and rng.random() < min(0.7, max(0.0, too_long)):
            weeks = max(4, round(waiting * 0.6))
            outcome, note = rng.choice(
                (
                    (D.PERSON_DECLINED, f"Told the wait is about {weeks} weeks; would rather not "
                     "wait, and has the number for the Mind support line."),
                    (D.SUPPORTED_ELSEWHERE, f"The wait is about {weeks} weeks; with their "
                     "agreement, referred to the Red Cross befriending service instead."),
                )
            )  # fmt: skip
        if outcome != A:
            message = "Thank you for the referral. We are not able to take it forward: " + note
            self.step(referral, referral.status, S.DECLINED, at, manager, reason=outcome,
                      note=note, message=message)  # fmt: skip
            referral.decline_reason = outcome
            referral.redirected_to = pending.redirected_to
            self.tell(referral, Event.DECLINED, at, manager, {"message": message})
            return None
        message = "Accepted. We will let you know when a link coordinator is allocated."
        self.step(referral, referral.status, S.ACCEPTED, at, manager, note="Meets the criteria.",
                  message=message)  # fmt: skip
        self.step(referral, S.ACCEPTED, S.WAITING, at, manager)
        urgent = rng.random() < URGENT
        referral.priority = Priority.URGENT if urgent else Priority.ROUTINE
        referral.accepted_at = at
        self.tell(referral, Event.ACCEPTED, at, manager, {"message": message})
        entry = Entry(
            referral,
            pending.site,
            at,
            urgent,
            patience=21 + round(rng.expovariate(1 / PATIENCE_DAYS)),
        )
        self.entries.append(entry)
        return entry

    # The waiting list --------------------------------------------------------------------------

    def wait_and_allocate(self, site: str) -> None:
        """In the order referrals are decided: the decision (in the light of how many are
        waiting that day), then, for those accepted, their time on the list."""
        existing = self.waiting[site]
        placed: list[Entry] = []
        for pending in sorted((p for p in self.pending if p.site == site), key=lambda p: p.decided):
            day = pending.decided
            on_list = existing[self.index(day)] + sum(
                1
                for e in placed
                if timezone.localdate(e.accepted_at) <= day < (e.allocated_on or e.left_on)
            )
            entry = self.decide(pending, on_list)
            if entry is not None:
                self.place(entry)
                placed.append(entry)
        for entry in placed:
            end = entry.allocated_on or entry.left_on
            self.list_for(site, timezone.localdate(entry.accepted_at), end)

    def place(self, entry: Entry) -> None:
        """Allocate at the first weekly allocation meeting after the wait the site had then
        (`expected_wait`) at which a coordinator has room for the whole of the support; or, if
        none has before they give up (or the story reaches today), the person withdraws."""
        rng = self.rng
        accepted = timezone.localdate(entry.accepted_at)
        latest = self.ago(LAST_DAY)
        gives_up = accepted + datetime.timedelta(days=entry.patience)
        day = accepted + datetime.timedelta(days=max(1, self.expected_wait(entry, accepted)))
        day += datetime.timedelta(days=(ALLOCATION_DAY - day.weekday()) % 7)
        kind = self.weighted(COURSES)  # how their support will go, whenever it starts
        while day <= latest and day < gives_up:
            course = self.plan(entry, day, kind)
            if course is not None:
                coordinators = [
                    c
                    for c in self.working(entry.site, day, course["closed"])
                    if self.given[(c.pk, day)] < 3
                    and self.inducted(c, day)
                    and self.has_room(c, day, course["closed"])
                ]
                if coordinators:
                    coordinator = min(
                        coordinators,
                        key=lambda c: (
                            self.caseload[c.pk][self.index(day)] / c.caseload_cap,
                            rng.random(),
                        ),
                    )
                    self.given[(coordinator.pk, day)] += 1
                    entry.coordinator, entry.allocated_on, entry.course = coordinator, day, course
                    self.take(coordinator.pk, day, course["closed"])
                    self.perhaps_extend(entry)
                    return
            day += datetime.timedelta(days=7)
        if gives_up <= latest:
            entry.left_on = self.workday(gives_up)
        else:
            # Still waiting as the story reaches today: they gave up along the way.
            soonest = min(latest, accepted + datetime.timedelta(days=10))
            entry.left_on = soonest + datetime.timedelta(
                days=rng.randint(0, (latest - soonest).days)
            )
        entry.left_on = min(entry.left_on, latest)

    def expected_wait(self, entry: Entry, day: datetime.date) -> int:
        """Days from acceptance to allocation the site could offer then: short while there was
        room, long once the crisis team's referrals came; at Rhondda, short again once Rhys had
        finished his induction. Urgent referrals wait less."""
        crisis = self.crisis_opened[entry.site]
        if entry.site == "rhondda":
            rhys = self.demo.users["coordinator3"]
            long = crisis <= day < rhys.started_on + datetime.timedelta(days=INDUCTION)
        else:
            long = day >= crisis
        wait = self.rng.randint(*WAITS["long" if long else "short"])
        return round(wait * 0.4) if entry.urgent else wait

    def inducted(self, coordinator, day: datetime.date) -> bool:
        """Whether a coordinator who joined after the service began has finished induction
        (the few people the rest of the demo gives them sooner are theirs to start with)."""
        joined_late = coordinator.started_on > self.first_day
        return not joined_late or day >= coordinator.started_on + datetime.timedelta(INDUCTION)

    def plan(self, entry: Entry, day: datetime.date, kind: str) -> dict | None:
        """How support of `kind` (`COURSES`) would go if it started `day`: the first contact,
        any extension and the closing day, which must be before the story reaches today (a
        shorter course, if not)."""
        rng = self.rng
        first = self.workday(day + datetime.timedelta(days=rng.randint(4, 13)))
        latest = self.ago(LAST_DAY)
        weeks = entry.referral.site.support_weeks
        planned_end = first + datetime.timedelta(weeks=weeks)
        course = {"kind": kind, "first": first, "planned_end": planned_end, "extended": None}
        if kind == "full":
            closed = planned_end + datetime.timedelta(days=rng.randint(-5, 6))
            reason = self.weighted(FULL_ENDINGS)
        else:
            closed, reason = self.short_course(kind, first)
        if closed > latest:
            # Too late to finish before today: a shorter course, if there is time for one.
            if (latest - first).days < 21:
                return None
            kind = self.weighted((("light", 3), ("disengaged", 2), ("early", 2)))
            course["kind"] = kind
            closed, reason = self.short_course(kind, first)
            closed = min(closed, latest)
        course.update(closed=self.workday(closed) if self.workday(closed) <= latest else closed,
                      reason=reason)  # fmt: skip
        return course

    def perhaps_extend(self, entry: Entry) -> None:
        """Near the planned end of a full course, some people are given a few more weeks, if
        their coordinator has room for them until then."""
        rng, course, coordinator = self.rng, entry.course, entry.coordinator
        if course["kind"] != "full" or rng.random() >= EXTENDED:
            return
        extended = course["planned_end"] + datetime.timedelta(weeks=rng.choice([4, 4, 6]))
        closed = self.workday(extended + datetime.timedelta(days=rng.randint(-3, 2)))
        left = self.demo.left_on(coordinator.username)
        if (
            closed > self.ago(LAST_DAY)
            or (left is not None and closed > left)
            or not self.has_room(coordinator, course["closed"], closed)
        ):
            return
        self.take(coordinator.pk, course["closed"], closed)
        course.update(kind="extended", extended=extended, closed=closed)
        course["reason"] = self.weighted(((ClosureReason.GOALS_ACHIEVED, 4),
                                          (ClosureReason.PERSON_CHOSE_TO_END, 1)))  # fmt: skip

    def short_course(self, kind: str, first: datetime.date):
        rng = self.rng
        if kind == "light":
            reason = self.weighted(((ClosureReason.GOALS_ACHIEVED, 3),
                                    (ClosureReason.PERSON_CHOSE_TO_END, 1)))  # fmt: skip
            return first + datetime.timedelta(days=rng.randint(28, 49)), reason
        if kind == "disengaged":
            return first + datetime.timedelta(days=rng.randint(28, 56)), ClosureReason.DISENGAGED
        return first + datetime.timedelta(days=rng.randint(14, 63)), self.weighted(EARLY_ENDINGS)

    def waited(self, entry: Entry) -> None:
        """The time on the waiting list: check-in calls, and the allocation or withdrawal."""
        rng, referral = self.rng, entry.referral
        accepted = timezone.localdate(entry.accepted_at)
        end = entry.allocated_on or entry.left_on
        last = entry.accepted_at
        if (end - accepted).days > 14 and rng.random() < 0.7:
            day = accepted + datetime.timedelta(days=rng.randint(5, 10))
            volunteers_from = self.months(VOLUNTEERS_FROM_MONTHS)
            while day < end - datetime.timedelta(days=2):
                day = self.workday(day)
                if day >= end:
                    break
                staff = self.working(entry.site, day)
                volunteer = day >= volunteers_from and rng.random() < 0.45
                when = self.moment(day, last)
                text = not volunteer and rng.random() < 0.1
                contact = InterimContact(
                    referral=referral,
                    at=when,
                    mode=InterimContact.Mode.TEXT if text else InterimContact.Mode.TELEPHONE,
                    by=rng.choice(staff),
                    by_volunteer=volunteer,
                    minutes=None if text else rng.choice([10, 15, 20, 30]),
                    note=rng.choice(VOLUNTEER_CALLS if volunteer else CHECK_INS),
                )
                self.rows[InterimContact].append(contact)
                self.audit(when, contact.by, AuditAction.CREATE, contact, referral.person)
                last = when
                day += datetime.timedelta(days=rng.randint(12, 21))
        if entry.coordinator is None:
            reason, note, _w = self.weighted((w, w[2]) for w in WITHDRAWALS)
            if (end - accepted).days < 21:
                reason, note = WithdrawalReason.PERSON_DECLINED, WITHDRAWALS[0][1]
            day = self.workday(end)
            at = self.moment(day if day <= self.ago(LAST_DAY) else end, last)
            self.step(referral, S.WAITING, S.WITHDRAWN, at, self.manager, reason=reason, note=note)
            return
        at = self.moment(entry.allocated_on, last)
        entry.course["allocated_at"] = at
        self.step(referral, S.WAITING, S.ALLOCATED, at, self.manager)
        self.tell(referral, Event.ALLOCATED, at, self.manager, {})

    # Support -----------------------------------------------------------------------------------

    def support(self, entry: Entry) -> None:
        rng, referral, course = self.rng, entry.referral, entry.course
        coordinator = entry.coordinator
        person = referral.person
        first, closed, reason = course["first"], course["closed"], course["reason"]
        allocation = Allocation(
            referral=referral,
            coordinator=coordinator,
            started_at=course["allocated_at"],
            by=self.manager,
        )
        self.rows[Allocation].append(allocation)
        self.audit(allocation.started_at, self.manager, AuditAction.CREATE, allocation, person,
                   detail=f"coordinator {coordinator.pk}")  # fmt: skip

        # The first session: what matters, the plan, goals, and the baseline measures.
        first_at = self.at(first, rng.choice([10, 11, 14]), rng.choice([0, 15, 30]))
        plan = SupportPlan(
            referral=referral,
            starts_on=first,
            ends_on=course["extended"] or course["planned_end"],
            planned_sessions=rng.choice([6, 8, 10, 12]),
            created_at=first_at,
        )
        self.rows[SupportPlan].append(plan)
        self.audit(first_at, coordinator, AuditAction.CREATE, plan, person)
        if course["extended"]:
            asked = self.workday(course["planned_end"] - datetime.timedelta(days=rng.randint(5, 9)))
            extension = PlanExtension(
                plan=plan,
                previous_end=course["planned_end"],
                new_end=course["extended"],
                reason=rng.choice(EXTENSIONS),
                by=coordinator,
                at=self.at(asked, 15),
            )
            self.rows[PlanExtension].append(extension)
            self.audit(extension.at, coordinator, AuditAction.CHANGE, plan, person,
                       fields=["ends_on"])  # fmt: skip
        talk = WhatMatters(
            referral=referral,
            version=1,
            by=coordinator,
            at=first_at + datetime.timedelta(minutes=50),
            **rng.choice(WHAT_MATTERS),
        )
        self.rows[WhatMatters].append(talk)
        self.audit(talk.at, coordinator, AuditAction.CREATE, talk, person,
                   fields=["what_matters", "strengths", "getting_in_the_way", "people_around",
                           "next_steps"])  # fmt: skip

        contacts = self.contacts(entry, first, closed, first_at)
        attended = [c for c in contacts if c.outcome == ContactOutcome.ATTENDED]
        goals = self.goals(entry, first, closed, attended)
        prescriptions = self.prescriptions(entry, first, closed)

        closed_at = self.at(closed, 16, rng.choice([0, 15, 30, 45]))
        summary = rng.choice(SUMMARIES[reason])
        closure = Closure(referral=referral, reason=reason, summary=summary, closed_on=closed,
                          by=coordinator)  # fmt: skip
        self.rows[Closure].append(closure)
        self.step(referral, S.ALLOCATED, S.CLOSED, closed_at, coordinator, reason=reason,
                  note=summary)  # fmt: skip
        allocation.ended_at, allocation.ended_by = closed_at, coordinator
        allocation.end_note = "Support closed"
        self.audit(closed_at, coordinator, AuditAction.CHANGE, allocation, person,
                   fields=["ended_at"])  # fmt: skip
        self.audit(closed_at, coordinator, AuditAction.CREATE, closure, person)
        self.tell(
            referral,
            Event.CLOSED,
            closed_at,
            coordinator,
            {
                "reason": ClosureReason(reason).label,
                "summary": summary,
                "goals": [(g.description, GoalStatus(g.status).label) for g in goals],
                "prescriptions": [(p.service.name, P(p.status).label) for p in prescriptions],
                "contact_count": len(attended),
                "weeks": max(1, round((closed - first).days / 7)),
            },
        )
        self.measures(entry, first, closed, attended)
        self.feedback(entry, closed_at, contacts)

    def contacts(self, entry: Entry, first, closed, first_at) -> list:
        rng, referral = self.rng, entry.referral
        coordinator = entry.coordinator
        disengaged = entry.course["reason"] == ClosureReason.DISENGAGED
        cadence = rng.choice([7, 7, 10, 14, 14])
        days = [first]
        day = first + datetime.timedelta(days=7)
        while day < closed:
            days.append(self.workday(day))
            day += datetime.timedelta(days=cadence + rng.randint(-2, 2))
        days = sorted({d for d in days if d <= closed})
        if days[-1] != closed and entry.course["reason"] not in (
            ClosureReason.DIED,
            ClosureReason.MOVED_AWAY,
        ):
            days.append(closed)
        made = []
        for number, day in enumerate(days):
            when = (
                first_at if number == 0 else self.at(day, rng.randint(9, 15), rng.choice([0, 30]))
            )
            period = self.period(day)
            if number == 0:
                mode = T if period == "lockdown" else H
            else:
                mode = self.weighted(MODES[period])
            outcome = ContactOutcome.ATTENDED
            if number and mode != X:
                if disengaged and number >= len(days) - 2:
                    outcome = ContactOutcome.DID_NOT_ATTEND
                else:
                    roll = rng.random()
                    outcome = (
                        ContactOutcome.DID_NOT_ATTEND if roll < 0.07 else
                        ContactOutcome.CANCELLED_BY_PERSON if roll < 0.11 else
                        ContactOutcome.CANCELLED_BY_SERVICE if roll < 0.13 else
                        ContactOutcome.ATTENDED
                    )  # fmt: skip
            contact = CaseContact(
                referral=referral,
                at=when,
                mode=mode,
                minutes=rng.choice(MINUTES[mode]) if outcome == ContactOutcome.ATTENDED else None,
                outcome=outcome,
                volunteer_present=mode in (C, F) and rng.random() < 0.2,
                note=rng.choice(NOTES[mode])
                if outcome == ContactOutcome.ATTENDED
                else MISSED[outcome],
                by=coordinator,
                created_at=when + datetime.timedelta(hours=rng.randint(1, 3)),
            )
            self.rows[CaseContact].append(contact)
            self.audit(contact.created_at, coordinator, AuditAction.CREATE, contact,
                       referral.person)  # fmt: skip
            made.append(contact)
        return made

    def goals(self, entry: Entry, first, closed, attended) -> list:
        rng, referral, coordinator = self.rng, entry.referral, entry.coordinator
        reason = entry.course["reason"]
        endings = GOAL_ENDINGS.get(reason, GOAL_ENDINGS[None])
        review_days = [timezone.localdate(c.at) for c in attended][1:]
        made = []
        for domain, description, steps in rng.sample(GOALS, rng.randint(1, 3)):
            goal = self.goal(referral, coordinator, domain, description, first)
            made.append(goal)
            weeks = (closed - first).days // 7
            if weeks >= 6 and rng.random() < CHANGED_GOALS:
                # Changed part-way: the person wanted something else.
                changed_on = first + datetime.timedelta(weeks=rng.randint(3, weeks - 2))
                self.rate_goal(goal, coordinator, first, changed_on, review_days, final=None)
                new_domain, new_description, _steps = rng.choice(GOALS)
                replacement = self.goal(referral, coordinator, new_domain, new_description,
                                        changed_on)  # fmt: skip
                self.end_goal(goal, coordinator, GoalStatus.CHANGED, changed_on, replacement)
                goal, start = replacement, changed_on
                made.append(goal)
            else:
                start = first
            outcome = self.weighted(endings)
            final = {GoalStatus.ACHIEVED: 9, GoalStatus.PARTLY_ACHIEVED: 6}.get(outcome, 3)
            self.rate_goal(goal, coordinator, start, closed, review_days, final=final)
            self.end_goal(goal, coordinator, outcome, closed)
            if steps and goal.description == description:
                done = {GoalStatus.ACHIEVED: len(steps), GoalStatus.PARTLY_ACHIEVED: 1}
                for position, text in enumerate(steps, start=1):
                    step_done = position <= done.get(outcome, 0)
                    self.rows[GoalStep].append(
                        GoalStep(
                            goal=goal,
                            position=position,
                            description=text,
                            done_on=min(closed, start + datetime.timedelta(weeks=2 * position))
                            if step_done
                            else None,
                        )
                    )
        return made

    def goal(self, referral, coordinator, domain, description, on):
        goal = Goal(referral=referral, description=description, domain=domain, started_on=on,
                    by=coordinator)  # fmt: skip
        self.rows[Goal].append(goal)
        self.audit(self.at(on, 17), coordinator, AuditAction.CREATE, goal, referral.person)
        return goal

    def rate_goal(self, goal, coordinator, start, end, review_days, *, final) -> None:
        """Ratings at reviews about every four weeks, rising towards `final`."""
        rng = self.rng
        reviews = []
        for day in review_days:
            if start < day <= end and (not reviews or (day - reviews[-1]).days >= 26):
                reviews.append(day)
        score = rng.randint(1, 4)
        for number, day in enumerate(reviews, start=1):
            if final is not None and number == len(reviews):
                score = max(0, min(10, final + rng.randint(-1, 1)))
            else:
                score = min(10, score + rng.randint(0, 3))
            rating = GoalRating(goal=goal, score=score, note="Reviewed together.", rated_on=day,
                                by=coordinator)  # fmt: skip
            self.rows[GoalRating].append(rating)
            self.audit(self.at(day, 16), coordinator, AuditAction.CREATE, rating,
                       goal.referral.person)  # fmt: skip

    def end_goal(self, goal, coordinator, status, on, replacement=None) -> None:
        goal.status, goal.ended_on, goal.ended_by = status, on, coordinator
        goal.replaced_by = replacement
        self.audit(self.at(on, 16, 10), coordinator, AuditAction.CHANGE, goal,
                   goal.referral.person, fields=["status", "ended_on"])  # fmt: skip

    # Outcome measures ---------------------------------------------------------------------------

    def measures(self, entry: Entry, first, closed, attended) -> None:
        """Baseline at the first session; the end measures for most; follow-up for some."""
        rng, referral = self.rng, entry.referral
        reason = entry.course["reason"]
        raw = rng.randint(12, 23)
        self.measure_set(entry, Timepoint.BASELINE, first, raw)
        if reason in (ClosureReason.MOVED_AWAY, ClosureReason.DIED):
            return
        if reason == ClosureReason.DISENGAGED and rng.random() < 0.6:
            return
        low, high = SWEMWBS_CHANGE[reason]
        change = rng.randint(low, high)
        if rng.random() < SETBACKS:
            change = -rng.randint(5, 8)  # something went wrong in their life along the way
        end_raw = max(7, min(35, raw + change))
        on = timezone.localdate(attended[-1].at) if attended else closed
        self.measure_set(entry, Timepoint.END, max(on, first), end_raw)
        follow_up = closed + datetime.timedelta(days=91 + rng.randint(-10, 10))
        recent = closed >= self.ago(134)
        if follow_up < self.ago(1) and rng.random() < (0.85 if recent else 0.55):
            later = max(7, min(35, end_raw + rng.randint(-3, 2)))
            self.measure(referral, "swemwbs", Timepoint.FOLLOW_UP, follow_up,
                         _answers(rng, "swemwbs", _level_for(later), swemwbs_raw=later),
                         entry.coordinator)  # fmt: skip

    def measure_set(self, entry: Entry, timepoint: str, on, raw: int) -> None:
        level = _level_for(raw)
        for code, timepoints in SCHEDULES[entry.site].items():
            if timepoint in timepoints:
                answers = _answers(self.rng, code, level, swemwbs_raw=raw)
                self.measure(entry.referral, code, timepoint, on, answers, entry.coordinator)

    def measure(self, referral, code, timepoint, on, answers, by) -> None:
        """A measure as `outcomes.actions.record_measure` stores it, scored by the instrument."""
        score = get_instrument(code).score(list(answers))
        at = self.at(on, 11, self.rng.randrange(60))
        measure = Measure(
            referral=referral,
            instrument=code,
            timepoint=timepoint,
            completed_on=on,
            answers=list(score.answers),
            total=score.total,
            raw=score.raw,
            band=score.band or "",
            subscores={c: sub.value for c, sub in score.subscores.items()},
            flags={flag: True for flag, on_ in score.flags.items() if on_},
            collected_by=CollectedBy.COORDINATOR,
            language=referral.person.preferred_language,
            by=by,
            created_at=at,
        )
        self.rows[Measure].append(measure)
        self.audit(at, by, AuditAction.CREATE, measure, referral.person)

    # Social prescriptions -----------------------------------------------------------------------

    def prescriptions(self, entry: Entry, first, closed) -> list:
        rng, referral = self.rng, entry.referral
        if (closed - first).days < 28 or rng.random() < 0.4:
            return []
        made = []
        for _ in range(1 if rng.random() < 0.75 else 2):
            on = first + datetime.timedelta(days=rng.randint(7, min(35, (closed - first).days)))
            on = self.workday(on)
            age = referral.person.age_on(on)
            services = [
                s
                for s in self.services(entry.site)
                if self.open_since.get(s.pk, on) < on
                and (s.minimum_age or 0) <= age <= (s.maximum_age or 200)
            ]
            if not services:
                continue
            status = self.weighted(((P.COMPLETED, 55), (P.DECLINED_BY_PERSON, 20),
                                    (P.DECLINED_BY_SERVICE, 15), (P.UNAVAILABLE, 10)))  # fmt: skip
            prescription = self.prescribe(entry, rng.choice(services), on, status)
            if prescription is not None:
                made.append(prescription)
        return made

    def services(self, site: str) -> list:
        """Services open today at the site, that take referrals by email."""
        if site not in self._services:
            self._services[site] = list(
                Service.objects.serving(self.demo.sites[site])
                .filter(availability=Availability.OPEN)
                .exclude(referral_email="")
                .prefetch_related("attributes__taxonomy_term__parent")
                .order_by("pk")
            )
        return self._services[site]

    def prescribe(self, entry: Entry, service, on, status):
        """Made and sent on `on`; the service answers through its links (each within the 30
        days a link lasts) until `status`. None if that would reach past the story."""
        rng, referral, coordinator = self.rng, entry.referral, entry.coordinator
        made_at = self.at(on, 15, rng.randrange(60))
        steps = [("send", made_at + datetime.timedelta(minutes=5))]
        when = made_at
        path = {
            P.COMPLETED: (P.ACCEPTED, P.ATTENDING, P.COMPLETED),
            P.DECLINED_BY_PERSON: (P.ACCEPTED, P.DECLINED_BY_PERSON),
            P.DECLINED_BY_SERVICE: (P.DECLINED_BY_SERVICE,),
            P.UNAVAILABLE: (P.ACCEPTED, P.UNAVAILABLE),
        }[status]
        gaps = {
            P.ACCEPTED: (3, 10),
            P.DECLINED_BY_SERVICE: (3, 10),
            P.ATTENDING: (14, 25),
            P.COMPLETED: (14, 27),
            P.DECLINED_BY_PERSON: (7, 21),
            P.UNAVAILABLE: (7, 25),
        }
        for to_status in path:
            when = when + datetime.timedelta(days=rng.randint(*gaps[to_status]), hours=1)
            steps.append((to_status, when))
        if when > self.demo.now - datetime.timedelta(days=1):
            return None
        prescription = SocialPrescription(
            referral=referral,
            service=service,
            asked_for=_asked_for(service),
            accompany_first_visit=rng.random() < 0.4,
            share_contact_details=rng.random() < 0.6,
            status=status,
            created_at=made_at,
            created_by=coordinator,
            status_changed_at=when,
        )
        person = referral.person
        self.rows[SocialPrescription].append(prescription)
        self.rows[PrescriptionUpdate].append(
            PrescriptionUpdate(
                prescription=prescription,
                from_status="",
                to_status=P.SUGGESTED,
                at=made_at,
                by=coordinator,
            )  # fmt: skip
        )
        self.audit(made_at, coordinator, AuditAction.CREATE, prescription, person,
                   fields=["accompany_first_visit", "asked_for", "service",
                           "share_contact_details"], detail=f"service {service.pk}")  # fmt: skip
        current, link = P.SUGGESTED, None
        for step, at in steps:
            to_status = P.SENT if step == "send" else step
            by, via = (coordinator, None) if step == "send" else (None, link)
            if via is not None:
                via.used_at = at
            self.rows[PrescriptionUpdate].append(
                PrescriptionUpdate(
                    prescription=prescription,
                    from_status=current,
                    to_status=to_status,
                    at=at,
                    by=by,
                    via_link=via,
                    note=SERVICE_NOTES.get(  # fmt: skip
                        "decline" if to_status == P.DECLINED_BY_SERVICE else to_status, ""
                    ),
                )  # fmt: skip
            )
            self.audit(at, by, AuditAction.TRANSITION, prescription, person, fields=["status"],
                       detail=f"{current} -> {to_status}"
                       + (" (service link used)" if via else ""))  # fmt: skip
            current = to_status
            purpose = {P.SENT: LinkPurpose.RESPOND, P.ACCEPTED: LinkPurpose.OUTCOME,
                       P.ATTENDING: LinkPurpose.OUTCOME}.get(to_status)  # fmt: skip
            link = None
            if purpose:
                link = ServiceLink(
                    prescription=prescription,
                    purpose=purpose,
                    token_hash=hash_token(f"{self.rng.getrandbits(128):032x}"),
                    created_at=at,
                    expires_at=at + datetime.timedelta(days=30),
                )
                self.rows[ServiceLink].append(link)
        return prescription

    # Feedback ----------------------------------------------------------------------------------

    def feedback(self, entry: Entry, closed_at, contacts) -> None:
        rng, referral = self.rng, entry.referral
        reason = entry.course["reason"]
        if reason in (ClosureReason.DISENGAGED, ClosureReason.DIED, ClosureReason.MOVED_AWAY):
            return
        if rng.random() < 0.3:
            return
        modes = [c.mode for c in contacts if c.outcome == ContactOutcome.ATTENDED]
        remote = sum(1 for m in modes if m in (T, V, X)) / max(1, len(modes))
        preferred = self.weighted(
            ((PreferredMode.PHONE, 4), (PreferredMode.MIX, 4), (PreferredMode.FACE_TO_FACE, 2))
            if remote > 0.6
            else ((PreferredMode.PHONE, 1), (PreferredMode.MIX, 3), (PreferredMode.FACE_TO_FACE, 6))
        )
        good = reason in (ClosureReason.GOALS_ACHIEVED, ClosureReason.PERSON_CHOSE_TO_END)
        scale = (
            ((Agreement.STRONGLY_AGREE, 6), (Agreement.AGREE, 3), (Agreement.NEUTRAL, 1))
            if good
            else ((Agreement.AGREE, 4), (Agreement.NEUTRAL, 3), (Agreement.DISAGREE, 1))
        )
        waited = (entry.allocated_on - timezone.localdate(entry.accepted_at)).days
        by_link = rng.random() < 0.3
        submitted = closed_at + (
            datetime.timedelta(days=rng.randint(1, 10), hours=3)
            if by_link
            else datetime.timedelta(minutes=5)
        )
        if submitted > self.demo.now - datetime.timedelta(hours=12):
            by_link, submitted = False, closed_at + datetime.timedelta(minutes=5)
        feedback = ClientFeedback(
            referral=referral,
            helpful=self.weighted(scale),
            listened_to=self.weighted(scale),
            involved_in_decisions=self.weighted(scale),
            preferred_mode=preferred,
            what_helped=rng.choice(FEEDBACK_HELPED[:-1] if remote < 0.6 else FEEDBACK_HELPED),
            what_could_be_better="Shorter wait at the start."
            if waited > 35
            else rng.choice(FEEDBACK_BETTER[1:]),
            language=referral.person.preferred_language,
            completed_via=ClientFeedback.CompletedVia.SECURE_LINK
            if by_link
            else ClientFeedback.CompletedVia.WITH_COORDINATOR,
            submitted_at=submitted,
        )
        self.rows[ClientFeedback].append(feedback)
        self.audit(submitted, None, AuditAction.CREATE, feedback, referral.person)
        if by_link:
            self.rows[FeedbackLink].append(
                FeedbackLink(
                    referral=referral,
                    by=entry.coordinator,
                    token_hash=hash_token(f"{self.rng.getrandbits(128):032x}"),
                    created_at=closed_at,
                    expires_at=closed_at + datetime.timedelta(days=30),
                    used_at=submitted,
                )
            )

    # Messages and the audit log -----------------------------------------------------------------

    def tell(self, referral, event, at, by, extra) -> None:
        """A message to the referrer, as `messaging.referrer.tell_referrer` writes it."""
        if referral.referring_organisation is None or not referral.consent_to_share_feedback:
            return
        self.messages.append((referral, event, at, by, extra))

    def audit(self, at, by, action, obj, person, fields=(), detail="") -> None:
        self.audit_rows.append((at, by, action, obj, person, fields, detail))

    # Writing -----------------------------------------------------------------------------------

    def write(self) -> None:
        people = self.rows[Person]
        for model in (
            Person,
            Referral,
            StatusChange,
            InterimContact,
            Allocation,
            SupportPlan,
            PlanExtension,
            WhatMatters,
        ):
            self.bulk(model)
        # A changed goal points at the goal that replaced it: replacements first.
        goals = self.rows.pop(Goal)
        self.bulk(Goal, [g for g in goals if g.replaced_by is None])
        self.bulk(Goal, [g for g in goals if g.replaced_by is not None])
        for model in (
            GoalRating,
            GoalStep,
            CaseContact,
            Closure,
            ClientFeedback,
            FeedbackLink,
            Measure,
            SocialPrescription,
            ServiceLink,
            PrescriptionUpdate,
        ):
            self.bulk(model)
        # auto_now_add stamps them with today; the story's time is put back.
        for person in people:
            person.created_at = person.story_at
        QuerySet(Person).bulk_update(people, ["created_at"], batch_size=500)
        self.write_messages()
        self.write_audit()

    def bulk(self, model, rows=None) -> None:
        rows = self.rows.pop(model, []) if rows is None else rows
        if model is Person:
            for person in rows:
                person.set_search_fields()  # save() would have; bulk_create does not
        QuerySet(model).bulk_create(rows, batch_size=500)

    def write_messages(self) -> None:
        messages = []
        for referral, event, at, by, extra in self.messages:
            subject, body = render_message(referral, event, extra)
            recipient = recipient_for(referral)
            message = ReferrerMessage(
                referral=referral,
                event=event,
                subject=subject,
                body=body,
                recipient_email=recipient,
                created_by=by,
                sent_at=at + datetime.timedelta(minutes=2) if recipient else None,
                attempts=1 if recipient else 0,
            )
            message.story_at = at
            messages.append(message)
            self.audit(at, by, AuditAction.CREATE, message, referral.person,
                       detail=f"message to referrer: {event}")  # fmt: skip
        QuerySet(ReferrerMessage).bulk_create(messages, batch_size=500)
        for message in messages:
            message.created_at = message.story_at
        QuerySet(ReferrerMessage).bulk_update(messages, ["created_at"], batch_size=500)

    def write_audit(self) -> None:
        rows = sorted(self.audit_rows, key=lambda row: row[0])
        QuerySet(AuditEvent).bulk_create(
            [
                AuditEvent(
                    at=at,
                    user=by,
                    action=action,
                    object_type=obj._meta.label_lower,
                    object_id=str(obj.pk),
                    person_id=person.pk,
                    fields=sorted(fields),
                    detail=detail[:200],
                )
                for at, by, action, obj, person, fields, detail in rows
            ],
            batch_size=1000,
        )

    # The service's own timeline ----------------------------------------------------------------

    def service_events(self) -> None:
        both = list(self.demo.sites.values())
        rhondda = [self.demo.sites["rhondda"]]
        widened = self.months(6)
        events = [
            (
                widened,
                "Frequent-attender rule dropped for GP referrals",
                "GP practices can now refer any adult patient, not only frequent attenders. "
                "The old pathway closed and a new one opened, so reports compare the two.",
                both,
            ),
            (
                self.months(VOLUNTEERS_FROM_MONTHS) + datetime.timedelta(days=9),
                "Volunteers start calling people on the waiting list",
                "Trained volunteers phone people waiting for a link coordinator every two or "
                "three weeks; anything worrying goes to the coordinator the same day.",
                both,
            ),
            (
                self.ago(self.service.LOCKDOWN[0]),
                "Lockdown: telephone support only",
                "No home visits or face-to-face sessions. Support continues by telephone and "
                "video call; groups and many community services have closed.",
                both,
            ),
            (
                self.ago(self.service.LOCKDOWN[1]),
                "Restrictions eased: face to face again alongside telephone",
                "Home visits and meetings in public places again, with distancing; telephone "
                "and video where the person prefers them.",
                both,
            ),
            (
                self.ago(CRITERIA_AGREED),
                "Referral criteria agreed with the crisis teams",
                "After many crisis team referrals were above what the service can offer, the "
                "criteria were gone through with both teams: people who are stable, with a "
                "safety plan, and wanting community support.",
                both,
            ),
        ]
        # When Rhondda's list grew, once the trial's people no longer filled its caseloads,
        # and before Rhys started: as many as it had then, in round numbers.
        rhys_started = self.demo.users["coordinator3"].started_on
        # (Those the trial randomised to wait four weeks were on the list until then.)
        after_trial = (self.trial[1] if self.trial else self.first_day) + datetime.timedelta(35)
        for count in (20, 15, 10):
            over = self.waiting_over(count, "rhondda", after_trial, rhys_started)
            if over is not None:
                events.append(
                    (
                        over,
                        f"Waiting list over {count} at Rhondda: recruitment of a third coordinator",
                        "More people are waiting than the two coordinators can take on, with "
                        "GP referral open to everyone and the crisis team pathway to come; the "
                        "funder agreed a third post.",
                        rhondda,
                    )
                )
                break
        manager = self.manager
        for on, title, description, sites in sorted(events, key=lambda e: e[0]):
            at = self.at(on, 17)
            event = ServiceEvent.objects.create(
                on=on,
                title=title,
                description=description,
                created_by=manager,
                created_at=at,
                changed_at=at,
            )
            event.sites.set(sites)

    def waiting_over(self, count: int, site: str, start: datetime.date, end: datetime.date):
        """The first day from `start` to `end` with more than `count` on the site's list."""
        row = self.waiting[site]
        for i in range(self.index(start), self.index(end)):
            if row[i] > count:
                return self.first_day + datetime.timedelta(days=i)
        return None

"""The demo directory: realistic community services around the two demo sites, for
`linkwork.demo.service` (and `demo.prescriptions`, which refers people on to them).

`build_demo_directory(sites)` makes a local taxonomy and about sixty services in and around the
Powys towns and Rhondda Cynon Taf, plus a few Wales-wide telephone and online ones that serve
every site. Each has an availability history over the last eighteen months that ends in its
current availability, and some have staff notes. `build_demo_unmet_needs(sites, referrals)`
records what coordinators could find nothing for over the last year.

Sites are matched by the demo's slugs ("powys", "rhondda"); entries for a site not given are
left out. Everything is made up: organisations are fictional or generic, phone numbers are in
Ofcom's drama ranges (01632 960xxx, 0306 999 0xxx), emails and websites at example.org. Dates
count back from today, so the directory always looks current. Rows are written with
`bulk_create`, stamped in the demo's past, and no audit events are written (the directory was
"always there").
"""

import datetime
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from linkwork.accounts.models import Role, User
from linkwork.directory import models as m
from linkwork.directory.models import Availability
from linkwork.unmet.models import UnmetNeed

# Children before parents, for `demo.service.wipe`.
DIRECTORY_MODELS = (
    UnmetNeed,
    m.LocalNote,
    m.AvailabilityChange,
    m.ServiceAttribute,
    m.CostOption,
    m.Language,
    m.ServiceArea,
    m.Schedule,
    m.Phone,
    m.Contact,
    m.ServiceAtLocation,
    m.Accessibility,
    m.Address,
    m.Location,
    m.Service,
    m.OrganizationIdentifier,
    m.Organization,
    m.TaxonomyTerm,
    m.Taxonomy,
    m.DirectoryImport,
)

OPEN = Availability.OPEN
LIMITED = Availability.LIMITED
TEMPORARILY_CLOSED = Availability.TEMPORARILY_CLOSED
CLOSED = Availability.CLOSED

# --- The taxonomy -----------------------------------------------------------------------------

TAXONOMY = "Linkwork social prescribing categories"
TAXONOMY_URI = "https://linkwork.example.org/taxonomy/social-prescribing"

# code: (name, parent code, description). Parents first.
TERMS = {
    "social": ("Social connection", "", "Groups, clubs and company: meeting people."),
    "befriending": ("Befriending", "social", "A volunteer who visits or phones every week."),
    "lunch-clubs": ("Lunch clubs", "social", "A hot meal and company, usually for older people."),
    "activity": ("Physical activity", "", "Getting moving, at any pace."),
    "walking": ("Walking", "activity", "Walking groups, health walks and parkrun."),
    "exercise-referral": (
        "Exercise referral",
        "activity",
        "Supervised exercise programmes that need a health professional's referral.",
    ),
    "arts": ("Arts and creativity", "", "Art, music, singing, crafts and writing."),
    "nature": ("Nature and green space", "", "Gardening, growing and being outdoors."),
    "learning": ("Learning and skills", "", "Courses, reading groups and digital skills."),
    "volunteering": ("Volunteering", "", "Giving time: finding something that fits."),
    "money": ("Money and debt advice", "", "Benefits checks, debt advice and bills."),
    "housing": ("Housing", "", "Housing advice, tenancy support and warm homes."),
    "food": ("Food", "", "Food banks and emergency food."),
    "carers": ("Carers", "", "Support and breaks for unpaid carers."),
    "bereavement": ("Bereavement", "", "Support after someone has died."),
    "mental-health": (
        "Mental health support",
        "",
        "Peer support, wellbeing courses and listening lines.",
    ),
    "welsh": ("Welsh language", "", "Groups that run in Welsh, and learning Welsh."),
    "transport": ("Community transport", "", "Lifts, dial-a-ride and community minibuses."),
}

# What people using Linkwork in Welsh read instead (all but one named so far: the categories
# page shows it still to do).
TERM_NAMES_CY = {
    "social": "Cysylltiad cymdeithasol",
    "befriending": "Cyfeillio",
    "lunch-clubs": "Clybiau cinio",
    "activity": "Gweithgarwch corfforol",
    "walking": "Cerdded",
    "exercise-referral": "Atgyfeirio at ymarfer corff",
    "arts": "Celfyddydau a chreadigrwydd",
    "nature": "Natur a mannau gwyrdd",
    "learning": "Dysgu a sgiliau",
    "volunteering": "Gwirfoddoli",
    "money": "Cyngor ar arian a dyledion",
    "housing": "Tai",
    "food": "Bwyd",
    "carers": "Gofalwyr",
    "bereavement": "Profedigaeth",
    "mental-health": "Cymorth iechyd meddwl",
    "welsh": "Y Gymraeg",
}

# --- Places -----------------------------------------------------------------------------------

POWYS, RCT = "Powys", "Rhondda Cynon Taf"

# town: (county, demo site slug, latitude, longitude)
TOWNS = {
    "Llandrindod Wells": (POWYS, "powys", 52.2413, -3.3787),
    "Newtown": (POWYS, "powys", 52.5132, -3.3131),
    "Llanidloes": (POWYS, "powys", 52.4491, -3.5402),
    "Brecon": (POWYS, "powys", 51.9462, -3.3918),
    "Welshpool": (POWYS, "powys", 52.6598, -3.1469),
    "Builth Wells": (POWYS, "powys", 52.1499, -3.4030),
    "Machynlleth": (POWYS, "powys", 52.5905, -3.8511),
    "Rhayader": (POWYS, "powys", 52.3015, -3.5097),
    "Treorchy": (RCT, "rhondda", 51.6590, -3.5060),
    "Pontypridd": (RCT, "rhondda", 51.6010, -3.3420),
    "Porth": (RCT, "rhondda", 51.6120, -3.4080),
    "Tonypandy": (RCT, "rhondda", 51.6220, -3.4520),
    "Ferndale": (RCT, "rhondda", 51.6600, -3.4480),
    "Treherbert": (RCT, "rhondda", 51.6720, -3.5360),
    "Aberdare": (RCT, "rhondda", 51.7140, -3.4450),
    "Mountain Ash": (RCT, "rhondda", 51.6810, -3.3790),
}

# --- Organisations ----------------------------------------------------------------------------

# key: (name, what it is, web domain under example.org, legal status)
CHARITY, GROUP, PUBLIC, CHAPEL = (
    "Registered charity",
    "Community group",
    "Public body",
    "Place of worship",
)
ORGANISATIONS = {
    "walk_mid": (
        "Mid Powys Walking for Wellbeing",
        "Volunteer-led health walks around Llandrindod Wells and Builth Wells.",
        "midpowyswalks",
        GROUP,
    ),
    "shed_newtown": (
        "Severnside Men's Shed",
        "A community workshop in Newtown, run by its members.",
        "severnsideshed",
        CHARITY,
    ),
    "cor_llani": (
        "Côr Cymunedol Llanidloes",
        "A community choir that sings in Welsh and English, with no auditions.",
        "corllanidloes",
        GROUP,
    ),
    "garden_brecon": (
        "Brecon Community Growing",
        "A community garden and orchard by the canal in Brecon.",
        "brecongrowing",
        CHARITY,
    ),
    "allot_welshpool": (
        "Welshpool Allotment Society",
        "Allotments on the edge of Welshpool, with a shared plot for newcomers.",
        "welshpoolallotments",
        GROUP,
    ),
    "art_builth": (
        "Wye Valley Art Club",
        "A friendly art group for all abilities in Builth Wells.",
        "wyevalleyart",
        GROUP,
    ),
    "libraries_powys": (
        "Powys Libraries",
        "Public libraries across Powys: reading groups, digital help and events.",
        "powyslibraries",
        PUBLIC,
    ),
    "ca_powys": (
        "Citizens Advice Powys",
        "Free, confidential advice on money, benefits, debt, housing and work.",
        "powys-advice",
        CHARITY,
    ),
    "foodbank_newtown": (
        "Severn Valley Food Bank",
        "Emergency food for Newtown, Llanidloes and the villages around.",
        "severnvalleyfoodbank",
        CHARITY,
    ),
    "lunch_rhayader": (
        "Rhayader Friendship Lunch Club",
        "A volunteer-run lunch club for older people in Rhayader.",
        "rhayaderlunchclub",
        GROUP,
    ),
    "befriend_dyfi": (
        "Cyfeillion Dyfi",
        "Volunteer befrienders in Machynlleth and the Dyfi valley.",
        "cyfeilliondyfi",
        CHARITY,
    ),
    "befriend_powys": (
        "Powys Befriending Network",
        "Telephone and home befriending for older people across Powys.",
        "powysbefriending",
        CHARITY,
    ),
    "carers_powys": (
        "Powys Carers Hub",
        "Information, breaks and support for unpaid carers in Powys.",
        "powyscarers",
        CHARITY,
    ),
    "bereave_brecon": (
        "Wye and Usk Bereavement Care",
        "Trained volunteers offering bereavement support in south Powys.",
        "wyeuskbereavement",
        CHARITY,
    ),
    "dysgu_powys": (
        "Dysgu Cymraeg Canolbarth",
        "Welsh courses for adults in mid Wales, from complete beginners to fluent speakers.",
        "dysgucymraeg-canolbarth",
        PUBLIC,
    ),
    "pavo": (
        "PAVO (Powys Association of Voluntary Organisations)",
        "The county voluntary council for Powys: volunteering, community groups and funding.",
        "pavo",
        CHARITY,
    ),
    "ners_powys": (
        "Powys Exercise Referral Scheme",
        "The national exercise referral scheme in Powys leisure centres.",
        "powys-exercise-referral",
        PUBLIC,
    ),
    "parkrun_llandod": (
        "Llandrindod Lake parkrun",
        "A free, timed 5k walk, jog or run every Saturday morning, run by volunteers.",
        "llandrindodlakeparkrun",
        GROUP,
    ),
    "mind_powys": (
        "Mind in Powys",
        "Local mental health charity: peer support, wellbeing courses and one-to-one support.",
        "mindinpowys",
        CHARITY,
    ),
    "housing_powys": (
        "Powys Housing Advice",
        "Independent housing advice: homelessness prevention, tenancy problems and repairs.",
        "powyshousingadvice",
        CHARITY,
    ),
    "transport_powys": (
        "Mid Powys Community Transport",
        "Volunteer drivers and minibuses for people who cannot use the buses.",
        "midpowysct",
        CHARITY,
    ),
    "bethel_llani": (
        "Capel Bethel, Llanidloes",
        "A chapel congregation in Llanidloes.",
        "capelbethel",
        CHAPEL,
    ),
    "merched": (
        "Merched y Bryniau",
        "A Welsh-language group for women: talks, crafts, outings and a cuppa.",
        "merchedybryniau",
        GROUP,
    ),
    "menter_hafren": (
        "Menter Iaith Hafren",
        "Promotes the Welsh language in the community: social events, clubs and learners' support.",
        "menterhafren",
        CHARITY,
    ),
    "leisure_brecon": (
        "Brecon Leisure Centre",
        "The community leisure centre in Brecon.",
        "breconleisure",
        PUBLIC,
    ),
    "shed_treorchy": (
        "Treorchy Men's Shed",
        "A workshop and meeting place in the upper Rhondda.",
        "treorchyshed",
        CHARITY,
    ),
    "ramblers": (
        "Rhondda Ramblers",
        "A volunteer walking group in the Rhondda.",
        "rhonddaramblers",
        GROUP,
    ),
    "cor_ponty": (
        "Côr Cymunedol Pontypridd",
        "A community choir for anyone who likes to sing.",
        "corpontypridd",
        GROUP,
    ),
    "grow_porth": (
        "Porth Growing Space",
        "A community garden on the old school site in Porth.",
        "porthgrowing",
        CHARITY,
    ),
    "allot_ferndale": (
        "Ferndale and Maerdy Allotment Society",
        "Allotments above Ferndale with a community plot.",
        "ferndaleallotments",
        GROUP,
    ),
    "art_tonypandy": (
        "Tonypandy Arts for Wellbeing",
        "Art sessions with a professional artist for people looking after their mental health.",
        "tonypandyarts",
        CHARITY,
    ),
    "libraries_rct": (
        "Rhondda Cynon Taf Libraries",
        "Public libraries across Rhondda Cynon Taf.",
        "rctlibraries",
        PUBLIC,
    ),
    "ca_rct": (
        "Citizens Advice Rhondda Cynon Taf",
        "Free, confidential advice on money, benefits, debt, housing and work.",
        "rct-advice",
        CHARITY,
    ),
    "foodbank_rhondda": (
        "Rhondda Valleys Food Bank",
        "Emergency food for people in crisis across the Rhondda.",
        "rhonddafoodbank",
        CHARITY,
    ),
    "bethania": (
        "Capel Bethania, Treherbert",
        "A chapel congregation in Treherbert.",
        "bethaniatreherbert",
        CHAPEL,
    ),
    "cyfeillion_cwm": (
        "Cyfeillion y Cwm",
        "Telephone and home befriending for older people in the Rhondda.",
        "cyfeillionycwm",
        CHARITY,
    ),
    "carers_cynon": (
        "Cynon Valley Carers",
        "A peer support group for unpaid carers in the Cynon Valley.",
        "cynoncarers",
        GROUP,
    ),
    "bereave_valleys": (
        "Valleys Bereavement Support",
        "Bereavement support for adults in Rhondda Cynon Taf.",
        "valleysbereavement",
        CHARITY,
    ),
    "dysgu_rct": (
        "Dysgu Cymraeg Morgannwg",
        "Welsh courses for adults in Glamorgan.",
        "dysgucymraeg-morgannwg",
        PUBLIC,
    ),
    "interlink": (
        "Interlink RCT",
        "The county voluntary council for Rhondda Cynon Taf: volunteering and community groups.",
        "interlinkrct",
        CHARITY,
    ),
    "ners_rct": (
        "RCT Exercise Referral Scheme",
        "The national exercise referral scheme in Rhondda Cynon Taf leisure centres.",
        "rct-exercise-referral",
        PUBLIC,
    ),
    "parkrun_ponty": (
        "Taff Riverside parkrun",
        "A free, timed 5k walk, jog or run every Saturday morning, run by volunteers.",
        "taffriversideparkrun",
        GROUP,
    ),
    "mind_valleys": (
        "Valleys Mind",
        "Local mental health charity: peer support groups run by people with lived experience.",
        "valleysmind",
        CHARITY,
    ),
    "cymoedd": (
        "Cymoedd Housing",
        "A housing association in the Rhondda and Cynon valleys.",
        "cymoedd-housing",
        "Registered society",
    ),
    "transport_rhondda": (
        "Rhondda Community Transport",
        "Door-to-door minibuses for people who cannot use the buses.",
        "rhonddact",
        CHARITY,
    ),
    "salem": (
        "Capel Salem, Ferndale",
        "A chapel congregation in Ferndale.",
        "salemferndale",
        CHAPEL,
    ),
    "menter_cymoedd": (
        "Menter Iaith y Cymoedd",
        "Promotes the Welsh language in Rhondda Cynon Taf: clubs, gigs and learners' events.",
        "menterycymoedd",
        CHARITY,
    ),
    "lunch_mtnash": (
        "Mountain Ash Friendship Club",
        "A lunch club for older people in Mountain Ash.",
        "mountainashfriendship",
        GROUP,
    ),
    "veterans_cynon": (
        "Cynon Valley Veterans' Breakfast Club",
        "An informal breakfast club for ex-forces and their families.",
        "cynonveterans",
        GROUP,
    ),
    "stepup": (
        "Step Up Rhondda",
        "Peer support and volunteering for young adults in the Rhondda.",
        "stepuprhondda",
        CHARITY,
    ),
    "listening": (
        "Listening Line Cymru",
        "A volunteer listening line for anyone who is struggling.",
        "listeninglinecymru",
        CHARITY,
    ),
    "bereave_wales": (
        "Bereavement Support Cymru",
        "Phone and video bereavement support across Wales.",
        "bereavementcymru",
        CHARITY,
    ),
    "cartref_cynnes": (
        "Cartref Cynnes",
        "Free energy advice and home improvements for households in fuel poverty in Wales.",
        "cartrefcynnes",
        PUBLIC,
    ),
    "stroke": (
        "Stroke Recovery Cymru",
        "Support for people living with the effects of a stroke, and their families.",
        "strokerecoverycymru",
        CHARITY,
    ),
    "carers_wales": (
        "Carers Together Cymru",
        "Online support and information for unpaid carers in Wales.",
        "carerstogether",
        CHARITY,
    ),
    "wellbeing_online": (
        "Wellbeing Wednesdays Cymru",
        "Short online courses on looking after your wellbeing.",
        "wellbeingwednesdays",
        GROUP,
    ),
    "money_wales": (
        "Cymru Money Advice Line",
        "Free debt advice by phone and webchat.",
        "moneyadvicecymru",
        CHARITY,
    ),
}

# --- Services ---------------------------------------------------------------------------------

# A change of availability: (days ago, availability, what is limited or closed, expected
# reopening in days from today (negative for a closure that has since ended)). "{later}" in
# a note is the name of the month about three months from now.
Change = tuple[int, str, str, int | None]
# (option, amount in pounds, what it buys)
Cost = tuple[str, str, str]
FREE: Cost = ("Free", "0", "Free")

WEEKDAYS = "MO,TU,WE,TH,FR"
EVERY_DAY = "MO,TU,WE,TH,FR,SA,SU"
STEP_FREE = "Step-free access and an accessible toilet."


@dataclass(frozen=True)
class Entry:
    """One service in the demo directory."""

    name: str
    org: str  # key in ORGANISATIONS
    about: str
    terms: tuple[str, ...]  # codes in TERMS
    town: str = ""  # key in TOWNS; "" for a Wales-wide telephone or online service
    venue: str = ""  # "" when it is by phone or online
    street: str = ""
    postcode: str = ""
    days: str = "MO"  # iCalendar BYDAY: "TU,FR" weekly, "1WE" the first Wednesday monthly
    hours: tuple[str, str] | None = ("10:00", "12:00")
    when: str = ""  # what the schedule does not say by itself
    every: int = 1  # weeks between sessions
    area: str = ""  # the area it serves: the town unless told
    welsh: bool = False  # also runs in Welsh
    welsh_only: bool = False
    ages: tuple[int | None, int | None] = (18, None)
    who: str = ""
    cost: Cost = FREE
    signpost: str = ""  # how the person gets in touch themselves; "" for a direct referral
    contact: str = ""  # for direct referrals: who to ask for
    mailbox: str = "referrals"  # the referral email's local part
    response: str = "Within a week"
    added: int = 540  # days ago it went into the directory
    changes: tuple[Change, ...] = ()  # after it was added, open, in order
    checked: int | None = 30  # days since last checked; None: never
    access: str = STEP_FREE
    transport: str = ""
    note: str = ""  # a coordinator's local note
    note_days: int = 30

    @property
    def site(self) -> str:
        return TOWNS[self.town][1] if self.town else ""


POWYS_SERVICES = (
    Entry(
        "Walking for Wellbeing, Llandrindod Wells",
        "walk_mid",
        "Volunteer-led health walks round the lake and the woods, at the pace of the slowest "
        "walker. A good first step back into activity.",
        ("walking", "social"),
        "Llandrindod Wells",
        "Llandrindod Lake",
        "Lake Road",
        "LD1 5HU",
        days="TU,FR",
        hours=("10:30", "12:00"),
        when="Meet by the boathouse. A short route round the lake and a longer one in the woods.",
        contact="Gwen Pritchard",
        mailbox="walks",
        added=520,
        checked=21,
        access="Level path round the lake; benches every few hundred metres.",
        transport="The T4 bus stops on Temple Street, five minutes' walk away.",
    ),
    Entry(
        "Severnside Men's Shed",
        "shed_newtown",
        "Woodwork, bike repairs and a cuppa: a place to make things, mend things and meet "
        "people. Members build benches and planters for the town.",
        ("social", "volunteering"),
        "Newtown",
        "Unit 4, Mochdre Enterprise Park",
        "Mochdre Enterprise Park",
        "SY16 4LE",
        days="MO,WE,TH",
        hours=("10:00", "15:00"),
        when="Come for an hour or the day. Women are welcome on Thursdays.",
        cost=("Per session", "2", "£2 a session, towards wood and tea"),
        contact="Dai Bevan",
        mailbox="newmembers",
        added=500,
        changes=(
            (
                40,
                LIMITED,
                "No new members until {later}: the workshop is full until the extension opens",
                None,
            ),
        ),
        checked=40,
        transport="On the Newtown town bus route; free parking.",
    ),
    Entry(
        "Llanidloes Community Choir",
        "cor_llani",
        "A community choir singing in Welsh and English: hymns, folk songs and pop. No "
        "auditions and no need to read music.",
        ("arts", "welsh", "social"),
        "Llanidloes",
        "Llanidloes Town Hall",
        "Great Oak Street",
        "SY18 6BN",
        days="WE",
        hours=("19:00", "21:00"),
        when="Tea break at half time. Words sheets for learners.",
        welsh=True,
        cost=("Per session", "3", "£3 a session; the first month is free"),
        signpost="Just turn up on a Wednesday evening, or phone Mair on {phone} first.",
        added=480,
        checked=60,
    ),
    Entry(
        "Canal Bank Community Garden",
        "garden_brecon",
        "Growing vegetables and fruit in a community garden and orchard by the canal, with "
        "tea round the fire pit. Gloves and tools provided.",
        ("nature", "volunteering"),
        "Brecon",
        "Canal Bank Community Garden",
        "Canal Road",
        "LD3 7HL",
        days="TU,SA",
        hours=("10:00", "14:00"),
        when="A shared lunch on Saturdays.",
        contact="Tom Watkins",
        mailbox="hello",
        added=400,
        changes=(
            (
                25,
                TEMPORARILY_CLOSED,
                "Site closed while the polytunnel is rebuilt after storm damage",
                35,
            ),
        ),
        checked=25,
        access="Firm paths and two raised beds at wheelchair height.",
    ),
    Entry(
        "Welshpool Growing Together",
        "allot_welshpool",
        "A shared allotment plot for newcomers to grow with others, and help to take on a "
        "plot of your own.",
        ("nature",),
        "Welshpool",
        "Red Bank Allotments",
        "Red Bank",
        "SY21 7PG",
        days="TH",
        hours=("10:00", "13:00"),
        when="The shared plot meets on Thursday mornings; plot holders come and go all week.",
        cost=("Per year", "5", "£5 a year for the shared plot; plots £25 a year"),
        contact="Glenys Owen",
        mailbox="plots",
        added=530,
        changes=(
            (
                300,
                LIMITED,
                "Waiting list for a plot of about six months; the shared plot has room",
                None,
            ),
        ),
        checked=90,
        access="Grass paths; uneven in places.",
    ),
    Entry(
        "Wye Valley Art Club",
        "art_builth",
        "Watercolour, pastels and drawing for all abilities, with a tutor once a month. "
        "Materials provided for the first few weeks.",
        ("arts", "social"),
        "Builth Wells",
        "Strand Hall",
        "Strand Street",
        "LD2 3AA",
        days="MO",
        hours=("13:30", "15:30"),
        cost=("Per session", "4", "£4 a session, materials included"),
        signpost="The person phones Ann on {phone} to check there is an easel free.",
        added=540,
        checked=300,
        access="Step-free access; the hall is cold in winter, so bring a layer.",
    ),
    Entry(
        "Llandrindod Wells Library reading group",
        "libraries_powys",
        "A friendly monthly book group, in English with Welsh speakers welcome. Books are "
        "provided, in large print or audio if needed.",
        ("learning", "social"),
        "Llandrindod Wells",
        "Llandrindod Wells Library",
        "Cefnllys Lane",
        "LD1 5LD",
        days="1WE",
        hours=("14:00", "15:30"),
        when="First Wednesday of the month.",
        welsh=True,
        signpost="Just turn up; the library can order the book of the month in large print.",
        added=510,
        changes=(
            (
                60,
                TEMPORARILY_CLOSED,
                "Library closed for refurbishment; the group restarts when it reopens",
                75,
            ),
        ),
        checked=60,
    ),
    Entry(
        "Clwb Darllen Cymraeg y Trallwng",
        "libraries_powys",
        "Welsh-language reading group at Welshpool Library: a novel a month and a chat over "
        "coffee. Learners from intermediate level are welcome.",
        ("welsh", "learning"),
        "Welshpool",
        "Welshpool Library",
        "Brook Street",
        "SY21 7PH",
        days="3TU",
        hours=("18:00", "19:30"),
        when="Third Tuesday of the month.",
        welsh_only=True,
        signpost="Just turn up, or email the library to reserve a copy of the book.",
        added=450,
        checked=240,
    ),
    Entry(
        "Money and debt advice, Powys",
        "ca_powys",
        "Benefits checks, debt advice, help with forms and letters, and challenging "
        "decisions. Face to face, by phone or at home for people who cannot get out.",
        ("money", "housing"),
        "Llandrindod Wells",
        "Citizens Advice, Llandrindod Wells",
        "Station Crescent",
        "LD1 5BB",
        days=WEEKDAYS,
        hours=("09:30", "16:00"),
        when="Outreach in Llanidloes on Tuesdays and Machynlleth on Thursdays.",
        area=POWYS,
        welsh=True,
        contact="Rhian Evans",
        mailbox="advice",
        response="Within 2 working days",
        added=530,
        changes=(
            (400, LIMITED, "Phone appointments only while the office moves", None),
            (340, OPEN, "", None),
        ),
        checked=30,
        note="Tell them it's a Linkwork referral and they triage it the same week. Ask the "
        "person to bring every letter, even the unopened ones.",
        note_days=120,
    ),
    Entry(
        "Severn Valley Food Bank",
        "foodbank_newtown",
        "Emergency food parcels, toiletries and pet food, with a hot drink and a chat while you "
        "wait. Advisers on hand for fuel vouchers and benefits.",
        ("food",),
        "Newtown",
        "Zion Chapel Hall",
        "Pool Road",
        "SY16 1BN",
        days="TU,FR",
        hours=("12:00", "14:00"),
        when="A food bank voucher is needed; we can issue one.",
        area="Newtown and Llanidloes",
        ages=(16, None),
        contact="Emyr Jones",
        mailbox="vouchers",
        response="Same or next working day",
        added=540,
        checked=14,
        note="We can issue vouchers ourselves (Gareth and Sian are registered). Collection is "
        "from the side door on Pool Road.",
        note_days=200,
    ),
    Entry(
        "Rhayader Friendship Lunch Club",
        "lunch_rhayader",
        "A hot two-course lunch and good company every Thursday, then bingo or a quiz.",
        ("lunch-clubs",),
        "Rhayader",
        "Rhayader Community Hall",
        "East Street",
        "LD6 5DY",
        days="TH",
        hours=("12:00", "14:00"),
        ages=(50, None),
        who="Over-50s, and carers who come with them.",
        cost=("Per session", "5", "£5 for a two-course lunch and tea"),
        contact="Eirlys Vaughan",
        mailbox="lunchclub",
        added=520,
        changes=((20, TEMPORARILY_CLOSED, "Hall closed for roof repairs", 42),),
        checked=20,
        access="Up six steps at the back; no ramp yet.",
        note="Ring ahead — the hall is up the steps at the back. Eirlys can arrange a lift "
        "from the square once it reopens.",
        note_days=15,
    ),
    Entry(
        "Cyfeillion Dyfi befriending",
        "befriend_dyfi",
        "A volunteer visits at home once a week for an hour or so, or meets for a cuppa in "
        "town. In Welsh or English.",
        ("befriending",),
        "Machynlleth",
        "Y Plas",
        "Heol Maengwyn",
        "SY20 8ER",
        days=WEEKDAYS,
        hours=("09:00", "17:00"),
        when="Visits at a time that suits.",
        area="Machynlleth and the Dyfi valley",
        welsh=True,
        ages=(60, None),
        contact="Meinir Jones",
        mailbox="cyfeillio",
        added=420,
        checked=75,
    ),
    Entry(
        "Ffrind Ffôn: telephone befriending",
        "befriend_powys",
        "A weekly phone call with the same friendly volunteer, for older people who are on "
        "their own. Welsh-speaking volunteers available.",
        ("befriending",),
        "Llandrindod Wells",
        area=POWYS,
        days=WEEKDAYS,
        hours=("10:00", "16:00"),
        when="At a time that suits.",
        welsh=True,
        ages=(50, None),
        contact="Carys Lloyd",
        mailbox="ffrindffon",
        added=540,
        changes=(
            (230, LIMITED, "Waiting list of 6 weeks for a volunteer caller", None),
            (170, OPEN, "", None),
            (35, LIMITED, "Waiting list of 6 weeks for a volunteer caller", None),
        ),
        checked=35,
        note="They'll match a Welsh-speaking volunteer if you ask; say so in what you ask for.",
        note_days=90,
    ),
    Entry(
        "Carers' drop-in, Llandrindod Wells",
        "carers_powys",
        "A cuppa with other carers, a guest speaker, and advice on breaks, carer's assessments "
        "and money. Phone support on any weekday.",
        ("carers", "social"),
        "Llandrindod Wells",
        "The Carers Hub",
        "Middleton Street",
        "LD1 5ET",
        days="2TH",
        hours=("10:30", "12:30"),
        when="Second Thursday of the month.",
        area=POWYS,
        welsh=True,
        contact="Sioned Parry",
        mailbox="hub",
        response="Within 3 working days",
        added=500,
        checked=50,
    ),
    Entry(
        "Bereavement support group, Brecon",
        "bereave_brecon",
        "A group for anyone bereaved more than three months ago, and one-to-one support at "
        "home or by phone from trained volunteers.",
        ("bereavement", "mental-health"),
        "Brecon",
        "St Mary's Church Rooms",
        "The Bulwark",
        "LD3 7AD",
        days="TU",
        every=2,
        hours=("14:00", "16:00"),
        when="Every other Tuesday.",
        area="Brecon and south Powys",
        contact="Helen Powell",
        mailbox="support",
        added=480,
        checked=100,
    ),
    Entry(
        "Get Online: digital skills at Newtown Library",
        "libraries_powys",
        "Bring your phone, tablet or laptop: help with email, video calls, online shopping, "
        "banking and forms. Laptops to borrow.",
        ("learning",),
        "Newtown",
        "Newtown Library",
        "Park Street",
        "SY16 1EF",
        days="WE",
        hours=("10:00", "12:00"),
        when="Drop in, or book a one-to-one.",
        contact="Elin Morgan",
        mailbox="getonline",
        added=460,
        checked=45,
    ),
    Entry(
        "Dysgu Cymraeg: Welsh for adults, Welshpool",
        "dysgu_powys",
        "Welsh classes for complete beginners and improvers, in a friendly group. Online "
        "classes too.",
        ("learning", "welsh"),
        "Welshpool",
        "Welshpool Community Education Centre",
        "Salop Road",
        "SY21 7DE",
        days="MO",
        hours=("18:30", "20:30"),
        when="Term time.",
        welsh=True,
        ages=(16, None),
        cost=("Per term", "45", "£45 a term; free for people on benefits and under-25s"),
        signpost="The person enrols online or phones {phone}; courses start in September and "
        "January.",
        added=470,
        checked=120,
    ),
    Entry(
        "Volunteering with PAVO",
        "pavo",
        "Finds volunteering that fits: outdoors, with animals, in charity shops, cafés or "
        "community transport. Can go along to the first session.",
        ("volunteering",),
        "Newtown",
        "PAVO, Newtown office",
        "Milford Road",
        "SY16 2EH",
        days="MO,TU,WE,TH",
        hours=("09:30", "16:30"),
        area=POWYS,
        welsh=True,
        ages=(16, None),
        contact="Lowri Meredith",
        mailbox="volunteering",
        added=540,
        checked=40,
    ),
    Entry(
        "Exercise referral, Newtown Leisure Centre",
        "ners_powys",
        "A 16-week supervised exercise programme: gym, circuits and a gentle chair-based "
        "class, with a qualified instructor.",
        ("exercise-referral",),
        "Newtown",
        "Newtown Leisure Centre",
        "Dolfor Road",
        "SY16 1JD",
        days="MO,WE,FR",
        hours=("10:00", "12:00"),
        when="Chair-based class on Fridays.",
        ages=(16, None),
        who="Adults with a long-term condition, or at risk of one. Needs a health "
        "professional's referral.",
        cost=("Per session", "2", "£2 a session for 16 weeks"),
        contact="Jason Harris",
        mailbox="exercise.referral",
        response="Within 2 weeks",
        added=540,
        checked=80,
    ),
    Entry(
        "Llandrindod Lake parkrun",
        "parkrun_llandod",
        "A free, timed 5k walk, jog or run round the lake every Saturday. Walkers very "
        "welcome, and there are always volunteer jobs.",
        ("walking", "volunteering"),
        "Llandrindod Wells",
        "Llandrindod Lake",
        "Lake Road",
        "LD1 5HU",
        days="SA",
        hours=("09:00", "10:00"),
        when="Coffee at the boathouse afterwards.",
        ages=(None, None),
        signpost="The person registers free online and brings their barcode; no need to book.",
        added=380,
        checked=150,
        access="Level path round the lake; benches every few hundred metres.",
    ),
    Entry(
        "Wellbeing café and one-to-one support, Mind in Powys",
        "mind_powys",
        "A drop-in wellbeing café, six-week wellbeing courses, and one-to-one support for "
        "anxiety and low mood.",
        ("mental-health", "social"),
        "Newtown",
        "The Wellbeing Café",
        "Broad Street",
        "SY16 2NA",
        days="WE",
        hours=("14:00", "16:00"),
        when="Courses and one-to-one by appointment on other days.",
        area="North Powys",
        contact="Bethan Hughes",
        response="Within a week",
        added=540,
        changes=(
            (
                390,
                TEMPORARILY_CLOSED,
                "Café closed after a burst pipe; one-to-one by phone only",
                -350,
            ),
            (350, LIMITED, "Café open again; one-to-one by phone only", None),
            (280, OPEN, "", None),
            (
                45,
                LIMITED,
                "Waiting list of about 6 weeks for one-to-one support; the café has space",
                None,
            ),
        ),
        checked=45,
        note="The café is a good first step while they wait for one-to-one: no assessment "
        "needed, and Bethan will say hello if you tell her they're coming.",
        note_days=40,
    ),
    Entry(
        "Housing advice, Powys",
        "housing_powys",
        "Advice on homelessness, notices to quit, rent arrears, disrepair and finding somewhere "
        "to live. Phone advice every weekday.",
        ("housing", "money"),
        "Llandrindod Wells",
        "Powys Housing Advice",
        "High Street",
        "LD1 6AG",
        days=WEEKDAYS,
        hours=("09:00", "17:00"),
        when="Face-to-face appointments in Llandrindod Wells, Newtown and Brecon.",
        area=POWYS,
        welsh=True,
        contact="Huw Griffiths",
        mailbox="advice",
        response="Within 2 working days; the same day if homeless tonight",
        added=520,
        checked=65,
    ),
    Entry(
        "Dial-a-Ride, mid Powys",
        "transport_powys",
        "Door-to-door minibus to the shops, groups and appointments for people who cannot use "
        "the buses. Wheelchair-accessible minibus.",
        ("transport",),
        "Llandrindod Wells",
        "Community Transport depot",
        "Ddole Road",
        "LD1 6DF",
        days=WEEKDAYS,
        hours=("09:00", "16:00"),
        when="Book two days ahead.",
        area="Llandrindod Wells, Builth Wells and Rhayader",
        cost=("Per journey", "3", "£3 a single journey in town; 45p a mile outside"),
        signpost="The person phones {phone} to join (free) and book journeys.",
        added=540,
        changes=(
            (420, TEMPORARILY_CLOSED, "Minibus off the road after an accident", -360),
            (380, LIMITED, "Short of drivers: Tuesday and Thursday runs only", None),
            (260, OPEN, "", None),
            (
                70,
                LIMITED,
                "Short of volunteer drivers: Tuesday and Thursday runs to Builth Wells only",
                None,
            ),
        ),
        checked=70,
        note="Book at least 48 hours ahead and ask for the wheelchair minibus if needed. The "
        "Tuesday runs fill up by the Friday before.",
        note_days=60,
    ),
    Entry(
        "Coffee morning, Capel Bethel",
        "bethel_llani",
        "Tea, bara brith and a chat in Welsh and English. Everyone welcome, chapel-goers or not.",
        ("social", "welsh"),
        "Llanidloes",
        "Capel Bethel vestry",
        "China Street",
        "SY18 6AB",
        days="FR",
        hours=("10:00", "12:00"),
        welsh=True,
        ages=(None, None),
        cost=("Donation", "2", "£2 donation for tea and cake"),
        signpost="Just turn up on a Friday morning.",
        added=440,
        checked=130,
    ),
    Entry(
        "Merched y Bryniau, Builth Wells",
        "merched",
        "A Welsh-language group for women: talks, crafts, outings and supper. Learners who "
        "can hold a conversation are welcome.",
        ("welsh", "social"),
        "Builth Wells",
        "Strand Hall",
        "Strand Street",
        "LD2 3AA",
        days="2TU",
        hours=("19:00", "21:00"),
        when="Second Tuesday of the month.",
        welsh_only=True,
        who="Women, 18 and over.",
        cost=("Per session", "3", "£3 a meeting, including supper"),
        signpost="The person phones the secretary, Dilys, on {phone}.",
        added=500,
        checked=200,
        access="Step-free access; the hall is cold in winter, so bring a layer.",
    ),
    Entry(
        "Paned a Sgwrs: Welsh conversation, Welshpool",
        "menter_hafren",
        "A cuppa and a chat in Welsh for learners and fluent speakers together, and news of "
        "Welsh-language events nearby.",
        ("welsh", "learning", "social"),
        "Welshpool",
        "Caffi'r Dref",
        "Broad Street",
        "SY21 7JQ",
        days="SA",
        hours=("10:30", "12:00"),
        welsh=True,
        ages=(16, None),
        contact="Aled Pugh",
        mailbox="sgwrs",
        added=410,
        checked=195,
    ),
    Entry(
        "Young people's wellbeing group, Newtown",
        "mind_powys",
        "Games, food and a space to talk, run with young people and youth workers.",
        ("mental-health", "social"),
        "Newtown",
        "The Wellbeing Café",
        "Broad Street",
        "SY16 2NA",
        days="TH",
        hours=("17:00", "19:00"),
        area="North Powys",
        ages=(16, 25),
        who="Young people aged 16 to 25 living in north Powys.",
        contact="Osian Rees",
        mailbox="youth",
        added=300,
        checked=55,
    ),
    Entry(
        "Walking football for over-50s, Brecon",
        "leisure_brecon",
        "Football with no running and no tackling, for men and women over 50.",
        ("activity", "social"),
        "Brecon",
        "Brecon Leisure Centre",
        "Penlan",
        "LD3 9SR",
        days="WE",
        hours=("11:00", "12:00"),
        ages=(50, None),
        cost=("Per session", "3", "£3 a session"),
        contact="Wayne Pugh",
        mailbox="bookings",
        added=350,
        changes=(
            (150, LIMITED, "Fortnightly only: not enough players for every week", None),
            (20, CLOSED, "Funding ended; the leisure centre no longer runs the group", None),
        ),
        checked=20,
    ),
)

RHONDDA_SERVICES = (
    Entry(
        "Treorchy Men's Shed",
        "shed_treorchy",
        "Woodwork, repairs for the community and a cuppa. Come for an hour or the day; no "
        "experience needed.",
        ("social", "volunteering"),
        "Treorchy",
        "The Old Colliery Offices",
        "Bute Street",
        "CF42 6AH",
        days="MO,WE",
        hours=("10:00", "15:00"),
        contact="Keith Howells",
        mailbox="treorchy",
        added=500,
        changes=(
            (260, TEMPORARILY_CLOSED, "Workshop flooded in the storm", -200),
            (210, LIMITED, "Mondays only while the tools are replaced", None),
            (150, OPEN, "", None),
        ),
        checked=40,
        note="Ask for Keith at the door, he'll meet them and show them round before the others "
        "arrive. Mondays are quieter.",
        note_days=100,
    ),
    Entry(
        "Valleys walking group",
        "ramblers",
        "Gentle guided walks of about an hour along the valley floor, and a longer mountain "
        "walk once a month.",
        ("walking", "social"),
        "Treorchy",
        "Treorchy Park gates",
        "Station Road",
        "CF42 6NL",
        days="TU,TH",
        hours=("10:00", "12:00"),
        when="The mountain walk is on the first Sunday of the month.",
        contact="Gwen Harries",
        mailbox="walks",
        added=540,
        changes=(
            (430, TEMPORARILY_CLOSED, "Mountain paths closed after storm damage", -380),
            (380, LIMITED, "Shorter valley-floor walks only until the paths are repaired", None),
            (300, OPEN, "", None),
        ),
        checked=15,
        access="Flat tarmac paths on the Tuesday walk.",
        transport="Treorchy station is across the road.",
        note="The Tuesday walk is the gentlest. Bring them to the park gates by 9:50 — Gwen "
        "waits for newcomers.",
        note_days=150,
    ),
    Entry(
        "Pontypridd Community Choir",
        "cor_ponty",
        "A community choir for anyone who likes to sing: no auditions, songs in Welsh and "
        "English with words sheets for learners.",
        ("arts", "welsh", "social"),
        "Pontypridd",
        "Pontypridd Community Hall",
        "Gelliwastad Road",
        "CF37 2DP",
        days="MO",
        hours=("19:00", "21:00"),
        welsh=True,
        cost=("Per session", "3", "£3 a session"),
        signpost="Just turn up on a Monday evening.",
        added=480,
        changes=(
            (300, LIMITED, "Full until the new term in September", None),
            (220, OPEN, "", None),
        ),
        checked=85,
        note="Ask for Sian at the door, she'll meet them. Nobody has to sing on their first night.",
        note_days=70,
    ),
    Entry(
        "Porth Growing Space",
        "grow_porth",
        "Growing vegetables, a wildlife pond and a polytunnel on the old school site. Raised "
        "beds for wheelchair users.",
        ("nature", "volunteering"),
        "Porth",
        "Porth Growing Space",
        "Hannah Street",
        "CF39 9PU",
        days="WE,SA",
        hours=("10:00", "13:00"),
        contact="Rhiannon Prosser",
        mailbox="hello",
        added=460,
        checked=60,
        access="Step-free, with raised beds at wheelchair height and an accessible toilet.",
    ),
    Entry(
        "Community plot, Ferndale allotments",
        "allot_ferndale",
        "Taster sessions on the community plot, and a plot of your own when one comes up.",
        ("nature",),
        "Ferndale",
        "Darran Park Allotments",
        "Highfield Road",
        "CF43 4SN",
        days="SA",
        hours=("10:00", "12:00"),
        cost=("Per year", "10", "£10 a year for the community plot"),
        signpost="The person phones Brian on {phone} to go on the list or come to a taster "
        "session.",
        added=420,
        changes=(
            (
                110,
                LIMITED,
                "Waiting list for plots of about a year; the Saturday taster sessions have space",
                None,
            ),
        ),
        checked=110,
        access="Steep path from the road; not suitable for wheelchairs.",
    ),
    Entry(
        "Arts for Wellbeing, Tonypandy",
        "art_tonypandy",
        "Painting, printmaking and clay with a professional artist. Nobody needs to have done "
        "art before.",
        ("arts", "mental-health"),
        "Tonypandy",
        "Tonypandy Community Centre",
        "De Winton Street",
        "CF40 2QZ",
        days="TH",
        hours=("13:00", "15:00"),
        cost=("Per session", "2", "£2 a session, materials included"),
        contact="Cerys Williams",
        mailbox="sessions",
        added=450,
        changes=(
            (330, TEMPORARILY_CLOSED, "Artist off sick; sessions restart after Easter", -290),
            (290, OPEN, "", None),
        ),
        checked=95,
    ),
    Entry(
        "Aberdare Library reading group",
        "libraries_rct",
        "A monthly book group with tea and biscuits. Large print copies available.",
        ("learning", "social"),
        "Aberdare",
        "Aberdare Library",
        "Green Street",
        "CF44 7AG",
        days="2WE",
        hours=("14:00", "15:30"),
        when="Second Wednesday of the month.",
        signpost="Just turn up, or ask at the desk for this month's book.",
        added=540,
        checked=210,
    ),
    Entry(
        "Money and debt advice, Rhondda Cynon Taf",
        "ca_rct",
        "Benefits checks, debt advice, help with forms and letters about council tax, "
        "Universal Credit and PIP.",
        ("money", "housing"),
        "Pontypridd",
        "Citizens Advice, Pontypridd",
        "Taff Street",
        "CF37 4UA",
        days=WEEKDAYS,
        hours=("09:30", "16:00"),
        when="Outreach at Tonypandy and Treorchy libraries.",
        area=RCT,
        contact="Kelly Morgan",
        mailbox="advice",
        response="Within 2 working days",
        added=540,
        checked=30,
    ),
    Entry(
        "Rhondda Valleys Food Bank",
        "foodbank_rhondda",
        "Emergency food parcels, with a hot drink and advice on the day. Also at Treorchy on "
        "Wednesdays.",
        ("food",),
        "Porth",
        "Porth Baptist Church Hall",
        "Pontypridd Road",
        "CF39 9PG",
        days="MO,WE,FR",
        hours=("11:00", "13:00"),
        when="A food bank voucher is needed; we can issue one.",
        area="Rhondda",
        ages=(16, None),
        contact="Lisa Bowen",
        mailbox="vouchers",
        response="Same or next working day",
        added=540,
        changes=(
            (200, LIMITED, "Vouchers only: no drop-ins while stock is low", None),
            (170, OPEN, "", None),
        ),
        checked=10,
    ),
    Entry(
        "Chapel lunch club, Treherbert",
        "bethania",
        "A hot lunch and company every Wednesday, then cards or a quiz.",
        ("lunch-clubs", "social"),
        "Treherbert",
        "Bethania Chapel vestry",
        "Dumfries Street",
        "CF42 5PR",
        days="WE",
        hours=("12:00", "14:00"),
        ages=(50, None),
        cost=("Per session", "4", "£4 for a hot lunch and pudding"),
        contact="Margaret Lewis",
        mailbox="lunchclub",
        added=540,
        changes=(
            (120, LIMITED, "Cold lunches only while the cooker is replaced", None),
            (30, TEMPORARILY_CLOSED, "Kitchen being refitted", 60),
        ),
        checked=30,
        note="Closed until the kitchen's done, but the Friday coffee morning in the same "
        "vestry is still on. Margaret will save them a seat when it reopens.",
        note_days=25,
    ),
    Entry(
        "Cyfeillion y Cwm: telephone befriending",
        "cyfeillion_cwm",
        "A weekly call from the same volunteer, in Welsh or English, and home visits where "
        "there is a volunteer nearby.",
        ("befriending",),
        "Tonypandy",
        area="Rhondda",
        days=WEEKDAYS,
        hours=("10:00", "16:00"),
        when="At a time that suits.",
        welsh=True,
        ages=(50, None),
        contact="Nia Thomas",
        mailbox="befriending",
        added=510,
        checked=70,
    ),
    Entry(
        "Cynon Valley Carers' Group",
        "carers_cynon",
        "Peer support for unpaid carers: a cuppa, a speaker and time with people who "
        "understand. Replacement care can be arranged so carers can come.",
        ("carers", "social"),
        "Aberdare",
        "Trecynon Community Hall",
        "Mill Street",
        "CF44 8NU",
        days="1TU",
        hours=("10:30", "12:30"),
        when="First Tuesday of the month.",
        area="Cynon Valley",
        contact="Julie Parry",
        mailbox="group",
        added=540,
        checked=400,
    ),
    Entry(
        "Valleys Bereavement Support",
        "bereave_valleys",
        "A drop-in bereavement group on Thursdays, and one-to-one support by appointment.",
        ("bereavement",),
        "Pontypridd",
        "Pontypridd Community Hall",
        "Gelliwastad Road",
        "CF37 2DP",
        days="TH",
        hours=("13:30", "15:30"),
        area=RCT,
        contact="Eleri Watkins",
        response="Within a week",
        added=470,
        changes=(
            (380, LIMITED, "Waiting list of 8 weeks for one-to-one", None),
            (300, OPEN, "", None),
            (
                55,
                LIMITED,
                "Waiting list of 6 weeks for one-to-one; the drop-in group has space",
                None,
            ),
        ),
        checked=55,
        note="The drop-in group is fine from the first week; one-to-one is usually offered "
        "once someone is three months bereaved.",
        note_days=50,
    ),
    Entry(
        "Digital Friends at Porth Library",
        "libraries_rct",
        "Volunteers help with phones, tablets, email and online forms. Tablets to borrow.",
        ("learning",),
        "Porth",
        "Porth Library",
        "Porth Plaza",
        "CF39 9NP",
        days="TU",
        hours=("10:00", "12:00"),
        ages=(None, None),
        signpost="Drop in on a Tuesday morning, or phone the library on {phone} to book a "
        "one-to-one.",
        added=430,
        checked=40,
    ),
    Entry(
        "Dysgu Cymraeg: Welsh for adults, Treorchy",
        "dysgu_rct",
        "Welsh classes for beginners and improvers on Wednesday evenings, and a daytime class "
        "on Fridays.",
        ("learning", "welsh"),
        "Treorchy",
        "Treorchy Library",
        "Station Road",
        "CF42 6NN",
        days="WE",
        hours=("18:00", "20:00"),
        when="Term time.",
        welsh=True,
        ages=(16, None),
        cost=("Per term", "45", "£45 a term; free for people on benefits and under-25s"),
        signpost="The person enrols online or by phone on {phone}.",
        added=460,
        checked=120,
    ),
    Entry(
        "Volunteering Centre, Interlink RCT",
        "interlink",
        "Finds volunteering that fits, and goes along to the first session if that helps.",
        ("volunteering",),
        "Pontypridd",
        "Interlink RCT, Pontypridd",
        "Bridge Street",
        "CF37 4PE",
        days=WEEKDAYS,
        hours=("09:00", "17:00"),
        area=RCT,
        welsh=True,
        ages=(16, None),
        contact="Ryan Phillips",
        mailbox="volunteering",
        added=540,
        checked=50,
    ),
    Entry(
        "Exercise referral, Tonypandy Leisure Centre",
        "ners_rct",
        "A 16-week supervised programme: gym, circuits and a gentle falls-prevention class.",
        ("exercise-referral",),
        "Tonypandy",
        "Tonypandy Leisure Centre",
        "Dunraven Street",
        "CF40 1AQ",
        days="TU,TH",
        hours=("10:00", "12:00"),
        ages=(16, None),
        who="Adults with a long-term condition, or at risk of one. Needs a health "
        "professional's referral.",
        cost=("Per session", "2", "£2 a session for 16 weeks"),
        contact="Darren Evans",
        mailbox="exercise.referral",
        response="Within 2 weeks",
        added=540,
        changes=((75, LIMITED, "Next 16-week course starts in {later}", None),),
        checked=75,
    ),
    Entry(
        "Taff Riverside parkrun",
        "parkrun_ponty",
        "A free, timed 5k walk, jog or run along the river every Saturday. Walkers welcome; "
        "there is a tail walker at the back.",
        ("walking",),
        "Pontypridd",
        "Riverside park bandstand",
        "Riverside Walk",
        "CF37 4JH",
        days="SA",
        hours=("09:00", "10:00"),
        when="Coffee in the park café afterwards.",
        ages=(None, None),
        signpost="The person registers free online and brings their barcode.",
        added=400,
        checked=150,
    ),
    Entry(
        "Evening peer support group, Valleys Mind",
        "mind_valleys",
        "An evening peer support group run by people with lived experience of anxiety and "
        "depression. Tea and biscuits; nobody has to talk.",
        ("mental-health", "social"),
        "Tonypandy",
        "Tonypandy Community Centre",
        "De Winton Street",
        "CF40 2QZ",
        days="MO",
        hours=("18:00", "20:00"),
        contact="Amy Jenkins",
        mailbox="peersupport",
        added=420,
        checked=35,
    ),
    Entry(
        "Tenancy support",
        "cymoedd",
        "Help to keep a tenancy: arrears, repairs, and dealing with the landlord. Home visits.",
        ("housing", "money"),
        "Porth",
        "Cymoedd Housing, Porth office",
        "Hannah Street",
        "CF39 9RP",
        days=WEEKDAYS,
        hours=("09:00", "17:00"),
        area="Rhondda",
        contact="Sharon Davies",
        mailbox="tenancy.support",
        response="Within 3 working days",
        added=540,
        checked=90,
    ),
    Entry(
        "Rhondda Community Transport",
        "transport_rhondda",
        "Door-to-door minibus for people who cannot use the buses: shopping, groups and "
        "appointments.",
        ("transport",),
        "Tonypandy",
        "Community Transport depot",
        "Llwynypia Road",
        "CF40 2ET",
        days=WEEKDAYS,
        hours=("09:00", "16:30"),
        when="Book two working days ahead.",
        area="Rhondda",
        cost=("Per journey", "2.50", "£2.50 a single journey"),
        signpost="The person phones {phone} to register and book.",
        added=480,
        changes=((12, TEMPORARILY_CLOSED, "Minibus off the road waiting for a new part", 21),),
        checked=12,
    ),
    Entry(
        "Bore coffi, Capel Salem",
        "salem",
        "Tea, Welsh cakes and a chat in Welsh and English on Saturday mornings.",
        ("social", "welsh"),
        "Ferndale",
        "Capel Salem vestry",
        "Duffryn Street",
        "CF43 4ER",
        days="SA",
        hours=("10:00", "12:00"),
        welsh=True,
        ages=(None, None),
        cost=("Donation", "2", "£2 donation"),
        signpost="Just turn up on a Saturday morning.",
        added=500,
        checked=260,
        access="Two steps at the front; a ramp at the side door.",
        note="Mostly Welsh spoken, but everyone switches to English for newcomers. Lovely for "
        "people who used to go to chapel.",
        note_days=280,
    ),
    Entry(
        "Clwb Clonc: Welsh conversation, Pontypridd",
        "menter_cymoedd",
        "A relaxed Welsh conversation evening in a café, for learners and fluent speakers.",
        ("welsh", "social"),
        "Pontypridd",
        "Caffi'r Bont",
        "Taff Street",
        "CF37 4TS",
        days="TH",
        hours=("18:30", "20:00"),
        welsh=True,
        ages=(16, None),
        signpost="Just turn up; look for the table with the Welsh flag.",
        added=390,
        checked=140,
    ),
    Entry(
        "Friendship lunch club, Mountain Ash",
        "lunch_mtnash",
        "A hot lunch and company on Tuesdays for older people.",
        ("lunch-clubs",),
        "Mountain Ash",
        "Mountain Ash Community Hall",
        "Oxford Street",
        "CF45 3HD",
        days="TU",
        hours=("12:00", "14:00"),
        ages=(50, None),
        cost=("Per session", "4", "£4 for lunch"),
        contact="Joan Howells",
        mailbox="club",
        added=540,
        changes=(
            (180, LIMITED, "Fewer places: the council grant was cut", None),
            (100, TEMPORARILY_CLOSED, "Paused while the committee looks for funding", -40),
            (45, CLOSED, "Funding ended", None),
        ),
        checked=45,
    ),
    Entry(
        "Veterans' breakfast club, Aberdare",
        "veterans_cynon",
        "Breakfast and a chat with other ex-forces and their families, twice a month.",
        ("social", "mental-health"),
        "Aberdare",
        "The Boot Café",
        "Commercial Street",
        "CF44 7RW",
        days="1SA,3SA",
        hours=("09:30", "11:30"),
        when="First and third Saturday of the month.",
        who="Veterans and their families.",
        cost=("Pay for your own", "5", "Pay for your own breakfast (about £5)"),
        signpost="Just turn up; ask for Kevin.",
        added=25,
        checked=None,
        note="Not checked yet: heard about it from a client. Kevin runs it; informal but friendly.",
        note_days=20,
    ),
    Entry(
        "Step Up Rhondda: young adults' peer support",
        "stepup",
        "Peer support and volunteering projects for young adults, led by youth workers.",
        ("mental-health", "volunteering"),
        "Treorchy",
        "Treorchy Community Hub",
        "Bute Street",
        "CF42 6BH",
        days="TU",
        hours=("17:30", "19:30"),
        area="Rhondda",
        ages=(18, 25),
        who="Young adults aged 18 to 25 in the Rhondda (adults only: no under-18s).",
        contact="Jordan Clarke",
        mailbox="hello",
        added=330,
        checked=100,
    ),
    Entry(
        "Knit and Natter, Mountain Ash Library",
        "libraries_rct",
        "Knitting, crochet and chat. Wool and needles to borrow; beginners taught.",
        ("arts", "social"),
        "Mountain Ash",
        "Mountain Ash Library",
        "Duffryn Road",
        "CF45 4DA",
        days="TH",
        hours=("10:00", "12:00"),
        ages=(None, None),
        signpost="Just turn up on a Thursday morning.",
        added=200,
        checked=80,
    ),
)

WALES_SERVICES = (
    Entry(
        "Listening Line Cymru",
        "listening",
        "A volunteer listening line for anyone who is struggling or feels they have nobody "
        "to talk to. Confidential and free.",
        ("mental-health",),
        days=EVERY_DAY,
        hours=None,
        when="24 hours a day, every day. A Welsh-language line runs from 7pm to 11pm.",
        area="Wales",
        welsh=True,
        ages=(None, None),
        signpost="The person phones {phone} any time; free from mobiles and landlines.",
        added=540,
        checked=60,
    ),
    Entry(
        "Bereavement helpline and video support",
        "bereave_wales",
        "Phone and video support from trained volunteers after someone has died, however long ago.",
        ("bereavement",),
        days=WEEKDAYS,
        hours=("09:30", "17:00"),
        when="A volunteer rings back within a week.",
        area="Wales",
        welsh=True,
        contact="Angharad Edwards",
        mailbox="wales",
        response="Within a week",
        added=540,
        checked=90,
    ),
    Entry(
        "Cartref Cynnes: warm homes advice",
        "cartref_cynnes",
        "Free advice on energy bills, and free home improvements such as a new boiler or "
        "insulation for households who qualify.",
        ("money", "housing"),
        days=WEEKDAYS,
        hours=("09:00", "18:00"),
        area="Wales",
        welsh=True,
        contact="Iwan Roberts",
        response="Within 10 working days",
        added=480,
        checked=110,
    ),
    Entry(
        "Stroke communication group (online)",
        "stroke",
        "A weekly video call for people with aphasia after a stroke, and their families.",
        ("social",),
        days="WE",
        hours=("14:00", "15:00"),
        when="Online by video call; help to get set up.",
        area="Wales",
        contact="Mared Evans",
        mailbox="groups",
        added=500,
        checked=160,
    ),
    Entry(
        "Carers' online café",
        "carers_wales",
        "An evening video call for unpaid carers: a chat with others who understand.",
        ("carers",),
        days="TH",
        hours=("19:00", "20:00"),
        when="Online by video call.",
        area="Wales",
        welsh=True,
        signpost="The person signs up online and gets the link by email.",
        added=360,
        checked=50,
    ),
    Entry(
        "Wellbeing Wednesdays online course",
        "wellbeing_online",
        "A six-week online course on managing stress and sleeping better.",
        ("mental-health", "learning"),
        days="WE",
        hours=("10:00", "11:30"),
        area="Wales",
        contact="Tracey Hall",
        mailbox="course",
        added=400,
        changes=((70, CLOSED, "Funding ended", None),),
        checked=70,
    ),
    Entry(
        "Debt advice line",
        "money_wales",
        "Free debt advice by phone and webchat; can set up a breathing space from creditors.",
        ("money",),
        days=WEEKDAYS,
        hours=("08:00", "20:00"),
        area="Wales",
        welsh=True,
        signpost="The person phones {phone} or uses the webchat.",
        added=540,
        checked=30,
    ),
)

ENTRIES = POWYS_SERVICES + RHONDDA_SERVICES + WALES_SERVICES


# --- Unmet needs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """Something a coordinator could find nothing in the directory for."""

    site: str
    category: str  # code in TERMS
    area: str
    days_ago: int
    note: str
    for_a_person: bool = False  # linked to someone on the recording coordinator's caseload


NEEDS = (
    Need("powys", "transport", "Llanidloes", 340, "Transport from an outlying farm to the "
         "Thursday groups in town. Dial-a-ride does not reach beyond the town boundary."),
    Need("powys", "transport", "Rhayader", 290, "A lift to the lunch club from the Elan "
         "Valley; there is no bus on a Thursday."),
    Need("powys", "transport", "Machynlleth", 150, "Transport home from the choir in the "
         "evening; the last bus leaves at six."),
    Need("powys", "social", "Newtown", 260, "An evening group for working-age men. "
         "Everything nearby is in the daytime and he works shifts."),
    Need("powys", "mental-health", "Brecon", 210, "Welsh-language peer support for anxiety; "
         "the groups nearby are all in English."),
    Need("powys", "social", "Llandrindod Wells", 180, "An LGBTQ+ social group for over-40s. "
         "Nothing in mid Powys; the nearest is in Aberystwyth."),
    Need("powys", "bereavement", "Llanidloes", 120, "A group for parents bereaved by "
         "suicide. The nearest is in Cardiff."),
    Need("powys", "carers", "Builth Wells", 95, "A sitting service so she can get to the "
         "carers' group; nothing available."),
    Need("powys", "activity", "Welshpool", 70, "A women-only gentle swimming session."),
    Need("powys", "housing", "Newtown", 30, "Emergency accommodation in town for a young man "
         "who is sofa-surfing; the only place offered was in Welshpool.", for_a_person=True),
    Need("powys", "learning", "Machynlleth", 45, "A basic computer class in Welsh."),
    Need("powys", "money", "Rhayader", 20, "Face-to-face benefits advice in Rhayader since "
         "the outreach session stopped; cannot manage it by phone.", for_a_person=True),
    Need("powys", "food", "Llanidloes", 10, "A food bank collection point in Llanidloes; the "
         "nearest is in Newtown and the bus fare is too much.", for_a_person=True),
    Need("rhondda", "bereavement", "Treorchy", 320, "A Welsh-language bereavement group; "
         "there is none in the Rhondda."),
    Need("rhondda", "social", "Pontypridd", 270, "An LGBTQ+ social group; the nearest is in "
         "Cardiff."),
    Need("rhondda", "social", "Tonypandy", 230, "Evening groups for working-age men; he works "
         "days and everything is in the daytime."),
    Need("rhondda", "transport", "Treherbert", 190, "Transport to the food bank in Porth; the "
         "bus fare there and back is too much."),
    Need("rhondda", "mental-health", "Porth", 160, "A support group for hoarding."),
    Need("rhondda", "activity", "Ferndale", 130, "Chair-based exercise near home for someone "
         "who cannot manage the hill to the leisure centre."),
    Need("rhondda", "money", "Mountain Ash", 100, "Debt advice in the evening; works days "
         "and cannot take calls at work."),
    Need("rhondda", "lunch-clubs", "Mountain Ash", 40, "A lunch club since the Mountain Ash "
         "club closed; the nearest is two buses away.", for_a_person=True),
    Need("rhondda", "carers", "Treorchy", 60, "A group for young adult carers (18 to 25)."),
    Need("rhondda", "nature", "Tonypandy", 35, "A growing space with wheelchair-accessible "
         "beds nearer than Porth."),
    Need("rhondda", "social", "Aberdare", 25, "A social group for people with hearing loss, "
         "with British Sign Language."),
    Need("rhondda", "welsh", "Porth", 14, "A daytime Welsh conversation group for a learner; "
         "the only ones are in the evening.", for_a_person=True),
)  # fmt: skip


# --- Building it ------------------------------------------------------------------------------


class _Staff:
    """Who keeps the directory: the demo's managers and coordinators, by site."""

    def __init__(self, sites: Iterable) -> None:
        site_ids = {site.pk: site.slug for site in sites}
        self.coordinators: dict[str, list[User]] = {slug: [] for slug in site_ids.values()}
        self.managers: dict[str, list[User]] = {slug: [] for slug in site_ids.values()}
        staff = (
            User.objects.filter(is_active=True, role__in=[Role.COORDINATOR, Role.MANAGER])
            .prefetch_related("sites")
            .order_by("username")
        )
        for user in staff:
            for site in user.sites.all():
                if site.pk in site_ids:
                    by_role = self.coordinators if user.is_coordinator else self.managers
                    by_role[site_ids[site.pk]].append(user)

    def coordinator(self, slug: str, index: int) -> User | None:
        """One of the site's coordinators (any site's for ""), turn about by `index`."""
        people = self.coordinators.get(slug) or self.managers.get(slug) or []
        if not slug:
            people = sorted(
                {u for users in self.coordinators.values() for u in users},
                key=lambda u: u.username,
            )
        return people[index % len(people)] if people else None

    def manager(self, slug: str) -> User | None:
        people = self.managers.get(slug) or [u for us in self.managers.values() for u in us]
        return people[0] if people else self.coordinator(slug, 0)


def _at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _time(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


def demo_phone(index: int, *, wales_wide: bool) -> str:
    """Drama numbers: 0306 999 0xxx for Wales-wide lines, 01632 960xxx for local ones."""
    return f"0306 999 0{100 + index:03d}" if wales_wide else f"01632 960{200 + index:03d}"


def build_taxonomy() -> dict[str, m.TaxonomyTerm]:
    """The local taxonomy of social prescribing categories, by code."""
    taxonomy = m.Taxonomy.objects.create(
        name=TAXONOMY,
        description="The kinds of community support link coordinators refer people on to.",
        uri=TAXONOMY_URI,
        version="1.0",
    )
    terms: dict[str, m.TaxonomyTerm] = {}
    for code, (name, parent, description) in TERMS.items():
        terms[code] = m.TaxonomyTerm.objects.create(
            code=code,
            name=name,
            name_cy=TERM_NAMES_CY.get(code, ""),
            description=description,
            parent=terms[parent] if parent else None,
            taxonomy=taxonomy,
            taxonomy_name=TAXONOMY,
            language="en",
            term_uri=f"{TAXONOMY_URI}/{code}",
        )
    return terms


def demo_services():
    """The services the demo directory made (empty until it is built)."""
    return m.Service.objects.filter(attributes__taxonomy_term__taxonomy__name=TAXONOMY).distinct()


def build_demo_directory(sites: Sequence, *, today: datetime.date | None = None) -> list[m.Service]:
    """Build the demo directory for `sites` (matched by slug) once; returns its services.

    A second call finds the directory already there and returns it unchanged.
    """
    if m.Taxonomy.objects.filter(name=TAXONOMY).exists():
        return list(demo_services().order_by("pk"))
    today = today or timezone.localdate()
    later = (today + datetime.timedelta(days=100)).strftime("%B")
    by_slug = {site.slug: site for site in sites}
    staff = _Staff(sites)
    terms = build_taxonomy()
    entries = [e for e in ENTRIES if not e.site or e.site in by_slug]

    organizations = {}
    for entry in entries:
        if entry.org in organizations:
            continue
        name, about, domain, legal = ORGANISATIONS[entry.org]
        organizations[entry.org] = m.Organization(
            name=name,
            description=about,
            email=f"hello@{domain}.example.org",
            website=f"https://{domain}.example.org/",
            legal_status=legal,
            last_modified=_at(today - datetime.timedelta(days=entry.added)),
        )
    m.Organization.objects.bulk_create(organizations.values())

    services = []
    for index, entry in enumerate(entries):
        services.append(_service(entry, index, organizations[entry.org], today, later, staff))
    m.Service.objects.bulk_create(services)

    rows: dict[type, list] = {model: [] for model in DIRECTORY_MODELS}
    locations: dict[tuple[str, str], tuple[m.Location, Entry]] = {}
    for index, (entry, service) in enumerate(zip(entries, services, strict=True)):
        _children(entry, service, index, terms, rows, today, later, staff)
        if entry.venue:
            key = (entry.venue, entry.town)
            if key not in locations:
                locations[key] = (_location(entry), entry)
            location = locations[key][0]
            rows[m.ServiceAtLocation].append(
                m.ServiceAtLocation(service=service, location=location)
            )
    m.Location.objects.bulk_create(location for location, _entry in locations.values())
    for location, entry in locations.values():
        address = entry.venue if entry.street in entry.venue else f"{entry.venue}, {entry.street}"
        rows[m.Address].append(
            m.Address(
                location=location,
                address_1=address,
                city=entry.town,
                state_province=TOWNS[entry.town][0],
                postal_code=entry.postcode,
            )
        )
        rows[m.Accessibility].append(m.Accessibility(location=location, description=entry.access))
    m.Service.sites.through.objects.bulk_create(
        m.Service.sites.through(service_id=service.pk, site_id=by_slug[entry.site].pk)
        for entry, service in zip(entries, services, strict=True)
        if entry.site
    )
    for model in reversed(DIRECTORY_MODELS):  # parents first
        if rows[model]:
            model.objects.bulk_create(rows[model])
    return services


def _service(entry: Entry, index: int, organization, today, later, staff) -> m.Service:
    wales_wide = not entry.site
    phone = demo_phone(index, wales_wide=wales_wide)
    _name, _about, domain, _legal = ORGANISATIONS[entry.org]
    last_days, last_state, last_note, last_reopens = (entry.added, OPEN, "", None)
    if entry.changes:
        last_days, last_state, last_note, last_reopens = entry.changes[-1]
    email = f"{entry.mailbox}@{domain}.example.org" if not entry.signpost else ""
    if entry.signpost:
        how = entry.signpost.format(phone=phone)
    else:
        first_name = entry.contact.split()[0]
        how = f"Phone {first_name} on {phone} or use the secure link."
    checked_on = None
    if entry.checked is not None:
        checked_on = today - datetime.timedelta(days=min(entry.checked, entry.added))
    cost_option, amount, cost_words = entry.cost
    created = _at(today - datetime.timedelta(days=entry.added), 9, 30)
    modified = max(
        [created, _at(today - datetime.timedelta(days=last_days), 11)]
        + ([_at(checked_on, 15)] if checked_on else [])
    )
    keeper = (
        f"{entry.contact}, {organization.name}"
        if entry.contact
        else f"Linkwork {'staff' if wales_wide else entry.town + ' area'} (checked by phone)"
    )
    return m.Service(
        organization=organization,
        name=entry.name,
        description=entry.about,
        url=f"https://{domain}.example.org/",
        email=f"hello@{domain}.example.org",
        application_process=how if entry.signpost else "Refer through Linkwork.",
        fees_description="Free" if amount == "0" else cost_words,
        eligibility_description=entry.who or _who(entry.ages),
        minimum_age=entry.ages[0],
        maximum_age=entry.ages[1],
        availability=last_state,
        availability_note=last_note.format(later=later),
        expected_reopening=(
            today + datetime.timedelta(days=last_reopens)
            if last_state == TEMPORARILY_CLOSED
            else None
        ),
        referral_method=m.ReferralMethod.SIGNPOST if entry.signpost else m.ReferralMethod.DIRECT,
        referral_contact=how,
        referral_email=email,
        response_time="" if entry.signpost else entry.response,
        accepts_service_referrals=True,
        maintained_by=keeper,
        last_checked_on=checked_on,
        last_checked_by=staff.coordinator(entry.site, index) if checked_on else None,
        created_at=created,
        last_modified=modified,
    )


def _who(ages: tuple[int | None, int | None]) -> str:
    low, high = ages
    if low and high:
        return f"People aged {low} to {high}."
    if low:
        return f"Adults aged {low} and over." if low >= 18 else f"People aged {low} and over."
    return "Everyone welcome."


def _location(entry: Entry) -> m.Location:
    _county, _slug, latitude, longitude = TOWNS[entry.town]
    # Somewhere in the town, the same for the same venue every time.
    rng = random.Random(f"{entry.venue}, {entry.town}")
    return m.Location(
        name=entry.venue,
        description=f"{entry.venue}, {entry.town}",
        transportation=entry.transport,
        latitude=Decimal(f"{latitude + rng.uniform(-0.004, 0.004):.6f}"),
        longitude=Decimal(f"{longitude + rng.uniform(-0.006, 0.006):.6f}"),
    )


def _children(entry: Entry, service, index, terms, rows, today, later, staff) -> None:
    """The service's categories, phone, contact, schedule, area, languages, cost, history and
    notes, added to `rows` for bulk creation."""
    wales_wide = not entry.site
    phone = demo_phone(index, wales_wide=wales_wide)
    for code in entry.terms:
        rows[m.ServiceAttribute].append(
            m.ServiceAttribute(service=service, taxonomy_term=terms[code])
        )
    rows[m.Phone].append(
        m.Phone(service=service, number=phone, type="voice", description="Enquiries")
    )
    if entry.contact:
        rows[m.Contact].append(
            m.Contact(service=service, name=entry.contact, email=service.referral_email)
        )
    opens, closes = (_time(entry.hours[0]), _time(entry.hours[1])) if entry.hours else (None,) * 2
    monthly = any(ch.isdigit() for ch in entry.days)
    online = "online" in f"{entry.name} {entry.when}".lower()
    attending = "in person" if entry.venue else ("online" if online else "phone")
    rows[m.Schedule].append(
        m.Schedule(
            service=service,
            freq="MONTHLY" if monthly else "WEEKLY",
            interval=entry.every if entry.every > 1 else None,
            byday=entry.days,
            opens_at=opens,
            closes_at=closes,
            description=entry.when,
            timezone="Europe/London",
            attending_type=attending,
        )
    )
    rows[m.ServiceArea].append(
        m.ServiceArea(service=service, name=entry.area or entry.town or "Wales")
    )
    if not entry.welsh_only:
        rows[m.Language].append(m.Language(service=service, name="English", code="en"))
    if entry.welsh or entry.welsh_only:
        rows[m.Language].append(
            m.Language(
                service=service,
                name="Welsh",
                code="cy",
                note="Welsh learners welcome" if entry.welsh_only else "",
            )
        )
    option, amount, words = entry.cost
    rows[m.CostOption].append(
        m.CostOption(
            service=service,
            option=option,
            amount=Decimal(amount),
            amount_description=words,
            currency="GBP",
        )
    )
    # The history: open when it was added, then each change, in order.
    history = ((entry.added, OPEN, "", None), *entry.changes)
    previous = entry.added + 1
    for step, (days_ago, availability, note, reopens) in enumerate(history):
        assert 0 < days_ago < previous, (entry.name, days_ago)  # in order, in the past
        previous = days_ago
        day = today - datetime.timedelta(days=days_ago)
        recorder = (
            staff.manager(entry.site) if step == 0 else staff.coordinator(entry.site, index + step)
        )
        rows[m.AvailabilityChange].append(
            m.AvailabilityChange(
                service=service,
                availability=availability,
                note=note.format(later=later),
                expected_reopening=(
                    today + datetime.timedelta(days=reopens)
                    if availability == TEMPORARILY_CLOSED
                    else None
                ),
                effective_on=day,
                recorded_at=service.created_at if step == 0 else _at(day, 11, 15),
                recorded_by=recorder,
            )
        )
    author = staff.coordinator(entry.site, index)
    if entry.note and author is not None:
        rows[m.LocalNote].append(
            m.LocalNote(
                service=service,
                text=entry.note,
                author=author,
                created_at=_at(
                    today - datetime.timedelta(days=min(entry.note_days, entry.added - 1)), 14, 20
                ),
            )
        )


def build_demo_unmet_needs(
    sites: Sequence, referrals: Iterable = (), *, today: datetime.date | None = None
) -> list[UnmetNeed]:
    """What coordinators could find nothing for over the last year, at `sites` (by slug).

    Needs recorded for a person are linked to one of `referrals` at the site whose coordinator
    had them on their caseload by then (left unlinked if there is none). Needs the directory
    demo's taxonomy (`build_demo_directory`); a site with no coordinator or manager gets none.
    """
    from linkwork.referrals.queries import current_allocation

    today = today or timezone.localdate()
    now = timezone.now()
    by_slug = {site.slug: site for site in sites}
    staff = _Staff(sites)
    terms = {term.code: term for term in m.TaxonomyTerm.objects.filter(taxonomy__name=TAXONOMY)}
    caseloads = []  # (site slug, referral, allocation) for people on a caseload
    for referral in referrals:
        allocation = current_allocation(referral)
        if allocation is not None and referral.site.slug in by_slug:
            caseloads.append((referral.site.slug, referral, allocation))
    used: set[int] = set()
    needs = []
    for index, need in enumerate(NEEDS):
        if need.site not in by_slug:
            continue
        recorded_at = _at(today - datetime.timedelta(days=need.days_ago), 11, 5 * index % 60)
        recorded_by, referral = staff.coordinator(need.site, index), None
        if need.for_a_person:
            at_site = [(r, a) for slug, r, a in caseloads if slug == need.site and r.pk not in used]
            # Someone on a caseload by then; else the first on one, soon after allocation.
            earlier = [(r, a) for r, a in at_site if a.started_at < recorded_at]
            if earlier or at_site:
                referral, allocation = (earlier or at_site)[0]
                used.add(referral.pk)
                recorded_by = allocation.coordinator
                if not earlier:
                    started = allocation.started_at
                    recorded_at = min(
                        started + datetime.timedelta(days=1), started + (now - started) / 2
                    )
        if recorded_by is None:
            continue
        needs.append(
            UnmetNeed(
                site=by_slug[need.site],
                category=terms[need.category],
                area=need.area,
                note=need.note,
                referral=referral,
                recorded_by=recorded_by,
                recorded_at=recorded_at,
            )
        )
    return UnmetNeed.objects.bulk_create(needs)

"""The words a letter itself is written in, in English and in Welsh.

A letter is written in the language chosen for it (the person's preferred language, unless the
coordinator chose the other), whatever language the member of staff reads Linkwork in. So the
words that go into a letter (dates, times, how an appointment happens, why support ended, the
signer's role, "Our reference") are data here, kept side by side in both languages, and not in
the gettext catalogue, which follows the reader. The pages around a letter are translated as
usual. Like the default wording of the letters themselves (`defaults.py`), the Welsh here must
be reviewed by a qualified translator before live use (see docs/developer/translation.md).
"""

import datetime

from linkwork.referrals.models import Language
from linkwork.referrals.status import ClosureReason

EN, CY = Language.ENGLISH.value, Language.WELSH.value

MONTHS = {
    EN: (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    CY: (
        "Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin",
        "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr",
    ),
}  # fmt: skip

WEEKDAYS = {
    EN: ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    CY: (
        "Dydd Llun", "Dydd Mawrth", "Dydd Mercher", "Dydd Iau",
        "Dydd Gwener", "Dydd Sadwrn", "Dydd Sul",
    ),
}  # fmt: skip

# Morning and afternoon after the time: "2:30pm", "2:30yp" (y prynhawn), "10:00yb" (y bore).
AM_PM = {EN: ("am", "pm"), CY: ("yb", "yp")}

# Per contact mode (casework.models.ContactMode): how the appointment happens, and where, when
# the coordinator does not say where.
APPOINTMENT_HOW = {
    "home_visit": {EN: "A visit to your home", CY: "Ymweliad â'ch cartref"},
    "face_to_face": {EN: "Meeting in person", CY: "Cyfarfod wyneb yn wyneb"},
    "telephone": {EN: "A telephone call", CY: "Galwad ffôn"},
    "video": {EN: "A video call", CY: "Galwad fideo"},
    "text_or_email": {EN: "By text message or email", CY: "Drwy neges destun neu e-bost"},
    "accompanied": {EN: "We will go with you", CY: "Byddwn yn mynd gyda chi"},
}
APPOINTMENT_WHERE = {
    "home_visit": {EN: "At your home", CY: "Yn eich cartref"},
    "face_to_face": {EN: "At the place we agreed", CY: "Yn y man a gytunwyd"},
    "telephone": {
        EN: "We will ring you on the number we have for you",
        CY: "Byddwn yn eich ffonio ar y rhif sydd gennym ar eich cyfer",
    },
    "video": {
        EN: "We will send you a link to join the call",
        CY: "Byddwn yn anfon dolen atoch i ymuno â'r alwad",
    },
    "text_or_email": {
        EN: "To the number or address we have for you",
        CY: "I'r rhif neu'r cyfeiriad sydd gennym ar eich cyfer",
    },
    "accompanied": {
        EN: "We will meet you at the place we agreed",
        CY: "Byddwn yn cwrdd â chi yn y man a gytunwyd",
    },
}

# The referrer's letter: what became of the referral, as a sentence.
OUTCOMES = {
    ClosureReason.GOALS_ACHIEVED: {
        EN: "Support has now ended: the goals set together with our link coordinator were "
        "achieved.",
        CY: "Mae'r cymorth bellach wedi dod i ben: cyflawnwyd y nodau a osodwyd ar y cyd â'n "
        "cydlynydd cyswllt.",
    },
    ClosureReason.PERSON_CHOSE_TO_END: {
        EN: "Support has now ended, at the person's own choice.",
        CY: "Mae'r cymorth bellach wedi dod i ben, o ddewis yr unigolyn ei hun.",
    },
    ClosureReason.DISENGAGED: {
        EN: "Support has now ended: despite several attempts, we were unable to stay in contact.",
        CY: "Mae'r cymorth bellach wedi dod i ben: er gwaethaf sawl ymgais, ni fu modd i ni "
        "gadw mewn cysylltiad.",
    },
    ClosureReason.MOVED_AWAY: {
        EN: "Support has now ended because the person has moved out of the area.",
        CY: "Mae'r cymorth bellach wedi dod i ben gan fod yr unigolyn wedi symud o'r ardal.",
    },
    ClosureReason.REFERRED_TO_STATUTORY: {
        EN: "Support has now ended, and we have referred the person on to statutory services.",
        CY: "Mae'r cymorth bellach wedi dod i ben, ac rydym wedi atgyfeirio'r unigolyn at "
        "wasanaethau statudol.",
    },
    ClosureReason.NEEDS_ABOVE_REMIT: {
        EN: "Support has now ended: the person's needs are beyond what this service can offer, "
        "and we would ask you to consider other support.",
        CY: "Mae'r cymorth bellach wedi dod i ben: mae anghenion yr unigolyn y tu hwnt i'r hyn "
        "y gall y gwasanaeth hwn ei gynnig, a gofynnwn i chi ystyried cymorth arall.",
    },
    ClosureReason.DIED: {
        EN: "We are very sorry to let you know that the person has died.",
        CY: "Mae'n ddrwg iawn gennym roi gwybod i chi fod yr unigolyn wedi marw.",
    },
    ClosureReason.OTHER: {
        EN: "Support has now ended.",
        CY: "Mae'r cymorth bellach wedi dod i ben.",
    },
}
STILL_IN_SUPPORT_OUTCOME = {
    EN: "The person is being supported by one of our link coordinators.",
    CY: "Mae un o'n cydlynwyr cyswllt yn rhoi cymorth i'r unigolyn.",
}

WORDS = {
    "still_in_support": {EN: "still in support", CY: "yn dal i gael cymorth"},
    "not_started": {EN: "not started yet", CY: "heb ddechrau eto"},
    "not_known": {EN: "not known", CY: "anhysbys"},
    "no_phone": {
        EN: "the contact details at the top of this letter",
        CY: "y manylion cyswllt ar frig y llythyr hwn",
    },
    "our_reference": {EN: "Our reference", CY: "Ein cyfeirnod"},
    "page": {EN: "Page", CY: "Tudalen"},
    "of": {EN: "of", CY: "o"},
}

ROLES = {
    "coordinator": {EN: "Link coordinator", CY: "Cydlynydd cyswllt"},
    "manager": {EN: "Service manager", CY: "Rheolwr gwasanaeth"},
}


def word(key: str, language: str) -> str:
    return WORDS[key][language]


def long_date(day: datetime.date, language: str) -> str:
    """ "14 January 2025", "14 Ionawr 2025"."""
    return f"{day.day} {MONTHS[language][day.month - 1]} {day.year}"


def day_and_date(day: datetime.date, language: str) -> str:
    """ "Tuesday 14 January 2025", "Dydd Mawrth 14 Ionawr 2025"."""
    return f"{WEEKDAYS[language][day.weekday()]} {long_date(day, language)}"


def clock_time(moment: datetime.time, language: str) -> str:
    """ "2:30pm", "2:30yp"; "10:00am", "10:00yb"."""
    morning, afternoon = AM_PM[language]
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d}{morning if moment.hour < 12 else afternoon}"


def role_of(user, language: str) -> str:
    """The signer's role, as the letter names it."""
    return ROLES.get(user.role, ROLES["coordinator"])[language]


LABELS = {
    "phone": {EN: "Phone", CY: "Ffôn"},
    "email": {EN: "Email", CY: "E-bost"},
}


def label(key: str, language: str) -> str:
    return LABELS[key][language]

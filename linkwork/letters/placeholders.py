"""Placeholders in letter templates: `{first_name}`, filled in from the person's record.

The syntax is deliberately tiny. A placeholder is a name of lower-case letters, digits and
underscores in one pair of braces. It is replaced by plain text, and every letter is escaped
when it is shown or printed, so a template can neither run code (nothing like Django's
template tags exists here) nor add markup. Braces are for placeholders only: a name this kind
of letter does not have, or a brace on its own (`{{first_name}}`, `{first name`), is refused
when a manager saves the template, naming what is wrong.
"""

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import LetterKind

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Placeholder:
    name: str
    description: Promise

    @property
    def code(self) -> str:
        return "{" + self.name + "}"


def _p(name: str, description: Promise) -> Placeholder:
    return Placeholder(name, description)


COMMON = (
    _p("recipient_name", _("The name the letter is addressed to")),
    _p("first_name", _("The person's first name")),
    _p("last_name", _("The person's last name")),
    _p("full_name", _("The person's first and last names")),
    _p("reference", _("The referral's reference, like R000123")),
    _p("service_name", _("The service's name, from the site's letterhead")),
    _p("site_name", _("The site's name")),
    _p("service_phone", _("The site's phone number, from its letterhead")),
    _p("coordinator_name", _("The person's link coordinator (now, or when support ended)")),
    _p("today", _("The date of the letter")),
)

SUPPORT = (
    _p("support_started", _("When support started (the support plan's start, or allocation)")),
    _p("support_ended", _("When support ended (or 'still in support')")),
    _p("sessions_attended", _("How many contacts the person attended")),
)

PLACEHOLDERS: dict[str, tuple[Placeholder, ...]] = {
    LetterKind.APPOINTMENT: COMMON
    + (
        _p("appointment_date", _("The appointment's day and date")),
        _p("appointment_time", _("The appointment's time")),
        _p("appointment_how", _("How it happens: a home visit, a phone call…")),
        _p("appointment_where", _("Where: the place typed when making the letter, or the usual")),
    ),
    LetterKind.NO_CONTACT: COMMON
    + (_p("reply_by", _("Two weeks from the date of the letter: when to get in touch by")),),
    LetterKind.END_OF_SUPPORT: COMMON + SUPPORT,
    LetterKind.REFERRER: COMMON
    + SUPPORT
    + (
        _p("referrer_name", _("The referrer's name, as the referral gives it")),
        _p("referring_organisation", _("The organisation that referred the person")),
        _p("date_of_birth", _("The person's date of birth")),
        _p("nhs_number", _("The person's NHS number")),
        _p("referral_received", _("When the referral was received")),
        _p("outcome", _("A sentence saying what became of the referral")),
    ),
}


def names_for(kind: str) -> frozenset[str]:
    return frozenset(p.name for p in PLACEHOLDERS[kind])


@dataclass(frozen=True)
class Problems:
    """What is wrong with a template's text: placeholders this kind of letter does not have,
    and whether braces are used for anything else."""

    unknown: tuple[str, ...] = ()
    stray_braces: bool = False

    def __bool__(self) -> bool:
        return bool(self.unknown) or self.stray_braces


def check(text: str, kind: str) -> Problems:
    known = names_for(kind)
    unknown: list[str] = []
    for match in PLACEHOLDER.finditer(text):
        code = match.group(0)
        if match.group(1) not in known and code not in unknown:
            unknown.append(code)
    leftover = PLACEHOLDER.sub("", text)
    return Problems(tuple(unknown), "{" in leftover or "}" in leftover)


def fill(text: str, values: dict[str, str]) -> str:
    """The text with each placeholder replaced by its value (plain text, escaped wherever the
    letter is shown). A placeholder without a value (only possible for a template saved before
    a placeholder was withdrawn) is left as it is, for the preview to show."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        return values[name] if name in values else match.group(0)

    return PLACEHOLDER.sub(value, text)

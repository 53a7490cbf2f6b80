"""What a search for a person means: the words typed, read as a name, an NHS number, a phone
number, a reference (R000123 for a referral, P000045 for a person) or a date of birth.

Names are compared in a folded form kept on the person (`Person.search_name`): lower case,
accents taken off and punctuation made spaces, so "sian", "Siân" and "SIAN" find the same
person, and so do "o'brien", "O’Brien" and "obrien" (the apostrophe is dropped, not spaced).
Each word typed must appear somewhere in the name ("jon" finds Jones and Bronjon). Phone
numbers are compared as their digits, with a UK +44 written as 0.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from linkwork.core.sms import uk_digits

from .validators import nhs_number_is_valid

#: The shortest search that is run: fewer characters would match most of the service.
MIN_LENGTH = 2
#: Phone searches need this many digits (the end of a number is what people remember).
MIN_PHONE_DIGITS = 5
MAX_LENGTH = 100

_APOSTROPHES = str.maketrans("", "", "'’`ʼ‘")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_REFERENCE = re.compile(r"^([rp])\s*-?\s*0*(\d{1,12})$", re.IGNORECASE)
_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$|^(\d{4})-(\d{1,2})-(\d{1,2})$")


def fold(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: "Siân  O’Brien-Jones" ->
    "sian obrien jones"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_APOSTROPHES))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", plain).strip()


#: The digits of a phone number, +44 written as 0: what phone searches compare.
phone_digits = uk_digits


class Kind(StrEnum):
    NAME = "name"
    NHS_NUMBER = "nhs_number"
    PHONE = "phone"
    REFERENCE = "reference"


@dataclass(frozen=True)
class Terms:
    """A search, understood. `problem` says why it cannot be run (too short, say)."""

    kind: Kind | None = None
    words: tuple[str, ...] = ()
    born_on: datetime.date | None = None
    digits: str = ""
    referral_id: int | None = None
    person_id: int | None = None
    problem: str = ""


class NotADate(ValueError):
    pass


def _date(token: str) -> datetime.date | None:
    """The date a token is written as (31/12/1980, 31-12-1980, 31.12.1980 or 1980-12-31);
    None if it is not written as a date; `NotADate` if it is but no such day exists."""
    match = _DATE.match(token)
    if not match:
        return None
    day, month, year = (
        (match[1], match[2], match[3]) if match[1] else (match[6], match[5], match[4])
    )
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise NotADate(token) from None


def understand(query: str) -> Terms:
    """What the words typed ask for."""
    query = " ".join(query.split())[:MAX_LENGTH]
    if len(query) < MIN_LENGTH:
        return Terms(problem=str(_("Enter at least 2 characters of a name, or a number")))
    if reference := _REFERENCE.match(query):
        number = int(reference[2])
        if reference[1].lower() == "r":
            return Terms(kind=Kind.REFERENCE, referral_id=number)
        return Terms(kind=Kind.REFERENCE, person_id=number)
    words, born_on = [], None
    for token in query.split():
        try:
            day = _date(token)
        except NotADate:
            return Terms(problem=str(_("Enter a date of birth that exists, like 31/12/1980")))
        if day is not None:
            born_on = day
        else:
            words.append(token)
    if born_on is not None:
        words = [word for token in words for word in fold(token).split()]
        return Terms(kind=Kind.NAME, words=tuple(words), born_on=born_on)
    compact = re.sub(r"[\s()-]", "", query)
    if re.fullmatch(r"\+?\d+", compact):
        digits = phone_digits(query)
        if len(digits) == 10 and nhs_number_is_valid(digits):
            # A valid NHS number, which could also be the end of a phone number.
            return Terms(kind=Kind.NHS_NUMBER, digits=digits)
        if len(digits) < MIN_PHONE_DIGITS:
            return Terms(
                problem=str(
                    _("Enter at least %(count)s digits of a phone number")
                    % {"count": MIN_PHONE_DIGITS}
                )
            )
        return Terms(kind=Kind.PHONE, digits=digits)
    words = fold(query).split()
    if not words:
        return Terms(problem=str(_("Enter a name, an NHS number, a phone number or a reference")))
    return Terms(kind=Kind.NAME, words=tuple(words))

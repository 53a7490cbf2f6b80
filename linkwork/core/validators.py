"""Phone numbers and postcodes as people type them, checked and tidied one way everywhere; and
dates that cannot be in the future.

- A phone number is digits, spaces, brackets, hyphens and a leading + (or 00) for an
  international number. A UK number starts with 0 and has 10 or 11 digits; an international
  one has 8 to 15 digits after the + or 00 (the most E.164 allows). It is kept as typed, with
  its spaces tidied.
- A postcode is a UK postcode: an outward code (1 or 2 letters, a digit, then a letter or digit
  or nothing) and an inward code (a digit and two letters), or GIR 0AA. It is kept in capitals
  with one space before the inward code: "sy186aa" becomes "SY18 6AA".
"""

import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from .text import one_line

_PHONE_CHARACTERS = re.compile(r"\+?[0-9 ()\-]+")
_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})|(GIR)(0AA)")

PHONE_MESSAGE = _("Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192")
POSTCODE_MESSAGE = _("Enter a real postcode, like SY18 6AA")


def phone_number(value: str) -> str:
    """The phone number `value`, tidied (one space between groups); ValidationError if it is
    not one. Empty stays empty."""
    text = one_line(value)
    if not text:
        return ""
    if not _PHONE_CHARACTERS.fullmatch(text):
        raise ValidationError(PHONE_MESSAGE, code="characters")
    digits = re.sub(r"[^0-9]", "", text)
    if text.startswith("+"):
        plausible = 8 <= len(digits) <= 15
    elif digits.startswith("00"):
        plausible = 8 <= len(digits) - 2 <= 15
    else:
        plausible = digits.startswith("0") and 10 <= len(digits) <= 11
    if not plausible:
        raise ValidationError(PHONE_MESSAGE, code="length")
    return text


def uk_postcode(value: str) -> str:
    """The UK postcode `value`, in capitals with one space ("SY18 6AA"); ValidationError if it
    is not one. Empty stays empty."""
    compact = "".join(one_line(value).upper().split())
    if not compact:
        return ""
    match = _POSTCODE.fullmatch(compact)
    if not match:
        raise ValidationError(POSTCODE_MESSAGE, code="postcode")
    outward, inward = (part for part in match.groups() if part)
    return f"{outward} {inward}"


@deconstructible
class NotInTheFuture:
    """A date today or earlier, in the service's time zone (a request received, a person told):
    the form says `message` otherwise. For `GovUKDateField(validators=[...])`."""

    def __init__(self, message):
        self.message = message

    def __call__(self, value) -> None:
        if value is not None and value > timezone.localdate():
            raise ValidationError(self.message, code="future")

    def __eq__(self, other) -> bool:
        return isinstance(other, NotInTheFuture) and self.message == other.message

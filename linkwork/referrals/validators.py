"""Validation rules specific to referrals."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

_TEN_DIGITS = re.compile(r"[0-9]{10}")


def normalise_nhs_number(value: str) -> str:
    """Strip the spaces and dashes people type between the 3-3-4 groups."""
    return "".join(ch for ch in value if ch not in " -")


def is_one_digit_repeated(digits: str) -> bool:
    """0000000000, 1111111111 and the like: placeholders typed when the number is not known.
    Every one of them passes the modulus-11 check (the weights 10..2 add up to 54, and
    54 x d leaves a check digit of d), but the NHS issues none of them."""
    return len(set(digits)) == 1


def nhs_number_is_valid(value: str) -> bool:
    """The NHS number modulus-11 check (weights 10..2 on the first nine digits), and not one
    digit repeated ten times."""
    digits = normalise_nhs_number(value)
    if not _TEN_DIGITS.fullmatch(digits) or is_one_digit_repeated(digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])


def validate_nhs_number(value: str) -> None:
    digits = normalise_nhs_number(value)
    if not _TEN_DIGITS.fullmatch(digits):
        raise ValidationError(_("Enter an NHS number with 10 digits, like 943 476 5919"))
    if is_one_digit_repeated(digits):
        raise ValidationError(
            _("Enter a real NHS number, not the same digit 10 times, or leave it empty"),
            code="repeated",
        )
    if not nhs_number_is_valid(digits):
        raise ValidationError(_("Enter a valid NHS number: check it for typing mistakes"))


#: The oldest a person referred can be, in years: a date of birth further back is a typing
#: mistake (a year of 1066, or 0001 from a system's empty date).
OLDEST_AGE = 120


def earliest_date_of_birth(today: datetime.date) -> datetime.date:
    """The earliest date of birth accepted on `today`: the same day `OLDEST_AGE` years before
    (28 February for someone born on 29 February, in a year without one)."""
    year = today.year - OLDEST_AGE
    try:
        return today.replace(year=year)
    except ValueError:
        return today.replace(year=year, day=28)


def validate_date_of_birth(value: datetime.date, *, today: datetime.date, label: str) -> None:
    """A date of birth is today or before, and no more than `OLDEST_AGE` years ago. `label`
    names the field in the message ("Date of birth", "Your date of birth")."""
    if value > today:
        raise ValidationError(
            _("%(label)s must be today or in the past"), code="future", params={"label": label}
        )
    earliest = earliest_date_of_birth(today)
    if value < earliest:
        raise ValidationError(
            _("%(label)s must be the same as or after %(earliest)s"),
            code="too_early",
            params={"label": label, "earliest": date_format(earliest, "j F Y")},
        )

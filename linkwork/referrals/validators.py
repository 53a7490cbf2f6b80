"""Validation rules specific to referrals."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_TEN_DIGITS = re.compile(r"[0-9]{10}")


def normalise_nhs_number(value: str) -> str:
    """Strip the spaces and dashes people type between the 3-3-4 groups."""
    return "".join(ch for ch in value if ch not in " -")


def nhs_number_is_valid(value: str) -> bool:
    """The NHS number modulus-11 check: weights 10..2 on the first nine digits."""
    digits = normalise_nhs_number(value)
    if not _TEN_DIGITS.fullmatch(digits):
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
    if not nhs_number_is_valid(digits):
        raise ValidationError(_("Enter a valid NHS number: check it for typing mistakes"))

"""What in a piece of free text could identify someone: names of people referred to the service,
dates (any could be a date of birth), NHS numbers, full postcodes and phone numbers.

A case study for the funder report is refused while it holds any of these. The check errs on
the side of caution: a capitalised word that is the first or last name of anyone referred at the
site counts as a name, so a case study should call people "Person A", or by a made-up name that
nobody referred there has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    "ionawr|chwefror|mawrth|ebrill|mai|mehefin|gorffennaf|awst|medi|hydref|tachwedd|rhagfyr"
)

PATTERNS = (
    ("nhs_number", re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")),
    (
        "phone",
        re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?(?:[\s-]?\d){6,8}(?!\d)"),
    ),
    (
        "postcode",
        re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE),
    ),
    (
        "date",
        re.compile(
            r"\b\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}\b"
            r"|\b\d{4}-\d{2}-\d{2}\b"
            rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS})\.?,?\s+\d{{4}}\b"
            rf"|\b(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b",
            re.IGNORECASE,
        ),
    ),
)

KINDS = {
    "name": _("the name of someone referred"),
    "nhs_number": _("an NHS number, or something like one"),
    "phone": _("a phone number"),
    "postcode": _("a postcode"),
    "date": _("a date, which could be a date of birth"),
}

_WORD = re.compile(r"\b[A-ZÀ-Ý][\w'’-]+")


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str

    @property
    def described(self) -> str:
        return str(KINDS[self.kind])


def find_identifiers(text: str, names: Iterable[str] = ()) -> list[Finding]:
    """Everything in `text` that could identify someone, in the order it appears; `names` are
    the first and last names of the people referred (compared without regard to case, but only
    where the text capitalises the word, as a name is written)."""
    found: list[tuple[int, Finding]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue
            taken.append(match.span())
            found.append((match.start(), Finding(kind, match.group(0).strip())))
    known = {name.casefold() for name in names if len(name) > 1}
    for match in _WORD.finditer(text):
        if match.group(0).casefold() in known:
            found.append((match.start(), Finding("name", match.group(0))))
    unique = dict.fromkeys(finding for _start, finding in sorted(found, key=lambda f: f[0]))
    return list(unique)

"""How letters read: on paper (the same for the preview, the kept letter's page and the PDF),
in the record's list, and in the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from linkwork.referrals.models import Language

from . import wording
from .actions import DOWNLOADED, PREVIEWED
from .models import LetterKind


@dataclass(frozen=True)
class Paper:
    """A letter laid out: what goes in the letterhead, the envelope's window, the date line,
    the heading, the wording and the signature, in the letter's own language."""

    language: str
    letterhead_lines: list[str]
    address_lines: list[str]
    date: str
    reference_label: str
    reference: str
    subject: str
    body: str
    signed_by_name: str
    signed_by_role: str
    page_word: str
    of_word: str


def paper(letter, *, reference: str) -> Paper:
    """`letter`: a kept `Letter` or a `drafting.Draft` (they have the same fields)."""
    language = letter.language
    return Paper(
        language=language,
        letterhead_lines=[line for line in letter.letterhead.splitlines() if line.strip()],
        address_lines=[
            line
            for line in [letter.recipient_name, *letter.recipient_address.splitlines()]
            if line.strip()
        ],
        date=wording.long_date(letter.dated, language),
        reference_label=wording.word("our_reference", language),
        reference=reference,
        subject=letter.subject,
        body=letter.body,
        signed_by_name=letter.signed_by_name,
        signed_by_role=letter.signed_by_role,
        page_word=wording.word("page", language),
        of_word=wording.word("of", language),
    )


def _kind_and_language(code: str) -> str | None:
    kind, _space, language = code.partition(" ")
    if kind not in LetterKind.values or language not in Language.values:
        return None
    return _("%(kind)s, in %(language)s") % {
        "kind": LetterKind(kind).label,
        "language": Language(language).label,
    }


def audit_detail_words(event) -> str | None:
    """The audit log's details for letters, in words (`audit.presenters.register_detail_words`)."""
    detail = event.detail
    if event.object_type == "letters.letter":
        if detail == DOWNLOADED:
            return _("Downloaded as a PDF")
        return _kind_and_language(detail)
    if event.object_type == "letters.lettertemplate":
        return _kind_and_language(detail)
    if event.object_type == "referrals.referral" and detail.startswith(PREVIEWED + " "):
        said = _kind_and_language(detail.removeprefix(PREVIEWED + " "))
        if said is not None:
            return _("Previewed a letter, not made: %(letter)s") % {"letter": said}
    return None

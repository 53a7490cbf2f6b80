"""Every change letters make, and the audit of every read: keyword-only, `by=` the user, one
transaction with its audit line. Permission checks are the views' (WRITE_LETTER on the
referral, EDIT_LETTER_TEMPLATES); the rules of letters themselves are checked here."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from linkwork.audit import service as audit
from linkwork.audit.models import AuditAction, RecordPart
from linkwork.core.errors import ActionRefused
from linkwork.referrals.models import Language, Referral

from . import drafting
from .models import Letter, Letterhead, LetterKind, LetterTemplate
from .placeholders import check

MAX_RECIPIENT_NAME = 200
MAX_ADDRESS_LINES = 8
MAX_SUBJECT = 200
MAX_BODY = 10_000

#: The audit line's detail for each read: written in code, shown in words (`presenters`).
PREVIEWED = "letter preview"
DOWNLOADED = "pdf"


def _kind_and_language(kind: str, language: str) -> None:
    if kind not in LetterKind.values:
        raise ActionRefused(_("Choose a kind of letter"))
    if language not in Language.values:
        raise ActionRefused(_("Choose the language of the letter"), field="language")


def _recipient(name: str, address: str) -> tuple[str, str]:
    name, address = (name or "").strip(), (address or "").strip()
    if not name:
        raise ActionRefused(_("Enter the name the letter is addressed to"), field="recipient_name")
    if len(name) > MAX_RECIPIENT_NAME:
        raise ActionRefused(
            _("Keep the name to %(limit)d characters or fewer") % {"limit": MAX_RECIPIENT_NAME},
            field="recipient_name",
        )
    if not address:
        raise ActionRefused(
            _("Enter the postal address the letter goes to"), field="recipient_address"
        )
    if len(address.splitlines()) > MAX_ADDRESS_LINES:
        raise ActionRefused(
            _("Keep the address to %(limit)d lines, so it fits the envelope's window")
            % {"limit": MAX_ADDRESS_LINES},
            field="recipient_address",
        )
    return name, address


@transaction.atomic
def make_letter(
    referral: Referral,
    *,
    by,
    kind: str,
    language: str,
    recipient_name: str,
    recipient_address: str,
    contact=None,
    place: str = "",
) -> Letter:
    """Make a letter from the person's record and keep it, exactly as the preview showed it."""
    _kind_and_language(kind, language)
    # As the record stands now (the page may have been opened before support was closed).
    referral = Referral.objects.select_related("person", "site", "referring_organisation").get(
        pk=referral.pk
    )
    situation = drafting.Situation.of(referral)
    if reason := drafting.why_not(situation, kind):
        raise ActionRefused(reason)
    if kind == LetterKind.APPOINTMENT:
        if contact is None:
            raise ActionRefused(_("Choose the appointment the letter is about"), field="contact")
        if contact.pk not in {booked.pk for booked in situation.booked}:
            raise ActionRefused(
                _("That appointment is no longer booked: choose another"), field="contact"
            )
    else:
        contact = None
    name, address = _recipient(recipient_name, recipient_address)
    draft = drafting.draft(
        situation,
        kind,
        by=by,
        language=language,
        recipient_name=name,
        recipient_address=address,
        contact=contact,
        place=place,
    )
    letter = Letter.objects.create(
        referral=referral,
        kind=kind,
        language=language,
        contact=contact,
        recipient_name=draft.recipient_name,
        recipient_address=draft.recipient_address,
        letterhead=draft.letterhead,
        dated=draft.dated,
        subject=draft.subject,
        body=draft.body,
        signed_by_name=draft.signed_by_name,
        signed_by_role=draft.signed_by_role,
        created_by=by,
        created_at=timezone.now(),
    )
    fields = ["kind", "language", "recipient_name", "recipient_address", "subject", "body"]
    if contact is not None:
        fields.append("contact")
    audit.record(
        by=by,
        action=AuditAction.CREATE,
        obj=letter,
        person_id=referral.person_id,
        fields=fields,
        detail=f"{kind} {language}",
    )
    return letter


def record_preview(referral: Referral, *, by, kind: str, language: str) -> None:
    """A preview shows the person's details in a letter that is not kept: the read is logged."""
    audit.record(
        by=by,
        action=AuditAction.VIEW,
        obj=referral,
        person_id=referral.person_id,
        detail=f"{PREVIEWED} {kind} {language}",
        part=RecordPart.LETTER_PREVIEW,
    )


def record_read(letter: Letter, *, by, downloaded: bool = False) -> None:
    """Someone read a kept letter, on its page or as a PDF."""
    audit.record(
        by=by,
        action=AuditAction.VIEW,
        obj=letter,
        person_id=letter.referral.person_id,
        detail=DOWNLOADED if downloaded else "",
        part=RecordPart.LETTER_PDF if downloaded else RecordPart.LETTER,
    )


# --- Templates and letterheads -------------------------------------------------------------------


def placeholder_problem(text: str, kind: str) -> str:
    """What is wrong with the placeholders in a template's text, in words ("" if nothing)."""
    problems = check(text, kind)
    if problems.unknown:
        return ngettext(
            "%(placeholders)s is not a placeholder this letter has. Use only the placeholders "
            "listed on this page.",
            "%(placeholders)s are not placeholders this letter has. Use only the placeholders "
            "listed on this page.",
            len(problems.unknown),
        ) % {"placeholders": ", ".join(problems.unknown)}
    if problems.stray_braces:
        return _(
            "Use braces only around a placeholder's name, in one pair, like {first_name}. "
            "Remove any other { or }."
        )
    return ""


@transaction.atomic
def change_template(kind: str, language: str, *, by, subject: str, body: str) -> LetterTemplate:
    """Change the wording of one kind of letter in one language, for letters made from now on
    (letters already made keep their words)."""
    _kind_and_language(kind, language)
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject:
        raise ActionRefused(_("Enter the letter's heading"), field="subject")
    if not body:
        raise ActionRefused(_("Enter the letter's wording"), field="body")
    if len(subject) > MAX_SUBJECT:
        raise ActionRefused(
            _("Keep the heading to %(limit)d characters or fewer") % {"limit": MAX_SUBJECT},
            field="subject",
        )
    if len(body) > MAX_BODY:
        raise ActionRefused(
            _("Keep the wording to %(limit)d characters or fewer") % {"limit": MAX_BODY},
            field="body",
        )
    for field, text in (("subject", subject), ("body", body)):
        if problem := placeholder_problem(text, kind):
            raise ActionRefused(problem, field=field)
    template = (
        LetterTemplate.objects.select_for_update().filter(kind=kind, language=language).first()
    )
    if template is None:
        template = LetterTemplate(kind=kind, language=language)
        changed = ["subject", "body"]
        action = AuditAction.CREATE
    else:
        changed = [
            f for f, v in (("subject", subject), ("body", body)) if getattr(template, f) != v
        ]
        action = AuditAction.CHANGE
        if not changed:
            return template
    template.subject, template.body = subject, body
    template.updated_at, template.updated_by = timezone.now(), by
    template.save()
    audit.record(by=by, action=action, obj=template, fields=changed, detail=f"{kind} {language}")
    return template


@transaction.atomic
def save_letterhead(
    site, *, by, service_name: str, address: str, phone: str = "", email: str = ""
) -> Letterhead:
    """Set what the site's letters carry at the top, for letters made from now on."""
    service_name, address = (service_name or "").strip(), (address or "").strip()
    if not service_name:
        raise ActionRefused(_("Enter the service's name"), field="service_name")
    if not address:
        raise ActionRefused(_("Enter the site's postal address"), field="address")
    values = {
        "service_name": service_name,
        "address": address,
        "phone": (phone or "").strip(),
        "email": (email or "").strip(),
    }
    head = Letterhead.objects.select_for_update().filter(site=site).first()
    if head is None:
        head = Letterhead.objects.create(site=site, **values)
        audit.record(by=by, action=AuditAction.CREATE, obj=head, fields=sorted(values))
        return head
    changed = [name for name, value in values.items() if getattr(head, name) != value]
    if changed:
        for name in changed:
            setattr(head, name, values[name])
        head.save(update_fields=changed)
        audit.record(by=by, action=AuditAction.CHANGE, obj=head, fields=changed)
    return head

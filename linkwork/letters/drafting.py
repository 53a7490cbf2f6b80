"""Making a letter from the person's record: which kinds may be made now (and why not), who it
goes to by default, the values of its placeholders, and the letter itself (`Draft`), exactly as
the preview shows it and `actions.make_letter` keeps it.

Everything a letter says comes from its template and these values, in the letter's language
(`wording.py`), whatever language the member of staff reads Linkwork in.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from linkwork.casework.models import Contact
from linkwork.referrals.models import Referral
from linkwork.referrals.status import ReferralStatus

from . import queries, wording
from .models import LetterKind
from .placeholders import fill

REPLY_WITHIN = datetime.timedelta(days=14)


@dataclass
class Situation:
    """What the record says that decides which letters can be made, read once per page."""

    referral: Referral
    booked: list[Contact] = field(default_factory=list)
    closure: object = None

    @classmethod
    def of(cls, referral: Referral) -> Situation:
        return cls(referral, queries.booked_contacts(referral), queries.closure_of(referral))

    @property
    def closed(self) -> bool:
        return self.referral.status == ReferralStatus.CLOSED


@dataclass(frozen=True)
class Availability:
    kind: str
    label: str
    available: bool
    reason: str = ""


def why_not(situation: Situation, kind: str) -> str:
    """Why this kind of letter cannot be made for the person now ("" if it can)."""
    referral = situation.referral
    name = referral.person.given_name
    if kind == LetterKind.APPOINTMENT:
        if situation.closed:
            return _("Support has ended, so there are no appointments to confirm.")
        if not situation.booked:
            return _(
                "There is no contact booked with %(name)s still to come: book one first "
                "(Log a contact, as booked)."
            ) % {"name": name}
    elif kind == LetterKind.NO_CONTACT:
        if situation.closed:
            return _("Support has ended.")
    elif kind == LetterKind.END_OF_SUPPORT:
        if not situation.closed:
            return _("Support has not ended yet: close support first, so the letter can say when.")
    elif kind == LetterKind.REFERRER:
        if referral.referring_organisation_id is None:
            return _("%(name)s referred themselves: there is no referrer to write to.") % {
                "name": name
            }
        if not referral.consent_to_share_feedback:
            return _(
                "%(name)s did not consent to feedback being shared with the referrer, so the "
                "service may not write to them about their support."
            ) % {"name": name}
    return ""


def availability(situation: Situation) -> list[Availability]:
    return [
        Availability(kind, label, not reason, reason)
        for kind, label in LetterKind.choices
        for reason in [why_not(situation, kind)]
    ]


def default_recipient(referral: Referral, kind: str) -> tuple[str, str]:
    """(name, address) a letter of this kind goes to unless the coordinator changes them: the
    person at their address; the referrer at their organisation (whose postal address the
    coordinator adds)."""
    if kind == LetterKind.REFERRER:
        organisation = referral.referring_organisation
        name = referral.referrer_name or (str(organisation) if organisation else "")
        return name, str(organisation) if organisation else ""
    person = referral.person
    address = "\n".join(part for part in (person.address.strip(), person.postcode.strip()) if part)
    return person.full_name, address


def default_language(referral: Referral) -> str:
    return referral.person.preferred_language or wording.EN


@dataclass(frozen=True)
class Draft:
    """A letter as it will be kept: every field of `Letter` but who made it and when."""

    kind: str
    language: str
    contact: Contact | None
    recipient_name: str
    recipient_address: str
    letterhead: str
    dated: datetime.date
    subject: str
    body: str
    signed_by_name: str
    signed_by_role: str
    reference: str
    warnings: tuple[str, ...] = ()

    @property
    def letterhead_lines(self) -> list[str]:
        return self.letterhead.splitlines()

    @property
    def address_lines(self) -> list[str]:
        return [self.recipient_name, *self.recipient_address.splitlines()]


def _letterhead_text(site, head, language: str) -> str:
    if head is None:
        return site.name
    lines = [head.service_name, site.name, *head.address.splitlines()]
    if head.phone:
        lines.append(f"{wording.label('phone', language)}: {head.phone}")
    if head.email:
        lines.append(f"{wording.label('email', language)}: {head.email}")
    return "\n".join(line.strip() for line in lines if line.strip())


def _coordinator(allocations) -> str:
    current = next((a for a in allocations if a.ended_at is None), None)
    chosen = current or (allocations[0] if allocations else None)
    return chosen.coordinator.display_name if chosen else ""


def _support_started(plan, allocations, language: str) -> str:
    if plan is not None:
        return wording.long_date(plan.starts_on, language)
    if allocations:
        first = timezone.localtime(allocations[-1].started_at).date()
        return wording.long_date(first, language)
    return wording.word("not_started", language)


def placeholder_values(
    situation: Situation,
    kind: str,
    *,
    language: str,
    recipient_name: str,
    today: datetime.date,
    head=None,
    contact: Contact | None = None,
    place: str = "",
) -> dict[str, str]:
    """The value of every placeholder this kind of letter has, in the letter's language."""
    referral = situation.referral
    person = referral.person
    allocations = queries.allocations_of(referral)
    values = {
        "recipient_name": recipient_name,
        "first_name": person.given_name,
        "last_name": person.family_name,
        "full_name": person.full_name,
        "reference": referral.reference,
        "service_name": head.service_name if head else referral.site.name,
        "site_name": referral.site.name,
        "service_phone": (head.phone if head and head.phone else "")
        or wording.word("no_phone", language),
        "coordinator_name": _coordinator(allocations),
        "today": wording.long_date(today, language),
    }
    if kind == LetterKind.APPOINTMENT and contact is not None:
        at = timezone.localtime(contact.at)
        values |= {
            "appointment_date": wording.day_and_date(at.date(), language),
            "appointment_time": wording.clock_time(at.time(), language),
            "appointment_how": wording.APPOINTMENT_HOW[contact.mode][language],
            "appointment_where": place.strip() or wording.APPOINTMENT_WHERE[contact.mode][language],
        }
    if kind == LetterKind.NO_CONTACT:
        values["reply_by"] = wording.long_date(today + REPLY_WITHIN, language)
    if kind in (LetterKind.END_OF_SUPPORT, LetterKind.REFERRER):
        closure = situation.closure
        values |= {
            "support_started": _support_started(queries.plan_of(referral), allocations, language),
            "support_ended": wording.long_date(closure.closed_on, language)
            if closure
            else wording.word("still_in_support", language),
            "sessions_attended": str(queries.attended_count(referral)),
        }
    if kind == LetterKind.REFERRER:
        closure = situation.closure
        organisation = referral.referring_organisation
        values |= {
            "referrer_name": referral.referrer_name or (str(organisation) if organisation else ""),
            "referring_organisation": str(organisation) if organisation else "",
            "date_of_birth": wording.long_date(person.date_of_birth, language),
            "nhs_number": person.nhs_number or wording.word("not_known", language),
            "referral_received": wording.long_date(
                timezone.localtime(referral.received_at).date(), language
            ),
            "outcome": wording.OUTCOMES[closure.reason][language]
            if closure and closure.reason in wording.OUTCOMES
            else wording.STILL_IN_SUPPORT_OUTCOME[language],
        }
    return values


def draft(
    situation: Situation,
    kind: str,
    *,
    by,
    language: str,
    recipient_name: str,
    recipient_address: str,
    contact: Contact | None = None,
    place: str = "",
    today: datetime.date | None = None,
) -> Draft:
    """The letter, filled in from its template and the record, as it would be kept now."""
    today = today or timezone.localdate()
    referral = situation.referral
    head = queries.letterhead_of(referral.site)
    template = queries.template_for(kind, language)
    values = placeholder_values(
        situation,
        kind,
        language=language,
        recipient_name=recipient_name.strip(),
        today=today,
        head=head,
        contact=contact,
        place=place,
    )
    warnings = []
    if head is None:
        warnings.append(
            _(
                "%(site)s has no letterhead yet, so this letter carries only the site's name. "
                "A manager can add the address and phone number in the letter settings."
            )
            % {"site": referral.site.name}
        )
    elif not head.phone:
        warnings.append(
            _("%(site)s's letterhead has no phone number.") % {"site": referral.site.name}
        )
    return Draft(
        kind=kind,
        language=language,
        contact=contact if kind == LetterKind.APPOINTMENT else None,
        recipient_name=recipient_name.strip(),
        recipient_address=recipient_address.strip(),
        letterhead=_letterhead_text(referral.site, head, language),
        dated=today,
        subject=fill(template.subject, values).strip(),
        body=fill(template.body, values).strip(),
        signed_by_name=by.display_name,
        signed_by_role=wording.role_of(by, language),
        reference=referral.reference,
        warnings=tuple(warnings),
    )

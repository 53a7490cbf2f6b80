"""Anonymising one person's record: the one path retention and erasure take (decision 0027).

What identifies the person goes; what the service's figures count stays, so funder reports,
waiting times, outcome change and trial results are the same before and after:

- **The person**: the name becomes "Anonymised"; NHS number, phone, email, address and best
  time to call are blanked; texts are no longer agreed; the postcode keeps its district only
  (the outward code, "SY18": what the reach dashboard counts); the date of birth becomes the
  earliest day of the birth year that gives the same age on the day of each of their
  referrals (what reach counts), so it no longer tells their birthday. Preferred language
  and when the record was made stay.
- **Every record about them** (`collect.SECTIONS`: referrals, history, support, measures,
  prescriptions, safeguarding, trial participation, letters...): every free-text field, that
  is every text field without fixed choices, is blanked, except the few in `KEPT` (codes and
  the names of organisations and staff, which reports count or which say who acted) and in
  `REPLACED` (filled in with a placeholder, where a constraint needs a value). Structured
  fields that hold what their details were (the before and after of each change to them) are
  scrubbed of the values, keeping which fields changed (`SCRUBBED`). Dates,
  statuses, sites, pathways, coordinators, scores, answers, codes and counts stay.
- **Subject access exports** about them: the files are deleted (the requests are kept).
- **The audit log**: the person's lines lose their link to the person (the record's type and
  id stay, so who opened the anonymised record stays accountable), and any detail naming them
  (never written by Linkwork itself, decision 0002) is blanked. The lines are rewritten
  through `audit.chain.rewrite`, which records each (seq, old hash, new hash) and announces
  them in a chained line saying what was anonymised and why.

All of it happens in one transaction per person, as the append-only tables' owner, under
`guard.suspended()` for only the tables it changes, and only if the person has not been
anonymised already (`Anonymisation`, one per person): so two sweeps at once, or a sweep and
an erasure, anonymise a person once.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.apps import apps
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from linkwork.audit import chain, guard
from linkwork.audit.append_only import AppendOnlyQuerySet
from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.referrals.models import Person

from .collect import SECTIONS, model_of
from .models import Anonymisation, SubjectAccessRequest

NAME = "Anonymised"

# Text fields without fixed choices that stay, by model: codes, and who acted.
KEPT: dict[str, frozenset[str]] = {
    # An organisation's name; reports tell a redirect from a decline by it being filled in.
    "referrals.Referral": frozenset({"redirected_to"}),
    # A coded reason (decline, withdrawal, closure), counted by the reports.
    "referrals.StatusChange": frozenset({"reason"}),
    "casework.ClientFeedback": frozenset({"language"}),
    # The score's band (from the instrument's published cut-offs) and the form's language.
    "outcomes.Measure": frozenset({"band", "language"}),
    # The area of unmet need, counted by the unmet needs report.
    "unmet.UnmetNeed": frozenset({"area"}),
    # The GP practice that sent the attendance counts.
    "trials.AttendanceReport": frozenset({"sent_by"}),
    # The letterhead and who signed: the service and its staff.
    "letters.Letter": frozenset({"letterhead", "signed_by_name", "signed_by_role"}),
    # Why an erasure request was decided as it was: the service's account of it (the note of
    # who asked, which may name the person, is blanked).
    "subjects.ErasureRequest": frozenset({"reason"}),
}
# Text fields replaced, where filled in, by a placeholder rather than blanked: a constraint
# needs them filled in (a message sent has an address; for a self-referral it was the person's).
REPLACED: dict[str, dict[str, str]] = {
    "messaging.ReferrerMessage": {"recipient_email": "removed@anonymised.invalid"},
}
# Structured fields that hold what the person's details were: scrubbed row by row, keeping
# their shape (a change to the details still says which fields changed, and when, and why).
SCRUBBED: dict[str, dict[str, Callable]] = {
    "referrals.PersonDetailsChange": {
        "changes": lambda changes: [{**change, "old": "", "new": ""} for change in changes],
    },
}
# Never changed anywhere: one-time link hashes (unique, and no longer usable) and search columns
# (made again by `Person.save`).
ALWAYS_KEPT = frozenset({"token_hash", "search_name", "search_phone"})

PERSON_BLANKED = ("nhs_number", "phone", "email", "address", "best_time_to_call")


def text_fields_blanked(model: type[models.Model], label: str) -> list[str]:
    """The free-text fields of a kind of record that anonymising blanks."""
    kept = KEPT.get(label, frozenset()) | ALWAYS_KEPT
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not f.choices
        and not f.primary_key
        and f.name not in kept
    ]


def blanking_plan() -> list[tuple[str, list[str]]]:
    """For each kind of record about a person other than the person, the fields blanked (the
    list docs/admin/retention.md gives, checked by a test)."""
    return [
        (spec.model, text_fields_blanked(model_of(spec), spec.model))
        for spec in SECTIONS
        if spec.model != "referrals.Person"
    ]


def outward_code(postcode: str) -> str:
    """The district part of a postcode ("SY18 6QP" -> "SY18"), as the reach dashboard finds it."""
    postcode = (postcode or "").strip().upper()
    if " " in postcode:
        return postcode.split()[0]
    return postcode[:-3] if len(postcode) > 4 else postcode


def age_keeping_birthday(born: datetime.date, days: list[datetime.date]) -> datetime.date:
    """The earliest day of the birth year on which someone born then is as old, on each of
    `days`, as someone born on `born`: 1 January, or the day after the latest of the days'
    dates (month and day) that fall before the birthday."""
    birthday = (born.month, born.day)
    before = [(d.month, d.day) for d in days if (d.month, d.day) < birthday]
    if not before:
        return datetime.date(born.year, 1, 1)
    month, day = max(before)
    try:
        latest = datetime.date(born.year, month, day)
    except ValueError:  # 29 February, in a year without one: the 28th's next day is 1 March
        latest = datetime.date(born.year, 2, 28)
    return latest + datetime.timedelta(days=1)


def _identifiers(person: Person) -> list[str]:
    found = [person.full_name, person.nhs_number, person.phone, person.email, person.postcode]
    found += [name for name in (person.given_name, person.family_name) if len(name) >= 3]
    return [value.strip().lower() for value in found if value and len(value.strip()) >= 3]


def _models_changed() -> list[type[models.Model]]:
    """The append-only tables anonymising may change, and the audit log."""
    chosen = [
        model_of(spec)
        for spec in SECTIONS
        if isinstance(model_of(spec)._default_manager.all(), AppendOnlyQuerySet)
    ]
    return [*chosen, AuditEvent]


def anonymise(
    person_id: int,
    *,
    why: str,
    by=None,
    rule: str = "",
    run=None,
    erasure=None,
    still_wanted: Callable[[Person], bool] | None = None,
) -> Anonymisation | None:
    """Anonymise one person, in one transaction. `why` goes in the audit line announcing it
    (no personal data: a rule's key or "erasure request N"). Returns None, changing nothing,
    if they were anonymised already or `still_wanted` says they no longer should be."""
    with transaction.atomic():
        # The chain's lock first, as every audited writer takes it, then the guard.
        chain.lock()
        with guard.suspended(*_models_changed()):
            person = Person.objects.select_for_update().get(pk=person_id)
            if Anonymisation.objects.filter(person_id=person_id).exists():
                return None
            if still_wanted is not None and not still_wanted(person):
                return None
            return _anonymise(person, why=why, by=by, rule=rule, run=run, erasure=erasure)


def _anonymise(person: Person, *, why, by, rule, run, erasure) -> Anonymisation:
    identifiers = _identifiers(person)
    changed = 0
    for label, fields in blanking_plan():
        if not fields:
            continue
        model = apps.get_model(label)
        spec = next(s for s in SECTIONS if s.model == label)
        # A plain QuerySet: the append-only managers refuse updates, and the triggers are off.
        rows = QuerySet(model).filter(**{spec.to_person: person.pk})
        replaced = REPLACED.get(label, {})
        blanked = [name for name in fields if name not in replaced]
        changed += rows.update(**dict.fromkeys(blanked, ""))
        for name, placeholder in replaced.items():
            rows.exclude(**{name: ""}).update(**{name: placeholder})
    for label, scrubs in SCRUBBED.items():
        model = apps.get_model(label)
        spec = next(s for s in SECTIONS if s.model == label)
        for row in QuerySet(model).filter(**{spec.to_person: person.pk}):
            values = {name: scrub(getattr(row, name)) for name, scrub in scrubs.items()}
            changed += QuerySet(model).filter(pk=row.pk).update(**values)
    days = [
        timezone.localdate(received)
        for received in person.referrals.values_list("received_at", flat=True)
    ]
    person.date_of_birth = age_keeping_birthday(person.date_of_birth, days)
    person.given_name, person.family_name = NAME, ""
    for name in PERSON_BLANKED:
        setattr(person, name, "")
    person.postcode = outward_code(person.postcode)
    person.texts_agreed = False
    person.save()
    changed += 1
    changed += (
        SubjectAccessRequest.objects.filter(person=person)
        .exclude(json=b"", pdf=b"")
        .update(json=b"", pdf=b"", files_deleted_at=timezone.now())
    )

    done = Anonymisation.objects.create(
        person=person, rule=rule, run=run, erasure=erasure, rows_changed=changed
    )
    lines = list(AuditEvent._base_manager.filter(person_id=person.pk).order_by("seq"))
    for line in lines:
        line.person_id = None
        if any(value in line.detail.lower() for value in identifiers):
            line.detail = ""
    announce = AuditEvent(
        user=by if by is not None and by.is_authenticated else None,
        action=AuditAction.CHANGE,
        object_type=Anonymisation._meta.label_lower,
        object_id=str(done.pk),
        detail=f"anonymised: {why}",
    )
    rewritten = chain.rewrite(lines, announce=announce)
    done.audit_lines_rewritten = len(rewritten)
    Anonymisation.objects.filter(pk=done.pk).update(audit_lines_rewritten=len(rewritten))
    return done

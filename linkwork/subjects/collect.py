"""Everything the service holds about one person, for a subject access export.

`SECTIONS` names every kind of record about a person, each with the path from it to the person;
`EXCLUDED` names the few kinds left out, each with the reason. A test walks every model with a
foreign-key path to `referrals.Person` and fails on one in neither, so a new kind of record
cannot be forgotten.

All the person's referrals are included, at every site: the law asks for everything the
controller holds, not what one site holds (decision 0024). Nothing about anyone else is: a link
to another person's record (a referral marked as a duplicate of someone else's, say) is
withheld, and the people named are staff (who recorded what) only.

Rows are written field by field from the model, so a field added to a model appears in the
export without a change here; only secrets (one-time link hashes) and derived search columns are
left out (`HIDDEN_FIELDS`).
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linkwork.audit.models import AuditEvent

SAFEGUARDING = gettext_lazy(
    "Safeguarding: may hold information about other people, or whose release could cause "
    "serious harm. Check it before release."
)
STAFF_NOTES = gettext_lazy(
    "Free text written by staff or referrers: it may name other people. Check it before release."
)


@dataclass(frozen=True)
class Spec:
    model: str  # "app_label.ModelName"
    to_person: str  # the lookup from the model to the person
    review: str | gettext_lazy = ""  # why a person must check it before release
    title: str | gettext_lazy = ""  # the section's heading, if not the model's plural name


SECTIONS: tuple[Spec, ...] = (
    Spec("referrals.Person", "pk", title=gettext_lazy("The person")),
    # What the person's details were before each change (decision 0026).
    Spec("referrals.PersonDetailsChange", "person", STAFF_NOTES),
    Spec("referrals.Referral", "person", STAFF_NOTES),
    Spec("referrals.StatusChange", "referral__person"),
    Spec("referrals.WaitingSpell", "referral__person"),
    Spec("referrals.InterimContact", "referral__person", STAFF_NOTES),
    Spec("referrals.InterimContactCorrection", "interim_contact__referral__person", STAFF_NOTES),
    Spec("referrals.Allocation", "referral__person"),
    Spec("referrals.OpenedWithReason", "referral__person", STAFF_NOTES),
    Spec("casework.SupportPlan", "referral__person"),
    Spec("casework.PlanExtension", "plan__referral__person"),
    Spec("casework.WhatMatters", "referral__person", STAFF_NOTES),
    Spec("casework.Goal", "referral__person"),
    Spec("casework.GoalStep", "goal__referral__person"),
    Spec("casework.GoalRating", "goal__referral__person"),
    Spec("casework.FirstContact", "referral__person"),
    Spec("casework.Contact", "referral__person", STAFF_NOTES),
    # Each correction keeps the note as it was before (decision 0026).
    Spec("casework.ContactNoteCorrection", "contact__referral__person", STAFF_NOTES),
    Spec("casework.Closure", "referral__person", STAFF_NOTES),
    Spec("casework.ClientFeedback", "referral__person"),
    Spec("casework.FeedbackLink", "referral__person"),
    Spec("outcomes.Measure", "referral__person"),
    Spec("outcomes.MeasureLink", "referral__person"),
    Spec("prescriptions.SocialPrescription", "referral__person", STAFF_NOTES),
    Spec("prescriptions.PrescriptionUpdate", "prescription__referral__person", STAFF_NOTES),
    Spec("prescriptions.ServiceLink", "prescription__referral__person"),
    Spec("messaging.ReferrerMessage", "referral__person", STAFF_NOTES),
    Spec("safeguarding.RiskFlag", "person", SAFEGUARDING),
    Spec("safeguarding.SafeguardingConcern", "referral__person", SAFEGUARDING),
    Spec("safeguarding.Escalation", "concern__referral__person", SAFEGUARDING),
    Spec("safeguarding.EscalationChase", "escalation__concern__referral__person", SAFEGUARDING),
    Spec("safeguarding.EscalationReminder", "escalation__concern__referral__person", SAFEGUARDING),
    Spec("safeguarding.SafeguardingPrompt", "referral__person", SAFEGUARDING),
    Spec("unmet.UnmetNeed", "referral__person", STAFF_NOTES),
    Spec("trials.Participant", "referral__person"),
    Spec("trials.AllocationNote", "participant__referral__person", STAFF_NOTES),
    Spec("trials.AttendanceReport", "participant__referral__person"),
    Spec("letters.Letter", "referral__person"),
    Spec("subjects.RectificationRequest", "person", STAFF_NOTES),
    Spec("subjects.ErasureRequest", "person", STAFF_NOTES),
)

# Kinds of record about a person deliberately left out, and why.
EXCLUDED: dict[str, str] = {
    "trials.AllocationSlot": (
        "A slot of the trial's concealed randomisation list: the arm it gave the person is in "
        "their trial participation; the rest of the list is not about them."
    ),
    "subjects.Anonymisation": (
        "Made only when the person's record is anonymised, when there is no one left to ask "
        "for a copy: it says when and under which rule."
    ),
    "subjects.SubjectAccessRequest": (
        "The subject access requests themselves: each export lists the earlier ones instead, "
        "without their files."
    ),
}

# Never exported: the hash of a one-time link's secret, and columns derived for searching.
HIDDEN_FIELDS = frozenset({"token_hash", "search_name", "search_phone"})


@dataclass
class Section:
    key: str
    title: str
    fields: list[tuple[str, str]]  # (name, label)
    records: list[dict] = field(default_factory=list)
    review: str = ""

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "review_before_release": bool(self.review),
            "review_reason": self.review,
            "fields": dict(self.fields),
            "records": self.records,
        }


def model_of(spec: Spec) -> type[models.Model]:
    return apps.get_model(spec.model)


def _exported_fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.get_fields()
        if (f.concrete or f.many_to_many)
        and not f.auto_created
        and f.name not in HIDDEN_FIELDS
        and not (f.many_to_many and not f.concrete)
    ]


def _plain(value):
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class Collector:
    """Reads one person's records, keeping the ids of each kind it has read, so that a link from
    one of them to a record of another kind is followed only when that record is theirs too."""

    def __init__(self, person):
        self.person = person
        self.owned: dict[type[models.Model], set] = {}
        self.user_model = get_user_model()

    def _value(self, obj, f: models.Field):
        if f.many_to_many:
            return [self._related(r) for r in getattr(obj, f.name).all()]
        if f.is_relation:
            related_id = getattr(obj, f.attname)
            if related_id is None:
                return None
            return self._related(getattr(obj, f.name))
        if f.choices:
            return getattr(obj, f"get_{f.name}_display")() if getattr(obj, f.name) != "" else ""
        if isinstance(f, models.BinaryField):
            raw = getattr(obj, f.name) or b""
            if not raw:
                return ""
            return _("(a file of %(size)s bytes, kept in the service)") % {"size": len(raw)}
        return _plain(getattr(obj, f.name))

    def _related(self, related) -> str | None:
        model = type(related)
        if model is self.user_model:
            return str(related)  # a member of staff: who recorded what
        if model in self.owned or model in PERSONAL_MODELS():
            if related.pk not in self.owned.get(model, ()):
                return _("(withheld: a record about someone else)")
            if model is apps.get_model("referrals.Person"):
                return _("this person")
            reference = getattr(related, "reference", None)
            return str(reference) if reference else str(related)
        return str(related)

    def section(self, spec: Spec) -> Section:
        model = model_of(spec)
        rows = list(model.objects.filter(**{spec.to_person: self.person.pk}).order_by("pk"))
        self.owned[model] = {row.pk for row in rows}
        fields = _exported_fields(model)
        section = Section(
            key=spec.model.lower(),
            title=capfirst(str(spec.title or model._meta.verbose_name_plural)),
            fields=[(f.name, capfirst(str(f.verbose_name))) for f in fields],
            review=str(spec.review),
        )
        section._rows = rows  # read after every kind's ids are known
        section._model_fields = fields
        return section

    def fill(self, section: Section) -> None:
        section.records = [
            {"id": row.pk, **{f.name: self._value(row, f) for f in section._model_fields}}
            for row in section._rows
        ]

    def audit_section(self) -> Section:
        events = AuditEvent.objects.filter(person_id=self.person.pk).select_related("user")
        return Section(
            key="audit.auditevent",
            title=_("Who read or changed the record"),
            fields=[
                ("at", _("When")),
                ("user", _("Who")),
                ("action", _("What they did")),
                ("object_type", _("Kind of record")),
                ("part", _("Part of the record")),
            ],
            records=[
                {
                    "at": _plain(e.at),
                    "user": str(e.user) if e.user else "",
                    "action": e.get_action_display(),
                    "object_type": e.object_type,
                    "part": e.get_part_display() if e.part else "",
                }
                for e in events.order_by("at", "pk")
            ],
        )

    def requests_section(self) -> Section:
        model = apps.get_model("subjects.SubjectAccessRequest")
        earlier = model.objects.filter(person=self.person).select_related("requested_by")
        return Section(
            key="subjects.subjectaccessrequest",
            title=_("Subject access requests"),
            fields=[
                ("received_on", _("Received")),
                ("requested_by", _("Recorded by")),
                ("status", _("Status")),
            ],
            records=[
                {
                    "id": r.pk,
                    "received_on": _plain(r.received_on),
                    "requested_by": str(r.requested_by),
                    "status": r.get_status_display(),
                }
                for r in earlier.defer("json", "pdf").order_by("pk")
            ],
        )


def PERSONAL_MODELS() -> set[type[models.Model]]:  # noqa: N802
    return {model_of(spec) for spec in SECTIONS}


def collect(person) -> list[Section]:
    """Every section about the person, in `SECTIONS` order, then who read the record and the
    earlier subject access requests."""
    collector = Collector(person)
    sections = [collector.section(spec) for spec in SECTIONS]
    for section in sections:
        collector.fill(section)
    return [*sections, collector.audit_section(), collector.requests_section()]


def export(person, *, request) -> dict:
    """The JSON document: what it is, then every section."""
    sections = collect(person)
    return {
        "export": {
            "kind": "UK GDPR subject access export",
            "service": "Linkwork",
            "made_at": _plain(timezone.now()),
            "request_received_on": _plain(request.received_on),
            "respond_by": _plain(request.due_on),
            "person_reference": person.reference,
            "scope": _(
                "Everything the service holds about this person, in every referral at every site."
            ),
            "review_before_release": _(
                "Sections marked review_before_release must be checked by a person before the "
                "export is released: they may hold information about other people, or "
                "information whose release could cause serious harm."
            ),
            "excluded": EXCLUDED,
        },
        "sections": [s.as_json() for s in sections],
    }

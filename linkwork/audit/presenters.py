"""The audit log in words: who did what to whose record. Each line's record is named by its
kind of record (the model's own verbose name, so in the reader's language), its fields by their
labels, status changes by their statuses' names, and the person by their reference and name
(from the part of the service that keeps people, registered with `register_person_names`, so
this app imports nothing above it)."""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import AuditAction, AuditEvent

PersonNames = Callable[[Iterable[int]], dict[int, tuple[str, str]]]
_person_names: list[PersonNames] = []


def register_person_names(names: PersonNames) -> None:
    """`names(ids) -> {id: (reference, full name)}` for the people the log's lines are about."""
    _person_names[:] = [names]


DetailWords = Callable[[AuditEvent], str | None]
_detail_words: list[DetailWords] = []


def register_detail_words(words: DetailWords) -> None:
    """`words(event) -> str | None`: how an app above says in words the details it writes in
    code (None for a line that is not its own), so this app imports nothing above it."""
    if words not in _detail_words:
        _detail_words.append(words)


def _detail_in_words(event: AuditEvent) -> str | None:
    for words in _detail_words:
        said = words(event)
        if said is not None:
            return said
    return None


def person_names(ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    ids = {i for i in ids if i}
    return _person_names[0](ids) if _person_names and ids else {}


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except (FieldDoesNotExist, AttributeError):
        return name.replace("_", " ")


def _status_label(model, code: str) -> str:
    try:
        choices = dict(model._meta.get_field("status").flatchoices)
    except (FieldDoesNotExist, AttributeError):
        return code
    return str(choices.get(code, code))


#: The lines written in code-like English (`record_export`, the diary feed), shown in words.
EXPORTED = re.compile(r"audit log exported: (\d+) lines")
SEARCH_KINDS = {
    "name": gettext_lazy("name"),
    "nhs_number": gettext_lazy("NHS number"),
    "phone": gettext_lazy("phone number"),
    "reference": gettext_lazy("reference"),
}


SIGN_IN_ACTIONS = (
    AuditAction.SIGN_IN,
    AuditAction.SIGN_IN_FAILED,
    AuditAction.SIGN_OUT,
    AuditAction.LOCKED_OUT,
    AuditAction.SECOND_FACTOR,
    AuditAction.SECOND_FACTOR_RECOVERY,
    AuditAction.SECOND_FACTOR_FAILED,
    AuditAction.SECOND_FACTOR_ADDED,
    AuditAction.RECOVERY_CODES_MADE,
    AuditAction.SECOND_FACTOR_REMOVED,
    AuditAction.PASSKEY_ADDED,
    AuditAction.PASSKEY_USED,
    AuditAction.PASSKEY_FAILED,
    AuditAction.PASSKEY_REMOVED,
    AuditAction.PASSWORD_RESET_SENT,
    AuditAction.PASSWORD_RESET,
)


@dataclass
class Line:
    event: AuditEvent
    who: str
    what: str
    record: str
    person_reference: str
    person_name: str
    detail: str
    #: For a view of someone's record, the part of it the page showed, in words.
    viewed: str = ""

    @property
    def detail_in_full(self) -> str:
        """The part viewed and the detail, as one (the download's Detail column)."""
        return " – ".join(said for said in (self.viewed, self.detail) if said)


def describe(event: AuditEvent, names: dict[int, tuple[str, str]]) -> Line:
    model = _model(event.object_type)
    kind = str(model._meta.verbose_name) if model else event.object_type.replace(".", " ")
    what = f"{event.get_action_display()}: {kind}"
    if event.fields:
        what += " (" + ", ".join(_field_label(model, f) for f in event.fields) + ")"
    detail = event.detail
    if event.action == AuditAction.TRANSITION and " -> " in detail:
        before, after = detail.split(" -> ", 1)
        detail = f"{_status_label(model, before)} → {_status_label(model, after)}"
    elif event.action == AuditAction.SEARCH and detail.startswith("search by "):
        searched = detail.removeprefix("search by ")
        detail = _("Searched by %(kind)s") % {"kind": SEARCH_KINDS.get(searched, searched)}
    elif detail == "service link opened":
        detail = ""  # the part viewed says it
    elif detail == "calendar feed read":
        detail = _("A calendar read the diary's address")
    elif exported := EXPORTED.fullmatch(detail):
        lines = int(exported[1])
        detail = ngettext(
            "The audit log downloaded: %(n)s line", "The audit log downloaded: %(n)s lines", lines
        ) % {"n": lines}
    elif event.action in SIGN_IN_ACTIONS and detail:
        everywhere = detail.startswith("everywhere")
        place, _space, address = detail.removeprefix("everywhere").strip().partition(" ")
        where = {
            "admin": _("On Django admin"),
            "account": _("On their account's pages"),
            "reset": _("On the password reset pages"),
        }.get(place, _("On the sign-in page"))
        detail = _("%(where)s, from %(address)s") % {"where": where, "address": address}
        if place == "command":
            detail = _("By an administrator, with manage.py")
        elif everywhere:
            detail = _("Every device, from %(address)s") % {"address": address}
    elif detail and (said := _detail_in_words(event)) is not None:
        detail = said
    reference, name = names.get(event.person_id, ("", ""))
    if event.person_id and not reference:
        reference = f"P{event.person_id:06d}"
    if event.user is not None:
        who = event.user.display_name
    elif event.action in SIGN_IN_ACTIONS and event.detail.startswith("command"):
        who = _("An administrator, with manage.py")
    elif event.action in SIGN_IN_ACTIONS:
        who = _("Someone, with a name that is no account")
    else:
        who = _("Public form or link")
    record = f"{kind} {event.object_id}".strip() if event.object_id else kind
    viewed = event.get_part_display() if event.part else ""
    return Line(event, who, what, record, reference, name, detail, viewed)


def describe_all(events: list[AuditEvent]) -> list[Line]:
    names = person_names(event.person_id for event in events)
    return [describe(event, names) for event in events]

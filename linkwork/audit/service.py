"""`record()`: the one way to write to the audit log."""

from collections.abc import Iterable

from django.db import models, transaction

from .models import AuditAction, AuditEvent, RecordPart


def record(
    *,
    by,
    action: AuditAction,
    obj: models.Model,
    person_id: int | None = None,
    fields: Iterable[str] = (),
    detail: str = "",
    part: RecordPart | str = "",
) -> AuditEvent:
    """Write one audit line. Callers must not put personal data in `detail`. A view of
    someone's record names the `part` of it the page showed.

    Must run inside the transaction of the change it describes, so that the change and its
    audit line are committed, or rolled back, together.
    """
    if action != AuditAction.VIEW and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Audit a change inside the transaction that makes it.")
    return AuditEvent.objects.create(
        user=by if by is not None and by.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        person_id=person_id,
        fields=sorted(fields),
        detail=detail[:200],
        part=part,
    )


def record_found(*, by, found: Iterable[tuple[models.Model, int]], detail: str = "") -> None:
    """One line per record a search showed the user (`found`: the record and its person's id),
    so "who saw Ann's file?" includes who found her in a search. `detail` says what kind of
    search, never what was typed (a name is personal data)."""
    lines = [
        AuditEvent(
            user=by,
            action=AuditAction.SEARCH,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            person_id=person_id,
            detail=detail[:200],
        )
        for obj, person_id in found
    ]
    # A search that found no one is recorded too, as a line about no record.
    AuditEvent.objects.bulk_create(
        lines
        or [
            AuditEvent(
                user=by, action=AuditAction.SEARCH, object_type="search", detail=detail[:200]
            )
        ]
    )


def record_export(*, by, detail: str) -> AuditEvent:
    """A line for an export of the log itself (who took which lines away)."""
    return AuditEvent.objects.create(
        user=by, action=AuditAction.VIEW, object_type="audit.export", detail=detail[:200]
    )


def record_refused(*, by, object_type: str, object_id: str, person_id: int | None) -> AuditEvent:
    """A line for a record a signed-in user asked for and was refused (`audit.refusals`): the
    kind of record and the id asked for, and whose it is when it exists."""
    with transaction.atomic():
        return AuditEvent.objects.create(
            user=by,
            action=AuditAction.REFUSED,
            object_type=object_type[:60],
            object_id=object_id[:40],
            person_id=person_id,
        )

"""`record()`: the one way to write to the audit log."""

from collections.abc import Iterable

from django.db import models, transaction

from .models import AuditAction, AuditEvent


def record(
    *,
    by,
    action: AuditAction,
    obj: models.Model,
    person_id: int | None = None,
    fields: Iterable[str] = (),
    detail: str = "",
) -> AuditEvent:
    """Write one audit line. Callers must not put personal data in `detail`.

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

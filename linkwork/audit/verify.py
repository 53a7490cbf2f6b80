"""Checking the audit log's hash chain (`manage.py verify_audit`)."""

from dataclasses import dataclass

from . import chain
from .models import AuditEvent


@dataclass(frozen=True)
class Break:
    """The first place the chain is broken: which event, and how."""

    event: AuditEvent
    kind: str  # "changed", "gap" or "relinked"
    missing: int = 0

    def __str__(self) -> str:
        event = self.event
        where = (
            f"event {event.pk} (number {event.seq} in the chain, at {event.at:%Y-%m-%d %H:%M:%S%z})"
        )
        if self.kind == "changed":
            return (
                f"{where}: its contents don't match its hash: it was changed after it was written."
            )
        if self.kind == "gap":
            return (
                f"{where}: {self.missing} event(s) before it are missing from the chain "
                "(removed after they were written)."
            )
        return (
            f"{where}: its prev_hash doesn't match the hash of the event before it: that event "
            "was changed and its hash made again, or this link was rewritten."
        )


@dataclass(frozen=True)
class Result:
    count: int
    head_seq: int
    head_hash: str
    broken: Break | None
    unchained: int  # lines with no place in the chain: written below the application

    @property
    def intact(self) -> bool:
        return self.broken is None and not self.unchained


def verify(*, using: str = "default") -> Result:
    """Walk the whole chain, a chunk at a time, and stop at the first broken link."""
    count, seq, prev_hash, broken = 0, 0, "", None
    for event in chain.walk(AuditEvent, using=using):
        if event.hash != chain.digest(event, event.prev_hash):
            broken = Break(event, "changed")
        elif event.seq != seq + 1:
            broken = Break(event, "gap", missing=event.seq - seq - 1)
        elif event.prev_hash != prev_hash:
            broken = Break(event, "relinked")
        if broken:
            break
        count, seq, prev_hash = count + 1, event.seq, event.hash
    unchained = AuditEvent._base_manager.using(using).filter(seq__isnull=True).count()
    return Result(count, seq, prev_hash, broken, unchained)

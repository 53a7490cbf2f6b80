"""Checking the audit log's hash chain (`manage.py verify_audit`)."""

from collections import defaultdict
from dataclasses import dataclass

from . import chain
from .models import AuditEvent, ChainRewrite


@dataclass(frozen=True)
class Break:
    """The first place the chain is broken: which event, and how."""

    event: AuditEvent
    kind: str  # "changed", "gap", "relinked", "rewrite" or "unannounced"
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
        if self.kind == "rewrite":
            return (
                f"{where}: it was rewritten (anonymised), but the record of its rewrites doesn't "
                "lead from the hash the next event links to to its hash now."
            )
        if self.kind == "unannounced":
            return (
                f"{where}: the rewrites it announces don't match the digest it carries: a "
                "rewrite was added, changed or removed after it was written."
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


def rewrites(*, using: str = "default") -> dict[int, list[ChainRewrite]]:
    """Every line rewritten by retention or an erasure (decision 0027), by its place in the
    chain, oldest rewrite first."""
    found: dict[int, list[ChainRewrite]] = defaultdict(list)
    for row in ChainRewrite._base_manager.using(using).order_by("seq", "pk"):
        found[row.seq].append(row)
    return found


def original_hash(event, rewritten: dict[int, list[ChainRewrite]]) -> str | None:
    """The hash the event had when it was written, which the next event links to; None if the
    record of its rewrites doesn't lead from there to its hash now."""
    history = rewritten.get(event.seq)
    if not history:
        return event.hash
    for before, after in zip(history, history[1:], strict=False):
        if before.new_hash != after.old_hash:
            return None
    if history[-1].new_hash != event.hash:
        return None
    return history[0].old_hash


def verify(*, using: str = "default") -> Result:
    """Walk the whole chain, a chunk at a time, and stop at the first broken link.

    A line anonymised by retention or an erasure (decision 0027) has a new hash over its new
    contents; the line after it still links to its old one, which its `ChainRewrite` rows lead
    back to, and the line that announced the rewrites carries a digest of them."""
    rewritten = rewrites(using=using)
    announced: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for history in rewritten.values():
        for row in history:
            announced[row.announced_by].append((row.seq, row.old_hash, row.new_hash))
    count, seq, links, broken = 0, 0, {""}, None
    for event in chain.walk(AuditEvent, using=using):
        original = original_hash(event, rewritten)
        if event.hash != chain.digest(event, event.prev_hash):
            broken = Break(event, "changed")
        elif event.seq != seq + 1:
            broken = Break(event, "gap", missing=event.seq - seq - 1)
        elif event.prev_hash not in links:
            broken = Break(event, "relinked")
        elif original is None:
            broken = Break(event, "rewrite")
        elif event.seq in announced and not _announces(event, announced.pop(event.seq)):
            broken = Break(event, "unannounced")
        if broken:
            break
        # The next line links to this one's hash as it was when the next was written: its
        # original, or a rewritten one if it was the head when it was rewritten.
        history = rewritten.get(event.seq, [])
        count, seq = count + 1, event.seq
        links = {original, event.hash, *(row.new_hash for row in history)}
    if broken is None and announced:
        # Rewrites claiming an announcement that isn't in the chain.
        orphan = min(announced)
        event = AuditEvent._base_manager.using(using).filter(seq=orphan).first()
        if event is None:
            last = AuditEvent._base_manager.using(using).filter(seq=seq).first()
            if last is not None:
                broken = Break(last, "unannounced")
    unchained = AuditEvent._base_manager.using(using).filter(seq__isnull=True).count()
    head_hash = ""
    if seq:
        head_hash = AuditEvent._base_manager.using(using).get(seq=seq).hash
    return Result(count, seq, head_hash, broken, unchained)


def _announces(event, rows: list[tuple[int, str, str]]) -> bool:
    if any(row_seq >= event.seq for row_seq, _o, _n in rows):
        return False
    return event.detail.endswith(f"{chain.ANNOUNCED}{chain.rewrites_digest(rows)}")

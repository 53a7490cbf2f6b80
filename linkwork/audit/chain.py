"""The audit log's hash chain: each event carries the hash of the one before it.

An event's `hash` is SHA-256 over a canonical serialisation of what it says (when, who, what
was done to which record, the fields named, the detail, the part of a record viewed) and of
`prev_hash`, the hash of the event before it in the chain. `seq` numbers the chain 1, 2, 3...
without gaps. Changing an event afterwards breaks its own hash; removing one leaves a gap in
`seq` and a `prev_hash` that points at nothing; rewriting the chain from some event onwards
changes the latest hash, which `manage.py verify_audit` prints so it can be written down
somewhere the database can't reach.

Appending takes the chain's head under a lock held until the transaction ends: a
transaction-level advisory lock on PostgreSQL, and on SQLite the write lock every transaction
takes when it begins (`transaction_mode` IMMEDIATE, decision 0017). Two writers therefore can
never both build on the same head. See docs/decisions/0020-tamper-evident-audit.md.
"""

import datetime
import hashlib
import json
from collections.abc import Iterator, Sequence

from django.db import connections, transaction

# Any fixed number, the same in every process: pg_advisory_xact_lock(bigint) serialises
# writers of the chain. "LWAUDIT" in ASCII.
ADVISORY_LOCK = 0x4C574155444954

CHUNK = 2000


def canonical(event, prev_hash: str) -> bytes:
    """The bytes an event's hash is taken over. Works on the model and on a migration's
    historical model alike (it reads plain attributes)."""
    at = event.at
    if isinstance(at, datetime.datetime) and at.tzinfo is not None:
        at = at.astimezone(datetime.UTC)
    content = {
        "prev_hash": prev_hash,
        "seq": event.seq,
        "at": at.isoformat(timespec="microseconds"),
        "user": event.user_id,
        "action": str(event.action),
        "object_type": event.object_type,
        "object_id": event.object_id,
        "person_id": event.person_id,
        "fields": list(event.fields or []),
        "detail": event.detail,
        "part": event.part,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(event, prev_hash: str) -> str:
    return hashlib.sha256(canonical(event, prev_hash)).hexdigest()


def _lock(using: str) -> None:
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("The audit chain is extended inside a transaction.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])


def lock(using: str = "default") -> None:
    """Take the chain's lock until the transaction ends. Retention and erasure take it before
    they lift the append-only guard, so they wait their turn as every audited writer does."""
    _lock(using)


def head(model, using: str) -> tuple[int, str]:
    """The last event's place in the chain and its hash: (0, "") for an empty chain."""
    last = (
        model._base_manager.using(using)
        .filter(seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    return last or (0, "")


def link(events: Sequence, *, using: str = "default") -> None:
    """Give `events` (not yet saved) their places at the end of the chain, in order. Must run
    inside the transaction that saves them; holds the chain's lock until it ends."""
    if not events:
        return
    _lock(using)
    seq, prev_hash = head(type(events[0]), using)
    for event in events:
        seq += 1
        event.seq = seq
        event.prev_hash = prev_hash
        event.hash = digest(event, prev_hash)
        prev_hash = event.hash


def rebuild(model, *, using: str = "default") -> int:
    """Chain every event again from the first, in the order they were written (id). For the
    migration that introduced the chain, and for the demo loader's invented past; never for a
    live log (it rewrites it). The append-only triggers must be suspended by the caller.
    Returns the number of events chained."""
    from django.db.models import QuerySet

    rows = QuerySet(model).using(using)
    connection = connections[using]
    table = connection.ops.quote_name(model._meta.db_table)
    seq, prev_hash = 0, ""
    last_id = 0
    with transaction.atomic(using=using):
        _lock(using)
        # Set aside the old numbering first, so renumbering can't collide with it.
        rows.update(seq=None)
        while True:
            chunk = list(rows.filter(pk__gt=last_id).order_by("pk")[:CHUNK])
            if not chunk:
                break
            for event in chunk:
                seq += 1
                event.seq = seq
                event.prev_hash = prev_hash
                event.hash = digest(event, prev_hash)
                prev_hash = event.hash
            with connection.cursor() as cursor:
                # One plain UPDATE per line, sent together: far quicker than bulk_update's CASE.
                cursor.executemany(
                    f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s",  # noqa: S608
                    [(e.seq, e.prev_hash, e.hash, e.pk) for e in chunk],
                )
            last_id = chunk[-1].pk
    return seq


def rewrites_digest(rows: Sequence[tuple[int, str, str]]) -> str:
    """SHA-256 over the (seq, old hash, new hash) of the lines a rewrite changed, in seq order:
    what its announcing line carries at the end of its detail."""
    text = "\n".join(f"{seq}:{old}:{new}" for seq, old, new in sorted(rows))
    return hashlib.sha256(text.encode()).hexdigest()


ANNOUNCED = " sha256:"


def rewrite(events: Sequence, *, announce, using: str = "default") -> list[tuple[int, str, str]]:
    """Write back `events`, lines of the log already changed in memory (a person's link or
    detail removed by retention or an erasure, decision 0027), each with its hash made again
    over its new contents and its own unchanged `prev_hash`; then `announce` (a new, unsaved
    line saying why) joins the chain with a SHA-256 over the (seq, old hash, new hash) of every
    line rewritten at the end of its detail, and a `ChainRewrite` row keeps each of them.
    `verify_audit` then follows the line after a rewritten one to its old hash and checks every
    rewrite against its announcement.

    The caller holds the append-only guard off for the audit log (`guard.suspended`), which
    needs the table's owner. Returns the (seq, old hash, new hash) rewritten."""
    from django.db.models import QuerySet

    from .models import ChainRewrite

    model = type(announce)
    connection = connections[using]
    table = connection.ops.quote_name(model._meta.db_table)
    rows: list[tuple[int, str, str]] = []
    with transaction.atomic(using=using):
        _lock(using)
        current = dict(
            QuerySet(model)
            .using(using)
            .filter(pk__in=[e.pk for e in events])
            .values_list("pk", "hash")
        )
        for event in events:
            old = current[event.pk]
            event.hash = digest(event, event.prev_hash)
            if event.hash != old:
                rows.append((event.seq, old, event.hash))
        changed = [e for e in events if e.hash != current[e.pk]]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET person_id = %s, detail = %s, fields = %s, hash = %s "  # noqa: S608
                "WHERE id = %s",
                [
                    (e.person_id, e.detail, json.dumps(list(e.fields or [])), e.hash, e.pk)
                    for e in changed
                ],
            )
        suffix = f"{ANNOUNCED}{rewrites_digest(rows)}"
        announce.detail = f"{announce.detail[: 200 - len(suffix)]}{suffix}"
        announce.save(using=using)
        ChainRewrite.objects.using(using).bulk_create(
            ChainRewrite(seq=seq, old_hash=old, new_hash=new, announced_by=announce.seq)
            for seq, old, new in rows
        )
    return rows


def walk(model, *, using: str = "default") -> Iterator:
    """Every chained event, in chain order, a chunk at a time (constant memory)."""
    rows = model._base_manager.using(using).filter(seq__isnull=False).order_by("seq")
    last = 0
    while True:
        chunk = list(rows.filter(seq__gt=last)[:CHUNK])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq

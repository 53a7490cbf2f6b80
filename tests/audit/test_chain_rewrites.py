"""Audit lines anonymised by retention or an erasure (decision 0027): `chain.rewrite` gives each
a new hash, keeps (seq, old hash, new hash) in `ChainRewrite` and announces them in a chained
line carrying their digest; `verify_audit` follows the chain through them, and finds a rewrite
made, changed or hidden any other way."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from linkwork.audit import chain, guard
from linkwork.audit.models import AuditAction, AuditEvent, ChainRewrite
from linkwork.audit.service import record

pytestmark = pytest.mark.django_db


def verify_audit(*args) -> str:
    out = io.StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def broken(*args) -> str:
    with pytest.raises(CommandError) as refused:
        verify_audit(*args)
    return str(refused.value)


@pytest.fixture
def log(manager, site_a):
    for n in range(6):
        record(by=manager, action=AuditAction.VIEW, obj=site_a, person_id=7 + n % 2, detail="x")
    return list(AuditEvent.objects.order_by("seq"))


def anonymise_person_7(manager):
    with guard.suspended(AuditEvent):
        lines = list(AuditEvent.objects.filter(person_id=7).order_by("seq"))
        for line in lines:
            line.person_id = None
        return chain.rewrite(
            lines,
            announce=AuditEvent(
                user=manager, action=AuditAction.CHANGE, object_type="test", detail="anonymised"
            ),
        )


def raw(sql: str, params=()) -> None:
    with guard.suspended(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_rewritten_lines_keep_the_chain_verifiable_and_old_anchors_hold(log, manager):
    anchor = f"{log[2].seq}:{log[2].hash}"
    head = f"{log[-1].seq}:{log[-1].hash}"
    rows = anonymise_person_7(manager)
    assert [seq for seq, _old, _new in rows] == [1, 3, 5]
    assert ChainRewrite.objects.count() == 3
    assert not AuditEvent.objects.filter(person_id=7).exists()
    announce = AuditEvent.objects.order_by("-seq").first()
    assert announce.detail == f"anonymised sha256:{chain.rewrites_digest(rows)}"
    assert "chain intact" in verify_audit("--anchor", anchor)
    assert "chain intact" in verify_audit("--anchor", head)
    # Lines written afterwards chain on as before.
    record(by=manager, action=AuditAction.VIEW, obj=manager, person_id=8)
    assert "8 events, chain intact" in verify_audit()


def test_the_head_line_rewritten_then_linked_to_still_verifies(log, manager):
    record(by=manager, action=AuditAction.VIEW, obj=manager, person_id=7)
    anonymise_person_7(manager)
    record(by=manager, action=AuditAction.VIEW, obj=manager, person_id=8)
    assert "chain intact" in verify_audit()


def test_a_line_changed_and_rehashed_without_a_rewrite_is_found(log):
    line = log[2]
    line.person_id = None
    new = chain.digest(line, line.prev_hash)
    raw("UPDATE audit_auditevent SET person_id = NULL, hash = %s WHERE id = %s", [new, line.pk])
    assert "prev_hash doesn't match" in broken()


def test_a_rewrite_record_added_afterwards_is_found(log, manager):
    anonymise_person_7(manager)
    line = AuditEvent.objects.get(seq=4)
    old = line.hash
    line.detail = "something else"
    new = chain.digest(line, line.prev_hash)
    raw(
        "UPDATE audit_auditevent SET detail = %s, hash = %s WHERE id = %s",
        [line.detail, new, line.pk],
    )
    announced = ChainRewrite.objects.first().announced_by
    raw(
        "INSERT INTO audit_chainrewrite (seq, old_hash, new_hash, announced_by, at) "
        "VALUES (4, %s, %s, %s, CURRENT_TIMESTAMP)",
        [old, new, announced],
    )
    assert "rewrites it announces don't match" in broken()


def test_a_rewrite_record_changed_is_found(log, manager):
    anonymise_person_7(manager)
    raw("UPDATE audit_chainrewrite SET old_hash = %s WHERE seq = 3", ["0" * 64])
    message = broken()
    assert "prev_hash doesn't match" in message or "don't match the digest" in message


def test_rewrite_records_are_append_only(log, manager):
    anonymise_person_7(manager)
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_chainrewrite")

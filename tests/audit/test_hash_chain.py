"""The audit log's hash chain: every line written, one by one or in bulk, joins the chain, and
`manage.py verify_audit` finds the first place it was changed, cut or added to below the
application. The tampering here goes round the database's own guard (`guard.suspended`), as
someone editing the SQLite file, or a PostgreSQL owner, could."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from linkwork.audit import chain, guard
from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.audit.service import record, record_export, record_found

pytestmark = pytest.mark.django_db


def verify_audit(*args) -> str:
    out = io.StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def broken(*args) -> str:
    with pytest.raises(CommandError) as refused:
        verify_audit(*args)
    assert refused.value.returncode == 1
    return str(refused.value)


@pytest.fixture
def log(manager, site_a) -> list[AuditEvent]:
    """Five lines, written the ways the application writes them."""
    events = [
        record(by=manager, action=AuditAction.VIEW, obj=site_a, person_id=7, detail="record"),
        record(by=manager, action=AuditAction.CHANGE, obj=site_a, fields=["name", "slug"]),
        record_export(by=manager, detail="csv"),
    ]
    record_found(by=manager, found=[(site_a, 7), (manager, 8)], detail="name")
    events += list(AuditEvent.objects.order_by("-seq")[:2])[::-1]
    return events


def raw(sql: str, params=()) -> None:
    with guard.suspended(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_each_line_carries_the_hash_of_the_one_before(log):
    assert [event.seq for event in log] == [1, 2, 3, 4, 5]
    assert log[0].prev_hash == ""
    for before, after in zip(log, log[1:], strict=False):
        assert after.prev_hash == before.hash
    for event in log:
        event.refresh_from_db()
        assert event.hash == chain.digest(event, event.prev_hash)
        assert len(event.hash) == 64


def test_an_intact_log_passes_and_prints_its_head(log):
    out = verify_audit()
    assert "5 events, chain intact." in out
    assert f"Head: 5:{log[-1].hash}" in out
    # The head written down elsewhere checks out later.
    assert "chain intact" in verify_audit("--anchor", f"5:{log[-1].hash}")


def test_an_empty_log_passes():
    assert "0 events, chain intact." in verify_audit()


def test_a_field_changed_with_raw_sql_is_found(log):
    raw("UPDATE audit_auditevent SET detail = %s WHERE id = %s", ["nothing to see", log[2].pk])
    message = broken()
    assert f"event {log[2].pk} (number 3 in the chain" in message
    assert "its contents don't match its hash" in message
    assert "2 events checked" in message


def test_a_time_moved_with_raw_sql_is_found(log):
    earlier = log[1].at - datetime.timedelta(days=3)
    raw("UPDATE audit_auditevent SET at = %s WHERE id = %s", [earlier, log[1].pk])
    assert f"event {log[1].pk} (number 2" in broken()


def test_a_deleted_line_is_found_as_a_gap(log):
    raw("DELETE FROM audit_auditevent WHERE id = %s", [log[1].pk])
    message = broken()
    assert f"event {log[2].pk} (number 3 in the chain" in message
    assert "1 event(s) before it are missing" in message


def test_a_line_changed_and_its_hash_made_again_is_found_at_the_next_link(log):
    event = AuditEvent.objects.get(pk=log[1].pk)
    event.detail = "rewritten"
    raw(
        "UPDATE audit_auditevent SET detail = %s, hash = %s WHERE id = %s",
        ["rewritten", chain.digest(event, event.prev_hash), event.pk],
    )
    message = broken()
    assert f"event {log[2].pk} (number 3" in message
    assert "prev_hash doesn't match" in message


def test_a_rewritten_chain_is_found_by_its_anchor(log):
    head = f"5:{log[-1].hash}"
    raw("UPDATE audit_auditevent SET detail = 'rewritten' WHERE id = %s", [log[0].pk])
    with guard.suspended():
        chain.rebuild(AuditEvent)
    assert "chain intact" in verify_audit()  # internally consistent again...
    assert "different hash: the chain was rewritten" in broken("--anchor", head)  # ...but not this


def test_the_last_lines_deleted_are_found_by_the_anchor(log):
    head = f"5:{log[-1].hash}"
    raw("DELETE FROM audit_auditevent WHERE seq >= 4")
    assert "no longer in the chain" in broken("--anchor", head)


def test_a_line_written_below_the_application_is_found(log, manager):
    QuerySet(AuditEvent).bulk_create([AuditEvent(action=AuditAction.VIEW, object_type="x")])
    assert "1 event(s) have no place in the chain" in broken()


def test_a_malformed_anchor_is_refused(log):
    with pytest.raises(CommandError, match="NUMBER:HASH"):
        verify_audit("--anchor", "5")


def test_rebuild_chains_lines_written_before_the_chain_in_the_order_they_were_written(manager):
    """What the migration that introduced the chain does to an existing log."""
    now = timezone.now()
    QuerySet(AuditEvent).bulk_create(
        [
            AuditEvent(at=now - datetime.timedelta(minutes=i), action="view", object_type="x")
            for i in range(5)
        ]
    )
    with guard.suspended():
        assert chain.rebuild(AuditEvent) == 5
    ids = list(AuditEvent.objects.order_by("pk").values_list("seq", flat=True))
    assert ids == [1, 2, 3, 4, 5]
    assert "5 events, chain intact." in verify_audit()
    # And the application carries on from the head.
    record_export(by=manager, detail="csv")
    assert "6 events, chain intact." in verify_audit()


def test_the_walk_reads_in_chunks(log, monkeypatch):
    monkeypatch.setattr(chain, "CHUNK", 2)
    assert "5 events, chain intact." in verify_audit()
    raw("UPDATE audit_auditevent SET detail = 'x' WHERE id = %s", [log[4].pk])
    assert f"event {log[4].pk} (number 5" in broken()

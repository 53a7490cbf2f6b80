"""Many requests writing to the audit log at once still make one unbroken chain: the advisory
lock lets only one transaction at a time take the head. Real threads, each with its own
connection; PostgreSQL only (SQLite lets one writer in at a time whatever the code does)."""

import threading
import time

from django.core.management import call_command
from django.db import connections, transaction

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.audit.service import record, record_found
from linkwork.audit.verify import verify
from tests.postgres import postgresql_only

pytestmark = postgresql_only("concurrency tests need PostgreSQL")

THREADS = 8
EACH = 15


def run_together(job) -> list:
    barrier = threading.Barrier(THREADS)
    errors: list = []

    def run(index):
        try:
            barrier.wait(timeout=30)
            job(index)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive(), "a thread is stuck: the chain's lock was never released"
    return errors


def test_concurrent_writers_keep_the_chain_intact(manager, site_a):
    def write(index):
        for i in range(EACH):
            if i % 3 == 0:
                # A page view: no transaction of its own until record() makes one.
                record(by=manager, action=AuditAction.VIEW, obj=site_a, detail=f"t{index}")
            elif i % 3 == 1:
                # A change: the line is written mid-transaction, which goes on a little longer.
                with transaction.atomic():
                    record(by=manager, action=AuditAction.CHANGE, obj=site_a, fields=["name"])
                    time.sleep(0.001)
            else:
                with transaction.atomic():
                    record_found(by=manager, found=[(site_a, 1), (manager, 2)], detail="name")

    assert run_together(write) == []
    expected = THREADS * (5 + 5 + 5 * 2)
    assert AuditEvent.objects.count() == expected
    result = verify()
    assert result.intact, str(result.broken)
    assert result.count == result.head_seq == expected
    call_command("verify_audit")  # exits 0


def test_a_rolled_back_write_leaves_no_hole(manager, site_a):
    class Undo(Exception):
        pass

    def write(index):
        for i in range(EACH):
            try:
                with transaction.atomic():
                    record(by=manager, action=AuditAction.CHANGE, obj=site_a, fields=["name"])
                    if (index + i) % 4 == 0:
                        raise Undo
            except Undo:
                pass

    assert run_together(write) == []
    result = verify()
    assert result.intact, str(result.broken)
    assert result.count == AuditEvent.objects.count()

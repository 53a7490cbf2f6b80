"""Two retention sweeps at once (two workers), and a sweep while pages write audit lines: each
person is anonymised once, nothing fails for good, and the audit chain verifies. Real threads,
each with its own connection; PostgreSQL only (SQLite lets one writer in at a time)."""

import threading

from dateutil.relativedelta import relativedelta
from django.db import connections
from django.utils import timezone

from linkwork.audit.models import AuditAction
from linkwork.audit.service import record
from linkwork.audit.verify import verify
from linkwork.referrals.models import Person
from linkwork.referrals.status import DeclineReason, ReferralStatus
from linkwork.subjects import sweep
from linkwork.subjects.models import Anonymisation
from tests.factories import make_referral
from tests.postgres import postgresql_only

pytestmark = postgresql_only("concurrency tests need PostgreSQL")

PEOPLE = 6


def together(*jobs) -> list:
    barrier = threading.Barrier(len(jobs))
    errors: list = []

    def run(job):
        try:
            barrier.wait(timeout=30)
            job()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
        assert not thread.is_alive(), "a sweep is stuck"
    return errors


def test_two_sweeps_and_a_busy_service_at_once(pathway_a, gp_referrer, manager, site_a):
    for n in range(PEOPLE):
        make_referral(
            ReferralStatus.DECLINED,
            pathway=pathway_a,
            by=gp_referrer,
            staff=manager,
            decline_reason=DeclineReason.OUTSIDE_CRITERIA,
            person={"given_name": f"Person{n}"},
        )
    later = timezone.now() + relativedelta(years=3)
    reports = []

    def sweep_once():
        reports.append(sweep.run(dry_run=False, now=later))

    def pages():
        for _ in range(40):
            record(by=manager, action=AuditAction.VIEW, obj=site_a, detail="page")

    assert together(sweep_once, sweep_once, pages) == []
    assert sum(r.people_anonymised for r in reports) == PEOPLE
    assert all(not r.errors for r in reports), [r.errors for r in reports]
    assert Anonymisation.objects.count() == PEOPLE
    assert not Person.objects.filter(given_name__startswith="Person").exists()
    assert verify().intact

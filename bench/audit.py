"""What the audit log's hash chain costs: audit writes per second before and after it, one
writer and several at once, and how fast the chain is built (the migration's backfill) and
checked (`manage.py verify_audit`).

    .venv/bin/python bench/audit.py [--writes 2000] [--threads 8] [--events 100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/audit.py

Runs in a database of its own, as `pages.py` does (a temporary SQLite file, or
`linkwork_bench_<pid>` on the PostgreSQL server named, dropped at the end).

"Before" writes each line as the audit log did before the chain: one INSERT, the page view's
own autocommit (`Model.save` without the chain). "After" is `audit.record()` as the application
calls it: a transaction, the chain's lock (an advisory lock on PostgreSQL), the head read, the
INSERT. "In a transaction" adds 2 ms of other work after the audit line before the commit, as
an action does: the chain's lock is held until the commit, so this is where writers queue.
See bench/README.md for the figures.
"""

import argparse
import sys
import threading
import time


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=2000, help="lines per measurement")
    parser.add_argument("--threads", type=int, default=8, help="writers at once")
    parser.add_argument("--events", type=int, default=100_000, help="log size for verify")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    from pages import BenchDatabase, start_django

    database = BenchDatabase()
    try:
        start_django(database.create())
        run(args)
    finally:
        database.drop()
    return 0


def run(args) -> None:
    from django.db import connection, connections, models, transaction

    from linkwork.audit import chain, guard
    from linkwork.audit.models import AuditAction, AuditEvent
    from linkwork.audit.service import record
    from linkwork.audit.verify import verify
    from linkwork.partners.models import Site
    from tests.factories import ManagerFactory, SiteFactory

    site = SiteFactory()
    user = ManagerFactory(sites=[site])
    vendor = f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else connection.pg_version}"  # noqa: E501
    print(f"Audit writes, {vendor}: {args.writes} lines each")

    def before(i):
        models.Model.save(AuditEvent(user=user, action="view", object_type="x", object_id=i))

    def after(i):
        record(by=user, action=AuditAction.VIEW, obj=site, detail=str(i))

    def in_transaction(write):
        def job(i):
            with transaction.atomic():
                write(i)
                time.sleep(0.002)
                Site.objects.filter(pk=site.pk).exists()

        return job

    def alone(job) -> float:
        start = time.perf_counter()
        for i in range(args.writes):
            job(i)
        return args.writes / (time.perf_counter() - start)

    def together(job) -> float:
        each = args.writes // args.threads
        barrier = threading.Barrier(args.threads + 1)
        errors = []

        def work():
            try:
                barrier.wait()
                for i in range(each):
                    job(i)
            except Exception as exc:  # noqa: BLE001 - counted and printed
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work) for _ in range(args.threads)]
        for thread in threads:
            thread.start()
        barrier.wait()
        start = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        if errors:
            print(f"  {len(errors)} writers failed, first: {errors[0]!r}")
        return each * args.threads / elapsed

    def measure(label, run_it, job_before, job_after):
        b, a = run_it(job_before), run_it(job_after)
        print(f"  {label:<44} before {b:8.0f}/s   after {a:8.0f}/s   ({a / b:.2f}x)")

    measure("one writer, page views", alone, before, after)
    measure("one writer, in a transaction (+2 ms)", alone, in_transaction(before),
            in_transaction(after))  # fmt: skip
    measure(f"{args.threads} writers, page views", together, before, after)
    measure(f"{args.threads} writers, in a transaction (+2 ms)", together,
            in_transaction(before), in_transaction(after))  # fmt: skip

    # Lines from "before" are outside the chain: set it to the log's full size, then chain it
    # all, as the migration does for an existing log, and check it, as verify_audit does.
    now = AuditEvent.objects.count()
    batch = []
    for i in range(max(args.events - now, 0)):
        batch.append(AuditEvent(user=user, action="view", object_type="x", object_id=str(i)))
        if len(batch) == 5000:
            models.QuerySet(AuditEvent).bulk_create(batch)
            batch = []
    models.QuerySet(AuditEvent).bulk_create(batch)
    total = AuditEvent.objects.count()
    start = time.perf_counter()
    with guard.suspended():
        chain.rebuild(AuditEvent)
    built = time.perf_counter() - start
    start = time.perf_counter()
    result = verify()
    checked = time.perf_counter() - start
    assert result.intact and result.count == total
    print(f"  chaining an existing log of {total} lines (the migration): {built:.1f} s "
          f"({total / built:,.0f} lines/s)")  # fmt: skip
    print(f"  verify_audit over {total} lines: {checked:.1f} s ({total / checked:,.0f} lines/s)")


if __name__ == "__main__":
    sys.exit(main())

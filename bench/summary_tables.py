# ruff: noqa: S608, T201, E501, E402, PLR2004
"""Evidence for bench/README.md ("Dashboards at England scale"): the baseline queries with JIT on
and off, and four summary tables (materialised views) made in a kept bench database, refreshed
and queried. Run against a database kept by `bench/dashboards.py --keep`:

    BENCH_DB=linkwork_bench_1760 .venv/bin/python bench/summary_tables.py

It adds the views to that database (bench_*); nothing in the app reads them.
"""

import os
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]
os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/" + os.environ["BENCH_DB"]
import warnings

warnings.filterwarnings("ignore")
import django

django.setup()
import dashboards as d
from django.db import connection

start, end = d.period()
from linkwork.partners.models import Site

sites = list(Site.objects.order_by("pk").values_list("pk", flat=True))
P = {"sites": sites, "start": start, "end": end}


def t(sql, params=None, n=3):
    times = []
    with connection.cursor() as c:
        for _ in range(n):
            s = time.perf_counter()
            c.execute(sql, params)
            if c.description:
                c.fetchall()
            times.append((time.perf_counter() - s) * 1000)
    return statistics.median(times), max(times)


def ex(sql):
    with connection.cursor() as c:
        s = time.perf_counter()
        c.execute(sql)
        return (time.perf_counter() - s) * 1000


sqls = d.baseline_sql()
print("baseline queries, all sites: jit on vs off (median of 3, ms)")
for k, q in sqls.items():
    ex("SET jit = on")
    on = t(q, P)
    ex("SET jit = off")
    off = t(q, P)
    print(f"  {k:<10} on {on[0]:8.1f}  off {off[0]:8.1f}")
ex("SET jit = off")

views = {
    "bench_contacts_monthly": """
  SELECT r.site_id, r.pathway_id, c.by_id AS coordinator_id,
         date_trunc('month', c.at AT TIME ZONE 'Europe/London') AS month, c.mode, c.outcome,
         count(*) AS n, count(DISTINCT c.referral_id) AS people
  FROM casework_contact c JOIN referrals_referral r ON r.id = c.referral_id
  GROUP BY 1, 2, 3, 4, 5, 6""",
    "bench_triage": """
  SELECT r.id AS referral_id, r.site_id, r.pathway_id, r.received_at, min(s.at) AS triaged_at
  FROM referrals_referral r JOIN referrals_statuschange s ON s.referral_id = r.id
  WHERE s.from_status = 'received' AND s.to_status <> 'received'
  GROUP BY r.id""",
    "bench_waiting_spells": """
  SELECT j.referral_id, r.site_id, r.pathway_id, j.at AS joined_at,
         (SELECT min(l.at) FROM referrals_statuschange l WHERE l.referral_id = j.referral_id
            AND l.from_status = 'waiting' AND l.at >= j.at) AS left_at
  FROM referrals_statuschange j JOIN referrals_referral r ON r.id = j.referral_id
  WHERE j.to_status = 'waiting'""",
    "bench_measure_pairs": """
  SELECT e.referral_id, r.site_id, r.pathway_id, e.instrument, e.completed_on,
         b.total AS baseline, e.total AS end_total
  FROM outcomes_measure e JOIN outcomes_measure b ON b.referral_id = e.referral_id
   AND b.instrument = e.instrument AND b.timepoint = 'baseline' AND b.withdrawn_at IS NULL
   AND b.total IS NOT NULL
  JOIN referrals_referral r ON r.id = e.referral_id
  WHERE e.timepoint = 'end' AND e.withdrawn_at IS NULL AND e.total IS NOT NULL""",
}
indexes = {
    "bench_contacts_monthly": "(month, site_id)",
    "bench_triage": "(received_at, site_id)",
    "bench_waiting_spells": "(joined_at, left_at, site_id)",
    "bench_measure_pairs": "(completed_on, site_id)",
}
print(
    "\nmaterialised views: create, REFRESH (= how stale a worker refreshing in a loop leaves them), rows"
)
for name, body in views.items():
    ex(f"DROP MATERIALIZED VIEW IF EXISTS {name}")
    made = ex(f"CREATE MATERIALIZED VIEW {name} AS {body}")
    ex(f"CREATE INDEX ON {name} {indexes[name]}")
    if name == "bench_triage":
        ex(f"CREATE UNIQUE INDEX ON {name} (referral_id)")
    ex(f"ANALYZE {name}")
    refresh = ex(f"REFRESH MATERIALIZED VIEW {name}")
    conc = ""
    if name == "bench_triage":
        conc = f", CONCURRENTLY {ex(f'REFRESH MATERIALIZED VIEW CONCURRENTLY {name}'):.0f} ms"
    with connection.cursor() as c:
        c.execute(f"SELECT count(*), pg_size_pretty(pg_total_relation_size('{name}')) FROM {name}")
        rows, size = c.fetchone()
    print(
        f"  {name:<24} create {made:7.0f} ms  refresh {refresh:7.0f} ms{conc}  {rows:>9,} rows {size}"
    )

queries = {
    "delivery: contacts by month/mode/outcome, people seen": """
  SELECT month, mode, outcome, sum(n), sum(people) FROM bench_contacts_monthly
  WHERE site_id = ANY(%(sites)s) AND month >= %(start)s AND month < %(end)s GROUP BY 1, 2, 3""",
    "referrals: triage median/p90 by month": """
  SELECT date_trunc('month', received_at), percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP
         (ORDER BY extract(epoch FROM triaged_at - received_at) / 86400)
  FROM bench_triage WHERE site_id = ANY(%(sites)s) AND received_at >= %(start)s
   AND received_at < %(end)s GROUP BY 1""",
    "access: waited in period (count)": """
  SELECT count(DISTINCT referral_id) FROM bench_waiting_spells
  WHERE site_id = ANY(%(sites)s) AND joined_at < %(end)s
    AND (left_at IS NULL OR left_at >= %(start)s)""",
    "access: on the list at each month end": """
  SELECT m, count(*) FROM generate_series(%(start)s::timestamptz, %(end)s::timestamptz - interval '1 month', interval '1 month') g(m0)
  CROSS JOIN LATERAL (SELECT g.m0 + interval '1 month' AS m) x
  JOIN bench_waiting_spells w ON w.joined_at < x.m AND (w.left_at IS NULL OR w.left_at >= x.m)
  WHERE w.site_id = ANY(%(sites)s) GROUP BY 1""",
    "outcomes: change per instrument": """
  SELECT instrument, count(*), avg(end_total - baseline), stddev(end_total - baseline)
  FROM bench_measure_pairs WHERE site_id = ANY(%(sites)s)
   AND completed_on >= %(start)s AND completed_on < %(end)s GROUP BY 1""",
}
print("\nqueries over the views (jit off; median and max of 3, ms): all sites / one site")
for label, q in queries.items():
    a = t(q, P)
    o = t(q, P | {"sites": sites[:1]})
    print(f"  {label:<52} {a[0]:7.1f} {a[1]:7.1f} / {o[0]:7.1f} {o[1]:7.1f}")

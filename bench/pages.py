"""Time the pages people use most against a large synthetic service.

    .venv/bin/python bench/pages.py [--referrals 20000] [--sites 10] [--coordinators 60]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/pages.py

Builds the service in a database of its own (a temporary SQLite file by default; with a
PostgreSQL DATABASE_URL, a database `linkwork_bench_<pid>` on that server, created here and
dropped at the end), then requests each page through Django's test client and prints latency
percentiles, SQL queries per request, and each page's median as a multiple of two baselines
measured in the same run: the /healthz view (one SELECT 1 through the whole middleware stack) and
one hand-written SQL aggregate (waiting referrals per site).

The data is made with bulk_create, not through the actions, for speed; it is consistent all the
same: one StatusChange per transition, Allocation rows (current ones within each coordinator's
cap, ended ones for re-allocations and withdrawals), accepted_at for everyone accepted, interim
contacts for people waiting, and the audit lines the actions would have written.

See bench/README.md for what is measured and the figures.
"""

import argparse
import datetime
import math
import os
import platform
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

BATCH = 2000


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, default=20_000)
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--coordinators", type=int, default=60)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print the query plan of each page's slowest queries",
    )
    parser.add_argument(
        "--queries", action="store_true", help="print the SQL each page runs (shortened)"
    )
    parser.add_argument(
        "--try-sql",
        action="append",
        default=[],
        metavar="SQL",
        help="after measuring, run this (e.g. a CREATE INDEX) and measure again; repeatable",
    )
    parser.add_argument(
        "--only", action="append", default=[], metavar="PAGE", help="measure only these pages"
    )
    args = parser.parse_args(argv)
    if args.referrals < 100 or args.sites < 1 or args.coordinators < args.sites:
        parser.error("need at least 100 referrals, 1 site and one coordinator per site")
    return args


# --- the bench's own database --------------------------------------------------------------------


class BenchDatabase:
    """A database made for this run and removed after it, whatever happens in between."""

    def __init__(self):
        url = os.environ.get("DATABASE_URL", "")
        self.postgres = url.startswith(("postgres://", "postgresql://"))
        self.server_url = url
        self.name = f"linkwork_bench_{os.getpid()}"
        self.tmpdir = None
        self.created = False

    def _admin_connection(self):
        import psycopg

        # The maintenance database, as Django's own test runner uses.
        parts = urlsplit(self.server_url)
        return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)

    def create(self) -> str:
        """Make the database; return its URL."""
        if not self.postgres:
            self.tmpdir = tempfile.mkdtemp(prefix="linkwork-bench-")
            return f"sqlite:///{self.tmpdir}/bench.sqlite3"
        with self._admin_connection() as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        self.created = True
        return urlunsplit(urlsplit(self.server_url)._replace(path=f"/{self.name}"))

    def drop(self) -> None:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not have started
            pass
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
        if self.created:
            with self._admin_connection() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.created = False


def start_django(url: str) -> None:
    # WhiteNoise warns that there is no collected static files folder: none is needed here.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


# --- the synthetic service -------------------------------------------------------------------

# fmt: off
GIVEN = (
    "Alun", "Bethan", "Carys", "Dafydd", "Eleri", "Ffion", "Gareth", "Gwen", "Huw", "Iolo", "Jac",
    "Llinos", "Mared", "Mererid", "Nia", "Owain", "Rhian", "Rhys", "Sian", "Tomos", "Wyn", "Aled",
    "Catrin", "Dylan", "Elin", "Ioan", "Lowri", "Mali", "Osian", "Seren",
)
FAMILY = (
    "Davies", "Evans", "Griffiths", "Hughes", "Jenkins", "Jones", "Lewis", "Lloyd", "Morgan",
    "Morris", "Owen", "Parry", "Phillips", "Powell", "Price", "Pugh", "Rees", "Roberts", "Thomas",
    "Vaughan", "Williams", "Bevan", "Harries", "Howells", "Jarvis", "Watkins",
)
# fmt: on


def nhs_numbers():
    """Valid NHS numbers in the 999 range (reserved for testing), all different."""
    n = 0
    while True:
        n += 1
        first_nine = f"999{n:06d}"
        total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        if check != 10:
            yield first_nine + str(check)


class Service:
    """Who and what the bench signs in as and opens."""

    manager = None  # manages every site
    coordinator = None  # a link coordinator with a full caseload
    administrator = None
    detail_pks: list[int]
    triage_pks: list[int]
    waiting_pks: list[int]
    counts: dict[str, int]


def build(args) -> Service:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from linkwork.accounts.models import Role, User
    from linkwork.audit.models import AuditAction, AuditEvent
    from linkwork.partners.models import Organisation, Site, SourceType
    from linkwork.referrals.models import (
        Allocation,
        InterimContact,
        Need,
        Pathway,
        Person,
        ReceivedVia,
        Referral,
        StatusChange,
    )
    from linkwork.referrals.status import DeclineReason, Priority, ReferralStatus, WithdrawalReason

    S = ReferralStatus
    rng = random.Random(args.seed)
    now = timezone.now()
    day = datetime.timedelta(days=1)
    span = 730 * day  # two years of referrals
    password = make_password(None)
    numbers = nhs_numbers()

    with transaction.atomic():
        # Sites, partners and pathways.
        sites = Site.objects.bulk_create(
            Site(
                name=f"Bench site {i + 1:02d}",
                slug=f"bench-{i + 1:02d}",
                health_board="Bench University Health Board",
                setting=rng.choice(Site.Setting.values),
            )
            for i in range(args.sites)
        )
        gp_orgs, third_orgs = {}, {}
        orgs = []
        for site in sites:
            gp_orgs[site.pk] = [
                Organisation(
                    name=f"{site.name} surgery {j + 1}",
                    source_type=SourceType.GP_PRACTICE,
                    code=f"W{site.pk:02d}{j:03d}",
                )
                for j in range(6)
            ]
            third_orgs[site.pk] = [
                Organisation(
                    name=f"{site.name} community trust {j + 1}",
                    source_type=SourceType.THIRD_SECTOR,
                )
                for j in range(2)
            ]
            orgs += gp_orgs[site.pk] + third_orgs[site.pk]
        Organisation.objects.bulk_create(orgs, batch_size=BATCH)
        opened = timezone.localdate() - 800 * day
        gp_path, self_path, third_path = {}, {}, {}
        pathways = []
        for site in sites:
            gp_path[site.pk] = Pathway(
                site=site, name="GP practices", source_type=SourceType.GP_PRACTICE, opens_on=opened
            )
            self_path[site.pk] = Pathway(
                site=site,
                name="Self-referral",
                source_type=SourceType.SELF_REFERRAL,
                opens_on=opened,
            )
            third_path[site.pk] = Pathway(
                site=site,
                name="Community partners",
                source_type=SourceType.THIRD_SECTOR,
                opens_on=opened,
            )
            pathways += [gp_path[site.pk], self_path[site.pk], third_path[site.pk]]
        Pathway.objects.bulk_create(pathways)
        Pathway.organisations.through.objects.bulk_create(
            Pathway.organisations.through(pathway_id=third_path[s.pk].pk, organisation_id=o.pk)
            for s in sites
            for o in third_orgs[s.pk]
        )

        # Staff and referrers.
        def user(username, role, first, last, **extra):
            return User(
                username=username,
                role=role,
                first_name=first,
                last_name=last,
                email=f"{username}@bench.example",
                password=password,
                **extra,
            )

        manager = user("bench_manager", Role.MANAGER, "Bench", "Manager")
        administrator = user("bench_admin", Role.ADMINISTRATOR, "Bench", "Administrator")
        site_managers = {
            s.pk: user(f"manager_{s.slug}", Role.MANAGER, "Manager", s.name) for s in sites
        }
        coordinators = []
        for i in range(args.coordinators):
            coordinators.append(
                user(
                    f"coordinator_{i + 1:03d}",
                    Role.COORDINATOR,
                    rng.choice(GIVEN),
                    rng.choice(FAMILY),
                    caseload_cap=rng.randint(12, 25),
                )
            )
        referrers = {
            o.pk: user(
                f"referrer_{o.pk}",
                Role.REFERRER,
                "Dr " + rng.choice(GIVEN),
                rng.choice(FAMILY),
                organisation=o,
            )
            for s in sites
            for o in gp_orgs[s.pk]
        }
        User.objects.bulk_create(
            [manager, administrator, *site_managers.values(), *coordinators, *referrers.values()],
            batch_size=BATCH,
        )
        # Coordinators: one site each, round the sites; one in ten works at a second site too.
        works_at = defaultdict(list)  # site pk -> coordinators
        memberships = [(manager.pk, s.pk) for s in sites]
        memberships += [(m.pk, site_pk) for site_pk, m in site_managers.items()]
        for i, coordinator in enumerate(coordinators):
            home = sites[i % len(sites)]
            coordinator.bench_sites = [home]
            if i % 10 == 9 and len(sites) > 1:
                coordinator.bench_sites.append(sites[(i + 1) % len(sites)])
            for site in coordinator.bench_sites:
                works_at[site.pk].append(coordinator)
                memberships.append((coordinator.pk, site.pk))
        User.sites.through.objects.bulk_create(
            (User.sites.through(user_id=u, site_id=s) for u, s in memberships), batch_size=BATCH
        )
        # Current caseloads: most coordinators have room, one in seven is full.
        room = {
            c.pk: c.caseload_cap if i % 7 == 0 else int(c.caseload_cap * rng.uniform(0.6, 0.95))
            for i, c in enumerate(coordinators)
        }
        full_coordinator = coordinators[0]

        # People and referrals, oldest first.
        received = sorted(now - span * rng.random() for _ in range(args.referrals))
        people, referrals = [], []
        for i, at in enumerate(received):
            if i and rng.random() < 0.02:  # someone referred again: same name, same birthday
                earlier = people[rng.randrange(len(people))]
                given, family, dob = earlier.given_name, earlier.family_name, earlier.date_of_birth
            else:
                given, family = rng.choice(GIVEN), rng.choice(FAMILY)
                dob = datetime.date(1940, 1, 1) + rng.randrange(65 * 365) * day
            people.append(
                Person(
                    given_name=given,
                    family_name=family,
                    date_of_birth=dob,
                    nhs_number=next(numbers) if rng.random() < 0.8 else "",
                    phone=f"07700 900{i % 1000:03d}",
                    address=f"{i + 1} Heol y Bench\nLlanbench",
                    postcode="SY18 6AA",
                    best_time_to_call="Mornings",
                )
            )
            site = rng.choice(sites)
            kind = rng.random()
            if kind < 0.7:
                org = rng.choice(gp_orgs[site.pk])
                pathway, via = gp_path[site.pk], ReceivedVia.ONLINE
                by = referrers[org.pk]
            elif kind < 0.85:
                org, pathway, via, by = None, self_path[site.pk], ReceivedVia.SELF_REFERRAL, None
            else:
                org = rng.choice(third_orgs[site.pk])
                pathway, via, by = third_path[site.pk], ReceivedVia.EMAIL, site_managers[site.pk]
            referral = Referral(
                pathway=pathway,
                site=site,
                referring_organisation=org,
                referred_by=by,
                referrer_name=str(by) if by else "",
                received_via=via,
                received_at=at,
                needs=rng.sample(Need.values, rng.randint(1, 3)),
                needs_detail="Would like to get out more and meet people.",
                frequent_attender=rng.random() < 0.2,
                consent_to_referral=True,
                consent_to_share_feedback=rng.random() < 0.8,
                status=S.RECEIVED,
            )
            referral.bench_steps = [("", S.RECEIVED, at, by, "", "")]
            referrals.append(referral)
        Person.objects.bulk_create(people, batch_size=BATCH)
        for person, referral in zip(people, referrals, strict=True):
            referral.person = person

        # What became of each referral, site by site, newest first: the newest few are still to
        # triage; of the rest some are declined, the others accepted. Of those, the most recently
        # accepted wait, the next are on caseloads as far as the coordinators' room allows, and
        # the earliest were withdrawn (from the list, or after allocation).
        allocations = []  # (referral, coordinator, started, ended, ended_by)
        by_site = defaultdict(list)
        for referral in referrals:
            by_site[referral.site_id].append(referral)
        for site in sites:
            staff = site_managers[site.pk]
            mine = sorted(by_site[site.pk], key=lambda r: r.received_at, reverse=True)
            to_triage = max(1, round(len(mine) * 0.03))
            accepted = []
            for n, r in enumerate(mine):
                steps = r.bench_steps
                if n < to_triage:
                    if n % 6 == 5:
                        asked = r.received_at + (now - r.received_at) * 0.5
                        r.status = S.INFORMATION_REQUESTED
                        r.information_requested = "Please confirm the person's phone number."
                        steps.append(
                            (S.RECEIVED, S.INFORMATION_REQUESTED, asked, staff, "", "Phone?")
                        )
                    continue
                decided = min(r.received_at + rng.uniform(0.5, 10) * day, now - 60 * day / 1440)
                if rng.random() < 0.05:  # asked for more first
                    gap = decided - r.received_at
                    asked, answered = r.received_at + gap * 0.3, r.received_at + gap * 0.6
                    steps.append((S.RECEIVED, S.INFORMATION_REQUESTED, asked, staff, "", "Phone?"))
                    steps.append(
                        (S.INFORMATION_REQUESTED, S.RECEIVED, answered, r.referred_by, "", "")
                    )
                if rng.random() < 0.18:
                    r.status = S.DECLINED
                    r.decline_reason = rng.choice(
                        [DeclineReason.OUTSIDE_CRITERIA, DeclineReason.SUPPORTED_ELSEWHERE]
                    )
                    steps.append((S.RECEIVED, S.DECLINED, decided, staff, r.decline_reason, ""))
                    continue
                r.accepted_at = decided
                r.priority = Priority.URGENT if rng.random() < 0.12 else Priority.ROUTINE
                steps.append((S.RECEIVED, S.ACCEPTED, decided, staff, "", ""))
                steps.append((S.ACCEPTED, S.WAITING, decided, staff, "", ""))
                accepted.append(r)
            accepted.sort(key=lambda r: r.accepted_at, reverse=True)
            waiting_count = round(len(mine) * 0.08)
            team = works_at[site.pk]
            for n, r in enumerate(accepted):
                steps = r.bench_steps
                with_room = [c for c in team if room[c.pk] > 0]
                if n < waiting_count:
                    r.status = S.WAITING
                elif n >= waiting_count and with_room:
                    coordinator = with_room[n % len(with_room)]
                    room[coordinator.pk] -= 1
                    started = r.accepted_at + (now - r.accepted_at) * rng.uniform(0.1, 0.9)
                    steps.append((S.WAITING, S.ALLOCATED, started, staff, "", ""))
                    if rng.random() < 0.1 and len(team) > 1:  # re-allocated once
                        before = rng.choice([c for c in team if c is not coordinator])
                        moved = started + (now - started) * rng.uniform(0.1, 0.9)
                        allocations.append((r, before, started, moved, staff))
                        steps.append((S.ALLOCATED, S.ALLOCATED, moved, staff, "reallocated", ""))
                        started = moved
                    allocations.append((r, coordinator, started, None, None))
                    r.status = S.ALLOCATED
                else:
                    r.status = S.WITHDRAWN
                    reason = rng.choice(WithdrawalReason.values[:4])
                    ended = r.accepted_at + (now - r.accepted_at) * rng.uniform(0.1, 0.9)
                    if rng.random() < 0.6:  # withdrawn after allocation
                        started = r.accepted_at + (ended - r.accepted_at) * rng.uniform(0.2, 0.8)
                        steps.append((S.WAITING, S.ALLOCATED, started, staff, "", ""))
                        allocations.append((r, rng.choice(team), started, ended, staff))
                        steps.append((S.ALLOCATED, S.WITHDRAWN, ended, staff, reason, ""))
                    else:
                        steps.append((S.WAITING, S.WITHDRAWN, ended, staff, reason, ""))
        for referral in referrals:
            referral.person_id = referral.person.pk
        Referral.objects.bulk_create(referrals, batch_size=BATCH)

        changes = [
            StatusChange(
                referral=r,
                from_status=from_status,
                to_status=to_status,
                at=at,
                by=by,
                reason=reason,
                note=note,
            )
            for r in referrals
            for from_status, to_status, at, by, reason, note in r.bench_steps
        ]
        StatusChange.objects.bulk_create(changes, batch_size=BATCH)
        allocation_rows = [
            Allocation(
                referral=r,
                coordinator=c,
                started_at=started,
                by=site_managers[r.site_id],
                ended_at=ended,
                ended_by=ended_by,
            )
            for r, c, started, ended, ended_by in allocations
        ]
        Allocation.objects.bulk_create(allocation_rows, batch_size=BATCH)
        contacts = []
        for r in referrals:
            if r.status != S.WAITING:
                continue
            weeks = (now - r.accepted_at).days // 7
            for _ in range(min(weeks, rng.randint(0, 4))):
                contacts.append(
                    InterimContact(
                        referral=r,
                        at=r.accepted_at + (now - r.accepted_at) * rng.random(),
                        by=rng.choice(works_at[r.site_id]),
                        minutes=rng.choice([10, 15, 20, 30]),
                        note="Checked in by phone.",
                    )
                )
        InterimContact.objects.bulk_create(contacts, batch_size=BATCH)

        # The audit lines the actions write, and people's records being opened.
        def event(at, by, action, obj, person_id, fields=(), detail=""):
            return AuditEvent(
                at=at,
                user=by,
                action=action,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                person_id=person_id,
                fields=sorted(fields),
                detail=detail,
            )

        events = []
        for r in referrals:
            pid = r.person_id
            first, *moves = r.bench_steps
            events.append(event(r.received_at, first[3], AuditAction.CREATE, r.person, pid))
            events.append(
                event(
                    r.received_at,
                    first[3],
                    AuditAction.CREATE,
                    r,
                    pid,
                    detail=f"pathway {r.pathway_id} via {r.received_via}",
                )
            )
            for from_status, to_status, at, by, _reason, _note in moves:
                detail = f"{from_status} -> {to_status}"
                events.append(event(at, by, AuditAction.TRANSITION, r, pid, ["status"], detail))
            staff = site_managers[r.site_id]
            for _ in range(rng.randint(0, 3)):
                seen = r.received_at + (now - r.received_at) * rng.random()
                events.append(event(seen, staff, AuditAction.VIEW, r, pid))
        for a in allocation_rows:
            pid = a.referral.person_id
            events.append(
                event(
                    a.started_at,
                    a.by,
                    AuditAction.CREATE,
                    a,
                    pid,
                    detail=f"coordinator {a.coordinator_id}",
                )
            )
            if a.ended_at:
                events.append(
                    event(a.ended_at, a.ended_by, AuditAction.CHANGE, a, pid, ["ended_at"])
                )
        for c in contacts:
            events.append(event(c.at, c.by, AuditAction.CREATE, c, c.referral.person_id))
        AuditEvent.objects.bulk_create(events, batch_size=BATCH)

    check(referrals, room, coordinators)
    service = Service()
    service.manager = manager
    service.coordinator = full_coordinator
    service.administrator = administrator
    # Pages about one referral rotate over several: the busiest allocated ones (re-allocated,
    # long history), people waiting (allocation page), and referrals to triage.
    allocated = [r for r in referrals if r.status == S.ALLOCATED]
    allocated.sort(key=lambda r: len(r.bench_steps), reverse=True)
    service.detail_pks = [r.pk for r in allocated[:10]]
    service.triage_pks = [r.pk for r in referrals if r.status in (S.RECEIVED,)][-10:]
    service.waiting_pks = [r.pk for r in referrals if r.status == S.WAITING][:10]
    service.counts = {
        "sites": len(sites),
        "coordinators": len(coordinators),
        "users": User.objects.count(),
        "people": len(people),
        "referrals": len(referrals),
        "waiting": sum(r.status == S.WAITING for r in referrals),
        "to triage": sum(r.status in (S.RECEIVED, S.INFORMATION_REQUESTED) for r in referrals),
        "allocated": len(allocated),
        "status changes": len(changes),
        "allocations": len(allocation_rows),
        "interim contacts": len(contacts),
        "audit events": len(events),
    }
    return service


def check(referrals, room, coordinators) -> None:
    """The synthetic data keeps the rules the actions keep."""
    from linkwork.referrals.models import Allocation, Referral, StatusChange
    from linkwork.referrals.status import can_transition

    for r in referrals:
        for from_status, to_status, *_ in r.bench_steps[1:]:
            assert can_transition(from_status, to_status), (r.pk, from_status, to_status)
        assert r.bench_steps[-1][1] == r.status, r.pk
    assert StatusChange.objects.count() == sum(len(r.bench_steps) for r in referrals)
    current = Allocation.objects.filter(ended_at__isnull=True)
    assert current.count() == Referral.objects.filter(status="allocated").count()
    assert all(left >= 0 for left in room.values())
    for c in coordinators:
        assert current.filter(coordinator=c).count() <= c.caseload_cap
    assert not Referral.objects.filter(status="waiting", accepted_at__isnull=True).exists()


# --- measuring -------------------------------------------------------------------------------


@contextmanager
def counting_queries():
    """Count the SQL statements run, cheaply (no capture of the SQL text)."""
    from django.db import connection

    count = [0]

    def wrapper(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield count


def percentile(sorted_ms: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    return sorted_ms[max(0, math.ceil(p / 100 * len(sorted_ms)) - 1)]


def measure(fn, args) -> dict:
    """Run `fn(i)` warm-up times untimed, then `requests` times timed."""
    for i in range(args.warmup):
        fn(i)
    times, queries = [], []
    for i in range(args.requests):
        with counting_queries() as count:
            start = time.perf_counter()
            fn(i)
            times.append((time.perf_counter() - start) * 1000)
        queries.append(count[0])
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": percentile(times, 95),
        "max": times[-1],
        "queries": statistics.median(queries),
        "queries_vary": min(queries) != max(queries),
    }


def get(client, urls: list[str]):
    def fetch(i: int):
        url = urls[i % len(urls)]
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response

    return fetch


WAITING_PER_SITE = (
    "SELECT site_id, COUNT(*) FROM referrals_referral WHERE status = 'waiting' GROUP BY site_id"
)


def pages(service) -> dict:
    from django.test import Client

    def signed_in(user):
        client = Client()
        client.force_login(user)
        return client

    manager = signed_in(service.manager)
    coordinator = signed_in(service.coordinator)
    administrator = signed_in(service.administrator)
    return {
        "manager home": get(manager, ["/"]),
        "coordinator home": get(coordinator, ["/"]),
        "referrals list": get(manager, ["/referrals/"]),
        "waiting list": get(manager, ["/waiting-list/"]),
        "caseloads": get(manager, ["/caseloads/"]),
        "my caseload": get(coordinator, ["/caseload/"]),
        "referral detail": get(manager, [f"/referrals/{pk}/" for pk in service.detail_pks]),
        "triage page": get(manager, [f"/referrals/{pk}/triage/" for pk in service.triage_pks]),
        "allocation page": get(
            manager, [f"/referrals/{pk}/allocate/" for pk in service.waiting_pks]
        ),
        "audit log": get(administrator, ["/audit/"]),
    }


def baselines() -> dict:
    from django.db import connection
    from django.test import Client

    def aggregate(_i):
        with connection.cursor() as cursor:
            cursor.execute(WAITING_PER_SITE)
            cursor.fetchall()

    return {"healthz": get(Client(), ["/healthz"]), "SQL aggregate": aggregate}


def run(service, args) -> dict:
    results = {name: measure(fn, args) for name, fn in baselines().items()}
    for name, fn in pages(service).items():
        if not args.only or name in args.only:
            results[name] = measure(fn, args)
    return results


def print_table(results: dict, title: str, before: dict | None = None) -> None:
    health, sql = results["healthz"]["p50"], results["SQL aggregate"]["p50"]
    print(f"\n{title}")
    header = f"{'page':<18}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}"
    header += f"{'x healthz':>11}{'x SQL':>8}"
    if before:
        header += f"{'p50 before':>12}"
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        queries = f"{r['queries']:g}" + ("~" if r["queries_vary"] else "")
        line = f"{name:<18}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['max']:>9.1f}{queries:>9}"
        line += f"{r['p50'] / health:>11.1f}{r['p50'] / sql:>8.1f}"
        if before:
            line += f"{before[name]['p50']:>12.1f}"
        print(line)
    print("queries: SQL statements per request (median; ~ where it varied between requests)")


def show_queries(service, args) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for name, fn in pages(service).items():
        if args.only and name not in args.only:
            continue
        fn(0)
        with CaptureQueriesContext(connection) as captured:
            fn(0)
        print(f"\n=== {name}: {len(captured)} queries")
        for query in captured.captured_queries:
            print(f"{float(query['time']) * 1000:6.1f} ms  {query['sql'][:160]}")


def explain(service, args) -> None:
    """The plans of each page's slowest queries (SELECTs over 1 ms, at most three a page)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    postgres = connection.vendor == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    for name, fn in pages(service).items():
        if args.only and name not in args.only:
            continue
        fn(0)
        with CaptureQueriesContext(connection) as captured:
            fn(0)
        slow = sorted(captured.captured_queries, key=lambda q: float(q["time"]), reverse=True)
        slow = [q for q in slow if q["sql"].startswith("SELECT") and float(q["time"]) > 0.001]
        print(f"\n=== {name}: {len(captured)} queries")
        for query in slow[:3]:
            print(f"\n--- {float(query['time']) * 1000:.1f} ms: {query['sql'][:400]}")
            with connection.cursor() as cursor:
                cursor.execute(prefix + query["sql"])
                for row in cursor.fetchall():
                    print("   ", row[0] if postgres else row)


def describe_machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            db = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            db = f"SQLite {cursor.fetchone()[0]}"
    import django

    return (
        f"{datetime.date.today()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"Django {django.get_version()}, {db}"
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    database = BenchDatabase()
    # A kill (or Ctrl-C) still removes the bench database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        started = time.perf_counter()
        start_django(database.create())
        migrated = time.perf_counter()
        service = build(args)
        if database.postgres:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # as autovacuum would have by now
        built = time.perf_counter()
        print(f"Linkwork page bench: {describe_machine()}")
        print(
            f"database made and migrated in {migrated - started:.1f} s, "
            f"data built in {built - migrated:.1f} s"
        )
        print(", ".join(f"{v} {k}" for k, v in service.counts.items()))
        print(
            f"{args.requests} timed requests per page after {args.warmup} untimed; the manager "
            f"manages all {args.sites} sites; latency through Django's test client"
        )
        results = run(service, args)
        print_table(results, "Pages")
        if args.queries:
            show_queries(service, args)
        if args.explain:
            explain(service, args)
        if args.try_sql:
            from django.db import connection

            with connection.cursor() as cursor:
                for sql in args.try_sql:
                    print(f"\n{sql}")
                    cursor.execute(sql)
                if database.postgres:
                    cursor.execute("ANALYZE")
            after = run(service, args)
            print_table(after, "Pages, after: " + "; ".join(args.try_sql), before=results)
            if args.explain:
                explain(service, args)
        print(f"\ntotal {time.perf_counter() - started:.0f} s")
    finally:
        database.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

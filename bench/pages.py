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
cap, ended ones for re-allocations, closures and withdrawals), a Closure for each case closed,
accepted_at for everyone accepted, interim contacts for people waiting, outcome measures scored
by the instrument registry (with the PHQ-9 item 9 prompts, and one-time links), risk flags,
safeguarding concerns with escalations and chases, and the audit lines the actions would have
written.

At England scale (`--england`, PostgreSQL only) the service is built instead by `england.py`:
the dashboards bench's COPY builder, with ten casework contacts and two measures a referral,
then safeguarding, audit lines and the trial. `--keep` leaves that database, `--build-only`
stops after building, and `--reuse NAME` measures a kept one again without building.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/pages.py \
        --england --referrals 500000 --sites 20 --coordinators 200 --keep --build-only

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
from dataclasses import dataclass
from decimal import Decimal
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
    parser.add_argument(
        "--england",
        action="store_true",
        help="build with COPY, as the dashboards bench does, with ten casework contacts and two "
        "measures a referral, safeguarding and audit lines (england.py; PostgreSQL only)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="leave an --england database for --reuse"
    )
    parser.add_argument("--reuse", metavar="DBNAME", help="measure this kept database, no build")
    parser.add_argument("--build-only", action="store_true", help="build (and --keep), no timing")
    args = parser.parse_args(argv)
    if (args.keep or args.reuse or args.build_only) and not (args.england or args.reuse):
        parser.error("--keep, --reuse and --build-only are for --england builds")
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
    record_pks: list[int]  # in support: the most measures and safeguarding records
    safeguarding_pks: list[int]  # the most safeguarding records
    waiting_concern_pks: list[int]  # waiting, with a safeguarding concern
    trial = None  # open at the first two sites, thousands assessed
    researcher = None  # on the trial's team
    counts: dict[str, int]


def build(args) -> Service:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from linkwork.accounts.models import Role, User
    from linkwork.audit.models import AuditAction, AuditEvent
    from linkwork.casework.models import Closure
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
    from linkwork.referrals.status import (
        ClosureReason,
        DeclineReason,
        Priority,
        ReferralStatus,
        WithdrawalReason,
    )

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
        for person in people:
            person.set_search_fields()
        Person.objects.bulk_create(people, batch_size=BATCH)
        for person, referral in zip(people, referrals, strict=True):
            referral.person = person

        # What became of each referral, site by site, newest first: the newest few are still to
        # triage; of the rest some are declined, the others accepted. Of those, the most recently
        # accepted wait, the next are on caseloads as far as the coordinators' room allows, and
        # the earliest were withdrawn (from the list, or after allocation).
        allocations = []  # (referral, coordinator, started, ended, ended_by)
        closures = []
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
                elif rng.random() < 0.7:  # supported, then support closed
                    coordinator = rng.choice(team)
                    started = r.accepted_at + rng.uniform(7, 60) * day
                    ended = started + rng.uniform(56, 200) * day
                    if ended > now - day:
                        ended = r.accepted_at + (now - r.accepted_at) * rng.uniform(0.5, 0.97)
                        started = r.accepted_at + (ended - r.accepted_at) * rng.uniform(0.2, 0.5)
                    reason = rng.choice(
                        [ClosureReason.GOALS_ACHIEVED] * 3
                        + [ClosureReason.PERSON_CHOSE_TO_END, ClosureReason.DISENGAGED]
                    )
                    summary = "Met the walking group and the community choir; feels less alone."
                    steps.append((S.WAITING, S.ALLOCATED, started, staff, "", ""))
                    allocations.append((r, coordinator, started, ended, coordinator))
                    steps.append((S.ALLOCATED, S.CLOSED, ended, coordinator, reason, summary))
                    closures.append(
                        Closure(
                            referral=r,
                            reason=reason,
                            summary=summary,
                            closed_on=timezone.localdate(ended),
                            by=coordinator,
                        )
                    )
                    r.status = S.CLOSED
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
                end_note="Support closed" if ended and r.status == S.CLOSED else "",
            )
            for r, c, started, ended, ended_by in allocations
        ]
        Allocation.objects.bulk_create(allocation_rows, batch_size=BATCH)
        Closure.objects.bulk_create(closures, batch_size=BATCH)
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
        for c in closures:
            closed_at = c.referral.bench_steps[-1][2]
            events.append(event(closed_at, c.by, AuditAction.CREATE, c, c.referral.person_id))

        # Outcome measures and safeguarding.
        outcomes = build_outcomes(
            rng,
            now=now,
            sites=sites,
            referrals=referrals,
            allocations=allocation_rows,
            closures=closures,
            site_managers=site_managers,
            works_at=works_at,
            administrator=administrator,
            coordinator=full_coordinator,
            event=event,
        )
        events += outcomes.events
        AuditEvent.objects.bulk_create(events, batch_size=BATCH)

    check(referrals, room, coordinators)
    check_outcomes(full_coordinator)
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
    service.record_pks = outcomes.record_pks
    service.safeguarding_pks = outcomes.safeguarding_pks
    service.waiting_concern_pks = outcomes.waiting_concern_pks
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
        **outcomes.counts,
    }
    build_trial(service, sites[:2], args.seed)
    return service


# --- a research trial ---------------------------------------------------------------------------


def build_trial(service, sites, seed: int) -> None:
    """A trial open at two sites, on their GP pathways, since before the oldest referral: every
    referral on those pathways that was accepted was assessed; of those, a fifth not eligible, a
    tenth declined, and the rest randomised in their stratum's list order (people who are waiting
    were randomised in the last six weeks, so the waitlisted ones among them are held with a
    "not before" date). Made through the actions where they are cheap (set-up, opening, the
    list), in bulk where they are not, with the same fields the actions write."""
    import hashlib

    from django.db import transaction
    from django.utils import timezone

    from linkwork.accounts.models import Role, User
    from linkwork.referrals.models import Pathway, Referral
    from linkwork.referrals.status import ReferralStatus as S
    from linkwork.trials import actions, randomisation
    from linkwork.trials.models import (
        AllocationSlot,
        DeclineReason,
        Participant,
        ParticipantStatus,
        Stratum,
    )

    rng = random.Random(seed + 11)
    now = timezone.now()
    with transaction.atomic():
        manager = User.objects.create(
            username="bench-trial-manager", role=Role.TRIAL_MANAGER, first_name="Trial"
        )
        researcher = User.objects.create(
            username="bench-researcher", role=Role.RESEARCHER, first_name="Research"
        )
        pathways = list(Pathway.objects.filter(site__in=sites, source_type="gp_practice"))
        oldest = min(p.opens_on for p in pathways)
        spec = actions.TrialSpec(
            name="Bench waitlist trial",
            registration="ISRCTN00000001",
            sites=list(sites),
            pathways=pathways,
            starts_on=oldest,
            ends_on=timezone.localdate() + datetime.timedelta(days=365),
            criteria=["Aged 18 or over", "Mild to moderate needs"],
            consent_items=[("I agree to take part", True, False), ("GP data", False, True)],
            information_sheet=("1.0", oldest),
            consent_form=("1.0", oldest),
        )
        trial = actions.create_trial(spec, by=manager)
        trial.team.add(researcher)
        trial = actions.open_trial(
            trial, by=manager, seed=hashlib.sha256(f"bench-{seed}".encode()).digest()
        )
        criteria = list(trial.criteria.all())
        arms = list(trial.arms.all())
        strata = {s.key: s for s in Stratum.objects.filter(trial=trial)}
        referrals = list(
            Referral.objects.filter(pathway__in=pathways, accepted_at__isnull=False)
            .select_related("site")
            .order_by("accepted_at", "pk")
        )
        participants, randomised = [], []
        for r in referrals:
            roll = rng.random()
            screened = r.accepted_at + datetime.timedelta(days=1)
            if r.status == S.WAITING:
                screened = max(screened, now - datetime.timedelta(days=rng.randint(1, 42)))
            p = Participant(
                trial=trial,
                referral=r,
                screened_at=screened,
                screened_by=service.manager,
                status=ParticipantStatus.INELIGIBLE,
            )
            if roll < 0.2:
                p.bench_unmet = rng.choice(criteria)
            elif roll < 0.3:
                p.status = ParticipantStatus.DECLINED
                p.declined_on = screened.date()
                p.decline_reason = rng.choice(DeclineReason.values)
            elif r.status == S.WAITING and roll > 0.9:
                p.status = ParticipantStatus.ELIGIBLE  # enrolment not finished
            else:
                # Randomised below, once their slot is known (the constraint wants an arm).
                p.status = ParticipantStatus.CONSENTED
                p.consented_on = screened.date()
                p.consent_taken_by = service.manager
                p.gp_data_consent = roll < 0.8
                p.randomised_at = screened
                randomised.append(p)
            participants.append(p)
        Participant.objects.bulk_create(participants, batch_size=BATCH)
        Participant.unmet_criteria.through.objects.bulk_create(
            Participant.unmet_criteria.through(
                participant_id=p.pk, eligibilitycriterion_id=p.bench_unmet.pk
            )
            for p in participants
            if hasattr(p, "bench_unmet")
        )
        # Each stratum's list, used in order by the randomised (extended from the seed).
        key_seed = randomisation.seed_of(trial)
        by_stratum = {}
        for p in randomised:
            by_stratum.setdefault(f"site={p.referral.site_id}", []).append(p)
        slots = []
        for key, people in by_stratum.items():
            stratum = strata[key]
            randomisation.extend(
                stratum,
                seed=key_seed,
                arms=arms,
                multiples=list(trial.block_multiples),
                at_least=len(people) + trial.list_length,
            )
            listed = {s.position: s for s in AllocationSlot.objects.filter(stratum=stratum)}
            for position, p in enumerate(people, start=1):
                slot = listed[position]
                slot.participant_id, slot.used_at, slot.used_by = p.pk, p.randomised_at, manager
                p.arm_id, p.stratum_id = slot.arm_id, stratum.pk
                p.status = ParticipantStatus.RANDOMISED
                delay = next(a.delay_days for a in arms if a.pk == slot.arm_id)
                p.not_before = p.randomised_at.date() + datetime.timedelta(days=delay)
                slots.append(slot)
            Stratum.objects.filter(pk=stratum.pk).update(next_position=len(people) + 1)
        AllocationSlot.objects.bulk_update(
            slots, ["participant", "used_at", "used_by"], batch_size=BATCH
        )
        Participant.objects.bulk_update(
            randomised, ["status", "arm", "stratum", "not_before"], batch_size=BATCH
        )
    service.trial = trial
    service.researcher = researcher
    held = sum(
        1
        for p in randomised
        if p.referral.status == S.WAITING and p.not_before > timezone.localdate()
    )
    service.counts.update(
        {
            "assessed for the trial": len(participants),
            "randomised": len(randomised),
            "held by the trial's delay": held,
        }
    )


# --- outcome measures and safeguarding --------------------------------------------------------

# Every site: SWEMWBS at baseline, end and follow-up; PHQ-9, GAD-7 and ONS4 at baseline and end.
# (baseline, end, follow-up)
SCHEDULE = {
    "swemwbs": (True, True, True),
    "phq9": (True, True, False),
    "gad7": (True, True, False),
    "ons4": (True, True, False),
}
# The order a session's measures are entered in: PHQ-9 last, since an item 9 prompt stops any
# further entry until someone records what was done.
SESSION = ("swemwbs", "gad7", "ons4", "phq9")
FOLLOW_UP_MONTHS = 3


@dataclass
class Outcomes:
    events: list
    counts: dict
    record_pks: list  # in support, with the most measures and safeguarding
    safeguarding_pks: list  # the most safeguarding records
    waiting_concern_pks: list  # waiting, with a concern


def plausible_answers(code: str, level: float, rng) -> list[int]:
    """Answers for someone at `level`, 0 (well) to 1 (struggling)."""
    from linkwork.outcomes.instruments import get_instrument

    instrument = get_instrument(code)
    if code in ("swemwbs", "wemwbs"):
        centres = [4.3 - 2.6 * level] * len(instrument.items)
    elif code in ("phq9", "gad7"):
        centres = [0.1 + 2.3 * level] * len(instrument.items)
    else:  # ons4: satisfied, worthwhile, happy, anxious
        centres = [8.5 - 6 * level, 8.5 - 5 * level, 8.5 - 6 * level, 1.5 + 6.5 * level]
    low, high = instrument.min_value, instrument.max_value
    answers = [min(high, max(low, round(rng.gauss(c, 0.8)))) for c in centres]
    if code == "phq9":
        answers[8] = 0  # item 9: set by the caller
    return answers


def build_outcomes(
    rng,
    *,
    now,
    sites,
    referrals,
    allocations,
    closures,
    site_managers,
    works_at,
    administrator,
    coordinator,
    event,
) -> Outcomes:
    """Instruments in use, each site's schedule, measures for people in support, item 9
    prompts, one-time links, risk flags, concerns, escalations and chases (bulk_create, with
    the audit lines the actions write). Returns the audit lines, counts and who to open."""
    from dateutil.relativedelta import relativedelta
    from django.utils import timezone

    from linkwork.audit.models import AuditAction
    from linkwork.core import signed_links
    from linkwork.outcomes.instruments import get_instrument
    from linkwork.outcomes.models import (
        CollectedBy,
        InstrumentSetting,
        Measure,
        MeasureLink,
        ScheduledInstrument,
        SiteOutcomeSettings,
        Timepoint,
    )
    from linkwork.referrals.status import OPEN_STATUSES
    from linkwork.referrals.status import ReferralStatus as S
    from linkwork.safeguarding.models import (
        EscalatedTo,
        Escalation,
        EscalationChase,
        EscalationMethod,
        PromptAction,
        RiskFlag,
        RiskKind,
        SafeguardingConcern,
        SafeguardingPrompt,
    )

    T = Timepoint
    day = datetime.timedelta(days=1)
    today = timezone.localdate(now)
    local = timezone.get_current_timezone()
    events = []

    def at_on(date, prng, earliest=None):
        """A moment during the working day on `date`, not in the future, not before `earliest`."""
        moment = datetime.datetime.combine(date, datetime.time(9), tzinfo=local)
        moment += datetime.timedelta(minutes=prng.randrange(8 * 60))
        if earliest is not None:
            moment = max(moment, earliest)
        return min(moment, now - datetime.timedelta(minutes=30))

    # The instruments in use (SWEMWBS and WEMWBS registered) and each site's schedule.
    registered = now - 800 * day
    settings_rows = InstrumentSetting.objects.bulk_create(
        InstrumentSetting(
            instrument=code,
            enabled=True,
            registration_confirmed_at=registered,
            registration_confirmed_by=administrator,
            registration_reference=f"WEMWBS-BENCH-{n:04d}",
            changed_at=registered,
        )
        for n, code in enumerate(("swemwbs", "wemwbs"))
    )
    for row in settings_rows:
        fields = ("enabled", "reliability", "sd")
        events.append(event(registered, administrator, AuditAction.CHANGE, row, None, fields))
    ScheduledInstrument.objects.bulk_create(
        ScheduledInstrument(site=site, instrument=code, at_baseline=b, at_end=e, at_follow_up=f)
        for site in sites
        for code, (b, e, f) in SCHEDULE.items()
    )
    site_settings = SiteOutcomeSettings.objects.bulk_create(
        SiteOutcomeSettings(site=site, follow_up_months=FOLLOW_UP_MONTHS) for site in sites
    )
    for row in site_settings:
        by = site_managers[row.site_id]
        fields = ("schedule", "follow_up")
        events.append(event(registered, by, AuditAction.CHANGE, row, None, fields))

    # When each person was in support, and with whom.
    allocs = defaultdict(list)
    for a in allocations:
        allocs[a.referral.pk].append(a)
    for rows in allocs.values():
        rows.sort(key=lambda a: a.started_at)
    closed_on = {c.referral.pk: c.closed_on for c in closures}

    def coordinator_on(r, moment):
        rows = allocs[r.pk]
        return next(
            (a.coordinator for a in reversed(rows) if a.started_at <= moment), rows[0].coordinator
        )

    def current_coordinator(r):
        return next((a.coordinator for a in allocs[r.pk] if a.ended_at is None), None)

    # Measures, planned as sessions: (referral, timepoint, date, level, instruments, link).
    in_support = [r for r in referrals if r.status in (S.ALLOCATED, S.CLOSED)]
    # The bench coordinator's newest person has their baseline still to do (due or overdue).
    own = [r for r in in_support if current_coordinator(r) == coordinator]
    newest = max(own, key=lambda r: allocs[r.pk][0].started_at, default=None)
    sessions = []
    baseline_on = {}
    # Each person's draws come from a generator of their own, and every draw is made whatever
    # the dates: the data is the same from run to run, whatever the time of day.
    own_rng = {}
    for r in in_support:
        prng = own_rng[r.pk] = random.Random(rng.getrandbits(64))
        level = prng.uniform(0.3, 0.9)
        later = min(1.0, max(0.0, level - prng.gauss(0.25, 0.2)))
        base, base_day = prng.random(), prng.randrange(15)
        review, review_at = prng.random(), prng.random()
        end, end_day, end_link = prng.random(), prng.randrange(-7, 15), prng.random()
        follow, follow_day, follow_link = prng.random(), prng.randrange(-14, 15), prng.random()
        allocated_on = timezone.localdate(allocs[r.pk][0].started_at)
        ended = closed_on.get(r.pk)
        last_day = ended or today
        recent = (today - allocated_on).days < 21
        if base < (0.55 if recent else 0.92) and r is not newest:
            on = min(allocated_on + base_day * day, last_day, today)
            baseline_on[r.pk] = on
            sessions.append([r, T.BASELINE, on, level, list(SESSION), False])
            if (last_day - on).days > 42 and review < 0.4:
                when = on + (28 + int(review_at * ((last_day - on).days - 28))) * day
                middle = (level + later) / 2
                sessions.append([r, T.REVIEW, when, middle, ["swemwbs"], False])
        if ended is None:
            continue
        if end < (0.75 if r.pk in baseline_on else 0.3):
            after = baseline_on[r.pk] + day if r.pk in baseline_on else allocated_on
            on = min(max(ended + end_day * day, after), today)
            sessions.append([r, T.END, on, later, list(SESSION), end_link < 0.1])
        target = ended + relativedelta(months=FOLLOW_UP_MONTHS)
        if today >= target - 14 * day and follow < 0.5:
            on = min(target + follow_day * day, today)
            sessions.append([r, T.FOLLOW_UP, on, later, ["swemwbs"], follow_link < 0.4])

    # A few PHQ-9 item 9 answers still waiting for someone to record what was done: on the most
    # recent baseline at each site (and on the bench coordinator's caseload), where nothing was
    # recorded after it.
    last_session = {}
    for session in sessions:
        r = session[0]
        if r.pk not in last_session or session[2] >= last_session[r.pk][2]:
            last_session[r.pk] = session
    candidates = [
        s for s in last_session.values() if s[1] == T.BASELINE and s[0].status == S.ALLOCATED
    ]
    candidates.sort(key=lambda s: s[2], reverse=True)
    open_prompt_for = set()
    for site in sites:
        mine = [s for s in candidates if s[0].site_id == site.pk]
        if mine:
            open_prompt_for.add(mine[0][0].pk)
    theirs = [s for s in candidates if current_coordinator(s[0]) == coordinator]
    if theirs:
        open_prompt_for.add(theirs[0][0].pk)

    measures, prompts, links = [], [], []
    for r, timepoint, on, level, codes, by_link in sessions:
        prng = own_rng[r.pk]
        start = at_on(on, prng, earliest=r.received_at)
        staff = coordinator_on(r, start)
        link_at = max(start - prng.uniform(1, 5) * day, allocs[r.pk][0].started_at)
        for n, code in enumerate(codes):
            link = None
            if by_link:  # the person completed it on their phone, through a one-time link
                link = MeasureLink(
                    referral=r,
                    instrument=code,
                    timepoint=timepoint,
                    token_hash=signed_links.hash_token(signed_links.new_token()),
                    created_at=link_at,
                    expires_at=link_at + 14 * day,
                    used_at=start + n * 3 * datetime.timedelta(minutes=1),
                    by=coordinator_on(r, link_at),
                )
                links.append(link)
            answers = plausible_answers(code, level, prng)
            if code == "phq9":
                item_9, positive = prng.choice([1, 1, 2, 3]), prng.random() < 0.03
                if r.pk in open_prompt_for and timepoint == T.BASELINE:
                    answers[8] = min(item_9, 2)
                elif positive:
                    answers[8] = item_9
            score = get_instrument(code).score(answers)
            # As actions._save_measure stores it.
            measure = Measure(
                referral=r,
                instrument=code,
                timepoint=timepoint,
                completed_on=on,
                answers=list(score.answers),
                total=Decimal(score.total) if score.total is not None else None,
                raw=score.raw,
                band=score.band or "",
                subscores={c: sub.value for c, sub in score.subscores.items()},
                flags={flag: True for flag, set_ in score.flags.items() if set_},
                collected_by=CollectedBy.LINK if link else CollectedBy.COORDINATOR,
                language=r.person.preferred_language,
                by=None if link else staff,
                created_at=start + n * 3 * datetime.timedelta(minutes=1),
            )
            measures.append(measure)
            if measure.flags.get("phq9_item9"):
                prompt = SafeguardingPrompt(
                    referral=r, measure=measure, answer=answers[8], raised_at=measure.created_at
                )
                if r.pk not in open_prompt_for or timepoint != T.BASELINE:
                    prompt.handled_at = min(
                        measure.created_at + prng.uniform(0.01, 0.3) * day,
                        now - datetime.timedelta(minutes=1),
                    )
                    prompt.handled_by = staff
                    prompt.action = prng.choice(
                        [PromptAction.SAFETY_PLAN] * 3
                        + [PromptAction.NO_RISK, PromptAction.GP, PromptAction.CRISIS_TEAM]
                    )
                    prompt.note = (
                        "Talked it through; agreed who to call and checked in two days later."
                    )
                prompts.append(prompt)
    # Links sent and not (yet) used: for some of the people whose baseline is still to do.
    for r in in_support:
        prng = own_rng[r.pk]
        if r.status != S.ALLOCATED or r.pk in baseline_on or prng.random() > 0.3:
            continue
        sent = now - prng.uniform(0.5, 20) * day
        sent = max(sent, allocs[r.pk][-1].started_at)
        link = MeasureLink(
            referral=r,
            instrument="swemwbs",
            timepoint=T.BASELINE,
            token_hash=signed_links.hash_token(signed_links.new_token()),
            created_at=sent,
            expires_at=sent + 14 * day,
            by=coordinator_on(r, sent),
        )
        links.append(link)
    Measure.objects.bulk_create(measures, batch_size=BATCH)
    for p in prompts:
        p.measure_id = p.measure.pk
    SafeguardingPrompt.objects.bulk_create(prompts, batch_size=BATCH)
    MeasureLink.objects.bulk_create(links, batch_size=BATCH)
    for m in measures:
        events.append(event(m.created_at, m.by, AuditAction.CREATE, m, m.referral.person_id))
    for p in prompts:
        pid = p.referral.person_id
        events.append(event(p.raised_at, p.measure.by, AuditAction.CREATE, p, pid))
        if p.handled_at:
            fields = ("handled_at", "action")
            events.append(event(p.handled_at, p.handled_by, AuditAction.CHANGE, p, pid, fields))
    for link in links:
        pid = link.referral.person_id
        events.append(event(link.created_at, link.by, AuditAction.CREATE, link, pid))
        if link.used_at:
            events.append(event(link.used_at, None, AuditAction.CHANGE, link, pid, ["used_at"]))

    # Safeguarding concerns on 2 % of people: a third answered, a third open and overdue, a third
    # open and not yet due. Open ones are about people waiting or in support, raised recently;
    # some are about the bench coordinator's own people, ten or more about people waiting.
    n_concerns = max(6, round(len(referrals) * 0.02))
    open_pool = [r for r in referrals if r.status in (S.WAITING, S.ALLOCATED)]
    rng.shuffle(open_pool)
    waiting = [r for r in open_pool if r.status == S.WAITING]
    caseload = [r for r in open_pool if current_coordinator(r) == coordinator]
    plan = {}  # referral pk -> (referral, kind of concern)
    for r, kind in zip(caseload[:2], ("overdue", "not_due"), strict=False):
        plan[r.pk] = (r, kind)
    for n, r in enumerate(waiting[:12]):
        plan.setdefault(r.pk, (r, ("overdue", "not_due", "answered")[n % 3]))
    want = {"answered": n_concerns // 3, "overdue": n_concerns // 3}
    want["not_due"] = n_concerns - want["answered"] - want["overdue"]
    for _r, kind in plan.values():
        want[kind] -= 1
    pools = {"overdue": iter(open_pool), "not_due": iter(open_pool)}
    pools["answered"] = iter(rng.sample(referrals, len(referrals)))
    for kind in ("overdue", "not_due", "answered"):
        while want[kind] > 0:
            r = next(pools[kind], None)
            if r is None:
                break
            if r.pk not in plan:
                plan[r.pk] = (r, kind)
                want[kind] -= 1
    kinds = [k for k in RiskKind.values if k != RiskKind.OTHER]
    bodies = [
        (EscalatedTo.SOCIAL_SERVICES, "Adult safeguarding team"),
        (EscalatedTo.GP, "Their GP practice"),
        (EscalatedTo.CRISIS_TEAM, "Crisis resolution and home treatment team"),
        (EscalatedTo.POLICE, "Domestic abuse unit"),
        (EscalatedTo.OTHER, "Housing association tenancy support"),
    ]

    def staff_for(r, moment):
        if allocs[r.pk] and allocs[r.pk][0].started_at <= moment:
            return coordinator_on(r, moment)
        return rng.choice([site_managers[r.site_id], *works_at[r.site_id]])

    def in_service(r):
        """From the referral to its last change of status (or now, while it is open)."""
        end = now if r.status in OPEN_STATUSES else r.bench_steps[-1][2]
        return r.received_at, end

    concerns, escalations, chases = [], [], []
    for r, kind in plan.values():
        start, end = in_service(r)
        if kind == "overdue":
            raised = max(start + day / 2, now - rng.uniform(14, 75) * day)
        elif kind == "not_due":
            raised = max(start + day / 24, now - rng.uniform(1, 20) * day)
        else:
            raised = start + (end - start) * rng.uniform(0.05, 0.9)
        raised = min(raised, now - day / 24)
        staff = coordinator if r in caseload[:2] else staff_for(r, raised)
        concern = SafeguardingConcern(
            referral=r,
            kind=rng.choice(kinds),
            summary="Said at the session that things at home have got worse; worried about them.",
            raised_by=staff,
            raised_at=raised,
        )
        concern.bench_kind = kind
        concerns.append(concern)
        for _n in range(2 if rng.random() < 0.15 else 1):
            to, detail = rng.choice(bodies)
            at = min(raised + rng.uniform(0, 2) * day, now - day / 24)
            if kind == "overdue":
                at = min(at, now - 3 * day)
            escalation = Escalation(
                concern=concern,
                to=to,
                to_detail=detail,
                at=at,
                method=rng.choice(EscalationMethod.values[:3]),
                reference=f"REF-{rng.randrange(10**6):06d}",
                response_due=timezone.localdate(at) + rng.randint(2, 10) * day,
                by=staff,
                created_at=at,
            )
            escalation.bench_chases = []
            if kind == "overdue":
                escalation.response_due = min(escalation.response_due, today - day)
                for _c in range(rng.choice([0, 1, 1, 2])):
                    chased = at + (now - 2 * day - at) * rng.uniform(0.3, 0.95)
                    next_due = None
                    if rng.random() < 0.5:
                        next_due = min(
                            timezone.localdate(chased) + rng.randint(1, 5) * day, today - day
                        )
                    escalation.bench_chases.append((chased, next_due))
            elif kind == "not_due":
                escalation.response_due = today + rng.randint(1, 14) * day
                if rng.random() < 0.2:
                    escalation.bench_chases.append((at + (now - at) * rng.uniform(0.3, 0.9), None))
            else:
                answered = min(at + rng.uniform(1, 20) * day, now - day / 24)
                if rng.random() < 0.3:
                    escalation.bench_chases.append(
                        (at + (answered - at) * rng.uniform(0.3, 0.9), None)
                    )
                escalation.responded_at = answered
                escalation.response = "Visited; support put in place. No further action for now."
                escalation.response_recorded_by = staff
            escalation.bench_chases.sort(key=lambda c: c[0])
            for chased, next_due in escalation.bench_chases:
                if next_due is not None:
                    escalation.response_due = next_due
                chases.append(
                    EscalationChase(
                        escalation=escalation,
                        at=chased,
                        method=EscalationMethod.PHONE,
                        note="Rang the duty desk; they will call back.",
                        next_due=next_due,
                        by=staff,
                    )
                )
            escalations.append(escalation)
        if kind == "answered" and rng.random() < 0.7:
            last = max(e.responded_at for e in escalations if e.concern is concern)
            concern.closed_at = min(last + rng.uniform(0, 5) * day, now - day / 48)
            concern.closed_by = staff
            concern.outcome = "Support in place from the adult safeguarding team."
    SafeguardingConcern.objects.bulk_create(concerns, batch_size=BATCH)
    for e in escalations:
        e.concern_id = e.concern.pk
    Escalation.objects.bulk_create(escalations, batch_size=BATCH)
    for c in chases:
        c.escalation_id = c.escalation.pk
    EscalationChase.objects.bulk_create(chases, batch_size=BATCH)

    # Risk flags on 3 % of people: each concern's (as raise_concern adds one), then others.
    flags = []
    for c in concerns:
        flag = RiskFlag(
            person_id=c.referral.person_id,
            referral=c.referral,
            kind=c.kind,
            note=f"Raised with concern {c.reference}",
            raised_by=c.raised_by,
            raised_at=c.raised_at,
        )
        if c.closed_at and rng.random() < 0.5:
            flag.ended_at, flag.ended_by = c.closed_at, c.closed_by
            flag.end_reason = "Concern closed; the risk has passed."
        flags.append(flag)
    flagged = {c.referral.person_id for c in concerns}
    others = [r for r in rng.sample(referrals, len(referrals)) if r.person_id not in flagged]
    for r in others[: max(0, round(len(referrals) * 0.03) - len(flags))]:
        start, end = in_service(r)
        raised = min(start + (end - start) * rng.uniform(0.05, 0.9), now - day / 24)
        kind = rng.choice(RiskKind.values)
        flag = RiskFlag(
            person_id=r.person_id,
            referral=r,
            kind=kind,
            note="Told us at the first call." if kind == RiskKind.OTHER else "",
            raised_by=staff_for(r, raised),
            raised_at=raised,
        )
        if rng.random() < 0.25:
            flag.ended_at = raised + (now - raised) * rng.uniform(0.2, 0.9)
            flag.ended_by = flag.raised_by
            flag.end_reason = "No longer a risk, agreed with the person."
        flags.append(flag)
    RiskFlag.objects.bulk_create(flags, batch_size=BATCH)

    for c in concerns:
        pid = c.referral.person_id
        events.append(event(c.raised_at, c.raised_by, AuditAction.CREATE, c, pid))
        if c.closed_at:
            fields = ("closed_at", "outcome")
            events.append(event(c.closed_at, c.closed_by, AuditAction.CHANGE, c, pid, fields))
    for e in escalations:
        pid = e.concern.referral.person_id
        events.append(event(e.created_at, e.by, AuditAction.CREATE, e, pid))
        if e.responded_at:
            by = e.response_recorded_by
            events.append(event(e.responded_at, by, AuditAction.CHANGE, e, pid, ["response"]))
    for c in chases:
        events.append(
            event(c.at, c.by, AuditAction.CREATE, c, c.escalation.concern.referral.person_id)
        )
    for f in flags:
        events.append(event(f.raised_at, f.raised_by, AuditAction.CREATE, f, f.person_id))
        if f.ended_at:
            events.append(
                event(f.ended_at, f.ended_by, AuditAction.CHANGE, f, f.person_id, ["ended_at"])
            )

    # Who the per-referral pages open (ten each, as the other pages about one referral).
    safeguarding_rows = defaultdict(int)
    for c in concerns:
        safeguarding_rows[c.referral.pk] += 1
    for e in escalations:
        safeguarding_rows[e.concern.referral.pk] += 1 + len(e.bench_chases)
    for f in flags:
        safeguarding_rows[f.referral.pk] += 1
    for p in prompts:
        safeguarding_rows[p.referral.pk] += 1
    measure_rows = defaultdict(int)
    for m in measures:
        measure_rows[m.referral.pk] += 1
    by_richness = sorted(
        in_support,
        key=lambda r: (measure_rows[r.pk] + 3 * safeguarding_rows[r.pk], r.pk),
        reverse=True,
    )
    richest_safeguarding = sorted(
        safeguarding_rows, key=lambda pk: (safeguarding_rows[pk], pk), reverse=True
    )
    waiting_with_concern = sorted(
        {c.referral.pk for c in concerns if c.referral.status == S.WAITING}
    )
    overdue = sum(1 for e in escalations if not e.responded_at and e.response_due < today)
    return Outcomes(
        events=events,
        counts={
            "closed": len(closures),
            "measures": len(measures),
            "measure links": len(links),
            "item 9 prompts": len(prompts),
            "open prompts": sum(1 for p in prompts if p.handled_at is None),
            "risk flags": len(flags),
            "concerns": len(concerns),
            "escalations": len(escalations),
            "overdue escalations": overdue,
            "chases": len(chases),
        },
        record_pks=[r.pk for r in by_richness[:10]],
        safeguarding_pks=richest_safeguarding[:10],
        waiting_concern_pks=waiting_with_concern[:10],
    )


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


def check_outcomes(coordinator) -> None:
    """Measures are scored and stored as the actions store them, and the safeguarding records
    keep the rules `safeguarding.actions` keeps."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from linkwork.casework.models import Closure
    from linkwork.outcomes import queries
    from linkwork.outcomes.instruments import get_instrument
    from linkwork.outcomes.models import Measure
    from linkwork.safeguarding import queries as safeguarding_queries
    from linkwork.safeguarding.models import (
        Escalation,
        RiskFlag,
        SafeguardingConcern,
        SafeguardingPrompt,
    )

    today = timezone.localdate()
    closed_on = dict(Closure.objects.values_list("referral_id", "closed_on"))
    prompts = dict(SafeguardingPrompt.objects.values_list("measure_id", "handled_at"))
    open_prompt_at = dict(
        SafeguardingPrompt.objects.filter(handled_at=None).values_list("referral_id", "raised_at")
    )
    for m in Measure.objects.select_related("referral").iterator(chunk_size=BATCH):
        score = get_instrument(m.instrument).score(m.answers)
        assert m.answers == list(score.answers), m.pk
        assert m.total == (None if score.total is None else Decimal(score.total)), m.pk
        assert (m.raw, m.band) == (score.raw, score.band or ""), m.pk
        assert m.subscores == {c: sub.value for c, sub in score.subscores.items()}, m.pk
        assert m.flags == {f: True for f, on in score.flags.items() if on}, m.pk
        assert (m.pk in prompts) == bool(m.flags.get("phq9_item9")), m.pk
        r = m.referral
        assert r.status in ("allocated", "closed"), m.pk
        assert timezone.localdate(r.received_at) <= m.completed_on <= today, m.pk
        if r.status == "closed":
            if m.timepoint in ("baseline", "review"):
                assert m.completed_on <= closed_on[r.pk], m.pk
            if m.timepoint == "follow_up":
                assert m.completed_on >= closed_on[r.pk], m.pk
        if r.pk in open_prompt_at:  # nothing is recorded while an item 9 answer is open
            assert m.created_at <= open_prompt_at[r.pk], m.pk
    for e in Escalation.objects.select_related("concern"):
        assert e.at <= timezone.now() and e.response_due >= timezone.localdate(e.at), e.pk
        assert e.responded_at is None or e.responded_at >= e.at, e.pk
        assert e.concern.closed_at is None or e.responded_at is not None, e.pk
    active = RiskFlag.objects.filter(ended_at=None).values("person_id", "kind")
    assert not active.annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert not RiskFlag.objects.filter(kind="other", note="").exists()
    concerns = SafeguardingConcern.objects.annotate(
        unanswered=Count("escalations", filter=Q(escalations__responded_at=None))
    )
    assert not concerns.filter(closed_at__isnull=False, unanswered__gt=0).exists()
    # The bench coordinator's home page has something in each of its lists.
    for name, found in (
        ("measures due", queries.due_for_coordinator(coordinator)),
        ("open item 9 prompts", list(safeguarding_queries.open_prompts_for(coordinator))),
        ("overdue escalations", list(safeguarding_queries.overdue_escalations_for(coordinator))),
    ):
        if not found:
            print(f"note: the bench coordinator has no {name} (too little data?)")


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
    from django.urls import reverse

    def signed_in(user):
        client = Client()
        client.force_login(user)
        return client

    def urls(name: str, pks) -> list[str]:
        # By name, so the bench follows the pages when their addresses change.
        return [reverse(name, args=[pk]) for pk in pks]

    manager = signed_in(service.manager)
    coordinator = signed_in(service.coordinator)
    administrator = signed_in(service.administrator)
    researcher = signed_in(service.researcher)
    trial = service.trial.pk
    searches = search_urls(service)
    from linkwork.referrals.models import Pathway

    # The GP pathways: the most referrals, which the page counts (and its versions).
    pathways = list(
        Pathway.objects.filter(source_type="gp_practice")
        .order_by("pk")
        .values_list("pk", flat=True)[:3]
    )
    return {
        "manager home": get(manager, [reverse("home")]),
        "coordinator home": get(coordinator, [reverse("home")]),
        "referrals list": get(manager, [reverse("referrals:list")]),
        "waiting list": get(manager, [reverse("referrals:waiting_list")]),
        # A coordinator's lists: what they may read depends on their site's rule (0023).
        "referrals list, coordinator": get(coordinator, [reverse("referrals:list")]),
        "waiting list, coordinator": get(coordinator, [reverse("referrals:waiting_list")]),
        "search, name, coordinator": get(coordinator, searches["part of a name"]),
        "caseloads": get(manager, [reverse("referrals:caseloads")]),
        "my caseload": get(coordinator, [reverse("referrals:my_caseload")]),
        "referral detail": get(manager, urls("referrals:detail", service.detail_pks)),
        "triage page": get(manager, urls("referrals:triage", service.triage_pks)),
        "allocation page": get(manager, urls("referrals:allocate", service.waiting_pks)),
        "audit log": get(administrator, [reverse("audit:log")]),
        "pathway page": get(manager, urls("referrals:pathway_edit", pathways)),
        "directory categories": get(manager, [reverse("directory:categories")]),
        "person record": get(manager, urls("casework:record", service.record_pks)),
        "person timeline": get(manager, urls("casework:timeline", service.record_pks)),
        "measures": get(manager, urls("outcomes:measures", service.record_pks)),
        "safeguarding": get(manager, urls("safeguarding:person", service.safeguarding_pks)),
        "open escalations": get(manager, [reverse("safeguarding:open_escalations")]),
        "waiting, concern": get(manager, urls("referrals:detail", service.waiting_concern_pks)),
        "trial measures due": get(manager, [reverse("trials:measures_due")]),
        "trial": get(manager, urls("trials:detail", [trial])),
        "trial CONSORT": get(researcher, urls("trials:consort", [trial])),
        "trial analysis": get(researcher, urls("trials:analysis", [trial])),
        **{f"search, {kind}": get(manager, addresses) for kind, addresses in searches.items()},
    }


def search_urls(service) -> dict[str, list[str]]:
    """Searches the manager might make, from people at their sites: part of a surname, a full
    name and date of birth, an NHS number, the end of a phone number."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from linkwork.referrals.models import Person

    people = list(
        Person.objects.filter(referrals__pk__in=service.detail_pks).exclude(nhs_number="")[:5]
    )

    def addresses(queries):
        return [f"{reverse('search')}?{urlencode({'q': q})}" for q in queries]

    return {
        "part of a name": addresses(p.family_name[:4] for p in people),
        "name and birth": addresses(
            f"{p.given_name} {p.family_name} {p.date_of_birth:%d/%m/%Y}" for p in people
        ),
        "NHS number": addresses(p.nhs_number for p in people),
        "phone": addresses(p.phone[-6:] for p in people),
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
    if (args.england or args.reuse) and not database.postgres:
        sys.exit("--england and --reuse need DATABASE_URL=postgres://...")
    try:
        started = time.perf_counter()
        if args.reuse:
            import england

            database.name = args.reuse
            start_django(urlunsplit(urlsplit(database.server_url)._replace(path=f"/{args.reuse}")))
            service = england.load()
            migrated = built = time.perf_counter()
            print(f"Reusing {args.reuse}")
        else:
            start_django(database.create())
            migrated = time.perf_counter()
            if args.england:
                import england
                from django.db import connection

                with connection.cursor() as cursor:
                    # COPY without firing the foreign key triggers: the builder makes the ids.
                    cursor.execute("SET session_replication_role = replica")
                service = england.build(args)
                with connection.cursor() as cursor:
                    cursor.execute("SET session_replication_role = origin")
            else:
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
        if args.england:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
                print(f"database {database.name}, {cursor.fetchone()[0]}")
        if args.build_only:
            return 0
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
        if args.keep and not args.reuse:
            print(f"kept database {database.name} (--reuse {database.name})")
        elif not args.reuse:
            database.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

# ruff: noqa: S608 - the bench's SQL names tables from the models' _meta
"""Reports dashboards at England scale: a synthetic service built with PostgreSQL COPY, and each
dashboard (and the funder report) timed against one hand-written SQL query for the same figures.

The builder writes numpy-generated rows straight into the real tables (names from the models'
`_meta`) with `COPY ... FROM STDIN`: persons, referrals with their status history, allocations
within caseload caps, support plans (a few extended), casework contacts, closures, outcome
measures (scored once per distinct answer vector by the instrument registry, then sampled),
goals, client feedback, interim contacts while waiting, and social prescriptions to directory
services. PostgreSQL only.

See bench/README.md, "Dashboards at England scale", for what is measured and the figures.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

from pages import BenchDatabase, counting_queries, describe_machine, percentile  # noqa: E402

DAY = 86400
NULL = r"\N"
CHUNK = 400_000  # rows formatted and sent per COPY write
BUILD_LIMIT = 20 * 60  # seconds the issue allows for the full build


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, default=500_000)
    parser.add_argument("--contacts", type=int, default=5_000_000)
    parser.add_argument("--measures", type=int, default=1_000_000)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--coordinators", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per page first")
    parser.add_argument("--keep", action="store_true", help="leave the database for --reuse")
    parser.add_argument("--reuse", metavar="DBNAME", help="measure this kept database, no build")
    parser.add_argument("--build-only", action="store_true", help="build (and --keep), no timing")
    parser.add_argument("--only", action="append", default=[], metavar="PAGE")
    parser.add_argument(
        "--explain",
        action="append",
        default=[],
        metavar="PAGE",
        help="plans of this dashboard's slowest queries (all sites); repeatable",
    )
    parser.add_argument("--profile", action="append", default=[], metavar="PAGE")
    parser.add_argument(
        "--variants",
        default="all,site,researcher",
        help="which of each dashboard's requests: all (sites), site (one), researcher",
    )
    parser.add_argument("--funder", type=int, default=2, help="funder reports to time (0: none)")
    args = parser.parse_args(argv)
    if args.coordinators < args.sites or args.referrals < 500:
        parser.error("need at least 500 referrals and one coordinator per site")
    return args


# --- COPY --------------------------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _constant(field, connection, now) -> str:
    """The COPY text of a column nobody set: its default (now for `timezone.now`), '' or NULL."""
    from django.db import models

    if field.has_default():
        value = field.get_default()
        if isinstance(value, datetime.datetime):
            value = now
    elif field.null:
        return NULL
    elif isinstance(field, (models.CharField, models.TextField)):
        value = ""
    else:
        raise ValueError(f"{field.model.__name__}.{field.name} needs a value")
    if value is None:
        return NULL
    if isinstance(field, models.JSONField):
        return _escape(json.dumps(value))
    if isinstance(value, bool):
        return "t" if value else "f"
    return _escape(str(field.get_db_prep_save(value, connection)))


def as_text(values) -> list[str]:
    """A column as COPY text: numpy ints/floats/bools, datetime64 (NaT is NULL), or strings."""
    if isinstance(values, np.ndarray):
        if values.dtype.kind == "M":
            text = np.datetime_as_string(values)
            return np.where(np.isnat(values), NULL, text).tolist()
        if values.dtype.kind == "b":
            return np.where(values, "t", "f").tolist()
        if values.dtype.kind == "f":  # nullable whole numbers (ids): NaN is NULL
            whole = np.nan_to_num(values).astype(np.int64).astype(str)
            return np.where(np.isnan(values), NULL, whole).tolist()
        return values.astype(str).tolist()
    return list(values)


def copy_rows(model, columns: dict, stats: dict) -> int:
    """COPY the rows given column by column (field name -> array or list) into the model's
    table; every other column gets its default. Returns the number of rows."""
    from django.db import connection

    meta = model._meta
    fields = list(meta.concrete_fields)
    given = {meta.get_field(name).column: values for name, values in columns.items()}
    n = len(next(iter(given.values())))
    now = datetime.datetime.now(datetime.UTC)
    names, texts = [], []
    for field in fields:
        if field.primary_key and field.column not in given:
            continue  # numbered by the table's own sequence
        names.append(field.column)
        if field.column in given:
            values = given[field.column]
            assert len(values) == n, (model.__name__, field.column, len(values), n)
            texts.append(values)
        else:
            texts.append(_constant(field, connection, now))
    started = time.perf_counter()
    sql = f"COPY {meta.db_table} ({', '.join(names)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for lo in range(0, n, CHUNK):
            hi = min(n, lo + CHUNK)
            cols = [as_text(t[lo:hi]) if not isinstance(t, str) else [t] * (hi - lo) for t in texts]
            copy.write("".join(line + "\n" for line in map("\t".join, zip(*cols, strict=True))))
    seconds = time.perf_counter() - started
    stats[meta.db_table] = (n, seconds)
    print(f"  {meta.db_table:<34}{n:>10,} rows {seconds:7.1f} s {n / max(seconds, 1e-6):>10,.0f}/s")
    return n


def reset_sequences(models) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )


# --- the synthetic service -----------------------------------------------------------------------


class Built:
    manager = None
    researcher = None
    sites: list
    counts: dict
    stats: dict


def ts(seconds) -> np.ndarray:
    """Epoch seconds (float array, NaN for none) as datetime64[s] (NaT for none)."""
    seconds = np.asarray(seconds, dtype=float)
    out = np.full(seconds.shape, np.datetime64("NaT", "s"), dtype="datetime64[s]")
    ok = ~np.isnan(seconds)
    out[ok] = seconds[ok].astype("int64").astype("datetime64[s]")
    return out


def days(seconds) -> np.ndarray:
    return ts(seconds).astype("datetime64[D]")


def choice(rng, options, n, p=None):
    """n values from `options`, as an object array (strings) or ints."""
    options = np.asarray(options, dtype=object)
    return options[rng.choice(len(options), size=n, p=p)]


GIVEN_NAMES = [
    "Alun",
    "Bethan",
    "Carys",
    "Dafydd",
    "Eleri",
    "Ffion",
    "Gareth",
    "Huw",
    "Ieuan",
    "Lowri",
    "Megan",
    "Nia",
    "Owain",
    "Rhys",
    "Seren",
    "Tomos",
    "Aled",
    "Cerys",
    "Elin",
    "Gwen",
    "Iwan",
    "Manon",
    "Osian",
    "Rhian",
    "Steffan",
    "Tegan",
    "Alys",
    "Catrin",
    "Deiniol",
    "Emyr",
    "Gethin",
    "Hedd",
    "Llinos",
    "Mared",
    "Nerys",
    "Sioned",
    "Wyn",
    "Anwen",
    "Branwen",
    "Cai",
] + ["Siân", "Llŷr", "Gwenllïan", "Siôn", "Dŵr", "Môn", "Eurgain", "Rhodri"]
SURNAMES = [
    "Jones",
    "Davies",
    "Williams",
    "Evans",
    "Thomas",
    "Roberts",
    "Lewis",
    "Hughes",
    "Morgan",
    "Griffiths",
    "Edwards",
    "Owen",
    "Price",
    "Jenkins",
    "Rees",
    "Phillips",
    "Morris",
    "James",
    "Lloyd",
    "Parry",
    "Powell",
    "Pritchard",
    "Richards",
    "Bowen",
    "Vaughan",
    "Howells",
    "Prosser",
    "Probert",
    "Bevan",
    "Powys",
    "Meredith",
    "Gwilym",
    "Llewellyn",
    "Watkins",
    "Harries",
    "Rowlands",
    "Pugh",
    "Mathias",
    "Gruffydd",
    "Ellis",
    "Kendrick",
    "Humphreys",
    "Beddoe",
    "Cadwaladr",
    "Tudor",
    "Pryce",
] + ["O'Brien", "ap Rhys", "Cadwaladr-Jones", "Llŷn", "Hâf", "Prys-Jones"]


def people_details(rng, n: int) -> dict:
    """Names (about 50 given names and 50 surnames, the common ones most often, a few with
    accents and apostrophes), phone numbers, NHS numbers (valid, for 4 in 5) and the folded
    search columns `Person.save()` would keep, for n people."""
    from linkwork.referrals.search import fold, phone_digits

    def skewed(options):  # Zipf-like: the first name in the list is the most common
        weights = 1 / np.arange(1, len(options) + 1) ** 0.8
        return rng.choice(len(options), size=n, p=weights / weights.sum())

    given_ix, family_ix = skewed(GIVEN_NAMES), skewed(SURNAMES)
    folded_given = np.array([fold(name) for name in GIVEN_NAMES], dtype=object)
    folded_family = np.array([fold(name) for name in SURNAMES], dtype=object)
    phones = np.array([f"07700 {x:06d}" for x in rng.integers(0, 1_000_000, n)], dtype=object)
    # NHS numbers: nine random digits and the modulus-11 check digit (10 is not allowed).
    digits = rng.integers(0, 10, (n, 9))
    check = 11 - (digits * np.arange(10, 1, -1)).sum(axis=1) % 11
    check[check == 11] = 0
    valid = (check != 10) & (rng.random(n) < 0.8)
    numbers = np.array(
        ["".join(map(str, row)) + str(c) for row, c in zip(digits, check, strict=True)],
        dtype=object,
    )
    return {
        "given_name": np.array(GIVEN_NAMES, dtype=object)[given_ix],
        "family_name": np.array(SURNAMES, dtype=object)[family_ix],
        "search_name": folded_given[given_ix] + " " + folded_family[family_ix],
        "phone": phones,
        "search_phone": np.array([phone_digits(p) for p in phones], dtype=object),
        "nhs_number": np.where(valid, numbers, ""),
    }


def answer_table(rng, code: str, levels: int = 20, per_level: int = 20) -> dict:
    """A few hundred plausible answer vectors for an instrument, scored once by the registry
    and stored as `outcomes.actions` stores a measure; grouped by level, 0 (well) to 1."""
    import random

    from pages import plausible_answers

    from linkwork.outcomes.instruments import get_instrument

    instrument = get_instrument(code)
    prng = random.Random(int(rng.integers(1 << 30)))
    rows = {k: [] for k in ("answers", "total", "raw", "band", "subscores", "flags")}
    for level in range(levels):
        for _ in range(per_level):
            answers = plausible_answers(code, (level + prng.random()) / levels, prng)
            score = instrument.score(answers)
            rows["answers"].append(json.dumps(list(score.answers)))
            rows["total"].append(NULL if score.total is None else str(score.total))
            rows["raw"].append(NULL if score.raw is None else str(score.raw))
            rows["band"].append(score.band or "")
            rows["subscores"].append(
                json.dumps({c: sub.value for c, sub in score.subscores.items()})
            )
            rows["flags"].append(json.dumps({f: True for f, on in score.flags.items() if on}))
    return {k: np.asarray(v, dtype=object) for k, v in rows.items()} | {
        "levels": levels,
        "per_level": per_level,
    }


def build(args) -> Built:  # noqa: C901, PLR0915 - one straight walk through the service
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from linkwork.accounts.models import Role, User
    from linkwork.casework.models import (
        ClientFeedback,
        Closure,
        ClosureReason,
        Contact,
        ContactMode,
        Goal,
        LifeDomain,
        PlanExtension,
        SupportPlan,
    )
    from linkwork.directory.models import Organization, Service
    from linkwork.outcomes.models import (
        InstrumentSetting,
        Measure,
        ScheduledInstrument,
        SiteOutcomeSettings,
    )
    from linkwork.partners.models import Organisation, Site, SourceType
    from linkwork.prescriptions.models import SocialPrescription
    from linkwork.prescriptions.status import PrescriptionStatus
    from linkwork.referrals.models import (
        Allocation,
        InterimContact,
        Need,
        Pathway,
        Person,
        Referral,
        StatusChange,
    )
    from linkwork.referrals.status import DeclineReason, ReferralStatus

    S = ReferralStatus
    rng = np.random.default_rng(args.seed)
    now_dt = timezone.now().replace(microsecond=0)
    now = now_dt.timestamp()
    opened = timezone.localdate() - datetime.timedelta(days=800)
    crisis_opens = timezone.localdate() - datetime.timedelta(days=300)
    stats: dict = {}
    built = Built()
    password = make_password(None)

    with transaction.atomic():
        # --- small things, through the ORM --------------------------------------------------
        sites = Site.objects.bulk_create(
            Site(
                name=f"Bench site {i + 1:02d}",
                slug=f"bench-{i + 1:02d}",
                setting=Site.Setting.values[i % 3],
            )
            for i in range(args.sites)
        )
        crisis_sites = {s.pk for s in sites[::2]}  # a crisis team pathway opens mid-history
        gp_orgs, third_orgs, crisis_orgs = {}, {}, {}
        for s in sites:
            gp_orgs[s.pk] = [
                Organisation(name=f"{s.name} surgery {j + 1}", source_type=SourceType.GP_PRACTICE)
                for j in range(6)
            ]
            third_orgs[s.pk] = [
                Organisation(
                    name=f"{s.name} community trust {j + 1}", source_type=SourceType.THIRD_SECTOR
                )
                for j in range(2)
            ]
            crisis_orgs[s.pk] = Organisation(
                name=f"{s.name} crisis team", source_type=SourceType.CRISIS_TEAM
            )
        Organisation.objects.bulk_create(
            [o for s in sites for o in gp_orgs[s.pk] + third_orgs[s.pk] + [crisis_orgs[s.pk]]]
        )
        paths = {}  # (site pk, kind) -> Pathway
        for s in sites:
            for kind, name, source in (
                ("gp", "GP practices", SourceType.GP_PRACTICE),
                ("self", "Self-referral", SourceType.SELF_REFERRAL),
                ("third", "Community partners", SourceType.THIRD_SECTOR),
            ):
                paths[s.pk, kind] = Pathway(site=s, name=name, source_type=source, opens_on=opened)
            if s.pk in crisis_sites:
                paths[s.pk, "crisis"] = Pathway(
                    site=s,
                    name="Crisis team",
                    source_type=SourceType.CRISIS_TEAM,
                    opens_on=crisis_opens,
                )
        Pathway.objects.bulk_create(paths.values())
        through = Pathway.organisations.through
        through.objects.bulk_create(
            [
                through(pathway_id=paths[s.pk, "third"].pk, organisation_id=o.pk)
                for s in sites
                for o in third_orgs[s.pk]
            ]
            + [
                through(pathway_id=paths[s.pk, "gp"].pk, organisation_id=o.pk)
                for s in sites
                for o in gp_orgs[s.pk]
            ]
            + [
                through(pathway_id=paths[s.pk, "crisis"].pk, organisation_id=crisis_orgs[s.pk].pk)
                for s in sites
                if s.pk in crisis_sites
            ]
        )

        def user(username, role, **extra):
            return User(
                username=username,
                role=role,
                first_name="Bench",
                last_name=username,
                email=f"{username}@bench.example",
                password=password,
                **extra,
            )

        manager = user("bench_manager", Role.MANAGER)
        researcher = user("bench_researcher", Role.RESEARCHER)
        site_managers = {s.pk: user(f"manager_{s.slug}", Role.MANAGER) for s in sites}
        caps = rng.integers(12, 26, args.coordinators)
        coordinators = [
            user(f"coordinator_{i + 1:03d}", Role.COORDINATOR, caseload_cap=int(caps[i]))
            for i in range(args.coordinators)
        ]
        referrers = {
            o.pk: user(f"referrer_{o.pk}", Role.REFERRER, organisation=o)
            for s in sites
            for o in gp_orgs[s.pk]
        }
        User.objects.bulk_create(
            [manager, researcher, *site_managers.values(), *coordinators, *referrers.values()]
        )
        memberships = [(manager.pk, s.pk) for s in sites]
        memberships += [(m.pk, pk) for pk, m in site_managers.items()]
        coordinator_site = np.array([i % len(sites) for i in range(len(coordinators))])
        memberships += [(c.pk, sites[coordinator_site[i]].pk) for i, c in enumerate(coordinators)]
        User.sites.through.objects.bulk_create(
            User.sites.through(user_id=u, site_id=s) for u, s in memberships
        )
        registered = now_dt - datetime.timedelta(days=800)
        InstrumentSetting.objects.bulk_create(
            InstrumentSetting(
                instrument=code,
                enabled=True,
                registration_confirmed_at=registered,
                registration_confirmed_by=manager,
                registration_reference=f"WEMWBS-BENCH-{n:04d}",
                changed_at=registered,
            )
            for n, code in enumerate(("swemwbs", "wemwbs"))
        )
        ScheduledInstrument.objects.bulk_create(
            ScheduledInstrument(site=s, instrument=code, at_baseline=True, at_end=True)
            for s in sites
            for code in ("swemwbs", "phq9", "gad7")
        )
        SiteOutcomeSettings.objects.bulk_create(SiteOutcomeSettings(site=s) for s in sites)
        providers = Organization.objects.bulk_create(
            Organization(name=f"Bench provider {j + 1}") for j in range(20)
        )
        services = Service.objects.bulk_create(
            Service(organization=providers[j % 20], name=f"Bench activity {j + 1}")
            for j in range(60)
        )
        Service.sites.through.objects.bulk_create(
            Service.sites.through(service_id=sv.pk, site_id=sites[j % len(sites)].pk)
            for j, sv in enumerate(services)
        )

        # --- people and referrals ------------------------------------------------------------
        print("COPY:")
        n = args.referrals
        ids = np.arange(1, n + 1)
        received = np.sort(now - rng.random(n) * 730 * DAY)
        site_ix = rng.integers(0, len(sites), n)
        site_pk = np.array([s.pk for s in sites])[site_ix]
        crisis_at = np.array([s.pk in crisis_sites for s in sites])[site_ix] & (
            received
            >= datetime.datetime.combine(crisis_opens, datetime.time(), datetime.UTC).timestamp()
        )
        u = rng.random(n)
        kind = np.where(u < 0.7, 0, np.where(u < 0.85, 1, 2))  # gp, self, third
        kind[crisis_at & (rng.random(n) < 0.12)] = 3  # crisis
        kinds = ("gp", "self", "third", "crisis")
        path_of = np.zeros((len(sites), 4), dtype=np.int64)
        org_table = np.zeros((len(sites), 9), dtype=np.int64)  # 6 gp, 2 third, crisis
        referrer_table = np.zeros((len(sites), 6), dtype=np.int64)
        for i, s in enumerate(sites):
            for k, name in enumerate(kinds):
                if (s.pk, name) in paths:
                    path_of[i, k] = paths[s.pk, name].pk
            orgs = gp_orgs[s.pk] + third_orgs[s.pk] + [crisis_orgs[s.pk]]
            org_table[i] = [o.pk for o in orgs]
            referrer_table[i] = [referrers[o.pk].pk for o in gp_orgs[s.pk]]
        pathway = path_of[site_ix, kind]
        gp_pick = rng.integers(0, 6, n)
        org = np.where(
            kind == 0,
            org_table[site_ix, gp_pick],
            np.where(
                kind == 2, org_table[site_ix, 6 + rng.integers(0, 2, n)], org_table[site_ix, 8]
            ),
        ).astype(float)
        org[kind == 1] = np.nan
        referred_by = np.where(kind == 0, referrer_table[site_ix, gp_pick], 0).astype(float)
        referred_by[kind != 0] = np.nan
        via = np.array(["online", "self_referral", "email", "phone"], dtype=object)[kind]
        need_sets = [
            json.dumps(sorted(rng.choice(Need.values, size=k, replace=False).tolist()))
            for k in (1, 1, 2, 2, 3)
            for _ in range(8)
        ]

        # What became of each referral.
        triaged_at = received + rng.exponential(3 * DAY, n) + 600
        info = rng.random(n) < 0.06
        info_at = received + (triaged_at - received) * 0.4
        triaged = triaged_at < now
        pending = ~triaged
        declined = triaged & (rng.random(n) < 0.18)
        accepted = triaged & ~declined
        waited = rng.exponential(25 * DAY, n) + DAY
        allocated_at = triaged_at + 60 + waited
        gave_up = accepted & (rng.random(n) < 0.07) & (triaged_at + waited * 0.5 < now)
        withdrawn_waiting = gave_up
        reached = accepted & ~gave_up & (allocated_at < now)
        support = 30 * DAY + rng.gamma(2.0, 30 * DAY, n)
        ended_at = allocated_at + support
        finished = reached & (ended_at < now)
        withdrawn_support = finished & (rng.random(n) < 0.15)
        closed = finished & ~withdrawn_support
        current = reached & ~finished
        # Caseload caps: at each site, the earliest allocated stay on a caseload as far as
        # the coordinators' caps allow; the rest have not been allocated yet (still waiting).
        coord_pk = np.array([c.pk for c in coordinators])
        coordinator = np.zeros(n, dtype=np.int64)
        for i in range(len(sites)):
            mine = np.flatnonzero(coordinator_site == i)
            seats = np.repeat(mine, (caps[mine] * 0.9).astype(int))
            here = np.flatnonzero(current & (site_ix == i))
            here = here[np.argsort(allocated_at[here], kind="stable")]
            keep, overflow = here[: len(seats)], here[len(seats) :]
            current[overflow] = False
            reached[overflow] = False
            coordinator[keep] = coord_pk[rng.permutation(seats)[: len(keep)]]
            past = np.flatnonzero(finished & (site_ix == i))
            coordinator[past] = coord_pk[rng.choice(mine, len(past))]
        waiting = accepted & ~gave_up & ~reached
        status = np.full(n, S.RECEIVED.value, dtype=object)
        status[pending & info] = S.INFORMATION_REQUESTED.value
        status[declined] = S.DECLINED.value
        status[waiting] = S.WAITING.value
        status[withdrawn_waiting | withdrawn_support] = S.WITHDRAWN.value
        status[current] = S.ALLOCATED.value
        status[closed] = S.CLOSED.value
        decline_reason = np.full(n, "", dtype=object)
        reasons = [r for r in DeclineReason.values if r != DeclineReason.NEEDS_ABOVE_REMIT]
        decline_reason[declined] = choice(rng, reasons, declined.sum())
        redirected = declined & (rng.random(n) < 0.3)
        decline_reason[redirected] = DeclineReason.NEEDS_ABOVE_REMIT.value
        redirected_to = np.where(redirected, "Community mental health team", "").astype(object)
        accepted_at = np.where(accepted, triaged_at, np.nan)

        copy_rows(
            Person,
            {
                "id": ids,
                **people_details(rng, n),
                "date_of_birth": (
                    np.datetime64("1935-01-01") + rng.integers(0, 70 * 365, n)
                ).astype("datetime64[D]"),
                "postcode": choice(rng, ["SY18 6AA", "CF10 1AA", "LL57 2DG", "SA1 1AA"], n),
                "created_at": ts(received),
            },
            stats,
        )
        copy_rows(
            Referral,
            {
                "id": ids,
                "person": ids,
                "pathway": pathway,
                "site": site_pk,
                "referring_organisation": org,
                "referred_by": referred_by,
                "received_via": via,
                "received_at": ts(received),
                "needs": choice(rng, need_sets, n),
                "frequent_attender": rng.random(n) < 0.2,
                "consent_to_referral": np.ones(n, dtype=bool),
                "consent_to_share_feedback": rng.random(n) < 0.8,
                "status": status,
                "priority": np.where(rng.random(n) < 0.1, "urgent", "routine").astype(object),
                "accepted_at": ts(accepted_at),
                "decline_reason": decline_reason,
                "redirected_to": redirected_to,
            },
            stats,
        )

        # Status history: one row per transition.
        steps = []  # (mask, from, to, at)

        def step(mask, from_status, to_status, at):
            steps.append((np.flatnonzero(mask), from_status, to_status, at[mask]))

        step(np.ones(n, dtype=bool), "", S.RECEIVED, received)
        step(info & (triaged | pending), S.RECEIVED, S.INFORMATION_REQUESTED, info_at)
        after_info = info & triaged
        step(declined & ~after_info, S.RECEIVED, S.DECLINED, triaged_at)
        step(declined & after_info, S.INFORMATION_REQUESTED, S.DECLINED, triaged_at)
        step(accepted & ~after_info, S.RECEIVED, S.ACCEPTED, triaged_at)
        step(accepted & after_info, S.INFORMATION_REQUESTED, S.ACCEPTED, triaged_at)
        step(accepted, S.ACCEPTED, S.WAITING, triaged_at + 60)
        step(withdrawn_waiting, S.WAITING, S.WITHDRAWN, triaged_at + waited * 0.5)
        step(reached, S.WAITING, S.ALLOCATED, allocated_at)
        step(withdrawn_support, S.ALLOCATED, S.WITHDRAWN, ended_at)
        step(closed, S.ALLOCATED, S.CLOSED, ended_at)
        sc_ref = np.concatenate([s[0] for s in steps])
        manager_of_site = np.array([site_managers[s.pk].pk for s in sites])
        by = np.where(  # the coordinator closes or withdraws; a manager does the rest
            np.concatenate([np.full(len(s[0]), s[2] in (S.WITHDRAWN, S.CLOSED)) for s in steps])
            & (coordinator[sc_ref] > 0),
            coordinator[sc_ref],
            manager_of_site[site_ix[sc_ref]],
        ).astype(float)
        first = len(steps[0][0])
        by[:first] = np.nan  # received: nobody on the staff
        copy_rows(
            StatusChange,
            {
                "referral": sc_ref + 1,
                "from_status": np.concatenate(
                    [np.full(len(s[0]), str(s[1]), dtype=object) for s in steps]
                ),
                "to_status": np.concatenate(
                    [np.full(len(s[0]), str(s[2]), dtype=object) for s in steps]
                ),
                "at": ts(np.concatenate([s[3] for s in steps])),
                "by": by,
            },
            stats,
        )

        # Allocations, support plans, closures.
        a = np.flatnonzero(reached)
        na = len(a)
        end = np.where(finished[a], ended_at[a], np.nan)
        copy_rows(
            Allocation,
            {
                "referral": a + 1,
                "coordinator": coordinator[a],
                "started_at": ts(allocated_at[a]),
                "by": manager_of_site[site_ix[a]],
                "ended_at": ts(end),
                "ended_by": np.where(finished[a], coordinator[a], np.nan),
            },
            stats,
        )
        extended = rng.random(na) < 0.08
        plan_start = days(allocated_at[a])
        plan_end = plan_start + np.timedelta64(84, "D")
        copy_rows(
            SupportPlan,
            {
                "id": np.arange(1, na + 1),
                "referral": a + 1,
                "starts_on": plan_start,
                "ends_on": np.where(extended, plan_end + np.timedelta64(28, "D"), plan_end),
                "created_at": ts(allocated_at[a]),
            },
            stats,
        )
        copy_rows(
            PlanExtension,
            {
                "plan": np.flatnonzero(extended) + 1,
                "previous_end": plan_end[extended],
                "new_end": plan_end[extended] + np.timedelta64(28, "D"),
                "reason": ["More time to settle into the group"] * int(extended.sum()),
                "by": coordinator[a][extended],
                "at": ts(np.minimum(allocated_at[a][extended] + 70 * DAY, now - 3600)),
            },
            stats,
        )
        c = np.flatnonzero(closed)
        copy_rows(
            Closure,
            {
                "referral": c + 1,
                "reason": choice(
                    rng,
                    ClosureReason.values,
                    len(c),
                    p=_weights(len(ClosureReason.values), first=0.45),
                ),
                "summary": ["Support ended."] * len(c),
                "closed_on": days(ended_at[c]),
                "by": coordinator[c],
            },
            stats,
        )

        # Casework contacts: spread over each allocation, in proportion to its length.
        span_end = np.minimum(np.where(finished[a], ended_at[a], now), now)
        length = span_end - allocated_at[a]
        per = rng.poisson(args.contacts * length / length.sum())
        ci = np.repeat(np.arange(na), per)
        nc = len(ci)
        at = allocated_at[a][ci] + rng.random(nc) * length[ci]
        outcome = choice(
            rng,
            ["attended", "did_not_attend", "cancelled_by_person", "cancelled_by_service"],
            nc,
            p=[0.78, 0.1, 0.07, 0.05],
        )
        booked = current[a][ci] & (at > now - 7 * DAY)  # the last week's: some still booked
        booked &= rng.random(nc) < 0.3
        at[booked] += 14 * DAY
        outcome[booked] = "booked"
        minutes = np.where(outcome == "attended", rng.integers(20, 91, nc), np.nan)
        copy_rows(
            Contact,
            {
                "referral": a[ci] + 1,
                "at": ts(at),
                "mode": choice(
                    rng, ContactMode.values, nc, p=_weights(len(ContactMode.values), first=0.35)
                ),
                "minutes": minutes,
                "outcome": outcome,
                "volunteer_present": rng.random(nc) < 0.05,
                "by": coordinator[a][ci],
                "created_at": ts(np.minimum(at, now)),
            },
            stats,
        )
        del at, ci, outcome, minutes, booked

        # Outcome measures: baselines soon after allocation, an end set at closing; how many of
        # each set is chosen to reach --measures.
        instruments = ("swemwbs", "phq9", "gad7")
        tables = {code: answer_table(rng, code) for code in instruments}
        has_end = closed[a]
        sets = na + 0.85 * has_end.sum()
        p_base = min(1.0, args.measures / (len(instruments) * sets))
        base_rows = np.flatnonzero(rng.random(na) < p_base)
        # An end set for 85 % of those closed who have a baseline (so every end has a pair).
        end_rows = base_rows[has_end[base_rows] & (rng.random(len(base_rows)) < 0.85)]
        level = rng.beta(5, 3, na)  # 0 well .. 1 struggling, at baseline
        level_end = np.clip(level - rng.normal(0.2, 0.15, na), 0, 1)
        parts = {k: [] for k in ("referral", "instrument", "timepoint", "completed_on", "by")}
        scores = {k: [] for k in ("answers", "total", "raw", "band", "subscores", "flags")}
        created = []
        for rows, timepoint, when, lv in (
            (base_rows, "baseline", allocated_at[a] + rng.random(na) * 14 * DAY, level),
            (end_rows, "end", span_end, level_end),
        ):
            when = np.minimum(when, now - 3600)
            for code in instruments:
                t = tables[code]
                bucket = np.minimum((lv[rows] * t["levels"]).astype(int), t["levels"] - 1)
                pick = bucket * t["per_level"] + rng.integers(0, t["per_level"], len(rows))
                for k in scores:
                    scores[k].append(t[k][pick])
                parts["referral"].append(a[rows] + 1)
                parts["instrument"].append(np.full(len(rows), code, dtype=object))
                parts["timepoint"].append(np.full(len(rows), timepoint, dtype=object))
                parts["completed_on"].append(days(when[rows]))
                parts["by"].append(coordinator[a][rows])
                created.append(when[rows])
        columns = {k: np.concatenate(v) for k, v in parts.items()}
        columns |= {k: np.concatenate(v) for k, v in scores.items()}
        columns["collected_by"] = np.full(len(columns["by"]), "coordinator", dtype=object)
        columns["created_at"] = ts(np.concatenate(created))
        copy_rows(Measure, columns, stats)
        del columns, parts, scores

        # Goals: one to three each; ended at closing with how they went.
        goals = rng.integers(1, 4, na)
        gi = np.repeat(np.arange(na), goals)
        ng = len(gi)
        ended = finished[a][gi]
        gstatus = np.where(
            ended,
            choice(
                rng,
                ["achieved", "partly_achieved", "not_achieved", "changed"],
                ng,
                p=[0.45, 0.25, 0.15, 0.15],
            ),
            "active",
        ).astype(object)
        copy_rows(
            Goal,
            {
                "referral": a[gi] + 1,
                "description": ["Get out of the house twice a week"] * ng,
                "domain": choice(rng, LifeDomain.values, ng),
                "status": gstatus,
                "started_on": days(np.minimum(allocated_at[a][gi] + 7 * DAY, now)),
                "ended_on": np.where(ended, days(span_end[gi]), np.datetime64("NaT", "D")),
                "ended_by": np.where(ended, coordinator[a][gi], np.nan),
                "by": coordinator[a][gi],
            },
            stats,
        )

        # Client feedback from about a third of those closed.
        fb = c[rng.random(len(c)) < 0.35]
        nf = len(fb)
        likert = [0.03, 0.05, 0.12, 0.35, 0.45]
        copy_rows(
            ClientFeedback,
            {
                "referral": fb + 1,
                "helpful": rng.choice(np.arange(1, 6), nf, p=likert),
                "listened_to": rng.choice(np.arange(1, 6), nf, p=likert),
                "involved_in_decisions": rng.choice(np.arange(1, 6), nf, p=likert),
                "preferred_mode": choice(rng, ["face_to_face", "phone", "mix"], nf),
                "completed_via": choice(rng, ["with_coordinator", "secure_link"], nf),
                "submitted_at": ts(ended_at[fb]),
            },
            stats,
        )

        # Interim contacts: everyone waiting now, once or twice; anyone who waited over
        # three weeks, once.
        long_wait = reached & (waited > 21 * DAY)
        w = np.flatnonzero(waiting)
        wi = np.concatenate([w, w[rng.random(len(w)) < 0.5], np.flatnonzero(long_wait)])
        wait_end = np.where(reached[wi], allocated_at[wi], now)
        at = np.minimum(
            triaged_at[wi] + 60 + rng.random(len(wi)) * (wait_end - triaged_at[wi]), now
        )
        coord_by_site = np.array(
            [coord_pk[np.flatnonzero(coordinator_site == i)[0]] for i in range(len(sites))]
        )
        copy_rows(
            InterimContact,
            {
                "referral": wi + 1,
                "at": ts(at),
                "by": coord_by_site[site_ix[wi]],
                "minutes": rng.integers(5, 30, len(wi)),
            },
            stats,
        )

        # Social prescriptions, for about half the people supported.
        pi = a[rng.random(na) < 0.5]
        pi = np.concatenate([pi, pi[rng.random(len(pi)) < 0.3]])
        npx = len(pi)
        made_at = np.minimum(allocated_at[pi] + rng.random(npx) * 30 * DAY, now - 3600)
        copy_rows(
            SocialPrescription,
            {
                "referral": pi + 1,
                "service": np.array([sv.pk for sv in services])[rng.integers(0, 60, npx)],
                "asked_for": ["A place in the group"] * npx,
                "status": choice(
                    rng,
                    PrescriptionStatus.values,
                    npx,
                    p=_weights(len(PrescriptionStatus.values), first=0.1, peak=4),
                ),
                "created_at": ts(made_at),
                "created_by": coordinator[pi],
                "status_changed_at": ts(np.minimum(made_at + 10 * DAY, now - 60)),
            },
            stats,
        )

        reset_sequences(
            [
                Person,
                Referral,
                StatusChange,
                Allocation,
                SupportPlan,
                PlanExtension,
                Closure,
                Contact,
                Measure,
                Goal,
                ClientFeedback,
                InterimContact,
                SocialPrescription,
            ]
        )
    # What the actions keep as they go (triage times, stretches on the waiting list), remade
    # from the status history as the demo does after its bulk load.
    from linkwork.casework import tallies
    from linkwork.casework.models import ContactDay
    from linkwork.referrals import derived
    from linkwork.referrals.models import WaitingSpell

    print("derived (referrals.derived.rebuild, casework.tallies.rebuild):")
    for model, rebuild in ((WaitingSpell, derived.rebuild), (ContactDay, tallies.rebuild)):
        started = time.perf_counter()
        rebuild()
        made, seconds = model.objects.count(), time.perf_counter() - started
        stats[model._meta.db_table] = (made, seconds)
        print(f"  {model._meta.db_table:<34}{made:>10,} rows {seconds:7.1f} s (and what it keeps)")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would have by now: visibility maps set
    stats["(VACUUM ANALYZE)"] = (0, time.perf_counter() - started)
    built.manager, built.researcher, built.sites = manager, researcher, sites
    built.stats = stats
    built.counts = {
        "sites": len(sites),
        "coordinators": len(coordinators),
        "referrals": n,
        "status changes": len(sc_ref),
        "allocations": na,
        "allocated now": int(current.sum()),
        "waiting now": int(waiting.sum()),
        "closed": len(c),
        "contacts": nc,
        "measures": int(stats[Measure._meta.db_table][0]),
        "goals": ng,
        "feedback": nf,
        "interim contacts": len(wi),
        "prescriptions": npx,
    }
    return built


def _weights(k: int, first: float, peak: int = 0) -> list[float]:
    """k probabilities, `first` on option `peak`, the rest shared evenly."""
    rest = (1 - first) / (k - 1)
    return [first if i == peak else rest for i in range(k)]


def load(built_db: str) -> Built:
    """The service in a kept database."""
    from linkwork.accounts.models import User
    from linkwork.partners.models import Site

    built = Built()
    built.manager = User.objects.get(username="bench_manager")
    built.researcher = User.objects.get(username="bench_researcher")
    built.sites = list(Site.objects.order_by("pk"))
    built.counts, built.stats = {"database": built_db}, {}
    return built


# --- measuring ---------------------------------------------------------------------------------

DASHBOARD_KEYS = ("referrals", "access", "delivery", "outcomes", "reach")


def period():
    """The dashboards' default period: the last 12 months, this one included (UTC)."""
    from django.utils import timezone

    today = timezone.localdate()
    this = today.year * 12 + today.month - 1
    first = datetime.date((this - 11) // 12, (this - 11) % 12 + 1, 1)
    nxt = datetime.date((this + 1) // 12, (this + 1) % 12 + 1, 1)
    tz = datetime.UTC
    return (
        datetime.datetime.combine(first, datetime.time(), tz),
        datetime.datetime.combine(nxt, datetime.time(), tz),
    )


def baseline_sql() -> dict[str, str]:
    """One hand-written query per dashboard for its headline figures, same period and sites.
    Parameters: %(sites)s (array), %(start)s, %(end)s."""
    from linkwork.casework.models import ClientFeedback, Closure, Contact, Goal
    from linkwork.outcomes.models import Measure
    from linkwork.partners.models import Site
    from linkwork.prescriptions.models import SocialPrescription
    from linkwork.referrals.models import (
        Allocation,
        InterimContact,
        Pathway,
        Person,
        Referral,
        WaitingSpell,
    )

    t = {
        m.__name__: m._meta.db_table
        for m in (
            Referral,
            WaitingSpell,
            Allocation,
            InterimContact,
            Person,
            Contact,
            Closure,
            Goal,
            ClientFeedback,
            Measure,
            SocialPrescription,
            Pathway,
            Site,
        )
    }
    scoped = f"SELECT * FROM {t['Referral']} WHERE site_id = ANY(%(sites)s)"
    return {
        # Received per month and pathway, decisions per pathway, time to triage.
        "referrals": f"""
WITH r AS ({scoped} AND received_at >= %(start)s AND received_at < %(end)s),
m AS (SELECT date_trunc('month', received_at) AS month, pathway_id, count(*) AS n
      FROM r GROUP BY 1, 2),
d AS (SELECT pathway_id,
             count(*) FILTER (WHERE accepted_at IS NOT NULL) AS accepted,
             count(*) FILTER (WHERE status = 'declined' AND redirected_to = '') AS declined,
             count(*) FILTER (WHERE status = 'declined' AND redirected_to <> '') AS redirected,
             count(*) FILTER (WHERE status IN ('received', 'information_requested')) AS pending
      FROM r GROUP BY 1),
f AS (SELECT r.received_at, r.triaged_at FROM r WHERE r.triaged_at IS NOT NULL)
SELECT (SELECT json_agg(m) FROM m), (SELECT json_agg(d) FROM d),
       (SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP
               (ORDER BY extract(epoch FROM triaged_at - received_at) / 86400) FROM f)""",
        # The waiting list at each month end, waits to allocation, support while waiting.
        "access": f"""
WITH c AS (SELECT w.joined_at, w.left_at FROM {t["WaitingSpell"]} w
           JOIN {t["Referral"]} r ON r.id = w.referral_id
           WHERE r.site_id = ANY(%(sites)s) AND w.joined_at < %(end)s),
lv AS (SELECT month, sum(sum(d)) OVER (ORDER BY month) AS level
       FROM (SELECT greatest(date_trunc('month', joined_at), %(start)s) AS month, 1 AS d FROM c
             UNION ALL
             SELECT greatest(date_trunc('month', left_at), %(start)s), -1 FROM c
             WHERE left_at < %(end)s) x
       GROUP BY month),
w AS (SELECT extract(epoch FROM a.started_at - r.accepted_at) / 86400 AS days
      FROM {t["Allocation"]} a JOIN {t["Referral"]} r ON r.id = a.referral_id
      WHERE r.site_id = ANY(%(sites)s) AND a.started_at >= %(start)s AND a.started_at < %(end)s)
SELECT (SELECT json_agg(lv) FROM lv),
       (SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY days) FROM w),
       (SELECT count(*) FROM {t["InterimContact"]} i JOIN {t["Referral"]} r ON r.id = i.referral_id
        WHERE r.site_id = ANY(%(sites)s) AND i.at >= %(start)s AND i.at < %(end)s)""",
        # Contacts by month and outcome, caseloads, closures by reason.
        "delivery": f"""
WITH k AS (SELECT date_trunc('month', c.at) AS month, c.outcome, c.mode, count(*) AS n
           FROM {t["Contact"]} c JOIN {t["Referral"]} r ON r.id = c.referral_id
           WHERE r.site_id = ANY(%(sites)s) AND c.at >= %(start)s AND c.at < %(end)s
           GROUP BY 1, 2, 3),
a AS (SELECT a.coordinator_id, count(*) AS n FROM {t["Allocation"]} a
      JOIN {t["Referral"]} r ON r.id = a.referral_id
      WHERE r.site_id = ANY(%(sites)s) AND a.started_at < %(end)s
        AND (a.ended_at IS NULL OR a.ended_at >= %(start)s) GROUP BY 1),
z AS (SELECT z.reason, count(*) AS n FROM {t["Closure"]} z
      JOIN {t["Referral"]} r ON r.id = z.referral_id
      WHERE r.site_id = ANY(%(sites)s) AND z.closed_on >= %(start)s AND z.closed_on < %(end)s
      GROUP BY 1)
SELECT (SELECT json_agg(k) FROM k), (SELECT json_agg(a) FROM a), (SELECT json_agg(z) FROM z)""",
        # Change between baseline and end, goals ended, prescriptions, feedback.
        "outcomes": f"""
WITH e AS (SELECT m.referral_id, m.instrument, m.total FROM {t["Measure"]} m
           JOIN {t["Referral"]} r ON r.id = m.referral_id
           WHERE r.site_id = ANY(%(sites)s) AND m.timepoint = 'end' AND m.withdrawn_at IS NULL
             AND m.total IS NOT NULL AND m.completed_on >= %(start)s AND m.completed_on < %(end)s),
p AS (SELECT e.instrument, count(*) AS n, avg(e.total - b.total) AS change,
             stddev(e.total - b.total) AS sd
      FROM e JOIN {t["Measure"]} b ON b.referral_id = e.referral_id
        AND b.instrument = e.instrument AND b.timepoint = 'baseline' AND b.withdrawn_at IS NULL
        AND b.total IS NOT NULL GROUP BY 1),
g AS (SELECT g.domain, g.status, count(*) AS n FROM {t["Goal"]} g
      JOIN {t["Referral"]} r ON r.id = g.referral_id
      WHERE r.site_id = ANY(%(sites)s) AND g.ended_on >= %(start)s AND g.ended_on < %(end)s
      GROUP BY 1, 2),
x AS (SELECT x.status, count(*) AS n FROM {t["SocialPrescription"]} x
      JOIN {t["Referral"]} r ON r.id = x.referral_id
      WHERE r.site_id = ANY(%(sites)s) AND x.created_at >= %(start)s AND x.created_at < %(end)s
      GROUP BY 1),
f AS (SELECT count(*) AS n, avg(helpful) AS helpful, avg(listened_to) AS listened
      FROM {t["ClientFeedback"]} f JOIN {t["Referral"]} r ON r.id = f.referral_id
      WHERE r.site_id = ANY(%(sites)s) AND f.submitted_at >= %(start)s
        AND f.submitted_at < %(end)s)
SELECT (SELECT json_agg(p) FROM p), (SELECT json_agg(g) FROM g), (SELECT json_agg(x) FROM x),
       (SELECT row_to_json(f) FROM f)""",
        # The records page: the first 50 referrals received, newest first, and how many.
        "records": f"""
SELECT (SELECT count(*) FROM ({scoped} AND received_at >= %(start)s AND received_at < %(end)s) c),
       (SELECT json_agg(x) FROM (
            SELECT r.id, r.received_at, r.status, p.given_name, p.family_name, s.name, w.name
            FROM {t["Referral"]} r JOIN {t["Person"]} p ON p.id = r.person_id
            JOIN {t["Site"]} s ON s.id = r.site_id JOIN {t["Pathway"]} w ON w.id = r.pathway_id
            WHERE r.site_id = ANY(%(sites)s) AND r.received_at >= %(start)s
              AND r.received_at < %(end)s
            ORDER BY r.received_at DESC, r.id DESC LIMIT 50) x)""",
        # Who was referred (age band, frequent attenders) per pathway, and who was reached.
        "reach": f"""
SELECT r.pathway_id, width_bucket(extract(year FROM age(r.received_at, p.date_of_birth)),
                                  ARRAY[25, 35, 45, 55, 65, 75]) AS band,
       r.frequent_attender, count(*) AS n,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM {t["Allocation"]} a
                                      WHERE a.referral_id = r.id)) AS reached
FROM {t["Referral"]} r JOIN {t["Person"]} p ON p.id = r.person_id
WHERE r.site_id = ANY(%(sites)s) AND r.received_at >= %(start)s AND r.received_at < %(end)s
GROUP BY 1, 2, 3""",
    }


def timed(fn, requests: int, warmup: int) -> dict:
    for i in range(warmup):
        fn(i)
    times, queries = [], []
    for i in range(requests):
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
    }


def fetcher(client, url: str, uncached: bool = False):
    def fetch(_i):
        if uncached:
            from django.core.cache import cache

            cache.clear()
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response

    return fetch


def baseline_runner(sql: str, site_ids: list[int]):
    from django.db import connection

    start, end = period()
    params = {"sites": site_ids, "start": start, "end": end}

    def run(_i):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def pages(built) -> dict:
    """name -> (page fetch, baseline query or None)."""
    from django.test import Client

    manager, researcher = Client(), Client()
    manager.force_login(built.manager)
    researcher.force_login(built.researcher)
    all_sites = [s.pk for s in built.sites]
    one = built.sites[0].pk
    sql = baseline_sql()
    out = {}
    for key in DASHBOARD_KEYS:
        out[key] = (
            fetcher(manager, f"/reports/{key}/"),
            baseline_runner(sql[key], all_sites),
        )
        out[f"{key}, one site"] = (
            fetcher(manager, f"/reports/{key}/?site={one}"),
            baseline_runner(sql[key], [one]),
        )
        out[f"{key}, researcher"] = (fetcher(researcher, f"/reports/{key}/"), None)
    out["records: received"] = (
        fetcher(manager, "/reports/records/?metric=received"),
        baseline_runner(sql["records"], all_sites),
    )
    # Capacity is for one site; the page caches its simulations for 10 minutes, so each timed
    # request starts with an empty cache (what the first manager to open it each time waits).
    out["capacity, one site"] = (fetcher(manager, f"/reports/capacity/?site={one}", True), None)
    return out


def wanted(name: str, args) -> bool:
    variant = "site" if "one site" in name else "researcher" if "researcher" in name else "all"
    if variant not in args.variants.split(","):
        return False
    return not args.only or any(name.startswith(o) for o in args.only)


def measure_all(built, args) -> dict:
    results = {}
    for name, (page, base) in pages(built).items():
        if not wanted(name, args):
            continue
        r = timed(page, args.requests, args.warmup)
        if base is not None:
            r["base"] = timed(base, args.requests, args.warmup)
        results[name] = r
        b = r.get("base")
        extra = f"{b['p50']:>9.1f}{b['p95']:>9.1f}{r['p95'] / b['p95']:>8.1f}x" if b else ""
        print(
            f"{name:<24}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['max']:>9.1f}{r['queries']:>8g}" + extra,
            flush=True,
        )
    return results


HEADER = (
    f"{'page':<24}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>8}"
    f"{'SQL p50':>9}{'SQL p95':>9}{'p95 x':>9}"
)


def funder_time(built, repeats: int = 2) -> list[float]:
    """Seconds for `funder.build` over the last whole quarter, all sites."""
    from django.utils import timezone

    from linkwork.reports import funder
    from linkwork.reports.models import FunderReport

    today = timezone.localdate()
    q = (today.month - 1) // 3  # this quarter, 0-3; the report is for the one before
    year, q = (today.year, q - 1) if q else (today.year - 1, 3)
    first = datetime.date(year, 3 * q + 1, 1)
    last = datetime.date(year, 3 * q + 3, 1)
    report = FunderReport.objects.create(
        first_month=first, last_month=last, requested_by=built.manager
    )
    report.sites.set(built.sites)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        made = funder.build(report)
        times.append(time.perf_counter() - started)
        print(
            f"funder report {first:%Y-%m}..{last:%Y-%m}: {times[-1]:.1f} s "
            f"(PDF {len(made.pdf):,} B, XLSX {len(made.xlsx):,} B)",
            flush=True,
        )
    return times


def explain(built, args) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for name, (page, _base) in pages(built).items():
        if name not in args.explain:
            continue
        page(0)
        with CaptureQueriesContext(connection) as captured:
            page(0)
        total = sum(float(q["time"]) for q in captured.captured_queries)
        slow = sorted(captured.captured_queries, key=lambda q: float(q["time"]), reverse=True)
        print(f"\n=== {name}: {len(captured)} queries, {total * 1000:.0f} ms in SQL")
        for q in slow[:8]:
            print(f"{float(q['time']) * 1000:8.1f} ms  {q['sql'][:220]}")
        for q in slow[:3]:
            if not q["sql"].startswith("SELECT"):
                continue
            print(f"\n--- {float(q['time']) * 1000:.1f} ms: {q['sql']}")
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                for row in cursor.fetchall():
                    print("   ", row[0])


def profile(built, names) -> None:
    from pyinstrument import Profiler

    available = pages(built)
    for name in names:
        page, _base = available[name]
        page(0)
        profiler = Profiler(interval=0.001)
        profiler.start()
        page(1)
        profiler.stop()
        print(f"\n=== profile: {name}")
        print(profiler.output_text(unicode=False, color=False, show_all=False))


def main(argv=None) -> int:
    import signal

    from django.db import connection

    args = parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/postgres"
    database = BenchDatabase()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    from urllib.parse import urlsplit, urlunsplit

    from pages import start_django

    try:
        started = time.perf_counter()
        if args.reuse:
            database.name = args.reuse
            url = urlunsplit(urlsplit(database.server_url)._replace(path=f"/{args.reuse}"))
            start_django(url)
            built = load(args.reuse)
            print(f"Reusing {args.reuse}")
        else:
            start_django(database.create())
            migrated = time.perf_counter()
            print(f"database {database.name} made and migrated in {migrated - started:.1f} s")
            with connection.cursor() as cursor:
                # COPY without firing the foreign key triggers: the builder makes the ids.
                cursor.execute("SET session_replication_role = replica")
            built = build(args)
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = origin")
            seconds = time.perf_counter() - migrated
            rows = sum(n for n, _s in built.stats.values())
            print(
                f"built in {seconds:.1f} s: {rows:,} rows COPYed, {rows / seconds:,.0f} rows/s "
                f"overall (VACUUM ANALYZE {built.stats['(VACUUM ANALYZE)'][1]:.1f} s)"
            )
            if seconds > BUILD_LIMIT:
                print(f"over the {BUILD_LIMIT // 60} minutes allowed")
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
                print(f"database size {cursor.fetchone()[0]}")
        print(f"Linkwork dashboards bench: {describe_machine()}")
        print(
            ", ".join(
                f"{v:,} {k}" if isinstance(v, int) else f"{k} {v}" for k, v in built.counts.items()
            )
        )
        if args.build_only:
            return 0
        print(
            f"{args.requests} timed requests after {args.warmup} untimed; manager of all "
            f"{len(built.sites)} sites unless said; default period (the last 12 months)"
        )
        print(HEADER)
        print("-" * len(HEADER))
        measure_all(built, args)
        if args.funder:
            funder_time(built, args.funder)
        if args.explain:
            explain(built, args)
        if args.profile:
            profile(built, args.profile)
        print(f"\ntotal {time.perf_counter() - started:.0f} s")
    finally:
        if args.keep and not args.reuse:
            print(f"kept database {database.name} (--reuse {database.name})")
        elif not args.reuse:
            database.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

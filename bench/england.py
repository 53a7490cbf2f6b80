# ruff: noqa: S608 - the bench's SQL names tables from the models' _meta
"""The page bench's service at England scale (`pages.py --england`). PostgreSQL only.

One builder for both benches: `dashboards.build` writes, with `COPY`, the referrals and their
status history, allocations within caseload caps, support plans, casework contacts of every
mode (some booked for the fortnight ahead), closures, goals, client feedback, interim contacts,
social prescriptions and outcome measures (`--referrals`, ten contacts and two measures a
referral). This adds what the pages show besides, in the proportions `pages.build` uses:

- **safeguarding**: concerns about 2 % of the people allocated or waiting (a third overdue
  for a response and chased, a third not due yet, a third answered and mostly closed), one or
  two escalations each, a risk flag for each concern and others up to 3 % of people, and open
  PHQ-9 item 9 checks for the records the pages open;
- **audit lines**, written in the database (`INSERT ... SELECT`) from what was built: a line
  for each status change (the first one a creation), allocation, casework contact, closure and
  measure, and one or two views of each referral;
- an administrator, and the research trial at two sites (`pages.build_trial`).

It then chooses the records the pages rotate over (the busiest allocated referrals, the newest
to triage, the first waiting, the records with the most measures and safeguarding) and keeps
the choice in the database (`bench_choice`), so that `pages.py --reuse NAME` measures the same
service again, for a before and after on one build.
"""

import argparse
import datetime
import json
import random
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]  # its neighbours, imported by name

import dashboards  # noqa: E402
import pages  # noqa: E402

CONCERN_SHARE = 0.02
FLAG_SHARE = 0.03


def build(args) -> pages.Service:
    """Build the service; the caller may turn the foreign key triggers off around it (`SET
    session_replication_role = replica`) for speed, as `pages.main` does."""
    started = time.perf_counter()
    dashboards.build(
        argparse.Namespace(
            referrals=args.referrals,
            contacts=args.referrals * 10,
            measures=args.referrals * 2,
            sites=args.sites,
            coordinators=args.coordinators,
            seed=args.seed,
        )
    )
    print(f"dashboards' builder: {time.perf_counter() - started:.0f} s")
    rng = random.Random(args.seed + 5)
    step("safeguarding", lambda: add_safeguarding(rng))
    step("audit lines", add_audit_lines)
    service = step("the pages' choice of records", choose)
    service.counts = {}
    step("trial", lambda: pages.build_trial(service, service.trial_sites, args.seed))
    step("VACUUM ANALYZE", vacuum)
    keep_choice(service)
    service.counts = counts() | service.counts
    return service


def step(name: str, fn):
    started = time.perf_counter()
    result = fn()
    print(f"  {name}: {time.perf_counter() - started:.1f} s")
    return result


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# --- safeguarding --------------------------------------------------------------------------------


def add_safeguarding(rng: random.Random) -> None:
    from django.db import transaction
    from django.utils import timezone

    from linkwork.accounts.models import Role, User
    from linkwork.referrals.models import Allocation, Referral
    from linkwork.referrals.status import ReferralStatus as S
    from linkwork.safeguarding.models import (
        EscalatedTo,
        Escalation,
        EscalationChase,
        EscalationMethod,
        RiskFlag,
        RiskKind,
        SafeguardingConcern,
    )

    now = timezone.now()
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    open_now = list(
        Referral.objects.filter(status__in=(S.ALLOCATED, S.WAITING))
        .values_list("pk", "person_id", "site_id", "status", "received_at")
        .order_by("pk")
    )
    coordinator_of = dict(
        Allocation.objects.filter(ended_at=None).values_list("referral_id", "coordinator_id")
    )
    managers = {}
    for user_pk, site_pk in User.sites.through.objects.filter(
        user__role=Role.MANAGER, user__username__startswith="manager_"
    ).values_list("user_id", "site_id"):
        managers[site_pk] = user_pk
    chosen = rng.sample(open_now, round(len(open_now) * CONCERN_SHARE))
    concerns, escalations, chases = [], [], []
    for pk, person_pk, site_pk, _status, received_at in chosen:
        staff = coordinator_of.get(pk, managers[site_pk])
        kind = rng.choice(["overdue", "not_due", "answered"])
        earliest = max(received_at, now - 200 * day)
        raised = earliest + (now - day - earliest) * rng.uniform(0.1, 0.9)
        if kind != "answered":
            raised = max(now - rng.uniform(3, 40) * day, received_at + day / 24)
        concern = SafeguardingConcern(
            referral_id=pk,
            kind=rng.choice(RiskKind.values),
            summary="Said at the session that things at home have got worse; worried about them.",
            raised_by_id=staff,
            raised_at=raised,
        )
        concern.bench = (person_pk, kind)
        concerns.append(concern)
        for _n in range(2 if rng.random() < 0.15 else 1):
            at = min(raised + rng.uniform(0, 1) * day, now - day / 24)
            escalation = Escalation(
                concern=concern,
                to=rng.choice(EscalatedTo.values),
                to_detail="Duty team",
                at=at,
                method=rng.choice(EscalationMethod.values[:3]),
                reference=f"REF-{rng.randrange(10**6):06d}",
                response_due=today + rng.randint(1, 14) * day,
                by_id=staff,
                created_at=at,
            )
            if kind == "overdue":
                escalation.response_due = today - rng.randint(1, 10) * day
                for _c in range(rng.choice([0, 1, 1, 2])):
                    chases.append(
                        EscalationChase(
                            escalation=escalation,
                            at=at + (now - at) * rng.uniform(0.3, 0.95),
                            method=EscalationMethod.PHONE,
                            note="Rang the duty desk; they will call back.",
                            by_id=staff,
                        )
                    )
            elif kind == "answered":
                escalation.responded_at = min(at + rng.uniform(1, 10) * day, now - day / 24)
                escalation.response = "Visited; support put in place. No further action for now."
                escalation.response_recorded_by_id = staff
                if rng.random() < 0.7:
                    concern.closed_at = min(escalation.responded_at + day, now - day / 48)
                    concern.closed_by_id = staff
                    concern.outcome = "Support in place from the adult safeguarding team."
            escalations.append(escalation)
    flags = []
    for concern in concerns:
        person_pk, _kind = concern.bench
        flag = RiskFlag(
            person_id=person_pk,
            referral_id=concern.referral_id,
            kind=concern.kind,
            note="Raised with a safeguarding concern",
            raised_by_id=concern.raised_by_id,
            raised_at=concern.raised_at,
        )
        if concern.closed_at and rng.random() < 0.5:
            flag.ended_at, flag.ended_by_id = concern.closed_at, concern.closed_by_id
            flag.end_reason = "Concern closed; the risk has passed."
        flags.append(flag)
    flagged = {c.bench[0] for c in concerns}
    others = [r for r in rng.sample(open_now, len(open_now) // 10) if r[1] not in flagged]
    for pk, person_pk, site_pk, _status, received_at in others[
        : max(0, round(len(open_now) * FLAG_SHARE) - len(flags))
    ]:
        flags.append(
            RiskFlag(
                person_id=person_pk,
                referral_id=pk,
                kind=rng.choice(RiskKind.values),
                note="Told us at the first call.",
                raised_by_id=coordinator_of.get(pk, managers[site_pk]),
                raised_at=received_at + (now - received_at) * rng.uniform(0.05, 0.9),
            )
        )
    with transaction.atomic():
        SafeguardingConcern.objects.bulk_create(concerns, batch_size=pages.BATCH)
        for e in escalations:
            e.concern_id = e.concern.pk
        Escalation.objects.bulk_create(escalations, batch_size=pages.BATCH)
        for c in chases:
            c.escalation_id = c.escalation.pk
        EscalationChase.objects.bulk_create(chases, batch_size=pages.BATCH)
        RiskFlag.objects.bulk_create(flags, batch_size=pages.BATCH)
    print(
        f"    {len(concerns):,} concerns, {len(escalations):,} escalations, {len(chases):,} "
        f"chases, {len(flags):,} risk flags"
    )


def add_open_checks(record_pks: list[int]) -> None:
    """An open PHQ-9 item 9 check on each of the records the pages open (their latest PHQ-9
    answered "several days" to item 9), so that their alerts and panel show one."""
    from django.db import transaction

    from linkwork.outcomes.models import Measure
    from linkwork.safeguarding.models import SafeguardingPrompt

    prompts = []
    for pk in record_pks:
        measure = (
            Measure.objects.filter(referral_id=pk, instrument="phq9")
            .order_by("-completed_on", "-pk")
            .first()
        )
        if measure is None or hasattr(measure, "safeguarding_prompt"):
            continue
        prompts.append(SafeguardingPrompt(referral_id=pk, measure=measure, answer=1))
    with transaction.atomic():
        SafeguardingPrompt.objects.bulk_create(prompts)


# --- audit lines ---------------------------------------------------------------------------------


def add_audit_lines() -> None:
    """A line for each thing built, as the actions would have written it, in the database."""
    from django.db import connection

    from linkwork.audit.models import AuditEvent
    from linkwork.casework.models import Closure, Contact
    from linkwork.outcomes.models import Measure
    from linkwork.referrals.models import Allocation, Referral, StatusChange

    audit = AuditEvent._meta.db_table
    referral = Referral._meta.db_table
    columns = "(at, user_id, action, object_type, object_id, person_id, fields, detail)"

    def lines(select: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {audit} {columns} {select}")
            return cursor.rowcount

    made = {
        "status changes": lines(
            f"SELECT sc.at, sc.by_id, CASE WHEN sc.from_status = '' THEN 'create' "
            f"ELSE 'transition' END, 'referrals.referral', sc.referral_id::text, r.person_id, "
            f"'[\"status\"]'::jsonb, sc.from_status || ' -> ' || sc.to_status "
            f"FROM {StatusChange._meta.db_table} sc JOIN {referral} r ON r.id = sc.referral_id"
        ),
        "allocations": lines(
            f"SELECT a.started_at, a.by_id, 'create', 'referrals.allocation', a.id::text, "
            f"r.person_id, '[]'::jsonb, 'coordinator ' || a.coordinator_id "
            f"FROM {Allocation._meta.db_table} a JOIN {referral} r ON r.id = a.referral_id"
        ),
        "contacts": lines(
            f"SELECT c.at, c.by_id, 'create', 'casework.contact', c.id::text, r.person_id, "
            f"'[]'::jsonb, '' "
            f"FROM {Contact._meta.db_table} c JOIN {referral} r ON r.id = c.referral_id"
        ),
        "closures": lines(
            f"SELECT c.closed_on + time '16:00', c.by_id, 'create', 'casework.closure', "
            f"c.id::text, r.person_id, '[]'::jsonb, '' "
            f"FROM {Closure._meta.db_table} c JOIN {referral} r ON r.id = c.referral_id"
        ),
        "measures": lines(
            f"SELECT m.completed_on + time '12:00', m.by_id, 'create', 'outcomes.measure', "
            f"m.id::text, r.person_id, '[]'::jsonb, m.instrument "
            f"FROM {Measure._meta.db_table} m JOIN {referral} r ON r.id = m.referral_id"
        ),
        "views": lines(
            f"SELECT r.received_at + (now() - r.received_at) * random(), a.coordinator_id, "
            f"'view', 'referrals.referral', r.id::text, r.person_id, '[]'::jsonb, '' "
            f"FROM {referral} r JOIN {Allocation._meta.db_table} a ON a.referral_id = r.id "
            f"CROSS JOIN generate_series(1, 2) "
        ),
    }
    print("    " + ", ".join(f"{n:,} for {what}" for what, n in made.items()))


# --- the records the pages open ------------------------------------------------------------------


def choose() -> pages.Service:
    from django.db import connection
    from django.db.models import Count

    from linkwork.accounts.models import Role, User
    from linkwork.outcomes.models import Measure
    from linkwork.partners.models import Site
    from linkwork.referrals.models import Allocation, Referral, StatusChange
    from linkwork.referrals.status import ReferralStatus as S
    from linkwork.safeguarding.models import SafeguardingConcern

    service = pages.Service()
    service.manager = User.objects.get(username="bench_manager")
    service.administrator = User.objects.create(
        username="bench_administrator", role=Role.ADMINISTRATOR, first_name="Admin"
    )
    busiest = (
        Allocation.objects.filter(ended_at=None)
        .values("coordinator_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "coordinator_id")
        .first()
    )
    service.coordinator = User.objects.get(pk=busiest["coordinator_id"])
    allocated = Referral.objects.filter(status=S.ALLOCATED)
    service.detail_pks = list(
        StatusChange.objects.filter(referral__in=allocated)
        .values("referral_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "referral_id")
        .values_list("referral_id", flat=True)[:10]
    )
    service.triage_pks = list(
        Referral.objects.filter(status=S.RECEIVED).order_by("-pk").values_list("pk", flat=True)[:10]
    )
    service.waiting_pks = list(
        Referral.objects.filter(status=S.WAITING).order_by("pk").values_list("pk", flat=True)[:10]
    )
    with_concerns = SafeguardingConcern.objects.values("referral_id")
    service.record_pks = list(
        Measure.objects.filter(referral__in=allocated, referral_id__in=with_concerns)
        .values("referral_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "referral_id")
        .values_list("referral_id", flat=True)[:30]
    )
    service.safeguarding_pks = list(
        SafeguardingConcern.objects.values("referral_id")
        .annotate(n=Count("escalations"))
        .order_by("-n", "referral_id")
        .values_list("referral_id", flat=True)[:10]
    )
    service.waiting_concern_pks = list(
        Referral.objects.filter(status=S.WAITING, pk__in=with_concerns)
        .order_by("pk")
        .values_list("pk", flat=True)[:10]
    )
    add_open_checks(service.record_pks[:10])
    service.trial_sites = list(Site.objects.order_by("pk")[:2])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return service


CHOICE = (
    "detail_pks",
    "triage_pks",
    "waiting_pks",
    "record_pks",
    "safeguarding_pks",
    "waiting_concern_pks",
)


def keep_choice(service: pages.Service) -> None:
    from django.db import connection

    choice = {name: getattr(service, name) for name in CHOICE}
    choice |= {
        "manager": service.manager.pk,
        "coordinator": service.coordinator.pk,
        "administrator": service.administrator.pk,
        "researcher": service.researcher.pk,
        "trial": service.trial.pk,
    }
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_choice (choice jsonb NOT NULL)")
        cursor.execute("INSERT INTO bench_choice VALUES (%s)", [json.dumps(choice)])


def load() -> pages.Service:
    """The service of a kept database (`--reuse`)."""
    from django.db import connection

    from linkwork.accounts.models import User
    from linkwork.trials.models import Trial

    with connection.cursor() as cursor:
        cursor.execute("SELECT choice FROM bench_choice")
        choice = cursor.fetchone()[0]
    if isinstance(choice, str):
        choice = json.loads(choice)
    service = pages.Service()
    for name in CHOICE:
        setattr(service, name, choice[name])
    for name in ("manager", "coordinator", "administrator", "researcher"):
        setattr(service, name, User.objects.get(pk=choice[name]))
    service.trial = Trial.objects.get(pk=choice["trial"])
    service.counts = counts()
    return service


def counts() -> dict[str, int]:
    """What the service holds, by estimate for the largest tables (reltuples, after ANALYZE)."""
    from django.db import connection

    from linkwork.audit.models import AuditEvent
    from linkwork.casework.models import Contact
    from linkwork.outcomes.models import Measure
    from linkwork.referrals.models import Referral
    from linkwork.referrals.status import ReferralStatus as S
    from linkwork.safeguarding.models import RiskFlag, SafeguardingConcern

    def estimate(model) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE relname = %s",
                [model._meta.db_table],
            )
            return int(cursor.fetchone()[0])

    return {
        "referrals": Referral.objects.count(),
        "waiting": Referral.objects.filter(status=S.WAITING).count(),
        "allocated": Referral.objects.filter(status=S.ALLOCATED).count(),
        "casework contacts (estimated)": estimate(Contact),
        "measures (estimated)": estimate(Measure),
        "audit lines (estimated)": estimate(AuditEvent),
        "concerns": SafeguardingConcern.objects.count(),
        "risk flags": RiskFlag.objects.count(),
    }

"""Time the community directory's pages, its public ORUK API and its ORUK import.

    .venv/bin/python bench/directory.py [--services 5000] [--import-services 1000] [--sites 10]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/directory.py

Runs in a database of its own, made and dropped by `pages.BenchDatabase` (a temporary SQLite file,
or `linkwork_bench_<pid>` on a PostgreSQL server), in two parts:

1. **Import.** Generates an ORUK feed (`--import-services` services with their organisations,
   places, schedules, languages, costs, areas, contacts and categories nested in them, in pages of
   200, as `importer.fetch` answers for a paginated URL), imports it into the empty directory with
   `importer.run_import`, then imports the same feed again (nothing should change), and prints
   the time of each run, its SQL statements and the counts the importer reported. The imported
   directory is then deleted.
2. **Pages.** Builds a large synthetic directory with bulk_create (`--services` services across
   `--sites` sites: organisations, 1-3 of 40 categories each, a place with an address, 1-2 weekly
   schedules, languages (a third Welsh), costs, areas, 1-4 availability changes, a few local
   notes), then requests the staff search and service pages as a link coordinator and the public
   API anonymously through Django's test client, with the latency percentiles, queries per
   request and ratios against the baselines of `pages.py`, measured in the same run. So that
   the SQL baseline (waiting referrals per site) is the same as there, `pages.build` first makes
   its referral service (`--baseline-referrals`, 20,000 by default; 0 to skip).

The searches timed: no filters, words, words with a category, day, Welsh and age, a day alone,
and page 50 of no filters; the service page; and the API's service lists, a search, a service and
the taxonomies. `--explain`, `--queries`, `--try-sql` and `--only` work as in pages.py.

See bench/README.md ("Community directory") for what is measured and the figures.
"""

import argparse
import datetime
import json
import random
import signal
import sys
import time
import uuid
from collections import Counter
from decimal import Decimal

import pages as bench

BATCH = bench.BATCH
PER_FEED_PAGE = 200


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=5000, help="services in the directory")
    parser.add_argument(
        "--import-services", type=int, default=1000, help="services in the feed (0: no import)"
    )
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument(
        "--baseline-referrals",
        type=int,
        default=20_000,
        help="referrals made by pages.py's builder, for its SQL baseline (0: none)",
    )
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--explain", action="store_true", help="print the query plan of each page's slowest queries"
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
    if args.services < 100 or args.sites < 1 or args.import_services < 0:
        parser.error("need at least 100 services and 1 site")
    if 0 < args.baseline_referrals < 100:
        parser.error("need no baseline referrals, or at least 100")
    return args


# --- What the directory is made of -------------------------------------------------------------

# fmt: off
# Ten areas of four towns (with their postcode districts); more sites go round them again.
AREAS = (
    ("North Powys", (("Newtown", "SY16"), ("Welshpool", "SY21"), ("Llanidloes", "SY18"),
                     ("Machynlleth", "SY20"))),
    ("South Powys", (("Brecon", "LD3"), ("Builth Wells", "LD2"), ("Llandrindod Wells", "LD1"),
                     ("Crickhowell", "NP8"))),
    ("Rhondda", (("Treorchy", "CF42"), ("Porth", "CF39"), ("Tonypandy", "CF40"),
                 ("Ferndale", "CF43"))),
    ("Cynon Taf", (("Aberdare", "CF44"), ("Mountain Ash", "CF45"), ("Pontypridd", "CF37"),
                   ("Llantrisant", "CF72"))),
    ("Ceredigion", (("Aberystwyth", "SY23"), ("Cardigan", "SA43"), ("Lampeter", "SA48"),
                    ("Aberaeron", "SA46"))),
    ("Gwynedd", (("Bangor", "LL57"), ("Caernarfon", "LL55"), ("Pwllheli", "LL53"),
                 ("Dolgellau", "LL40"))),
    ("Ynys Môn", (("Llangefni", "LL77"), ("Holyhead", "LL65"), ("Amlwch", "LL68"),
                  ("Beaumaris", "LL58"))),
    ("Carmarthenshire", (("Carmarthen", "SA31"), ("Llanelli", "SA15"), ("Ammanford", "SA18"),
                         ("Llandovery", "SA20"))),
    ("Gwent Valleys", (("Abergavenny", "NP7"), ("Ebbw Vale", "NP23"), ("Tredegar", "NP22"),
                       ("Blaenavon", "NP4"))),
    ("Conwy and Denbighshire", (("Conwy", "LL32"), ("Llandudno", "LL30"), ("Denbigh", "LL16"),
                                ("Ruthin", "LL15"))),
)

# 8 broad categories of 4 each: 40 terms. Each narrow one with what services of its kind are
# called ("Newtown walking group").
CATEGORIES = {
    "Social connection": {
        "Befriending": ("telephone befriending", "befriending service", "good neighbours scheme"),
        "Lunch clubs": ("lunch club", "friendship lunch", "over 60s luncheon club"),
        "Men's Sheds": ("Men's Shed", "community shed"),
        "Community cafés": ("community café", "memory café", "repair café"),
    },
    "Physical activity": {
        "Walking groups": ("walking group", "health walks", "Nordic walking group",
                           "walking netball"),
        "Exercise referral": ("exercise referral scheme", "cardiac rehab exercise"),
        "Chair-based exercise": ("chair-based exercise", "seated yoga", "falls prevention class"),
        "Swimming": ("aqua fit", "over 50s swim", "adult swimming lessons"),
    },
    "Arts and creativity": {
        "Singing and choirs": ("community choir", "singing for the brain", "ukulele group"),
        "Art classes": ("art group", "watercolour class", "arts on prescription"),
        "Crafts": ("knit and natter", "craft club", "woodturning group"),
        "Creative writing": ("creative writing group", "poetry circle"),
    },
    "Nature and green space": {
        "Community gardens": ("community garden", "therapeutic gardening", "growing group"),
        "Conservation volunteering": ("conservation volunteers", "tree planting group",
                                      "river clean-up"),
        "Allotments": ("allotment society", "starter allotments"),
        "Green gyms": ("green gym", "woodland wellbeing"),
    },
    "Learning and skills": {
        "Digital skills": ("digital drop-in", "tablet and smartphone help", "computer club"),
        "Reading groups": ("reading group", "shared reading", "library book club"),
        "Adult learning": ("adult learning courses", "family learning", "U3A group"),
        "Welsh for adults": ("Welsh for adults", "Welsh conversation group", "Paned a sgwrs"),
    },
    "Money and housing": {
        "Debt advice": ("debt advice", "money advice service"),
        "Benefits checks": ("benefits check", "welfare rights advice"),
        "Warm homes": ("warm homes advice", "energy advice", "warm hub"),
        "Housing advice": ("housing advice", "tenancy support"),
    },
    "Health and wellbeing": {
        "Mental health peer support": ("mental health peer support", "wellbeing course",
                                       "listening service"),
        "Bereavement support": ("bereavement support group", "bereavement counselling"),
        "Carers' support": ("carers' support group", "carers' sitting service"),
        "Weight management": ("weight management course", "healthy eating group"),
    },
    "Practical help": {
        "Food banks": ("food bank", "community pantry", "community fridge"),
        "Community transport": ("community transport", "dial-a-ride", "volunteer car scheme"),
        "Volunteering": ("volunteer centre", "time bank"),
        "Home repairs": ("care and repair", "handyperson service"),
    },
}
ORGANISATION_KINDS = (
    "Community Trust", "Voluntary Action", "Age Cymru", "Mind", "Rotary Club", "Leisure Centre",
    "Library Service", "Chapel", "Citizens Advice", "Carers Centre", "Ramblers",
    "Housing Association",
)
VENUES = (
    "Community Centre", "Library", "Leisure Centre", "Chapel Vestry", "Memorial Hall",
    "Church Hall", "Park Pavilion", "Miners' Institute", "Town Hall", "Family Centre",
)
STREETS = ("High Street", "Heol y Bont", "Station Road", "Church Street", "Bridge Street",
           "Stryd Fawr", "Park Road", "Broad Street")
AUDIENCES = (
    "for everyone", "for people over 50", "for carers", "for men", "for families",
    "for adults with a long-term condition", "for people who feel lonely", "for young adults",
)
EXTRAS = (
    "Within walking distance of the bus station.", "Tea and cake afterwards.",
    "Run by volunteers.", "Transport can be arranged.", "No need to book: just turn up.",
    "Please phone before your first visit.", "A small group, so it is easy to join in.",
    "Accessible for wheelchair users.", "Sessions in Welsh and English.",
    "Bring a friend or come on your own.",
)
NOTES = (
    "People we referred said the welcome was warm.", "The organiser is away in August.",
    "Parking is difficult on market day.", "Good for people who are anxious about groups.",
    "They ring back within a day.", "Minibus pick-up can be arranged for the Tuesday session.",
)
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# fmt: on


def towns_of(site_index: int):
    area, towns = AREAS[site_index % len(AREAS)]
    return area, towns


def random_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def service_name(rng: random.Random, town: str, term: str) -> str:
    phrase = rng.choice(CATEGORIES_BY_TERM[term])
    return f"{town} {phrase}"


def service_description(rng: random.Random, town: str, name: str) -> str:
    kind = name.removeprefix(town + " ")
    text = f"{kind[:1].upper()}{kind[1:]} in {town}, {rng.choice(AUDIENCES)}."
    return " ".join([text, *rng.sample(EXTRAS, 2)])


CATEGORIES_BY_TERM = {term: names for terms in CATEGORIES.values() for term, names in terms.items()}
PARENT_OF = {term: parent for parent, terms in CATEGORIES.items() for term in terms}


def pick_terms(rng: random.Random) -> list[str]:
    """1-3 categories: a narrow one (what the service is called after), sometimes its broad
    category or another narrow one."""
    main = rng.choice(list(CATEGORIES_BY_TERM))
    terms = [main]
    for _ in range(rng.choice((0, 1, 1, 2))):
        extra = PARENT_OF[main] if rng.random() < 0.5 else rng.choice(list(CATEGORIES_BY_TERM))
        if extra not in terms:
            terms.append(extra)
    return terms


def ages(rng: random.Random) -> tuple[int | None, int | None]:
    return rng.choice(
        [(None, None)] * 9 + [(18, None)] * 4 + [(50, None)] * 3 + [(16, 25)] * 2 + [(60, None)] * 2
    )


def schedule_times(rng: random.Random) -> tuple[datetime.time, datetime.time]:
    start = rng.choice((9, 10, 10, 11, 13, 14, 18, 19))
    return datetime.time(start, rng.choice((0, 30))), datetime.time(start + rng.choice((1, 2)), 0)


def weekly_days(rng: random.Random) -> str:
    return ",".join(
        sorted(rng.sample(DAY_CODES[:6], rng.choice((1, 1, 1, 2))), key=DAY_CODES.index)
    )


# --- Sites and staff ------------------------------------------------------------------------


class Directory:
    """Who the bench signs in as, and what it opens."""

    coordinator = None  # a link coordinator at the first site
    manager = None  # a service manager at the first site
    sites: list
    service_pks: list[int]
    service_uuids: list[str]
    filter_term_pk: int
    counts: dict[str, int]


def make_staff(args) -> Directory:
    """The sites, and a link coordinator and a service manager at the first. With
    --baseline-referrals, the sites are those of `pages.build`'s referral service, made first
    so that the SQL baseline (waiting referrals per site) runs over the same data as in
    pages.py."""
    from django.contrib.auth.hashers import make_password

    from linkwork.accounts.models import Role, User
    from linkwork.partners.models import Site

    if args.baseline_referrals:
        bench.build(
            argparse.Namespace(
                referrals=args.baseline_referrals,
                sites=args.sites,
                coordinators=6 * args.sites,
                seed=args.seed,
            )
        )
        sites = list(Site.objects.order_by("pk"))
    else:
        sites = Site.objects.bulk_create(
            Site(
                name=f"Bench site {i + 1:02d}",
                slug=f"bench-{i + 1:02d}",
                health_board="Bench University Health Board",
                setting=Site.Setting.RURAL,
            )
            for i in range(args.sites)
        )
    password = make_password(None)
    coordinator, manager = (
        User(
            username=f"directory_{role}",
            role=role,
            first_name="Directory",
            last_name=role.label,
            email=f"directory_{role}@bench.example",
            password=password,
        )
        for role in (Role.COORDINATOR, Role.MANAGER)
    )
    User.objects.bulk_create([coordinator, manager])
    User.sites.through.objects.bulk_create(
        User.sites.through(user_id=u.pk, site_id=sites[0].pk) for u in (coordinator, manager)
    )
    directory = Directory()
    directory.coordinator = coordinator
    directory.manager = manager
    directory.sites = sites
    return directory


# --- 1. The import ---------------------------------------------------------------------------


def oruk_feed(n: int, rng: random.Random):
    """A paginated ORUK feed of `n` full services (as the `/services/{id}` answer: everything
    nested), in pages of PER_FEED_PAGE, parsed from JSON as `importer.fetch` would. Answers
    (FeedPages, bytes of JSON)."""
    from linkwork.oruk.importer import FeedPages, load_json

    def uid() -> str:
        return str(random_uuid(rng))

    taxonomy = {
        "id": uid(),
        "name": "Bench social prescribing categories",
        "description": "What link coordinators refer people on to.",
        "uri": "https://directory.example.org/taxonomy",
        "version": "1.0",
    }

    def term(name: str, parent: dict | None) -> dict:
        data = {
            "id": uid(),
            "name": name,
            "description": f"Services for {name.lower()}.",
            "taxonomy": taxonomy["name"],
            "term": name,
            "taxonomy_id": taxonomy["id"],
            "code": name.lower().replace(" ", "-"),
            "language": "en",
            "taxonomy_detail": taxonomy,
        }
        if parent is not None:
            data["parent_id"] = parent["id"]
        return data

    terms = {}
    for parent, children in CATEGORIES.items():
        terms[parent] = term(parent, None)
        for child in children:
            terms[child] = term(child, terms[parent])

    def address(town: str, outward: str, county: str) -> dict:
        return {
            "id": uid(),
            "address_1": f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
            "city": town,
            "state_province": county,
            "postal_code": f"{outward} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
            "country": "GB",
            "address_type": "physical",
        }

    # Organisations, each in a town with one or two places services run at.
    organisations = []
    for i in range(max(4, n // 4)):
        county, towns = towns_of(i)
        town, outward = towns[(i // len(AREAS)) % len(towns)]
        kind = ORGANISATION_KINDS[(i // (4 * len(AREAS))) % len(ORGANISATION_KINDS)]
        org_id = uid()
        places = []
        for venue in rng.sample(VENUES, rng.choice((1, 1, 2))):
            places.append(
                {
                    "id": uid(),
                    "organization_id": org_id,
                    "location_type": "physical",
                    "name": f"{town} {venue}",
                    "description": f"The {venue.lower()} in {town}.",
                    "latitude": round(51.5 + rng.random() * 1.8, 6),
                    "longitude": round(-4.6 + rng.random() * 1.7, 6),
                    "addresses": [address(town, outward, county)],
                    "accessibility": [
                        {"id": uid(), "description": "Step-free access and an accessible toilet."}
                    ],
                    "phones": [],
                    "schedules": [],
                    "languages": [],
                }
            )
        organisations.append(
            (
                {
                    "id": org_id,
                    "name": f"{town} {kind}" + (f" {i // 120 + 1}" if i >= 120 else ""),
                    "description": f"A {kind.lower()} in {town}.",
                    "email": f"hello{i}@org.example.org",
                    "website": f"https://org{i}.example.org/",
                    "legal_status": "Registered charity",
                    "organization_identifiers": [
                        {
                            "id": uid(),
                            "identifier_scheme": "GB-CHC",
                            "identifier_type": "Charity number",
                            "identifier": str(1_100_000 + i),
                        }
                    ],
                },
                town,
                county,
                places,
            )
        )

    services = []
    for i in range(n):
        org, town, county, places = organisations[i % len(organisations)]
        categories = pick_terms(rng)
        name = service_name(rng, town, categories[0])
        low, high = ages(rng)
        welsh = rng.random() < 1 / 3
        status = rng.choices(
            ("active", "inactive", "temporarily closed", "defunct"), (85, 5, 5, 5)
        )[0]
        schedules = []
        for _ in range(rng.choice((1, 1, 2))):
            opens, closes = schedule_times(rng)
            schedules.append(
                {
                    "id": uid(),
                    "freq": "WEEKLY",
                    "interval": 1,
                    "byday": weekly_days(rng),
                    "opens_at": opens.isoformat(),
                    "closes_at": closes.isoformat(),
                    "description": "Drop in, no need to book.",
                }
            )
        free = rng.random() < 0.55
        costs = [
            {
                "id": uid(),
                "option": "Free" if free else "Per session",
                "amount": 0 if free else rng.choice((2, 2.5, 3, 4, 5, 7.5)),
                "currency": "GBP",
            }
        ]
        service = {
            "id": uid(),
            "name": name,
            "description": service_description(rng, town, name),
            "url": f"https://org{i % len(organisations)}.example.org/service/{i}",
            "email": f"service{i}@org.example.org",
            "status": status,
            "fees_description": "" if free else "A small charge per session.",
            "eligibility_description": rng.choice(AUDIENCES).removeprefix("for ").capitalize(),
            "application_process": "Phone or email to book a place.",
            "last_modified": "2026-11-01T09:00:00.000Z",
            "organization": org,
            "service_at_locations": [
                {"id": uid(), "location": place}
                for place in rng.sample(places, rng.choice((1, len(places))))
            ],
            "schedules": schedules,
            "service_areas": [{"id": uid(), "name": town, "service_area": town}]
            + ([{"id": uid(), "name": county, "service_area": county}] if i % 2 else []),
            "languages": [{"id": uid(), "name": "English", "code": "en"}]
            + ([{"id": uid(), "name": "Welsh", "code": "cy"}] if welsh else []),
            "funding": [],
            "cost_options": costs,
            "contacts": [
                {
                    "id": uid(),
                    "name": "Volunteer coordinator",
                    "email": f"volunteers{i}@org.example.org",
                    "phones": [{"id": uid(), "number": f"01632 960{i % 1000:03d}"}],
                }
            ]
            if i % 3 == 0
            else [],
            "phones": [{"id": uid(), "number": f"01632 961{i % 1000:03d}"}],
            "attributes": [
                {
                    "id": uid(),
                    "taxonomy_term_id": terms[category]["id"],
                    "link_type": "service_category",
                    "taxonomy_term": terms[category],
                }
                for category in categories
            ],
        }
        if low is not None:
            service["minimum_age"] = low
        if high is not None:
            service["maximum_age"] = high
        services.append(service)

    total_pages = -(-n // PER_FEED_PAGE)
    pages, size = FeedPages(), 0
    for number in range(1, total_pages + 1):
        contents = services[(number - 1) * PER_FEED_PAGE : number * PER_FEED_PAGE]
        text = json.dumps(
            {
                "total_items": n,
                "total_pages": total_pages,
                "page_number": number,
                "size": len(contents),
                "first_page": number == 1,
                "last_page": number == total_pages,
                "empty": False,
                "contents": contents,
            }
        ).encode()
        size += len(text)
        pages.append(load_json(text))
    return pages, size


class Stages:
    """When the importer's progress reports each stage: the time split of one import."""

    def __init__(self):
        self.start = time.perf_counter()
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        self.first.setdefault(stage, now)
        self.last[stage] = now

    def split(self, end: float) -> dict[str, float]:
        checking = self.first.get("checking", end)
        checked = self.last.get("checking", checking)
        saved = self.last.get("saving", checked)
        return {
            "collect": checking - self.start,
            "check": checked - checking,
            "save": saved - checked,
            "finish": end - saved,
        }


def time_import(feed, by) -> dict:
    from linkwork.oruk.importer import run_import

    stages = Stages()
    with bench.counting_queries() as count:
        report = run_import(
            feed, by=by, source="https://directory.example.org/api/services", progress=stages
        )
    end = time.perf_counter()
    if report.failed:
        raise RuntimeError(f"the import failed: {report.error}")
    by_kind = Counter((entry["kind"], entry["result"]) for entry in report.entries)
    return {
        "seconds": end - stages.start,
        "queries": count[0],
        "stages": stages.split(end),
        "counts": report.counts,
        "by_kind": by_kind,
        "report": report,
    }


def run_imports(directory: Directory, args) -> None:
    from linkwork.directory.models import Service
    from linkwork.oruk.importer import describe, totals_line

    rng = random.Random(args.seed + 1)
    started = time.perf_counter()
    feed, size = oruk_feed(args.import_services, rng)
    made = time.perf_counter() - started
    kinds = describe(feed)
    print(
        f"\nORUK import: a feed of {len(feed)} pages of up to {PER_FEED_PAGE} full services "
        f"({size / 1e6:.1f} MB of JSON, made and parsed in {made:.1f} s): "
        + ", ".join(f"{v} {k}" for k, v in kinds.items())
        + "; details nested in them"
    )
    first = time_import(feed, directory.manager)
    assert Service.objects.count() == args.import_services, "not every service was imported"
    again = time_import(feed, directory.manager)
    n = args.import_services
    header = (
        f"{'run':<26}{'seconds':>9}{'services/s':>12}{'queries':>9}"
        f"{'collect':>9}{'check':>8}{'save':>8}{'finish':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, r in (("into an empty directory", first), ("the same feed again", again)):
        s = r["stages"]
        print(
            f"{name:<26}{r['seconds']:>9.2f}{n / r['seconds']:>12.0f}{r['queries']:>9}"
            f"{s['collect']:>9.2f}{s['check']:>8.2f}{s['save']:>8.2f}{s['finish']:>8.2f}"
        )
    print("stages in seconds: collect (and look up existing ids), check, save, finish (report,")
    print("audit line and commit); queries: SQL statements of the whole import")
    for name, r in (("first", first), ("again", again)):
        kinds = ", ".join(
            f"{count} {kind} {result}" for (kind, result), count in sorted(r["by_kind"].items())
        )
        print(f"reported, {name}: {totals_line(r['counts'])} ({kinds})")
    changed = [e for e in again["report"].entries if e["result"] not in ("unchanged", "")]
    if changed:
        print(f"NOT IDEMPOTENT: the second run changed {len(changed)} records, for example:")
        for entry in changed[:5]:
            print(f"  {entry['kind']} {entry['id']}: {entry['result']} {entry['messages'][:2]}")


def wipe_directory() -> None:
    """Remove every directory row (the imported directory) before building the big one. The
    availability history is append-only: a plain QuerySet, as `demo.service.wipe` does."""
    from django.db.models import QuerySet

    from linkwork.audit.guard import suspended
    from linkwork.demo.directory import DIRECTORY_MODELS

    with suspended():
        for model in DIRECTORY_MODELS:
            QuerySet(model).delete()


# --- 2. The synthetic directory -----------------------------------------------------------------


def build(directory: Directory, args) -> None:
    from django.db import transaction
    from django.utils import timezone

    from linkwork.directory import models as m
    from linkwork.directory.models import Availability

    rng = random.Random(args.seed)
    today = timezone.localdate()
    now = timezone.now()
    day = datetime.timedelta(days=1)
    staff = [directory.coordinator, directory.manager]
    sites = directory.sites

    with transaction.atomic():
        taxonomy = m.Taxonomy.objects.create(
            name="Bench social prescribing categories", description="Bench.", version="1.0"
        )
        terms = {}
        for parent, children in CATEGORIES.items():
            terms[parent] = m.TaxonomyTerm.objects.create(
                name=parent, code=parent.lower(), taxonomy=taxonomy, language="en"
            )
            m.TaxonomyTerm.objects.bulk_create(
                m.TaxonomyTerm(
                    name=child,
                    code=child.lower(),
                    taxonomy=taxonomy,
                    language="en",
                    parent=terms[parent],
                )
                for child in children
            )
        terms = {t.name: t for t in m.TaxonomyTerm.objects.all()}

        # Organisations: a quarter as many as services, round the sites' towns; a few Wales-wide.
        organisations = []
        for i in range(max(len(sites), args.services // 4)):
            site_index = i % len(sites)
            _area, towns = towns_of(site_index)
            town = towns[(i // len(sites)) % len(towns)][0]
            kind = ORGANISATION_KINDS[(i // (len(sites) * len(towns))) % len(ORGANISATION_KINDS)]
            org = m.Organization(
                name=f"{town} {kind}" + (f" {i // 480 + 1}" if i >= 480 else ""),
                description=f"A {kind.lower()} in {town}.",
                email=f"hello{i}@org.example.org",
                website=f"https://org{i}.example.org/",
                legal_status="Registered charity",
            )
            org.bench_site, org.bench_town = site_index, town
            organisations.append(org)
        m.Organization.objects.bulk_create(organisations, batch_size=BATCH)
        by_site = {}
        for org in organisations:
            by_site.setdefault(org.bench_site, []).append(org)

        services, rows = [], {model: [] for model in (m.Location, m.Address)}
        for i in range(args.services):
            everywhere = rng.random() < 0.15  # serves every site: lists none
            site_index = rng.randrange(len(sites))
            org = rng.choice(by_site[site_index])
            area, towns = towns_of(site_index)
            town, outward = next(t for t in towns if t[0] == org.bench_town)
            categories = pick_terms(rng)
            name = service_name(rng, town, categories[0])
            low, high = ages(rng)
            availability = rng.choices(Availability.values, (80, 10, 6, 4))[0]
            created = now - rng.uniform(60, 1100) * day
            service = m.Service(
                organization=org,
                name=name,
                description=service_description(rng, town, name),
                url=f"https://org{org.pk}.example.org/service/{i}",
                email=f"service{i}@org.example.org",
                fees_description="",
                eligibility_description=rng.choice(AUDIENCES).removeprefix("for ").capitalize(),
                minimum_age=low,
                maximum_age=high,
                availability=availability,
                availability_note="Waiting list of 4 weeks." if availability == "limited" else "",
                referral_method=rng.choice(m.ReferralMethod.values),
                referral_contact="Phone the organiser.",
                referral_email=f"referrals{i}@org.example.org",
                maintained_by=org.name,
                last_checked_on=today - rng.randrange(400) * day,
                last_checked_by=directory.manager,
                created_at=created,
                last_modified=created + (now - created) * rng.random(),
            )
            service.bench = {
                "everywhere": everywhere,
                "site": site_index,
                "area": "Wales" if everywhere else area,
                "town": town,
                "categories": categories,
                "welsh": rng.random() < 1 / 3,
            }
            services.append(service)
            location = m.Location(
                organization=org,
                name=f"{town} {rng.choice(VENUES)}",
                latitude=Decimal(f"{51.5 + rng.random() * 1.8:.6f}"),
                longitude=Decimal(f"{-4.6 + rng.random() * 1.7:.6f}"),
            )
            rows[m.Location].append(location)
            rows[m.Address].append(
                m.Address(
                    location=location,
                    address_1=f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
                    city=town,
                    state_province=area,
                    postal_code=f"{outward} {rng.randint(1, 9)}AB",
                )
            )
        m.Service.objects.bulk_create(services, batch_size=BATCH)
        m.Location.objects.bulk_create(rows[m.Location], batch_size=BATCH)
        m.Address.objects.bulk_create(rows[m.Address], batch_size=BATCH)
        m.Service.sites.through.objects.bulk_create(
            (
                m.Service.sites.through(service_id=s.pk, site_id=sites[s.bench["site"]].pk)
                for s in services
                if not s.bench["everywhere"]
            ),
            batch_size=BATCH,
        )

        details = {
            model: []
            for model in (
                m.ServiceAtLocation,
                m.ServiceAttribute,
                m.Schedule,
                m.Language,
                m.CostOption,
                m.ServiceArea,
                m.Phone,
                m.AvailabilityChange,
                m.LocalNote,
            )
        }
        for i, (service, location) in enumerate(zip(services, rows[m.Location], strict=True)):
            b = service.bench
            details[m.ServiceAtLocation].append(
                m.ServiceAtLocation(service=service, location=location)
            )
            for category in b["categories"]:
                details[m.ServiceAttribute].append(
                    m.ServiceAttribute(
                        service=service, taxonomy_term=terms[category], link_type="category"
                    )
                )
            for _ in range(rng.choice((1, 1, 2))):
                opens, closes = schedule_times(rng)
                details[m.Schedule].append(
                    m.Schedule(
                        service=service,
                        freq="WEEKLY",
                        interval=1,
                        byday=weekly_days(rng),
                        opens_at=opens,
                        closes_at=closes,
                        description="Drop in, no need to book.",
                    )
                )
            details[m.Language].append(m.Language(service=service, name="English", code="en"))
            if b["welsh"]:
                details[m.Language].append(m.Language(service=service, name="Welsh", code="cy"))
            free = rng.random() < 0.55
            details[m.CostOption].append(
                m.CostOption(
                    service=service,
                    option="Free" if free else "Per session",
                    amount=Decimal(0) if free else Decimal(rng.choice(("2", "2.5", "3", "5"))),
                    currency="GBP",
                )
            )
            if not free and rng.random() < 0.3:
                details[m.CostOption].append(
                    m.CostOption(service=service, option="Concessions", amount=Decimal("1.50"))
                )
            details[m.ServiceArea].append(m.ServiceArea(service=service, name=b["town"]))
            if i % 2:
                details[m.ServiceArea].append(m.ServiceArea(service=service, name=b["area"]))
            details[m.Phone].append(m.Phone(service=service, number=f"01632 960{i % 1000:03d}"))
            # Availability history: 1-4 changes, ending in the current availability.
            changes = rng.randint(1, 4)
            when = sorted(
                service.created_at + (now - service.created_at) * rng.random()
                for _ in range(changes - 1)
            )
            states = [Availability.OPEN] + [
                rng.choice(Availability.values[:3]) for _ in range(changes - 2)
            ]
            states = (states + [service.availability])[-changes:]
            for at, state in zip([service.created_at, *when], states, strict=True):
                details[m.AvailabilityChange].append(
                    m.AvailabilityChange(
                        service=service,
                        availability=state,
                        effective_on=timezone.localdate(at),
                        recorded_at=at,
                        recorded_by=directory.manager,
                    )
                )
            if rng.random() < 0.06:
                for _ in range(rng.randint(1, 3)):
                    details[m.LocalNote].append(
                        m.LocalNote(
                            service=service,
                            text=rng.choice(NOTES),
                            author=rng.choice(staff),
                            created_at=service.created_at
                            + (now - service.created_at) * rng.random(),
                        )
                    )
        for model, objs in details.items():
            model.objects.bulk_create(objs, batch_size=BATCH)

    check(services, details)
    # What the pages open: the services with the most on their page, serving the first site.
    home = [s for s in services if s.bench["everywhere"] or s.bench["site"] == 0]
    home.sort(key=lambda s: (len(s.bench["categories"]), s.pk), reverse=True)
    richest = sorted(services, key=lambda s: (len(s.bench["categories"]), s.pk), reverse=True)
    directory.service_pks = [s.pk for s in home[:10]]
    directory.service_uuids = [str(s.uuid) for s in richest[:10]]
    directory.filter_term_pk = terms["Physical activity"].pk
    welsh = sum(s.bench["welsh"] for s in services)
    directory.counts = {
        "sites": len(sites),
        "services": len(services),
        "serving every site": sum(s.bench["everywhere"] for s in services),
        "serving the coordinator's site": len(home),
        "organisations": len(organisations),
        "categories": len(terms),
        "locations": len(rows[m.Location]),
        "in Welsh": welsh,
        **{
            model._meta.verbose_name_plural: len(objs)
            for model, objs in details.items()
            if model is not m.ServiceAtLocation
        },
    }


def check(services, details) -> None:
    """The synthetic directory is one the app could have made."""
    from linkwork.directory.models import AvailabilityChange, Service

    assert Service.objects.count() == len(services)
    latest = {}
    for change in sorted(details[AvailabilityChange], key=lambda c: c.recorded_at):
        latest[change.service_id] = change.availability
    assert all(latest[s.pk] == s.availability for s in services)
    for s in services:
        assert s.minimum_age is None or s.maximum_age is None or s.minimum_age <= s.maximum_age


# --- Measuring --------------------------------------------------------------------------------


def directory_pages(directory: Directory) -> dict:
    """The pages measured, by name (`pages.run`, `show_queries` and `explain` read this)."""
    from django.test import Client

    coordinator = Client()
    coordinator.force_login(directory.coordinator)
    anyone = Client()
    filtered = f"?q=walking+group&category={directory.filter_term_pk}&day=TU&welsh=on&age=70"
    return {
        "search": bench.get(coordinator, ["/directory/"]),
        "search words": bench.get(coordinator, ["/directory/?q=walking+group"]),
        "search filtered": bench.get(coordinator, ["/directory/" + filtered]),
        "search day": bench.get(coordinator, ["/directory/?day=TU"]),
        "search page 50": bench.get(coordinator, ["/directory/?page=50"]),
        "service page": bench.get(
            coordinator, [f"/directory/services/{pk}/" for pk in directory.service_pks]
        ),
        "api services 50": bench.get(anyone, ["/api/oruk/services?per_page=50"]),
        "api services 200": bench.get(anyone, ["/api/oruk/services?per_page=200"]),
        "api search": bench.get(anyone, ["/api/oruk/services?search=walking"]),
        "api service": bench.get(
            anyone, [f"/api/oruk/services/{key}" for key in directory.service_uuids]
        ),
        "api taxonomies": bench.get(anyone, ["/api/oruk/taxonomies"]),
    }


def result_counts(directory: Directory) -> str:
    """How many services the searches find (what the pages have to sort), and the API's."""
    from django.test import Client

    from linkwork.accounts.queries import sites_for
    from linkwork.directory.models import Service, TaxonomyTerm
    from linkwork.directory.search import Criteria, search

    sites = sites_for(directory.coordinator)
    category = TaxonomyTerm.objects.get(pk=directory.filter_term_pk)
    found = {
        "no filters": Criteria(sites=sites),
        "walking group": Criteria(words="walking group", sites=sites),
        "filtered": Criteria(
            words="walking group", category=category, day="TU", welsh=True, age=70, sites=sites
        ),
        "day": Criteria(day="TU", sites=sites),
    }
    counts = ", ".join(f"{name} {search(c).count()}" for name, c in found.items())
    api = Client().get("/api/oruk/services?search=walking&per_page=1").json()["total_items"]
    return (
        f"search results: {counts} (of {Service.objects.count()} services); "
        f"API search=walking: {api}"
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    database = bench.BenchDatabase()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # `pages.run`, `show_queries` and `explain` measure whatever `pages.pages` answers.
    bench.pages = directory_pages
    try:
        started = time.perf_counter()
        bench.start_django(database.create())
        from django.db import connection
        from django.test.utils import override_settings

        migrated = time.perf_counter()
        directory = make_staff(args)
        if database.postgres:
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        staffed = time.perf_counter()
        print(f"Linkwork directory bench: {bench.describe_machine()}")
        print(
            f"database made and migrated in {migrated - started:.1f} s; sites, staff and "
            f"{args.baseline_referrals} referrals (for the SQL baseline) in "
            f"{staffed - migrated:.1f} s"
        )
        if args.import_services:
            run_imports(directory, args)
            wipe_directory()

        built_from = time.perf_counter()
        build(directory, args)
        if database.postgres:
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")  # as autovacuum would have by now
        built = time.perf_counter()
        print(f"\nDirectory built in {built - built_from:.1f} s: ", end="")
        print(", ".join(f"{v} {k}" for k, v in directory.counts.items()))
        # The public API's rate limit (600 a minute per address) stays on, raised above what
        # the bench asks for.
        with override_settings(ORUK_API_RATE="1000000/m"):
            print(result_counts(directory))
            print(
                f"{args.requests} timed requests per page after {args.warmup} untimed; search "
                f"and service pages as a link coordinator at one site, the API anonymously; "
                f"latency through Django's test client"
            )
            results = bench.run(directory, args)
            bench.print_table(results, "Directory pages and API")
            if args.queries:
                bench.show_queries(directory, args)
            if args.explain:
                bench.explain(directory, args)
            if args.try_sql:
                with connection.cursor() as cursor:
                    for sql in args.try_sql:
                        print(f"\n{sql}")
                        cursor.execute(sql)
                    if database.postgres:
                        cursor.execute("ANALYZE")
                after = bench.run(directory, args)
                title = "Directory, after: " + "; ".join(args.try_sql)
                bench.print_table(after, title, before=results)
                if args.explain:
                    bench.explain(directory, args)
        print(f"\ntotal {time.perf_counter() - started:.0f} s")
    finally:
        database.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

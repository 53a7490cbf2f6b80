"""Reach: who the service reaches compared with who is referred to it, by age band, frequent
attendance, pathway, area (postcode district) and preferred language. "Reached" means supported
by a link coordinator: allocated at some time."""

from __future__ import annotations

from collections import defaultdict

from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import (
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    Length,
    StrIndex,
    Substr,
    Trim,
    TruncDate,
    Upper,
)
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext as _

from linkwork.core import charts
from linkwork.referrals.models import Allocation, Language, Pathway

from .. import data
from ..figures import Dashboard, Row, Section, Table
from .context import Context

AGE_BANDS = ((18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 74), (75, None))


def build(ctx: Context) -> Dashboard:
    groups = _referred(ctx)
    f = ctx.figures
    referred = sum(n for n, _reached in groups["frequent_attender"].values())
    reached = sum(r for _n, r in groups["frequent_attender"].values())
    overview = Section(
        "overview",
        _("Referred and reached"),
        figures=[
            f.count("referred", _("People referred"), referred, ctx.link("received")),
            f.share("reached", _("Supported by a link coordinator"), reached, referred),
        ],
        notes=[
            _(
                "Everyone referred in the period, and those of them who have been supported by "
                "a link coordinator so far. A group whose share of those reached is much "
                "smaller than its share of those referred is being lost between referral and "
                "support."
            )
        ],
    )
    several = ctx.several_sites
    pathways = {
        p.pk: (f"{p.name} ({p.site.name})" if several else p.name)
        for p in Pathway.objects.filter(pk__in=groups["pathway"]).select_related("site")
    }
    languages = dict(Language.choices)
    dimensions = [
        ("age", _("Age at referral"), _age_band),
        (
            "frequent_attender",
            _("Frequent attenders"),
            lambda frequent: _("Frequent attender") if frequent else _("Not a frequent attender"),
        ),
        ("pathway", _("Pathway"), lambda pk: pathways.get(pk, "")),
        ("area", _("Area (postcode district)"), _district_label),
        (
            "language",
            _("Preferred language"),
            lambda code: str(languages.get(code, code or _("Not known"))),
        ),
    ]
    sections = [overview]
    for key, title, label_of in dimensions:
        by_label = defaultdict(lambda: [0, 0])
        for group, (n, r) in groups[key].items():
            counts = by_label[label_of(group)]
            counts[0] += n
            counts[1] += r
        sections.append(_dimension(ctx, key, title, by_label))
    return Dashboard(
        "reach",
        _("Reach"),
        _(
            "Who is referred, and who the service reaches, by age, frequent attendance, pathway, "
            "area and language."
        ),
        sections,
    )


class AgeOn(Func):
    """Age in whole years on a date: `AgeOn(day, date_of_birth)`. The years between the two
    less one if the birthday was still to come that year, as `Person.age_on` counts; on
    PostgreSQL its own `age()`, which counts the same way and costs less than the parts."""

    output_field = IntegerField()

    def __init__(self, day, born):
        super().__init__(day, born)

    def as_sql(self, compiler, connection, **extra_context):
        day, born = self.get_source_expressions()
        birthday_to_come = GreaterThan(
            ExtractMonth(born) * 100 + ExtractDay(born),
            ExtractMonth(day) * 100 + ExtractDay(day),
        )
        years = (
            ExtractYear(day)
            - ExtractYear(born)
            - Case(When(birthday_to_come, then=Value(1)), default=Value(0))
        )
        return compiler.compile(years.resolve_expression(compiler.query))

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(date_part('year', age(%(expressions)s)) AS integer)",
            **extra_context,
        )


def _facts() -> dict:
    """What reach counts each referral by, as expressions on the referral: age at referral (on
    the day it was received, where the service is), frequent attendance, pathway, postcode
    district and preferred language."""
    age = AgeOn(TruncDate("received_at"), F("person__date_of_birth"))
    # The outward code as `_district` finds it: the postcode trimmed, up to its space or
    # without its last three characters (unless it is four characters or fewer: an outward
    # code alone), in capitals. Worked out here only for postcodes of
    # letters, digits and spaces (every one the forms save), where SQL's TRIM and UPPER do what
    # Python's strip() and upper() do, on both databases; any other is returned whole
    # (`odd_postcode`) for `_district` itself. (\Z, not $: Python's $, SQLite's REGEXP, also
    # matches before a final newline.)
    plain = Q(person__postcode__regex=r"^[0-9A-Za-z ]*\Z")
    postcode = Trim("person__postcode")
    space = StrIndex(postcode, Value(" "))
    district = Case(
        When(~plain, then=Value(None)),
        default=Upper(
            Case(
                When(GreaterThan(space, 0), then=Substr(postcode, 1, space - 1)),
                # Four characters or fewer without a space is an outward code on its own
                # (as an anonymised record keeps it, decision 0027).
                When(
                    GreaterThan(Length(postcode), 4),
                    then=Substr(postcode, 1, Length(postcode) - 3),
                ),
                default=postcode,
            )
        ),
        output_field=CharField(),
    )
    odd_postcode = Case(When(plain, then=Value(None)), default=F("person__postcode"))
    return {
        "age": [("age", age)],
        "frequent_attender": [("frequent", F("frequent_attender"))],
        "pathway": [("route", F("pathway_id"))],
        "area": [("district", district), ("odd_postcode", odd_postcode)],
        "language": [("language_code", F("person__preferred_language"))],
    }


def _referred(ctx: Context, grouping_sets: bool | None = None) -> dict[str, dict]:
    """For each of reach's dimensions: each group's (referred, reached) among the referrals
    received in the period, counted in the database. "Reached": allocated at some time.

    On PostgreSQL one pass with GROUPING SETS; elsewhere (SQLite) one grouped query per
    dimension. `grouping_sets` forces the choice (the tests compare the two)."""
    received = data.received(ctx.scope, ctx.filters).order_by()
    facts = _facts()
    if grouping_sets is None:
        grouping_sets = connections[received.db].vendor == "postgresql"
    if grouping_sets:
        return _grouping_sets(received, facts)
    received = received.annotate(reached=Exists(Allocation.objects.filter(referral=OuterRef("pk"))))
    groups = {}
    for key, columns in facts.items():
        names = [name for name, _expression in columns]
        rows = (
            received.annotate(**dict(columns))
            .values(*names)
            .annotate(n=Count("pk"), reached_n=Count("pk", filter=Q(reached=True)))
            .values_list(*names, "n", "reached_n")
        )
        groups[key] = {_group(row[: len(names)]): (row[-2], row[-1]) for row in rows}
    return groups


def _group(values: tuple):
    return values if len(values) > 1 else values[0]


def _grouping_sets(received: QuerySet, facts: dict) -> dict[str, dict]:
    """The same counts in one pass over the referrals: the grouped queries' columns as one
    derived table, grouped by each dimension's columns at once (PostgreSQL's GROUPING SETS;
    `GROUPING(...)` tells the rows of each set apart). Who was reached comes from a hash join
    to the allocated referrals, not an EXISTS looked up for each referral (at 230,000
    referrals that was a third of the query, and kept it from running in parallel)."""
    connection = connections[received.db]
    quote = connection.ops.quote_name
    names = [name for columns in facts.values() for name, _expression in columns]
    inner = received.annotate(
        referral=F("pk"),
        **{name: expression for columns in facts.values() for name, expression in columns},
    ).values(*names, "referral")
    inner_sql, inner_params = inner.query.get_compiler(using=received.db).as_sql()
    # The allocations of these referrals only (for one site, a small part of the table).
    allocated, allocated_params = (
        Allocation.objects.filter(referral__in=received.values("pk"))
        .order_by()
        .values("referral_id")
        .distinct()
        .query.get_compiler(using=received.db)
        .as_sql()
    )
    params = [*inner_params, *allocated_params]
    quoted = {name: f"facts.{quote(name)}" for name in names}
    sets = ", ".join(
        "(" + ", ".join(quoted[name] for name, _e in columns) + ")" for columns in facts.values()
    )
    # GROUPING(all columns): a bit per column, the first the highest, set where the row's
    # grouping set does not group by that column.
    ungrouped = {
        key: sum(
            1 << (len(names) - 1 - i)
            for i, name in enumerate(names)
            if name not in {n for n, _e in columns}
        )
        for key, columns in facts.items()
    }
    all_columns = ", ".join(quoted.values())
    sql = (
        f"SELECT GROUPING({all_columns}), {all_columns}, COUNT(*),"  # noqa: S608 - no input
        f" COUNT(allocated.referral_id) FROM ({inner_sql}) facts"
        f" LEFT JOIN ({allocated}) allocated ON allocated.referral_id = facts.referral"
        f" GROUP BY GROUPING SETS ({sets})"
    )
    which = {bits: key for key, bits in ungrouped.items()}
    positions = {key: [names.index(n) for n, _e in columns] for key, columns in facts.items()}
    groups = {key: {} for key in facts}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for bits, *values, n, reached in cursor.fetchall():
            key = which[bits]
            groups[key][_group(tuple(values[i] for i in positions[key]))] = (n, reached)
    return groups


def _age_band(age: int) -> str:
    for low, high in AGE_BANDS:
        if high is None and age >= low:
            return _("%(low)s and over") % {"low": low}
        if high is not None and low <= age <= high:
            return f"{low}–{high}"
    return _("Under %(age)s") % {"age": AGE_BANDS[0][0]}


def _district_label(group: tuple[str | None, str | None]) -> str:
    district, odd_postcode = group
    if district is None:
        return _district(odd_postcode)
    return district or _("Not known")


def _district(postcode: str | None) -> str:
    """The outward code of the postcode ("SY18"), or "Not known"."""
    postcode = (postcode or "").strip().upper()
    if not postcode:
        return _("Not known")
    if " " in postcode:
        return postcode.split()[0]
    return postcode[:-3] if len(postcode) > 4 else postcode


def _dimension(ctx: Context, key: str, title: str, groups: dict[str, list[int]]) -> Section:
    f = ctx.figures
    referred = {group: n for group, (n, _r) in groups.items()}
    reached = {group: r for group, (_n, r) in groups.items()}
    total_referred, total_reached = sum(referred.values()), sum(reached.values())
    groups = sorted(referred, key=lambda g: (key != "age" and -referred[g], g))
    rows, bars = [], []
    referred_label, reached_label = _("Share of those referred"), _("Share of those reached")
    for group in groups:
        share_referred = f.rate("share_referred", referred_label, referred[group], total_referred)
        share_reached = f.rate("share_reached", reached_label, reached[group], total_reached)
        rows.append(
            Row(
                group,
                [
                    f.count("referred", _("Referred"), referred[group]),
                    f.count("reached", _("Reached"), reached[group]),
                    f.rate("reach_rate", _("Reach rate"), reached[group], referred[group]),
                    share_referred,
                    share_reached,
                ],
                group,
            )
        )
        bars.append(share_referred.bar(group, series=referred_label))
        bars.append(share_reached.bar(group, series=reached_label))
    chart = charts.bar_chart(
        title=_("%(title)s: share of those referred and of those reached") % {"title": title},
        summary=_(
            "Each group's share of the %(referred)s people referred, beside its share of the "
            "%(reached)s reached."
        )
        % {
            "referred": f.count("", "", total_referred).text,
            "reached": f.count("", "", total_reached).text,
        },
        bars=bars,
        label_title=title,
        value_title=_("Share"),
        percent=True,
        grouped=True,
    )
    table = Table(
        f"reach_by_{key}",
        _("%(title)s: referred and reached") % {"title": title},
        [title, _("Referred"), _("Reached"), _("Reach rate"), referred_label, reached_label],
        rows,
    )
    return Section(key, title, charts=[chart], tables=[table])

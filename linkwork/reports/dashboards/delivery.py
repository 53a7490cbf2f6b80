"""Delivery: caseloads against their caps over time, contacts per person, how contacts happened
(face to face, telephone, video) month by month, the did-not-attend rate, and how long support
lasted against the plan, with extensions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from linkwork.accounts.models import User
from linkwork.casework.models import (
    Closure,
    Contact,
    ContactDay,
    ContactMode,
    ContactOutcome,
    PlanExtension,
)
from linkwork.core import charts
from linkwork.core.months import add_months, month_of, start_of
from linkwork.referrals.models import Allocation

from .. import data, spread
from ..figures import Dashboard, Row, Section, Table
from ..spread import DaysFrom, Spread
from .context import Context, comparison

# Modes grouped as the evaluation asks: in person, by telephone, by video, in writing.
MODE_GROUPS = {
    ContactMode.HOME_VISIT: "in_person",
    ContactMode.FACE_TO_FACE: "in_person",
    ContactMode.ACCOMPANIED: "in_person",
    ContactMode.TELEPHONE: "telephone",
    ContactMode.VIDEO: "video",
    ContactMode.TEXT_OR_EMAIL: "writing",
}
TOOK_PLACE = (ContactOutcome.ATTENDED,)
LENGTH_BANDS = (4, 8, 12, 16)  # weeks: up to 4, 4 to 8, ... and over 16
# Caseloads over time get a line per link coordinator up to this many; more are added up.
LINES_CHARTED = 12


def mode_names() -> dict[str, str]:
    return {
        "in_person": _("Face to face"),
        "telephone": _("Telephone"),
        "video": _("Video"),
        "writing": _("Text or email"),
    }


def build(ctx: Context) -> Dashboard:
    sections = [_caseloads(ctx), _contacts(ctx), _length(ctx)]
    if ctx.filters.periods():
        sections.append(_comparison(ctx))
    return Dashboard(
        "delivery",
        _("Delivery"),
        _(
            "Caseloads against their caps, contacts per person, how contacts happened month by "
            "month, missed appointments, and how long support lasted against the plan."
        ),
        sections,
    )


def contacts_in(ctx: Context, start=None, end=None):
    return data.of_scope(
        Contact.objects.filter(at__gte=start or ctx.filters.start, at__lt=end or ctx.filters.end),
        ctx.scope,
        ctx.filters,
    )


def contact_counts(ctx: Context, start=None, end=None) -> list[dict]:
    """Contacts that took place or were missed (not those still booked) in the period, counted
    by month, mode and outcome: {"month", "mode", "outcome", "n"} rows.

    From the daily counts the contact actions keep (`ContactDay`) when the reader's scope and
    the filters pick referrals by site and pathway only; from the contacts themselves when they
    pick by referring organisation or link coordinator, which the counts do not record (a few
    thousand contacts at most). Both give the same rows."""
    start, end = start or ctx.filters.start, end or ctx.filters.end
    if data.by_referral_only(ctx.scope, ctx.filters):
        rows = (
            contacts_in(ctx, start, end)
            .exclude(outcome=ContactOutcome.BOOKED)
            .annotate(month=TruncMonth("at"))
            .order_by()
            .values("month", "mode", "outcome")
            .annotate(n=Count("pk"))
        )
    else:
        days = data.narrowed(
            ContactDay.objects.filter(
                day__gte=timezone.localdate(start), day__lt=timezone.localdate(end)
            ).exclude(outcome=ContactOutcome.BOOKED),
            ctx.scope,
            ctx.filters,
            referral=None,
        )
        rows = (
            days.annotate(month=TruncMonth("day"))
            .order_by()
            .values("month", "mode", "outcome")
            .annotate(n=Sum("n"))
        )
    return [{**row, "month": month_of(row["month"])} for row in rows if row["n"]]


def _coordinator_label(ctx: Context, user: User, number: int) -> str:
    if ctx.scope.names:
        return str(user)
    return _("Link coordinator %(number)s") % {"number": number}


def _caseloads(ctx: Context) -> Section:
    """People allocated to each coordinator at each month's end: one query, a count per month
    per coordinator."""
    f, filters = ctx.figures, ctx.filters
    ends = {m: start_of(add_months(m, 1)) for m in filters.months}
    allocations = data.of_scope(
        Allocation.objects.filter(Allocation.held(filters.start, filters.end)),
        ctx.scope,
        filters,
    )
    if ctx.scope.coordinator is not None:
        allocations = allocations.filter(coordinator=ctx.scope.coordinator)
    counts = {
        f"m{i}": Count("pk", filter=Allocation.held(end)) for i, end in enumerate(ends.values())
    }
    rows = list(allocations.order_by().values("coordinator_id").annotate(**counts))
    coordinators = {
        u.pk: u
        for u in User.objects.filter(pk__in=[r["coordinator_id"] for r in rows]).order_by(
            "first_name", "last_name"
        )
    }
    labels = {
        pk: _coordinator_label(ctx, u, i) for i, (pk, u) in enumerate(coordinators.items(), 1)
    }
    by_pk = {r["coordinator_id"]: r for r in rows}
    points, table_rows = [], []
    one_line_each = len(coordinators) <= LINES_CHARTED
    totals = [0] * len(ends)
    for pk, user in coordinators.items():
        row = by_pk[pk]
        levels = [row[f"m{i}"] for i in range(len(ends))]
        totals = [t + n for t, n in zip(totals, levels, strict=True)]
        if one_line_each:
            for month, n in zip(ends, levels, strict=True):
                points.append(f.count("caseload", labels[pk], n).point(month, labels[pk]))
        cap = user.caseload_cap
        table_rows.append(
            Row(
                labels[pk],
                [
                    f.count("cap", _("Cap"), cap),
                    f.count("caseload_at_end", _("At the end of the period"), levels[-1]),
                    f.count("caseload_highest", _("Highest at a month's end"), max(levels)),
                    f.rate(
                        "caseload_use", _("Average use of the cap"), sum(levels) / len(levels), cap
                    ),
                ],
                str(pk) if ctx.scope.names else "",
            )
        )
    if one_line_each:
        chart = charts.time_chart(
            title=_("People on each link coordinator's caseload at the end of each month"),
            summary=_(
                "%(count)s link coordinators held caseloads in the period; the table gives each "
                "one's cap beside their caseload."
            )
            % {"count": len(coordinators)},
            points=points,
            y_title=_("People"),
            month_title=_("Month"),
            series_title=_("Link coordinator"),
            markers=ctx.markers,
            months=filters.months,
        )
    else:
        caps = sum(u.caseload_cap for u in coordinators.values())
        chart = _caseloads_together(ctx, ends, totals, len(coordinators), caps)
    table = Table(
        "caseloads",
        _("Caseloads against caps"),
        [
            _("Link coordinator"),
            _("Cap"),
            _("At the end of the period"),
            _("Highest at a month's end"),
            _("Average use of the cap"),
        ],
        table_rows,
    )
    return Section("caseloads", _("Caseloads"), charts=[chart], tables=[table])


def _caseloads_together(
    ctx: Context, ends, totals: list[int], coordinators: int, caps: int
) -> charts.Chart:
    """Too many link coordinators for a line each: everyone's caseloads added up, against
    their caps added up (each coordinator is in the table)."""
    f = ctx.figures
    held, places = _("People on caseloads"), _("Places (the caps added up)")
    points = []
    for month, n in zip(ends, totals, strict=True):
        points.append(f.count("caseload", held, n).point(month, held))
        points.append(f.count("caps", places, caps).point(month, places))
    return charts.time_chart(
        title=_("People on link coordinators' caseloads at the end of each month"),
        summary=_(
            "%(count)s link coordinators held caseloads in the period: too many for a line "
            "each, so the chart adds them up against their caps (%(caps)s places); the table "
            "gives each one's cap beside their caseload."
        )
        % {"count": coordinators, "caps": f.count("", "", caps).text},
        points=points,
        y_title=_("People"),
        month_title=_("Month"),
        series_title=_("Caseloads"),
        markers=ctx.markers,
        months=ctx.filters.months,
    )


def _contacts(ctx: Context) -> Section:
    f, filters = ctx.figures, ctx.filters
    monthly = defaultdict(lambda: defaultdict(int))
    missed = defaultdict(lambda: [0, 0])  # month: [did not attend, attended or missed]
    for row in contact_counts(ctx):
        month = row["month"]
        if row["outcome"] in TOOK_PLACE:
            monthly[month][MODE_GROUPS.get(row["mode"], "writing")] += row["n"]
        if row["outcome"] in (ContactOutcome.ATTENDED, ContactOutcome.DID_NOT_ATTEND):
            missed[month][1] += row["n"]
            if row["outcome"] == ContactOutcome.DID_NOT_ATTEND:
                missed[month][0] += row["n"]
    names = mode_names()
    points = [
        f.count(group, names[group], monthly[m][group]).point(m, names[group])
        for m in filters.months
        for group in names
        if monthly[m][group]
    ]
    took_place = sum(sum(v.values()) for v in monthly.values())
    in_person = sum(v["in_person"] for v in monthly.values())
    remote = sum(v["telephone"] + v["video"] for v in monthly.values())
    mode_chart = charts.time_chart(
        title=_("How contacts took place, month by month"),
        summary=_(
            "Of %(total)s contacts that took place, %(in_person)s were face to face and "
            "%(remote)s by telephone or video."
        )
        % {
            "total": f.count("", "", took_place).text,
            "in_person": f.share("", "", in_person, took_place).text,
            "remote": f.share("", "", remote, took_place).text,
        },
        points=points,
        y_title=_("Share of contacts"),
        month_title=_("Month"),
        series_title=_("How"),
        markers=ctx.markers,
        kind="share",
        months=filters.months,
    )
    dna_label = _("Did not attend")
    dna_points = [
        f.rate("dna_rate", dna_label, missed[m][0], missed[m][1]).point(m, dna_label)
        for m in filters.months
        if missed[m][1]
    ]
    dna_chart = charts.time_chart(
        title=_("Share of appointments not attended, month by month"),
        summary=_("%(rate)s of appointments that were due were not attended.")
        % {
            "rate": f.rate(
                "", "", sum(v[0] for v in missed.values()), sum(v[1] for v in missed.values())
            ).text
        },
        points=dna_points,
        y_title=_("Did not attend"),
        month_title=_("Month"),
        markers=ctx.markers,
        months=filters.months,
        percent=True,
    )
    # Counted as the distinct referrals of a subquery (PostgreSQL hashes them; a
    # COUNT(DISTINCT) sorts the period's millions of contacts).
    seen = contacts_in(ctx).filter(outcome__in=TOOK_PLACE).values("referral").distinct().count()
    return Section(
        "contacts",
        _("Contacts"),
        figures=[
            f.count("contacts", _("Contacts that took place"), took_place),
            f.count("people_seen", _("People seen"), seen, ctx.link("seen")),
            f.ratio("contacts_per_person", _("Contacts per person seen"), took_place, seen),
            f.share("in_person_share", _("Face to face"), in_person, took_place),
            f.rate(
                "dna_rate",
                _("Did not attend"),
                sum(v[0] for v in missed.values()),
                sum(v[1] for v in missed.values()),
            ),
        ],
        charts=[mode_chart, dna_chart],
        notes=[
            _(
                "Face to face includes home visits and accompanied visits. The did-not-attend "
                "rate is of appointments that were due: attended or not attended, not "
                "cancelled."
            )
        ],
    )


def _closed(ctx: Context, start=None, end=None):
    """Support that ended in the period (and was not reopened), with its plan."""
    start_day = (start or ctx.filters.start).date()
    end_day = (end or ctx.filters.end).date()
    return data.of_scope(
        Closure.objects.filter(
            closed_on__gte=start_day, closed_on__lt=end_day, reopened_at__isnull=True
        ),
        ctx.scope,
        ctx.filters,
    )


@dataclass(frozen=True)
class Lengths:
    """Support that ended in a period, with a support plan: how many, weeks of support and
    weeks planned at the start (their medians), how many were extended, and how many lasted
    up to each of `LENGTH_BANDS` weeks (None: longer)."""

    n: int
    weeks: Spread
    planned: Spread
    extended: int
    bands: dict


def support_lengths(ctx: Context, start=None, end=None) -> Lengths:
    """One aggregate over the closures (medians by the database on PostgreSQL). The plan as
    first set ends where its first extension took it from: extensions only ever move the end
    later."""
    extensions = PlanExtension.objects.filter(plan=OuterRef("referral__support_plan"))
    starts = F("referral__support_plan__starts_on")
    first_end = Coalesce(
        Subquery(extensions.order_by("previous_end").values("previous_end")[:1]),
        F("referral__support_plan__ends_on"),
    )
    closed = (
        _closed(ctx, start, end)
        .filter(referral__support_plan__isnull=False)
        .annotate(
            weeks=DaysFrom(starts, F("closed_on")) / 7.0,
            planned=DaysFrom(starts, first_end) / 7.0,
            extended=Exists(extensions),
        )
    )
    row, medians = spread.aggregate(
        closed,
        {
            "extended_n": Count("pk", filter=Q(extended=True)),
            **{f"upto{band}": Count("pk", filter=Q(weeks__lte=band)) for band in LENGTH_BANDS},
        },
        {"weeks": F("weeks"), "planned": F("planned")},
        [50],
    )
    upto = [row[f"upto{band}"] for band in LENGTH_BANDS]
    bands = {b: n - p for b, n, p in zip(LENGTH_BANDS, upto, [0, *upto[:-1]], strict=True)}
    return Lengths(
        row["n"],
        medians["weeks"],
        medians["planned"],
        row["extended_n"],
        {**bands, None: row["n"] - upto[-1]},
    )


def _length(ctx: Context) -> Section:
    f = ctx.figures
    lengths = support_lengths(ctx)
    band_labels = {}
    previous = 0
    for band in LENGTH_BANDS:
        band_labels[band] = _("%(low)s to %(high)s weeks") % {"low": previous, "high": band}
        previous = band
    band_labels[None] = _("Over %(weeks)s weeks") % {"weeks": LENGTH_BANDS[-1]}
    bars = [
        f.count("closed", band_labels[b], lengths.bands[b]).bar(band_labels[b]) for b in band_labels
    ]
    chart = charts.bar_chart(
        title=_("Length of support, for support that ended in the period"),
        summary=_(
            "Support lasted %(median)s weeks at the median against %(planned)s planned; "
            "%(extended)s were extended."
        )
        % {
            "median": f.median("", "", lengths.weeks).text,
            "planned": f.median("", "", lengths.planned).text,
            "extended": f.share("", "", lengths.extended, lengths.n).text,
        },
        bars=bars if lengths.n else [],
        label_title=_("Length of support"),
        value_title=_("People"),
    )
    return Section(
        "length",
        _("Length of support"),
        figures=[
            f.count("closed", _("Support ended"), lengths.n, ctx.link("closed")),
            f.median("weeks_median", _("Median weeks of support"), lengths.weeks, unit="weeks"),
            f.median(
                "planned_weeks_median", _("Median weeks planned"), lengths.planned, unit="weeks"
            ),
            f.share("extended_share", _("Extended"), lengths.extended, lengths.n),
        ],
        charts=[chart],
        notes=[
            _(
                "Weeks run from the start of the support plan to the day support ended. The plan "
                "is as first set: extensions are counted apart."
            )
        ],
    )


def _comparison(ctx: Context) -> Section:
    f = ctx.figures
    per_period = []
    for _name, start, end, _days in ctx.filters.periods():
        counts = defaultdict(int)
        for row in contact_counts(ctx, start, end):
            if row["outcome"] in TOOK_PLACE:
                counts["took_place"] += row["n"]
                counts[MODE_GROUPS.get(row["mode"], "writing")] += row["n"]
            elif row["outcome"] == ContactOutcome.DID_NOT_ATTEND:
                counts["missed"] += row["n"]
        due = counts["took_place"] + counts["missed"]
        lengths = support_lengths(ctx, start, end)
        per_period.append(
            [
                f.count("contacts", _("Contacts that took place"), counts["took_place"]),
                f.rate(
                    "in_person_share", _("Face to face"), counts["in_person"], counts["took_place"]
                ),
                f.rate(
                    "telephone_share", _("Telephone"), counts["telephone"], counts["took_place"]
                ),
                f.rate("video_share", _("Video"), counts["video"], counts["took_place"]),
                f.rate("dna_rate", _("Did not attend"), counts["missed"], due),
                f.median("weeks_median", _("Median weeks of support"), lengths.weeks, unit="weeks"),
            ]
        )
    return comparison(ctx, per_period)

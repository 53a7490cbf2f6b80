"""Referrals: how many arrive, through which pathway and from whom, what triage decides and why,
how long triage takes, and how many come from frequent attenders. Split at timeline events, it
shows the effect of each change to the service ("before and after the crisis-team pathway
opened")."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from linkwork.core import charts
from linkwork.core.months import month_of, month_value
from linkwork.partners.models import Organisation
from linkwork.referrals.models import Pathway
from linkwork.referrals.status import DeclineReason

from .. import data
from ..figures import Dashboard, Figure, Row, Section, Table
from ..spread import spread, spreads_by_month_and_all
from .context import Context, comparison, median_and_p90_points

# The organisations named one by one in the chart; the rest are added up as "Others".
ORGANISATIONS_SHOWN = 12


def build(ctx: Context) -> Dashboard:
    received = data.received(ctx.scope, ctx.filters)
    counts = _counts(received)
    pathways = _pathways({row["pathway_id"] for row in counts})
    sections = [
        _received_section(ctx, received, counts, pathways),
        _triage_section(ctx, counts, pathways),
        _timing_section(ctx, received),
    ]
    if ctx.filters.periods():
        sections.append(_comparison_section(ctx))
    return Dashboard(
        "referrals",
        _("Referrals"),
        _(
            "Referrals received in the period: by pathway and referring organisation, what "
            "triage decided and why, and how long it took."
        ),
        sections,
    )


# What triage decided, and how many were frequent attenders: counted per month and pathway.
TALLIES = ("total", "accepted", "declined", "redirected", "pending", "frequent")


def _counts(received) -> list[dict]:
    """The referrals received, counted by month, pathway and reason for declining (blank
    unless declined), with what triage decided: one pass over the period's referrals for the
    received and triage sections."""
    return list(
        received.annotate(month=TruncMonth("received_at"))
        .order_by()
        .values("month", "pathway_id", "decline_reason")
        .annotate(
            total=Count("pk"),
            accepted=Count("pk", filter=data.ACCEPTED),
            declined=Count("pk", filter=data.DECLINED),
            redirected=Count("pk", filter=data.REDIRECTED),
            pending=Count("pk", filter=data.PENDING),
            frequent=Count("pk", filter=Q(frequent_attender=True)),
        )
    )


def _pathways(ids) -> dict[int, Pathway]:
    return {
        p.pk: p
        for p in Pathway.objects.filter(pk__in=ids)
        .select_related("site")
        .order_by("site__name", "opens_on", "name")
    }


def _received_section(ctx: Context, received, counts, pathways) -> Section:
    f, filters = ctx.figures, ctx.filters
    total = sum(row["total"] for row in counts)
    frequent = sum(row["frequent"] for row in counts)
    # One series per pathway name: the same pathway at two sites is one line of the chart (the
    # triage table below has each site's own).
    monthly = defaultdict(int)
    ids = defaultdict(set)
    for row in counts:
        name = pathways[row["pathway_id"]].label
        monthly[(month_of(row["month"]), name)] += row["total"]
        ids[name].add(row["pathway_id"])
    points = [
        f.count(
            "received",
            name,
            n,
            ctx.link(
                "received",
                month=month_value(month),
                by_pathway=",".join(str(pk) for pk in sorted(ids[name])),
            ),
        ).point(month, name)
        for (month, name), n in sorted(monthly.items())
    ]
    per_month_chart = charts.time_chart(
        title=_("Referrals received per month, by pathway"),
        summary=_(
            "%(total)s referrals were received from %(first)s to %(last)s, an average of "
            "%(average)s a month, through %(pathways)s pathways."
        )
        % {
            "total": f.count("", "", total).text,
            "first": filters.first_month.strftime("%m/%Y"),
            "last": filters.last_month.strftime("%m/%Y"),
            "average": f.per_month("", "", total, len(filters.months)).text,
            "pathways": len(pathways),
        },
        points=points,
        y_title=_("Referrals"),
        month_title=_("Month"),
        series_title=_("Pathway"),
        markers=ctx.markers,
        kind="bar",
        months=filters.months,
    )
    by_organisation = _by_organisation(ctx, received)
    return Section(
        "received",
        _("Referrals received"),
        figures=[
            f.count("received_total", _("Referrals received"), total, ctx.link("received")),
            f.per_month("received_per_month", _("Average per month"), total, len(filters.months)),
            f.share(
                "frequent_attenders",
                _("From frequent attenders"),
                frequent,
                total,
                ctx.link("received", frequent="1"),
            ),
        ],
        charts=[per_month_chart, by_organisation],
    )


def _by_organisation(ctx: Context, received) -> charts.Chart:
    f = ctx.figures
    rows = list(
        received.order_by()
        .values("referring_organisation_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "referring_organisation_id")
    )
    names = dict(
        Organisation.objects.filter(
            pk__in=[r["referring_organisation_id"] for r in rows if r["referring_organisation_id"]]
        ).values_list("pk", "name")
    )
    named = [r for r in rows if r["referring_organisation_id"]][:ORGANISATIONS_SHOWN]
    rest = sum(r["n"] for r in rows if r["referring_organisation_id"]) - sum(r["n"] for r in named)
    unnamed = sum(r["n"] for r in rows if not r["referring_organisation_id"])
    bars = [
        f.count(
            "received",
            names[r["referring_organisation_id"]],
            r["n"],
            ctx.link("received", by_organisation=r["referring_organisation_id"]),
        ).bar(names[r["referring_organisation_id"]])
        for r in named
    ]
    if rest:
        bars.append(
            f.count("received", _("Other organisations"), rest).bar(_("Other organisations"))
        )
    if unnamed:
        label = _("Self-referrals and no organisation")
        bars.append(
            f.count("received", label, unnamed, ctx.link("received", by_organisation="none")).bar(
                label
            )
        )
    top = bars[0].label if bars else ""
    return charts.bar_chart(
        title=_("Referrals received by referring organisation"),
        summary=_("%(count)s organisations referred; the most referrals came from %(top)s.")
        % {"count": len(names), "top": top}
        if bars
        else _("No referrals in the period."),
        bars=bars,
        label_title=_("Referring organisation"),
        value_title=_("Referrals"),
    )


def _triage_section(ctx: Context, counts, pathways) -> Section:
    f = ctx.figures
    rows = defaultdict(lambda: dict.fromkeys(TALLIES, 0))
    for row in counts:
        for key in TALLIES:
            rows[row["pathway_id"]][key] += row[key]
    table_rows = []
    bars = []
    totals = defaultdict(int)
    for pathway_id, pathway in pathways.items():
        row = rows[pathway_id]
        for key in TALLIES:
            totals[key] += row[key]
        label = ctx.pathway_label(pathway)
        table_rows.append(
            Row(label, _decision_figures(ctx, row, by_pathway=pathway_id), str(pathway_id))
        )
        for decision, name in _decision_names().items():
            bars.append(f.count(decision, name, row[decision]).bar(label, series=str(name)))
    table_rows.append(Row(_("All pathways"), _decision_figures(ctx, totals), "all"))
    decisions = Table(
        "triage_by_pathway",
        _("Triage decisions by pathway"),
        [
            _("Pathway"),
            _("Received"),
            _("Accepted"),
            _("Declined"),
            _("Redirected"),
            _("Awaiting triage"),
            _("Acceptance rate"),
            _("Redirect rate"),
            _("Frequent attenders"),
        ],
        table_rows,
        caption=_(
            "Rates are of the referrals decided so far. Redirected: declined as needing more than "
            "the service offers, and passed to another service. A pathway whose redirect rate is "
            "high sends people above the service's remit: its criteria may need changing."
        ),
    )
    chart = charts.bar_chart(
        title=_("Triage decisions by pathway"),
        summary=_(
            "Of %(decided)s referrals decided, %(accepted)s were accepted, %(declined)s "
            "declined and %(redirected)s redirected."
        )
        % {
            "decided": totals["accepted"] + totals["declined"] + totals["redirected"],
            "accepted": f.count("", "", totals["accepted"]).text,
            "declined": f.count("", "", totals["declined"]).text,
            "redirected": f.count("", "", totals["redirected"]).text,
        },
        bars=bars,
        label_title=_("Pathway"),
        value_title=_("Referrals"),
        series_title=_("Decision"),
    )
    return Section(
        "triage",
        _("Triage"),
        figures=[
            f.rate(
                "acceptance_rate",
                _("Accepted"),
                totals["accepted"],
                totals["accepted"] + totals["declined"] + totals["redirected"],
                ctx.link("decided", decision="accepted"),
            ),
            f.rate(
                "redirect_rate",
                _("Redirected above remit"),
                totals["redirected"],
                totals["accepted"] + totals["declined"] + totals["redirected"],
                ctx.link("decided", decision="redirected"),
            ),
            f.count(
                "awaiting_triage",
                _("Still awaiting triage"),
                totals["pending"],
                ctx.link("decided", decision="pending"),
            ),
        ],
        charts=[chart],
        tables=[decisions, _reasons_table(ctx, counts, pathways)],
    )


def _decision_names() -> dict:
    return {
        "accepted": _("Accepted"),
        "declined": _("Declined"),
        "redirected": _("Redirected"),
        "pending": _("Awaiting triage"),
    }


def _decision_figures(ctx: Context, row, **narrowing) -> list[Figure]:
    f = ctx.figures
    decided = row["accepted"] + row["declined"] + row["redirected"]
    return [
        f.count("received", _("Received"), row["total"], ctx.link("received", **narrowing)),
        *(
            f.count(key, name, row[key], ctx.link("decided", decision=key, **narrowing))
            for key, name in _decision_names().items()
        ),
        f.rate("acceptance_rate", _("Acceptance rate"), row["accepted"], decided),
        f.rate("redirect_rate", _("Redirect rate"), row["redirected"], decided),
        f.share(
            "frequent_attenders",
            _("Frequent attenders"),
            row["frequent"],
            row["total"],
            ctx.link("received", frequent="1", **narrowing),
        ),
    ]


def _reasons_table(ctx: Context, counts, pathways) -> Table:
    f = ctx.figures
    declined = defaultdict(int)  # (pathway, reason): declined or redirected
    for row in counts:
        if row["decline_reason"]:
            key = (row["pathway_id"], row["decline_reason"])
            declined[key] += row["declined"] + row["redirected"]
    counts = declined
    reasons = [r for r in DeclineReason if any(k[1] == r for k in counts)]
    rows = [
        Row(
            ctx.pathway_label(pathway),
            [
                f.count(
                    reason.value,
                    reason.label,
                    counts[(pathway_id, reason.value)],
                    ctx.link(
                        "decided",
                        decision="declined_any",
                        reason=reason.value,
                        by_pathway=pathway_id,
                    ),
                )
                for reason in reasons
            ],
            str(pathway_id),
        )
        for pathway_id, pathway in pathways.items()
        if any(counts[(pathway_id, r.value)] for r in reasons)
    ]
    return Table(
        "decline_reasons_by_pathway",
        _("Reasons for declining or redirecting, by pathway"),
        [_("Pathway"), *(r.label for r in reasons)],
        rows,
    )


def _timing_section(ctx: Context, received) -> Section:
    f, filters = ctx.figures, ctx.filters
    triaged = data.triaged(received)
    by_month, everyone = spreads_by_month_and_all(
        triaged, "received_at", "triaged_at", month_of="received_at"
    )
    points = median_and_p90_points(ctx, by_month)
    median = f.days(
        "triage_median_days", _("Median time to triage"), everyone, 50, ctx.link("triaged")
    )
    p90 = f.days("triage_p90_days", _("90th percentile"), everyone, 90, ctx.link("triaged"))
    chart = charts.time_chart(
        title=_("Days from referral to triage, by month received"),
        summary=_(
            "Half of the referrals triaged were triaged within %(median)s; nine in ten within "
            "%(p90)s."
        )
        % {"median": median.text, "p90": p90.text},
        points=points,
        y_title=_("Days"),
        month_title=_("Month received"),
        markers=ctx.markers,
        months=filters.months,
    )
    return Section(
        "timing",
        _("Time to triage"),
        figures=[median, p90],
        charts=[chart],
        notes=[
            _(
                "Triage is the first decision on a referral: accepted, declined or more "
                "information asked for."
            )
        ],
    )


def _comparison_section(ctx: Context) -> Section:
    """The headline figures in each part of the period cut at the chosen events, per month so
    that parts of different lengths compare."""
    f = ctx.figures
    per_period = []
    for _name, start, end, days in ctx.filters.periods():
        chosen = data.referrals(ctx.scope, ctx.filters).filter(
            received_at__gte=start, received_at__lt=end
        )
        counts = chosen.aggregate(
            total=Count("pk"),
            accepted=Count("pk", filter=data.ACCEPTED),
            declined=Count("pk", filter=data.DECLINED),
            redirected=Count("pk", filter=data.REDIRECTED),
            frequent=Count("pk", filter=Q(frequent_attender=True)),
        )
        decided = counts["accepted"] + counts["declined"] + counts["redirected"]
        waits = spread(data.triaged(chosen), "received_at", "triaged_at")
        months = days / 30.4375
        per_period.append(
            [
                f.count("received", _("Referrals received"), counts["total"]),
                f.per_month(
                    "received_per_month", _("Referrals per month"), counts["total"], months
                ),
                f.rate("acceptance_rate", _("Acceptance rate"), counts["accepted"], decided),
                f.rate("redirect_rate", _("Redirect rate"), counts["redirected"], decided),
                f.rate(
                    "frequent_attenders",
                    _("Frequent attenders"),
                    counts["frequent"],
                    counts["total"],
                ),
                f.days("triage_median_days", _("Median time to triage"), waits),
            ]
        )
    return comparison(
        ctx,
        per_period,
        [
            _(
                "Referrals per month make parts of different lengths comparable. A change "
                "after an event may have other causes: check the timeline for what else "
                "changed then."
            )
        ],
    )

"""Access: how long the waiting list is, how long people wait from acceptance to their first
support contact, and who gets telephone support while they wait."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from linkwork.core import charts
from linkwork.core.months import add_months, month_of, start_of

from .. import data
from ..figures import Dashboard, Section
from ..spread import spread, spreads_by_month_and_all
from .context import Context, comparison, median_and_p90_points


def build(ctx: Context) -> Dashboard:
    sections = [_waiting_list(ctx), _waits(ctx), _interim(ctx)]
    if ctx.filters.periods():
        sections.append(_comparison(ctx))
    return Dashboard(
        "access",
        _("Access and waiting"),
        _(
            "The waiting list over time, the wait from acceptance to the first support contact, "
            "and telephone support while people wait."
        ),
        sections,
    )


def _month_end(month: datetime.date) -> datetime.date:
    return add_months(month, 1) - datetime.timedelta(days=1)


def _waiting_list(ctx: Context) -> Section:
    f, filters = ctx.figures, ctx.filters
    levels = data.waiting_list_by_month(ctx.scope, filters)
    label = _("On the waiting list")
    points = [
        f.count(
            "waiting", label, n, ctx.link("waiting_on", on=_month_end(month).isoformat())
        ).point(month, label)
        for month, n in levels.items()
    ]
    last_month = filters.months[-1]
    at_end = levels.get(last_month, 0)
    highest_month = max(levels, key=lambda m: (levels[m], m)) if levels else last_month
    chart = charts.time_chart(
        title=_("Waiting list at the end of each month"),
        summary=_(
            "%(end)s people were waiting at the end of the period; the list was longest at the "
            "end of %(month)s, with %(highest)s."
        )
        % {
            "end": f.count("", "", at_end).text,
            "month": highest_month.strftime("%m/%Y"),
            "highest": f.count("", "", levels.get(highest_month, 0)).text,
        },
        points=points,
        y_title=_("People waiting"),
        month_title=_("Month"),
        markers=ctx.markers,
        months=filters.months,
    )
    return Section(
        "waiting_list",
        _("The waiting list"),
        figures=[
            f.count(
                "waiting_at_end",
                _("Waiting at the end of the period"),
                at_end,
                ctx.link("waiting_on", on=_month_end(last_month).isoformat()),
            ),
            f.count(
                "waiting_longest",
                _("Longest list at a month's end"),
                levels.get(highest_month, 0),
                ctx.link("waiting_on", on=_month_end(highest_month).isoformat()),
            ),
        ],
        charts=[chart],
    )


def _waits(ctx: Context) -> Section:
    f, filters = ctx.figures, ctx.filters
    accepted = data.accepted(ctx.scope, filters)
    by_month, days = spreads_by_month_and_all(
        data.with_first_contact(accepted), "accepted_at", "first_contact_at", month_of="accepted_at"
    )
    still = data.not_yet_seen(accepted).count()
    points = median_and_p90_points(ctx, by_month)
    median = f.days(
        "first_contact_median_days",
        _("Median wait to first contact"),
        days,
        50,
        ctx.link("first_contact"),
    )
    p90 = f.days(
        "first_contact_p90_days",
        _("90th percentile"),
        days,
        90,
        ctx.link("first_contact"),
    )
    chart = charts.time_chart(
        title=_("Days from acceptance to first support contact, by month accepted"),
        summary=_(
            "Half of the people accepted in the period had their first support contact within "
            "%(median)s of acceptance; nine in ten within %(p90)s."
        )
        % {"median": median.text, "p90": p90.text},
        points=points,
        y_title=_("Days"),
        month_title=_("Month accepted"),
        markers=ctx.markers,
        months=filters.months,
    )
    return Section(
        "waits",
        _("Wait from acceptance to first contact"),
        figures=[
            median,
            p90,
            f.count(
                "not_yet_seen",
                _("Accepted, no support contact yet"),
                still,
                ctx.link("first_contact", seen="no"),
            ),
        ],
        charts=[chart],
        notes=[
            _(
                "The first support contact is the first contact with a link coordinator that "
                "took place. People accepted recently who have not been seen yet are not in the "
                "median: while many wait, the median understates the wait."
            )
        ],
    )


def _interim(ctx: Context) -> Section:
    f, filters = ctx.figures, ctx.filters
    contacts = data.interim_contacts(ctx.scope, filters)
    n_waited, n_supported = data.waited_counts(ctx.scope, filters)
    counts = contacts.aggregate(
        total=Count("pk"),
        people=Count("referral", distinct=True),
        volunteer=Count("pk", filter=Q(by_volunteer=True)),
    )
    rows = defaultdict(lambda: {"contacts": 0, "people": 0})
    for row in (
        contacts.annotate(month=TruncMonth("at"))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"), people=Count("referral", distinct=True))
    ):
        month = month_of(row["month"])
        rows[month]["contacts"] += row["n"]
        rows[month]["people"] += row["people"]
    people_label = _("People called while waiting")
    points = [
        f.count("interim_people", people_label, rows[m]["people"]).point(m, people_label)
        for m in filters.months
        if m in rows
    ]
    chart = charts.time_chart(
        title=_("People given telephone support while waiting, per month"),
        summary=_(
            "%(supported)s of the %(waited)s people on the waiting list in the period had support "
            "while they waited: %(contacts)s calls, %(volunteer)s of them by volunteers."
        )
        % {
            "supported": f.count("", "", n_supported).text,
            "waited": f.count("", "", n_waited).text,
            "contacts": f.count("", "", counts["total"]).text,
            "volunteer": f.count("", "", counts["volunteer"]).text,
        },
        points=points,
        y_title=_("People"),
        month_title=_("Month"),
        markers=ctx.markers,
        months=filters.months,
    )
    return Section(
        "interim",
        _("Support while waiting"),
        figures=[
            f.share(
                "interim_share",
                _("Waiting list given support while waiting"),
                n_supported,
                n_waited,
                ctx.link("interim"),
            ),
            f.count("interim_contacts", _("Calls while waiting"), counts["total"]),
            f.share(
                "interim_volunteer_share",
                _("Calls made by volunteers"),
                counts["volunteer"],
                counts["total"],
            ),
        ],
        charts=[chart],
    )


def _comparison(ctx: Context) -> Section:
    f, filters = ctx.figures, ctx.filters
    per_period = []
    levels = data.waiting_list_by_month(ctx.scope, filters)
    for _name, start, end, _days in filters.periods():
        chosen = data.referrals(ctx.scope, filters).filter(
            accepted_at__gte=start, accepted_at__lt=end
        )
        days = spread(data.with_first_contact(chosen), "accepted_at", "first_contact_at")
        still = data.not_yet_seen(chosen).count()
        in_part = [n for month, n in levels.items() if start <= start_of(month) < end]
        per_period.append(
            [
                f.count("accepted", _("Accepted"), chosen.count()),
                f.days("first_contact_median_days", _("Median wait to first contact"), days),
                f.days("first_contact_p90_days", _("90th percentile wait"), days, 90),
                f.count("not_yet_seen", _("Accepted, no support contact yet"), still),
                f.mean(
                    "waiting_list_mean",
                    _("Average waiting list at a month's end"),
                    in_part,
                ),
            ]
        )
    return comparison(
        ctx,
        per_period,
        [_("Waits are of the people accepted in each part, by the date they were accepted.")],
    )

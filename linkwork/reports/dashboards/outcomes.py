"""Outcomes: goals set and how they ended, social prescriptions by category and by what came of
them (and the services that turned out to be unavailable), change from baseline on each outcome
instrument, and what people said in their feedback."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from linkwork.casework.models import (
    Agreement,
    ClientFeedback,
    Goal,
    GoalStatus,
    LifeDomain,
    PreferredMode,
)
from linkwork.core import charts
from linkwork.directory.models import Service, ServiceAttribute
from linkwork.outcomes.instruments import get_instrument
from linkwork.outcomes.instruments.change import (
    DETERIORATED,
    DIRECTION_LABELS,
    IMPROVED,
    NO_RELIABLE_CHANGE,
)
from linkwork.outcomes.models import Measure, Timepoint
from linkwork.prescriptions.models import SocialPrescription
from linkwork.prescriptions.status import PrescriptionStatus

from .. import data
from ..figures import Dashboard, Row, Section, Table
from . import measure_change
from .context import Context

ENDED = (
    GoalStatus.ACHIEVED,
    GoalStatus.PARTLY_ACHIEVED,
    GoalStatus.NOT_ACHIEVED,
    GoalStatus.CHANGED,
)


def build(ctx: Context) -> Dashboard:
    return Dashboard(
        "outcomes",
        _("Outcomes"),
        _(
            "Goals and how they ended, social prescriptions and what came of them, change on "
            "each outcome measure from baseline to the end of support, and people's feedback."
        ),
        [_wellbeing(ctx), _goals(ctx), _prescriptions(ctx), _feedback(ctx)],
    )


def _of_scope(ctx: Context, rows):
    return data.of_scope(rows, ctx.scope, ctx.filters)


# --- Change on the outcome measures --------------------------------------------------------------


def ended_measures(ctx: Context, start=None, end=None) -> QuerySet[Measure]:
    """The current end-of-support measures with a total completed in the period."""
    start_day = (start or ctx.filters.start).date()
    end_day = (end or ctx.filters.end).date()
    return _of_scope(
        ctx,
        Measure.objects.filter(
            withdrawn_at__isnull=True,
            total__isnull=False,
            timepoint=Timepoint.END,
            completed_on__gte=start_day,
            completed_on__lt=end_day,
        ),
    )


def _wellbeing(ctx: Context) -> Section:
    f = ctx.figures
    rows, bars, figures = [], [], []
    for code, change in sorted(measure_change.changes(ended_measures(ctx)).items()):
        instrument = get_instrument(code)
        name = instrument.short_name or instrument.name
        directions = {
            IMPROVED: change.improved,
            NO_RELIABLE_CHANGE: change.no_reliable_change,
            DETERIORATED: change.deteriorated,
        }
        assessed = change.assessed
        mean = f.ratio(
            "mean_change", _("Mean change"), change.total / measure_change.STEPS, change.n, 2
        )
        low, high = change.confidence_interval()
        interval = f.text(
            "ci95",
            _("Confidence interval (95%)"),
            _("%(low)s to %(high)s") % {"low": f"{low:.2f}", "high": f"{high:.2f}"}
            if mean.value is not None and low is not None
            else mean.text,
        )
        shares = [
            f.share(direction, str(DIRECTION_LABELS[direction]), directions[direction], assessed)
            for direction in (IMPROVED, NO_RELIABLE_CHANGE, DETERIORATED)
        ]
        rows.append(
            Row(
                name,
                [
                    f.count("people", _("People"), change.n, ctx.link("measured", instrument=code)),
                    mean,
                    interval,
                    *shares,
                ],
                code,
            )
        )
        for direction in (IMPROVED, NO_RELIABLE_CHANGE, DETERIORATED):
            bars.append(
                f.count(direction, str(DIRECTION_LABELS[direction]), directions[direction]).bar(
                    name, series=str(DIRECTION_LABELS[direction])
                )
            )
        if code == "swemwbs" or not figures:
            better = _("higher is better") if instrument.higher_is_better else _("lower is better")
            figures = [
                f.text(
                    f"{code}_mean_change",
                    _("%(name)s: mean change (%(direction)s)")
                    % {"name": name, "direction": better},
                    mean.text,
                    mean.value,
                ),
                shares[0],
            ]
    table = Table(
        "change_from_baseline",
        _("Change from baseline to the end of support"),
        [
            _("Measure"),
            _("People"),
            _("Mean change"),
            _("Confidence interval (95%)"),
            *(str(DIRECTION_LABELS[d]) for d in (IMPROVED, NO_RELIABLE_CHANGE, DETERIORATED)),
        ],
        rows,
    )
    chart = charts.bar_chart(
        title=_("Reliable change from baseline to the end of support"),
        summary=_(
            "For each measure, how many people improved reliably, changed no more than the "
            "measure's error, or deteriorated reliably."
        ),
        bars=bars,
        label_title=_("Measure"),
        value_title=_("People"),
        series_title=_("Change"),
        colours={
            str(DIRECTION_LABELS[IMPROVED]): charts.GOOD,
            str(DIRECTION_LABELS[NO_RELIABLE_CHANGE]): charts.NEUTRAL,
            str(DIRECTION_LABELS[DETERIORATED]): charts.BAD,
        },
    )
    return Section(
        "wellbeing",
        _("Change on the outcome measures"),
        figures=figures,
        charts=[chart],
        tables=[table],
        notes=[
            _(
                "People whose end-of-support measure fell in the period and who have a baseline "
                "on the same measure. Reliable change is the Jacobson-Truax index at 95%: a "
                "change larger than the measure's own error. Without a comparison group, change "
                "cannot be put down to the service alone."
            )
        ],
    )


# --- Goals -------------------------------------------------------------------------------


def _goals(ctx: Context) -> Section:
    f, filters = ctx.figures, ctx.filters
    start, end = filters.start.date(), filters.end.date()
    set_in = Q(started_on__gte=start, started_on__lt=end)
    ended_in = Q(status__in=ENDED, ended_on__gte=start, ended_on__lt=end)
    # One pass over the goals: those set in the period and those ended in it, by domain and
    # how they ended.
    by_domain, by_status, goals_set = defaultdict(Counter), Counter(), 0
    for domain, status, started, finished in (
        _of_scope(ctx, Goal.objects.filter(set_in | ended_in))
        .order_by()
        .values("domain", "status")
        .annotate(started=Count("pk", filter=set_in), ended=Count("pk", filter=ended_in))
        .values_list("domain", "status", "started", "ended")
    ):
        goals_set += started
        if finished:
            by_domain[domain][status] += finished
            by_status[status] += finished
    ended = sum(by_status.values())
    bars = [
        f.count(status, GoalStatus(status).label, by_domain[domain][status]).bar(
            str(LifeDomain(domain).label), series=str(GoalStatus(status).label)
        )
        for domain in LifeDomain.values
        if domain in by_domain
        for status in ENDED
    ]
    chart = charts.bar_chart(
        title=_("How goals ended, by life domain"),
        summary=_("%(ended)s goals ended in the period; %(achieved)s were achieved in full.")
        % {
            "ended": f.count("", "", ended).text,
            "achieved": f.share("", "", by_status.get(GoalStatus.ACHIEVED, 0), ended).text,
        },
        bars=bars,
        label_title=_("Life domain"),
        value_title=_("Goals"),
        series_title=_("How it ended"),
    )
    return Section(
        "goals",
        _("Goals"),
        figures=[
            f.count("goals_set", _("Goals set"), goals_set, ctx.link("goals")),
            f.count("goals_ended", _("Goals ended"), ended),
            f.share(
                "goals_achieved",
                _("Achieved"),
                by_status.get(GoalStatus.ACHIEVED, 0),
                ended,
            ),
            f.share(
                "goals_partly_achieved",
                _("Partly achieved"),
                by_status.get(GoalStatus.PARTLY_ACHIEVED, 0),
                ended,
            ),
        ],
        charts=[chart],
    )


# --- Social prescriptions -------------------------------------------------------------------------


def _category_of(service_ids) -> dict[int, str]:
    """Each service's broadest category: the top of its first taxonomy term's tree (three
    levels up at most, as the directory's categories go)."""
    categories = {}
    for attribute in (
        ServiceAttribute.objects.filter(service_id__in=service_ids, taxonomy_term__isnull=False)
        .select_related("taxonomy_term__parent__parent__parent")
        .order_by("service_id", "pk")
    ):
        if attribute.service_id in categories:
            continue
        term = attribute.taxonomy_term
        while term.parent_id is not None and term.parent is not None:
            term = term.parent
        categories[attribute.service_id] = term.label
    return categories


def _prescriptions(ctx: Context) -> Section:
    f, filters = ctx.figures, ctx.filters
    made = _of_scope(
        ctx,
        SocialPrescription.objects.filter(
            created_at__gte=filters.start, created_at__lt=filters.end
        ),
    )
    rows = list(made.order_by().values("service_id", "status").annotate(n=Count("pk")))
    categories = _category_of({r["service_id"] for r in rows})
    no_category = _("No category")
    counts = defaultdict(Counter)
    for row in rows:
        counts[categories.get(row["service_id"]) or no_category][row["status"]] += row["n"]
    statuses = [s for s in PrescriptionStatus if any(c[s] for c in counts.values())]
    table_rows = [
        Row(
            category,
            [f.count("prescriptions", _("Made"), sum(c.values()))]
            + [f.count(s.value, s.label, c[s]) for s in statuses],
            category,
        )
        for category, c in sorted(counts.items(), key=lambda kv: -sum(kv[1].values()))
    ]
    table = Table(
        "prescriptions_by_category",
        _("Social prescriptions by category and what came of them"),
        [_("Category"), _("Made"), *(s.label for s in statuses)],
        table_rows,
    )
    # The unavailable services from the same counts (by name, in the database's order of
    # names for ties): only their names are read, not the prescriptions a second time.
    unavailable_by_service = Counter()
    for row in rows:
        if row["status"] == PrescriptionStatus.UNAVAILABLE:
            unavailable_by_service[row["service_id"]] += row["n"]
    unavailable_by_name = Counter()
    for pk, name in (
        Service.objects.filter(pk__in=unavailable_by_service)
        .order_by("name")
        .values_list("pk", "name")
    ):
        unavailable_by_name[name] += unavailable_by_service[pk]
    unavailable = [
        {"service__name": name, "n": n}
        for name, n in sorted(unavailable_by_name.items(), key=lambda item: -item[1])
    ]
    unavailable_table = Table(
        "unavailable_services",
        _("Services that turned out to be unavailable"),
        [_("Service"), _("Social prescriptions")],
        [
            Row(r["service__name"], [f.count("unavailable", _("Social prescriptions"), r["n"])])
            for r in unavailable
        ],
    )
    total = sum(sum(c.values()) for c in counts.values())
    taken_up = sum(
        c[PrescriptionStatus.ATTENDING] + c[PrescriptionStatus.COMPLETED] for c in counts.values()
    )
    bars = [
        f.count("prescriptions", category, sum(c.values())).bar(category)
        for category, c in sorted(counts.items(), key=lambda kv: -sum(kv[1].values()))
    ]
    chart = charts.bar_chart(
        title=_("Social prescriptions by category"),
        summary=_("%(total)s social prescriptions were made; %(taken)s were taken up.")
        % {"total": f.count("", "", total).text, "taken": f.share("", "", taken_up, total).text},
        bars=bars,
        label_title=_("Category"),
        value_title=_("Social prescriptions"),
    )
    return Section(
        "prescriptions",
        _("Social prescriptions"),
        figures=[
            f.count("prescriptions", _("Social prescriptions made"), total),
            f.share("taken_up", _("Taken up (attending or completed)"), taken_up, total),
            f.count(
                "unavailable",
                _("Service unavailable"),
                sum(c[PrescriptionStatus.UNAVAILABLE] for c in counts.values()),
            ),
        ],
        charts=[chart],
        tables=[table, unavailable_table],
    )


# --- Feedback -------------------------------------------------------------------------------------


QUESTIONS = (
    ("helpful", lambda: _("The support was helpful")),
    ("listened_to", lambda: _("I felt listened to")),
    ("involved_in_decisions", lambda: _("I was involved in decisions")),
)


def _feedback(ctx: Context) -> Section:
    f, filters = ctx.figures, ctx.filters
    forms = _of_scope(
        ctx,
        ClientFeedback.objects.filter(
            submitted_at__gte=filters.start, submitted_at__lt=filters.end
        ),
    )
    # Each combination of answers once, with how many gave it (a few hundred at most).
    answers = list(
        forms.order_by()
        .values("helpful", "listened_to", "involved_in_decisions", "preferred_mode")
        .annotate(n=Count("pk"))
        .values_list("helpful", "listened_to", "involved_in_decisions", "preferred_mode", "n")
    )
    total = sum(a[-1] for a in answers)
    bars, rows = [], []
    for index, (key, question) in enumerate(QUESTIONS):
        counted = Counter()
        for a in answers:
            if a[index]:
                counted[a[index]] += a[-1]
        agreed = counted[Agreement.AGREE] + counted[Agreement.STRONGLY_AGREE]
        rows.append(
            Row(
                question(),
                [f.count(str(v), label, counted[v]) for v, label in Agreement.choices]
                + [f.share("agreed", _("Agreed"), agreed, sum(counted.values()))],
                key,
            )
        )
        for value, label in Agreement.choices:
            bars.append(f.count(str(value), label, counted[value]).bar(question(), series=label))
    modes = Counter()
    for a in answers:
        if a[3]:
            modes[a[3]] += a[-1]
    mode_rows = [
        Row(label, [f.share(value, label, modes[value], sum(modes.values()))], value)
        for value, label in PreferredMode.choices
    ]
    chart = charts.bar_chart(
        title=_("Feedback from people at the end of support"),
        summary=_("%(total)s people gave feedback.") % {"total": f.count("", "", total).text},
        bars=bars if total else [],
        label_title=_("Question"),
        value_title=_("People"),
        series_title=_("Answer"),
    )
    return Section(
        "feedback",
        _("Feedback"),
        figures=[f.count("feedback_forms", _("Feedback forms"), total, ctx.link("feedback"))],
        charts=[chart],
        tables=[
            Table(
                "feedback_answers",
                _("Answers to each question"),
                [_("Question"), *(label for _v, label in Agreement.choices), _("Agreed")],
                rows,
            ),
            Table(
                "preferred_mode",
                _("How people would prefer to be supported"),
                [_("Preference"), _("Share of those who answered")],
                mode_rows,
            ),
        ],
    )

"""Capacity: what the waiting list and the wait will be over the next months at a site, and what
would change them ("open the crisis-team pathway", "add a coordinator", "extend support to 16
weeks").

The model is a small discrete-event simulation, week by week, run many times with a fixed seed:

- referrals arrive through each pathway at the rate observed over the last months (Poisson);
- each is accepted with the acceptance rate observed on that pathway (of the referrals received
  in those months, as they have been decided since), and joins the waiting list;
- each week, places free on the coordinators' caseloads go to those who have waited longest. The
  places are the sum of the coordinators' caps, or, if fewer, the most people they actually held
  at a month's end while others were waiting (leave, part-time hours and complex cases keep real
  caseloads below their caps);
- support lasts a length drawn from the lengths of the support that ended in the same months (or
  a length the question sets);
- the people waiting and in support today are where it starts: those in support end on their
  support plan's planned end, or after a drawn length if they have none.

It leaves out withdrawals from the list, priority, declines after acceptance and seasonal
patterns: the waiting list it gives is the list if nothing else changes. The median of the runs
is the forecast, and the 5th to 95th percentile of the runs the 90% band around it.

`backtest` checks the model against the service's own history: it forecasts from a moment in the
past, with only what was known then, and sets that beside what happened.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import numpy
from django.db.models import Count, Q
from django.utils import timezone

from linkwork.accounts.models import Role, User
from linkwork.casework.models import Closure, SupportPlan
from linkwork.core.months import add_months, start_of
from linkwork.referrals.models import Allocation, Pathway, Referral, WaitingSpell
from linkwork.referrals.status import ReferralStatus

WEEK = datetime.timedelta(days=7)
WEEKS_PER_MONTH = 52 / 12
DEFAULT_RUNS = 400
SEED = 20190401  # fixed, so the same question always gets the same answer
HISTORY_MONTHS = 6
FALLBACK_SUPPORT_WEEKS = 12


@dataclass(frozen=True)
class PathwayRate:
    name: str
    per_month: float  # referrals a month
    acceptance: float  # share accepted

    @property
    def acceptance_percent(self) -> int:
        return round(self.acceptance * 100)


@dataclass
class Inputs:
    """What the simulation starts from, measured at a moment (`as_of`)."""

    as_of: datetime.date
    rates: list[PathwayRate]
    capacity: int  # places the simulation fills (see `measure`)
    support_weeks: list[float]  # lengths of support seen; drawn from
    waiting_weeks: list[float]  # how long each person waiting today has waited
    in_support_left: list[float | None]  # weeks left for each person in support (None: unknown)
    coordinators: int = 0
    caps: int = 0  # the sum of the coordinators' caps

    @property
    def referrals_per_month(self) -> float:
        return sum(r.per_month for r in self.rates)


@dataclass(frozen=True)
class Question:
    """A what-if: extra referrals a month (accepted at `extra_acceptance`), extra coordinators,
    and a set length of support."""

    extra_per_month: float = 0
    extra_acceptance: float = 1.0
    extra_name: str = ""
    add_coordinators: int = 0
    cap_each: int = 15
    support_weeks: float | None = None

    @property
    def asks_anything(self) -> bool:
        return bool(self.extra_per_month or self.add_coordinators or self.support_weeks)


@dataclass
class Forecast:
    months: list[datetime.date]  # month ends, as the 1st of the month
    waiting: list[tuple[float, float, float]]  # (5th, median, 95th) people waiting at the end
    wait_weeks: list[tuple[float, float, float]]  # median wait of those allocated that month
    runs: int
    inputs: Inputs
    question: Question = field(default_factory=Question)


def measure(site, as_of: datetime.date, months: int = HISTORY_MONTHS) -> Inputs:
    """The inputs at `site` as they stood at the start of `as_of`, from the `months` before."""
    moment = timezone.make_aware(datetime.datetime.combine(as_of, datetime.time.min))
    since = moment - datetime.timedelta(days=round(months * 30.4375))
    rates = list(rates_at([site], moment, months).values())
    coordinators = (
        User.objects.filter(role=Role.COORDINATOR, sites=site, is_active=True)
        .filter(Q(started_on__isnull=True) | Q(started_on__lte=as_of))
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=as_of))
    )
    caps = sum(coordinators.values_list("caseload_cap", flat=True))
    capacity = min(caps, held_while_waiting(site, as_of, months) or caps)
    lengths = []
    for closed_on, starts_on in Closure.objects.filter(
        referral__site=site,
        closed_on__gte=since.date(),
        closed_on__lt=as_of,
        reopened_at__isnull=True,
    ).values_list("closed_on", "referral__support_plan__starts_on"):
        if starts_on is not None:
            lengths.append(max((closed_on - starts_on).days, 7) / 7)
    waiting = waiting_at(site, moment)
    in_support = []
    plans = dict(
        SupportPlan.objects.filter(referral__site=site).values_list("referral_id", "ends_on")
    )
    for referral_id in Allocation.objects.filter(
        Allocation.held(moment), referral__site=site
    ).values_list("referral_id", flat=True):
        ends_on = plans.get(referral_id)
        in_support.append(max((ends_on - as_of).days / 7, 0) if ends_on else None)
    return Inputs(
        as_of=as_of,
        rates=rates,
        capacity=capacity,
        support_weeks=lengths or [FALLBACK_SUPPORT_WEEKS],
        waiting_weeks=[(moment - joined).days / 7 for joined in waiting],
        in_support_left=in_support,
        coordinators=coordinators.count(),
        caps=caps,
    )


def held_while_waiting(site, as_of: datetime.date, months: int) -> int | None:
    """The most people the site's coordinators held at a month's end, in the months before
    `as_of`, while people were waiting: the places a manager actually fills, which may be fewer
    than the caps (leave, part-time work, people kept for complex cases). None if nobody waited
    at any month's end. One count per month's end, all in one query."""
    moments = [
        moment
        for moment in (
            start_of(add_months(as_of.replace(day=1), 1 - back)) for back in range(1, months + 1)
        )
        if _on_list(site, moment).exists()
    ]
    if not moments:
        return None
    held = Allocation.objects.filter(referral__site=site).aggregate(
        **{f"m{i}": Count("pk", filter=Allocation.held(moment)) for i, moment in enumerate(moments)}
    )
    return max(held.values())


def rates_at(sites, moment: datetime.datetime, months: int) -> dict[int, PathwayRate]:
    """Each pathway's referrals a month over the `months` before `moment`, and the share of
    them accepted (of those decided), by pathway id."""
    since = moment - datetime.timedelta(days=round(months * 30.4375))
    names = dict(Pathway.objects.filter(site__in=sites).values_list("pk", "name"))
    rates = {}
    for row in (
        Referral.objects.filter(site__in=sites, received_at__gte=since, received_at__lt=moment)
        .order_by()
        .values("pathway_id")
        .annotate(
            n=Count("pk"),
            accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
            declined=Count("pk", filter=Q(status=ReferralStatus.DECLINED)),
        )
    ):
        decided = row["accepted"] + row["declined"]
        acceptance = row["accepted"] / decided if decided else 1.0
        rates[row["pathway_id"]] = PathwayRate(
            names.get(row["pathway_id"], ""), row["n"] / months, acceptance
        )
    return rates


def waiting_at(site, moment: datetime.datetime) -> list[datetime.datetime]:
    """When each person on the site's waiting list at `moment` joined it."""
    return list(_on_list(site, moment).order_by("joined_at").values_list("joined_at", flat=True))


def _on_list(site, moment: datetime.datetime):
    return WaitingSpell.objects.filter(WaitingSpell.waiting(moment), site=site)


def simulate(
    inputs: Inputs,
    question: Question = Question(),
    *,
    months: int = 6,
    runs: int = DEFAULT_RUNS,
    seed: int = SEED,
) -> Forecast:
    """Run the model `runs` times from `inputs`, `months` ahead."""
    rng = numpy.random.default_rng(seed)
    # Months are calendar months, the first being the one `as_of` falls in: each week counts in
    # the month its last day falls in, and the list at a month's end is the list after its last
    # week.
    first = inputs.as_of.replace(day=1)
    months_list = [add_months(first, i) for i in range(months)]
    month_of_week = []
    while True:
        day = inputs.as_of + WEEK * (len(month_of_week) + 1) - datetime.timedelta(days=1)
        index = (day.year - first.year) * 12 + day.month - first.month
        if index >= months:
            break
        month_of_week.append(index)
    weeks = len(month_of_week)
    rates = [(r.per_month / WEEKS_PER_MONTH, r.acceptance) for r in inputs.rates]
    if question.extra_per_month:
        rates.append((question.extra_per_month / WEEKS_PER_MONTH, question.extra_acceptance))
    capacity = inputs.capacity + question.add_coordinators * question.cap_each
    lengths = numpy.array(
        [question.support_weeks] if question.support_weeks else inputs.support_weeks, dtype=float
    )
    # `lengths[rng.integers(...)]` draws exactly as `rng.choice(lengths)` does, at a third of
    # the cost: it is drawn once for everyone allocated in every run.
    n_lengths = len(lengths)
    waiting_by_month = numpy.zeros((runs, months))
    waits_by_month: list[list[list[float]]] = [[[] for _m in range(months)] for _r in range(runs)]
    for run in range(runs):
        queue = [-w for w in inputs.waiting_weeks]  # the week each joined (0 is now)
        queue.sort()
        ends = [
            left if left is not None else float(lengths[rng.integers(0, n_lengths)])
            for left in inputs.in_support_left
        ]
        for week in range(weeks):
            ends = [e for e in ends if e > week]
            for per_week, acceptance in rates:
                arrivals = rng.poisson(per_week)
                if arrivals:
                    queue.extend([week] * int(rng.binomial(arrivals, acceptance)))
            free = capacity - len(ends)
            if free > 0 and queue:
                taken, queue = queue[:free], queue[free:]
                for joined in taken:
                    ends.append(week + float(lengths[rng.integers(0, n_lengths)]))
                    waits_by_month[run][month_of_week[week]].append(week - joined)
            waiting_by_month[run][month_of_week[week]] = len(queue)
    waiting = [
        tuple(float(v) for v in numpy.percentile(waiting_by_month[:, m], [5, 50, 95]))
        for m in range(months)
    ]
    wait_weeks = []
    for m in range(months):
        medians = [numpy.median(w[m]) for w in waits_by_month if w[m]]
        wait_weeks.append(
            tuple(float(v) for v in numpy.percentile(medians, [5, 50, 95]))
            if medians
            else (float("nan"),) * 3
        )
    return Forecast(months_list, waiting, wait_weeks, runs, inputs, question)


@dataclass
class Backtest:
    forecast: Forecast
    observed: list[int | None]  # people waiting at each month's end, as it happened

    @property
    def within_band(self) -> int:
        return sum(
            1
            for (low, _median, high), seen in zip(self.forecast.waiting, self.observed, strict=True)
            if seen is not None and low <= seen <= high
        )

    @property
    def compared(self) -> int:
        return sum(1 for seen in self.observed if seen is not None)

    @property
    def mean_absolute_error(self) -> float | None:
        errors = [
            abs(median - seen)
            for (_low, median, _high), seen in zip(
                self.forecast.waiting, self.observed, strict=True
            )
            if seen is not None
        ]
        return float(numpy.mean(errors)) if errors else None


def backtest(site, as_of: datetime.date, *, months: int = 6, runs: int = 200) -> Backtest:
    """Forecast from `as_of` with only what was known then, beside what happened."""
    forecast = simulate(measure(site, as_of), months=months, runs=runs)
    today = timezone.localdate()
    observed = []
    for month in forecast.months:
        end = add_months(month, 1)
        if end > today:
            observed.append(None)
        else:
            observed.append(len(waiting_at(site, start_of(end))))
    return Backtest(forecast, observed)

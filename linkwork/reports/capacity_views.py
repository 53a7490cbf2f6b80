"""The capacity page: a site's waiting list and wait over the next six months if nothing
changes, beside a what-if (a pathway opened, coordinators added, support lengthened), and the
model checked against the site's own last six months. Managers, for their sites; no personal
data is shown."""

from __future__ import annotations

import hashlib
import json

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from linkwork.accounts.permissions import Permission, require
from linkwork.core import charts
from linkwork.core.months import add_months, month_of, start_of

from . import capacity
from .forms import CapacityForm
from .queries import other_sites_pathways, sites_to_record_for

CACHE_SECONDS = 10 * 60


def _borrowable(site, today) -> dict[str, tuple[str, capacity.PathwayRate]]:
    """Pathways at other sites, with the rate each sees, to "open" here."""
    moment = start_of(month_of(today))
    pathways = other_sites_pathways(site)
    rates = capacity.rates_at({p.site for p in pathways}, moment, capacity.HISTORY_MONTHS)
    return {
        str(p.pk): (
            _("%(pathway)s at %(site)s: %(rate)s a month")
            % {"pathway": p.name, "site": p.site.name, "rate": f"{rates[p.pk].per_month:.1f}"},
            rates[p.pk],
        )
        for p in pathways
        if p.pk in rates
    }


def _cached(key: dict, make):
    digest = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()
    cache_key = f"capacity:{digest}"
    value = cache.get(cache_key)
    if value is None:
        value = make()
        cache.set(cache_key, value, CACHE_SECONDS)
    return value


@require_GET
def capacity_page(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.PLAN_CAPACITY)
    sites = list(sites_to_record_for(request.user))
    today = timezone.localdate()
    data = request.GET.copy()
    if not data.get("site") and sites:
        data["site"] = str(sites[0].pk)
    chosen = next((s for s in sites if str(s.pk) == data.get("site")), sites[0] if sites else None)
    borrowable = _borrowable(chosen, today) if chosen else {}
    form = CapacityForm(data, sites=sites, borrowable=borrowable)
    form.is_valid()
    if chosen is None:
        return render(request, "reports/capacity.html", {"form": form})
    asked = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    extra, acceptance, extra_name = float(asked.get("extra_per_month") or 0), 1.0, ""
    if asked.get("borrow"):
        extra_name, rate = borrowable[asked["borrow"]]
        extra, acceptance = rate.per_month, rate.acceptance
    question = capacity.Question(
        extra_per_month=extra,
        extra_acceptance=acceptance,
        extra_name=extra_name,
        add_coordinators=asked.get("add_coordinators") or 0,
        cap_each=asked.get("cap_each") or 15,
        support_weeks=asked.get("support_weeks"),
    )
    key = {"site": chosen.pk, "today": today, "question": question.__dict__}
    inputs = _cached({**key, "part": "inputs"}, lambda: capacity.measure(chosen, today))
    baseline = _cached(
        {**key, "part": "baseline", "question": None}, lambda: capacity.simulate(inputs)
    )
    scenario = (
        _cached({**key, "part": "scenario"}, lambda: capacity.simulate(inputs, question))
        if question.asks_anything
        else None
    )
    back_from = add_months(month_of(today), -capacity.HISTORY_MONTHS)
    check = _cached(
        {**key, "part": "backtest", "question": None},
        lambda: capacity.backtest(chosen, back_from),
    )
    return render(
        request,
        "reports/capacity.html",
        {
            "form": form,
            "site": chosen,
            "inputs": inputs,
            "question": question,
            "waiting_chart": _waiting_chart(baseline, scenario),
            "wait_chart": _wait_chart(baseline, scenario),
            "check": check,
            "check_chart": _check_chart(check),
            "runs": baseline.runs,
        },
    )


def _band() -> str:
    """How the tables write a forecast: the median of the runs, then the 90% band."""
    return _("{middle} ({low} to {high})")


def _band_points(forecast, name, values):
    return [
        charts.BandPoint(month, name, low, middle, high)
        for month, (low, middle, high) in zip(forecast.months, values, strict=True)
        if middle == middle  # not NaN: a month nobody was allocated in
    ]


def _waiting_chart(baseline, scenario) -> charts.Chart:
    points = _band_points(baseline, _("If nothing changes"), baseline.waiting)
    if scenario is not None:
        points += _band_points(scenario, _("With the change"), scenario.waiting)
    last = baseline.waiting[-1][1]
    summary = _("If nothing changes, about %(n)s people will be waiting in six months.") % {
        "n": round(last)
    }
    if scenario is not None:
        summary += " " + _("With the change, about %(n)s.") % {"n": round(scenario.waiting[-1][1])}
    return charts.band_chart(
        title=_("People waiting at the end of each month"),
        summary=summary,
        points=points,
        y_title=_("People waiting"),
        month_title=_("Month"),
        band_text=_band(),
    )


def _wait_chart(baseline, scenario) -> charts.Chart:
    points = _band_points(baseline, _("If nothing changes"), baseline.wait_weeks)
    if scenario is not None:
        points += _band_points(scenario, _("With the change"), scenario.wait_weeks)
    return charts.band_chart(
        title=_("Weeks waited by those given a place each month (median)"),
        summary=_(
            "How long the people given a place each month will have waited, at the median of "
            "the runs, with the 90% band."
        ),
        points=points,
        y_title=_("Weeks"),
        month_title=_("Month"),
        band_text=_band(),
    )


def _check_chart(check) -> charts.Chart:
    seen = _("What happened")
    return charts.band_chart(
        title=_("The model against the site's own last six months"),
        summary=_(
            "Forecast from %(date)s with only what was known then: what happened was inside "
            "the 90%% band in %(inside)s of %(months)s months."
        )
        % {
            "date": check.forecast.inputs.as_of.strftime("%d/%m/%Y"),
            "inside": check.within_band,
            "months": check.compared,
        },
        points=_band_points(check.forecast, _("Forecast then"), check.forecast.waiting),
        observed=[
            charts.Point(month, seen, value)
            for month, value in zip(check.forecast.months, check.observed, strict=True)
            if value is not None
        ],
        y_title=_("People waiting"),
        month_title=_("Month"),
        band_text=_band(),
    )

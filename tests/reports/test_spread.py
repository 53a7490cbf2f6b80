"""Medians and percentiles of days worked out by the database (PostgreSQL's `percentile_cont`)
or, on SQLite, by numpy from the fetched durations: the same numbers either way."""

import datetime

import numpy
import pytest
from django.db.models import Count, F, Q
from django.utils import timezone

from linkwork.referrals.models import Referral
from linkwork.reports.spread import (
    DaysBetween,
    Spread,
    aggregate,
    spread,
    spreads_by_month_and_all,
)
from tests.factories import make_referral

pytestmark = pytest.mark.django_db

# Days from referral to triage, by month received; fractions of a day, a tie, and one recorded
# before it was received (counted as 0 days).
WAITS = {
    (2026, 1): [0.25, 1.5, 1.5, 3.0, 7.75, 12.0, 40.125],
    (2026, 2): [2.0, -1.0, 5.5],
}


@pytest.fixture
def triaged(site_a):
    for (year, month), waits in WAITS.items():
        for i, wait in enumerate(waits):
            received = timezone.make_aware(datetime.datetime(year, month, 3 + i, 10, 30))
            referral = make_referral(site=site_a, received_at=received)
            Referral.objects.filter(pk=referral.pk).update(
                triaged_at=received + datetime.timedelta(days=wait)
            )
    make_referral(site=site_a)  # not triaged: not counted
    return Referral.objects.all()


def expected(values, p):
    return float(numpy.percentile([max(v, 0) for v in values], p))


def test_the_spread_of_all_the_rows(triaged):
    everyone = [w for waits in WAITS.values() for w in waits]

    result = spread(triaged, "received_at", "triaged_at")

    assert result.n == len(everyone)
    assert result.at(50) == pytest.approx(expected(everyone, 50), abs=1e-6)
    assert result.at(90) == pytest.approx(expected(everyone, 90), abs=1e-6)


def test_the_spread_per_month_and_overall_in_one_pass(triaged):
    result, everyone = spreads_by_month_and_all(
        triaged, "received_at", "triaged_at", month_of="received_at"
    )

    assert set(result) == {datetime.date(y, m, 1) for y, m in WAITS}
    for (year, month), waits in WAITS.items():
        part = result[datetime.date(year, month, 1)]
        assert part.n == len(waits)
        for p in (50, 90):
            assert part.at(p) == pytest.approx(expected(waits, p), abs=1e-6)
    all_waits = [w for waits in WAITS.values() for w in waits]
    assert everyone.n == len(all_waits)
    for p in (50, 90):
        assert everyone.at(p) == pytest.approx(expected(all_waits, p), abs=1e-6)


def test_counts_and_medians_in_one_aggregate(triaged):
    row, medians = aggregate(
        triaged.filter(triaged_at__isnull=False),
        {"late": Count("pk", filter=Q(received_at__month=2))},
        {"days": DaysBetween(F("received_at"), F("triaged_at"))},
        [50],
    )

    all_waits = [w for waits in WAITS.values() for w in waits]
    assert (row["n"], row["late"]) == (len(all_waits), len(WAITS[(2026, 2)]))
    assert medians["days"].at(50) == pytest.approx(expected(all_waits, 50), abs=1e-6)


def test_nothing_to_measure_is_an_empty_spread(site_a):
    result = spread(Referral.objects.all(), "received_at", "triaged_at")

    assert result == Spread(0)
    assert not result

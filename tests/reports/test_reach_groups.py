"""Reach counted in the database (one grouped query per dimension, or PostgreSQL's GROUPING
SETS) against the same counts worked out in Python from each referral, on awkward cases: ages
on and around birthdays, a 29 February birthday, a referral received just after midnight in
summer time, postcodes with odd spacing, case and characters."""

import datetime
import functools
from collections import Counter

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from linkwork.referrals.models import Allocation, Language
from linkwork.reports.dashboards import reach
from tests.factories import PathwayFactory, ReferralFactory

from .test_referrals_dashboard import board_of, figure, table

PERIOD = {"from": "2025-06", "to": "2026-03"}
UTC = datetime.UTC

# (received at, date of birth, postcode, language, frequent attender, reached)
PEOPLE = [
    # 23:30 UTC on 14 July is 00:30 on 15 July in London: 35 that day, not 34.
    (datetime.datetime(2025, 7, 14, 23, 30, tzinfo=UTC), datetime.date(1990, 7, 15), "SY18 6AA"),
    # The day before the 18th birthday, and the day of it.
    (datetime.datetime(2026, 1, 9, 10, tzinfo=UTC), datetime.date(2008, 1, 10), "sy18 6ab"),
    (datetime.datetime(2026, 1, 10, 10, tzinfo=UTC), datetime.date(2008, 1, 10), " SY18 6AB "),
    # Born on 29 February: 65 on 1 March, not on 28 February.
    (datetime.datetime(2025, 2, 28, 10, tzinfo=UTC), datetime.date(1960, 2, 29), "CF10 1AA"),
    (datetime.datetime(2026, 2, 28, 10, tzinfo=UTC), datetime.date(1960, 2, 29), "CF101AA"),
    (datetime.datetime(2026, 3, 1, 10, tzinfo=UTC), datetime.date(1960, 2, 29), "CF10  1AA"),
    (datetime.datetime(2026, 3, 2, 10, tzinfo=UTC), datetime.date(1950, 3, 3), "LL57"),
    (datetime.datetime(2026, 3, 2, 10, tzinfo=UTC), datetime.date(1950, 3, 2), "SA1"),
    (datetime.datetime(2025, 12, 31, 23, tzinfo=UTC), datetime.date(1944, 1, 1), ""),
    (datetime.datetime(2025, 11, 5, 9, tzinfo=UTC), datetime.date(2000, 11, 5), "   "),
    (datetime.datetime(2025, 11, 5, 9, tzinfo=UTC), datetime.date(1985, 6, 1), "\tnp20\t1aa"),
    (datetime.datetime(2025, 9, 1, 9, tzinfo=UTC), datetime.date(1985, 6, 1), "np20\t1aa"),
    (datetime.datetime(2025, 9, 1, 9, tzinfo=UTC), datetime.date(1985, 6, 1), "é1 2ab"),
    (datetime.datetime(2025, 9, 1, 9, tzinfo=UTC), datetime.date(1985, 6, 1), "ab12"),
    (datetime.datetime(2025, 9, 1, 9, tzinfo=UTC), datetime.date(1985, 6, 1), "SY186AA\n"),
]


@pytest.fixture
def referred(site_a, manager, coordinator_a):
    pathways = [
        PathwayFactory(site=site_a, name="GP practices"),
        PathwayFactory(site=site_a, name="Self-referral"),
    ]
    made = []
    for i, (received_at, born, postcode) in enumerate(PEOPLE):
        referral = ReferralFactory(
            pathway=pathways[i % 2],
            received_at=received_at,
            frequent_attender=i % 3 == 0,
            person__date_of_birth=born,
            person__postcode=postcode,
            person__preferred_language=Language.WELSH if i % 4 == 0 else Language.ENGLISH,
        )
        if i % 2 == 0:
            Allocation.objects.create(referral=referral, coordinator=coordinator_a, by=manager)
        made.append(referral)
    return made


def expected(referrals):
    """Each dimension's label -> (referred, reached), as the dashboard used to count them."""
    start = timezone.make_aware(datetime.datetime(2025, 6, 1))
    end = timezone.make_aware(datetime.datetime(2026, 4, 1))
    counts = {key: Counter() for key in ("age", "frequent_attender", "area", "language")}
    for r in referrals:
        if not start <= r.received_at < end:
            continue
        person = r.person
        labels = {
            "age": reach._age_band(person.age_on(timezone.localdate(r.received_at))),
            "frequent_attender": "Frequent attender"
            if r.frequent_attender
            else "Not a frequent attender",
            "area": reach._district(person.postcode),
            "language": str(Language(person.preferred_language).label),
        }
        reached = r.allocations.exists()
        for key, label in labels.items():
            counts[key][(label, "referred")] += 1
            counts[key][(label, "reached")] += reached
    return {
        key: {
            label: (c[(label, "referred")], c[(label, "reached")])
            for label, kind in c
            if kind == "referred"
        }
        for key, c in counts.items()
    }


@pytest.mark.parametrize(
    "grouping_sets",
    [
        False,
        pytest.param(
            True,
            marks=pytest.mark.skipif(
                connection.vendor != "postgresql", reason="GROUPING SETS on PostgreSQL only"
            ),
        ),
    ],
)
def test_reach_groups_as_each_referral_would_be_counted(
    client_for, manager, referred, monkeypatch, today, grouping_sets
):
    monkeypatch.setattr(
        reach, "_referred", functools.partial(reach._referred, grouping_sets=grouping_sets)
    )
    board = board_of(client_for(manager).get(reverse("reports:dashboard", args=["reach"]), PERIOD))
    want = expected(referred)
    assert figure(board, "referred").value == len(referred) - 1  # one was received before
    for key, groups in want.items():
        got = {
            row.key: (row.figures[0].value, row.figures[1].value)
            for row in table(board, f"reach_by_{key}").rows
        }
        assert got == groups, key
    # The labels the awkward cases must come to.
    areas = {row.key for row in table(board, "reach_by_area").rows}
    # (A tab is not a space to `_district`: "np20\t1aa" is "NP20\t", as it always was.)
    # An outward code alone ("LL57", "ab12": four characters or fewer, no space) is its own
    # district, as an anonymised record keeps it (decision 0027); it was cut to "L" and "A".
    assert areas == {"SY18", "CF10", "LL57", "SA1", "Not known", "NP20\t", "É1", "AB12"}
    ages = {row.key: row.figures[0].value for row in table(board, "reach_by_age").rows}
    assert ages == {
        "Under 18": 1,
        "18–24": 1,
        "25–34": 1,
        "35–44": 6,
        "65–74": 2,
        "75 and over": 3,
    }

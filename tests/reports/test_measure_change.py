"""Change from baseline counted in SQL (`reports.dashboards.measure_change`) against
`reliable_change` in Python, pair by pair, so the two cannot drift apart."""

import datetime
import statistics
from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkwork.outcomes.actions import change_parameters, instrument_settings
from linkwork.outcomes.instruments import all_instruments, get_instrument
from linkwork.outcomes.instruments.base import InstrumentError
from linkwork.outcomes.instruments.change import reliable_change
from linkwork.outcomes.models import InstrumentSetting, Measure, Timepoint
from linkwork.reports.dashboards import measure_change
from tests.factories import ReferralFactory

CODES = [i.code for i in all_instruments()]  # ons4 and ons_loneliness have no reliability
DAY = datetime.date(2026, 3, 1)


@pytest.fixture
def people(pathway_a, coordinator_a):
    return ReferralFactory.create_batch(40, pathway=pathway_a), coordinator_a


def measure(referral, by, code, timepoint, total, **extra):
    return Measure(
        referral=referral,
        instrument=code,
        timepoint=timepoint,
        completed_on=DAY,
        answers=[],
        total=total,
        collected_by="coordinator",
        by=by,
        **extra,
    )


def current_ends():
    return Measure.objects.filter(
        timepoint=Timepoint.END, withdrawn_at__isnull=True, total__isnull=False
    )


def in_python(pairs):
    """What the dashboard counted before: `reliable_change` on each pair."""
    settings_by_code = instrument_settings()
    directions = {}
    for code, before, after in pairs:
        instrument = get_instrument(code)
        reliability, sd = change_parameters(instrument, settings_by_code.get(code))
        counted = directions.setdefault(code, Counter())
        try:
            change = reliable_change(instrument, before, after, reliability=reliability, sd=sd)
        except InstrumentError:
            continue
        counted[change.direction] += 1
    return directions


def hundredths(steps: int) -> Decimal:
    return Decimal(steps) / 100


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("parameters", [None, (0.5, 1), (0.999, 25.5), (0.8, 10)])
def test_the_threshold_is_where_reliable_change_begins(code, parameters):
    instrument = get_instrument(code)
    reliability, sd = parameters or (instrument.reliability, instrument.sd)
    threshold = measure_change.reliable_threshold(instrument, reliability, sd)
    if reliability is None:
        assert threshold is None
        return
    for sign in (1, -1):
        below = reliable_change(
            instrument, 0, hundredths(sign * (threshold - 1)), reliability=reliability, sd=sd
        )
        at = reliable_change(
            instrument, 0, hundredths(sign * threshold), reliability=reliability, sd=sd
        )
        assert (below.reliable, at.reliable) == (False, True)


def test_out_of_range_parameters_assess_nothing():
    phq9 = get_instrument("phq9")
    assert measure_change.reliable_threshold(phq9, 1.0, 6.0) is None
    assert measure_change.reliable_threshold(phq9, 0.8, 0) is None


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_sql_counts_what_reliable_change_says(people, data):
    referrals, by = people
    Measure.objects.all().delete()
    InstrumentSetting.objects.all().delete()
    override = data.draw(
        st.none()
        | st.tuples(
            st.sampled_from(CODES),
            st.integers(1, 999).map(lambda n: Decimal(n) / 1000),
            st.integers(1, 3000).map(lambda n: Decimal(n) / 100),
        )
    )
    if override:
        code, reliability, sd = override
        InstrumentSetting.objects.create(instrument=code, reliability=reliability, sd=sd)
    thresholds = measure_change.thresholds()
    pairs, rows = [], []
    for referral in referrals[: data.draw(st.integers(0, len(referrals)))]:
        code = data.draw(st.sampled_from(CODES))
        threshold = thresholds.get(code, (400, 1))[0]
        before = data.draw(st.integers(0, 7000))
        # Changes anywhere, and many at the edge of reliable change either way.
        change = data.draw(
            st.integers(-6000, 6000)
            | st.sampled_from([threshold - 1, threshold, 1 - threshold, -threshold, 0])
            | st.integers(-threshold - 2, -threshold + 2)
            | st.integers(threshold - 2, threshold + 2)
        )
        pairs.append((code, hundredths(before), hundredths(before + change)))
        rows.append(measure(referral, by, code, Timepoint.BASELINE, hundredths(before)))
        rows.append(measure(referral, by, code, Timepoint.END, hundredths(before + change)))
    Measure.objects.bulk_create(rows)

    counted = measure_change.changes(current_ends())
    expected = in_python(pairs)
    assert set(counted) == set(expected)
    for code, directions in expected.items():
        got = counted[code]
        assert (got.improved, got.no_reliable_change, got.deteriorated) == (
            directions["improved"],
            directions["no_reliable_change"],
            directions["deteriorated"],
        ), code
        changes = [after - before for c, before, after in pairs if c == code]
        assert got.n == len(changes)
        assert got.mean == pytest.approx(float(statistics.mean(changes)))
        if len(changes) > 1:
            assert got.sd == pytest.approx(float(statistics.stdev(changes)), abs=1e-9)
    assert sorted(measure_change.pairs(current_ends())) == sorted(pairs)


def test_only_current_measures_with_a_total_are_paired(people):
    (first, second, third, fourth, *_rest), by = people
    withdrawn = {"withdrawn_at": datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC)}
    Measure.objects.bulk_create(
        [
            # A baseline withdrawn and done again: the current one counts.
            measure(first, by, "gad7", Timepoint.BASELINE, 3, **withdrawn),
            measure(first, by, "gad7", Timepoint.BASELINE, 20),
            measure(first, by, "gad7", Timepoint.END, 5),
            # No current baseline, or one on another instrument: no pair.
            measure(second, by, "gad7", Timepoint.BASELINE, 20, **withdrawn),
            measure(second, by, "gad7", Timepoint.END, 5),
            measure(third, by, "phq9", Timepoint.BASELINE, 20),
            measure(third, by, "gad7", Timepoint.END, 5),
            # A baseline without a total, and a review: no pair.
            measure(fourth, by, "phq9", Timepoint.BASELINE, None),
            measure(fourth, by, "phq9", Timepoint.REVIEW, 10),
            measure(fourth, by, "phq9", Timepoint.END, 5),
        ]
    )
    assert measure_change.pairs(current_ends()) == [("gad7", Decimal(20), Decimal(5))]
    gad7 = measure_change.changes(current_ends())["gad7"]
    assert (gad7.n, gad7.mean, gad7.improved) == (1, -15.0, 1)
    assert gad7.confidence_interval() == (None, None)

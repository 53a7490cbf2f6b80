"""Jacobson-Truax reliable change, checked against values worked out by hand."""

import math
from decimal import Decimal

import pytest

from linkwork.outcomes.instruments import InstrumentError, get_instrument, reliable_change


def test_wemwbs_reliable_improvement_by_hand():
    # SD 8.79, alpha 0.91: SE_diff = 8.79 × √2 × √0.09 = 8.79 × 1.414214 × 0.3 = 3.729281
    change = reliable_change("wemwbs", 40, 50)
    assert change.se_diff == pytest.approx(3.729281, abs=1e-6)
    assert change.difference == 10
    assert change.rci == pytest.approx(2.681482, abs=1e-6)
    assert change.reliable is True
    assert change.direction == "improved"
    assert str(change.direction_label) == "Reliable improvement"
    assert change.meaningful is None
    assert (change.reliability, change.sd) == (0.91, 8.79)


def test_wemwbs_change_too_small_to_be_reliable():
    change = reliable_change("wemwbs", 40, 47)  # 7 / 3.729281 = 1.877
    assert change.rci == pytest.approx(1.877037, abs=1e-6)
    assert change.reliable is False
    assert change.direction == "no_reliable_change"
    assert str(change.direction_label) == "No reliable change"


def test_wemwbs_reliable_deterioration():
    change = reliable_change("wemwbs", 50, 40)
    assert change.rci == pytest.approx(-2.681482, abs=1e-6)
    assert change.direction == "deteriorated"


@pytest.mark.parametrize(
    ("baseline", "follow_up", "direction"),
    [(18, 12, "improved"), (12, 18, "deteriorated"), (18, 13, "no_reliable_change")],
)
def test_phq9_lower_is_better(baseline, follow_up, direction):
    # SD 6.0, alpha 0.89: SE_diff = 6 × √2 × √0.11 = 2.814249; a fall of 6 gives RCI −2.132.
    change = reliable_change("phq9", baseline, follow_up)
    assert change.se_diff == pytest.approx(2.814249, abs=1e-6)
    assert change.rci == pytest.approx((follow_up - baseline) / 2.814249, abs=1e-5)
    assert change.direction == direction


@pytest.mark.parametrize(
    ("code", "better", "worse"),
    [("gad7", [0] * 7, [3] * 7), ("ucla3", [1, 1, 1], [3, 3, 3])],
)
def test_other_lower_is_better_instruments(code, better, worse):
    instrument = get_instrument(code)
    worse_score, better_score = instrument.score(worse), instrument.score(better)
    assert reliable_change(code, worse_score, better_score).direction == "improved"
    assert reliable_change(code, better_score, worse_score).direction == "deteriorated"


def test_swemwbs_uses_metric_scores_and_meaningful_change():
    swemwbs = get_instrument("swemwbs")
    baseline = swemwbs.score([3, 3, 3, 2, 3, 3, 2])  # raw 19 → 17.98
    follow_up = swemwbs.score([4, 3, 3, 4, 3, 4, 4])  # raw 25 → 22.35
    change = reliable_change(swemwbs, baseline, follow_up)
    # SD 3.9, alpha 0.84: SE_diff = 3.9 × √2 × 0.4 = 2.206173; 4.37 / 2.206173 = 1.980806
    assert change.difference == Decimal("4.37")
    assert change.se_diff == pytest.approx(2.206173, abs=1e-6)
    assert change.rci == pytest.approx(1.980806, abs=1e-6)
    assert change.reliable is True
    assert change.direction == "improved"
    assert change.meaningful is True
    assert change.meaningful_threshold == 3


def test_swemwbs_small_change_is_neither_reliable_nor_meaningful():
    change = reliable_change("swemwbs", Decimal("19.25"), Decimal("21.54"))
    assert change.difference == Decimal("2.29")
    assert change.reliable is False
    assert change.meaningful is False
    assert reliable_change(
        "swemwbs", Decimal("19.25"), Decimal("21.54"), meaningful_threshold=2
    ).meaningful


def test_reliability_and_sd_are_configurable():
    change = reliable_change("wemwbs", 40, 53, reliability=0.8, sd=10)
    assert change.se_diff == pytest.approx(10 * math.sqrt(2) * math.sqrt(0.2))
    assert change.rci == pytest.approx(13 / 6.324555, abs=1e-6)
    assert change.reliable is True
    assert (change.reliability, change.sd) == (0.8, 10.0)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"reliability": 1}, "reliability must be between 0 and 1"),
        ({"reliability": 0}, "reliability must be between 0 and 1"),
        ({"sd": -1}, "sd must be greater than 0"),
        ({"sd": "8"}, "sd must be a number"),
    ],
)
def test_nonsense_parameters_are_refused(options, message):
    with pytest.raises(InstrumentError, match=message):
        reliable_change("wemwbs", 40, 50, **options)


def test_instruments_without_a_reliability_need_one_given():
    with pytest.raises(InstrumentError, match="reliable change needs"):
        reliable_change("ons_loneliness", 5, 1)
    change = reliable_change("ons_loneliness", 5, 1, reliability=0.7, sd=1.2)
    assert change.direction == "improved"


def test_scores_must_match_the_instrument():
    gad7 = get_instrument("gad7").score([0] * 7)
    with pytest.raises(InstrumentError, match="is for gad7, not phq9"):
        reliable_change("phq9", gad7, 10)
    with pytest.raises(InstrumentError, match="baseline score must be"):
        reliable_change("phq9", 10.5, 10)
    with pytest.raises(InstrumentError, match="No instrument"):
        reliable_change("unknown", 1, 2)


def test_every_instrument_states_its_reliability_source():
    for code in ("swemwbs", "wemwbs", "phq9", "gad7", "ucla3"):
        instrument = get_instrument(code)
        assert 0 < instrument.reliability < 1 and instrument.sd > 0
        assert instrument.reliability_source

"""Hypothesis: for random valid answers the total is the sum and the band matches the table;
random invalid answers are always refused."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkwork.outcomes.instruments import InstrumentError, all_instruments, get_instrument
from linkwork.outcomes.instruments.registry import SWEMWBS_METRIC

# The published bands, restated here as (upper bound, code).
PHQ9 = [(4, "none_minimal"), (9, "mild"), (14, "moderate"), (19, "moderately_severe")]
PHQ9 += [(27, "severe")]
GAD7 = [(4, "minimal"), (9, "mild"), (14, "moderate"), (21, "severe")]
ONS4_POSITIVE = [(4, "low"), (6, "medium"), (8, "high"), (10, "very_high")]
ONS4_ANXIETY = [(1, "very_low"), (3, "low"), (5, "medium"), (10, "high")]


def expected_band(table, value):
    return next(code for upper, code in table if value <= upper)


def answers_for(code):
    instrument = get_instrument(code)
    return st.lists(
        st.integers(instrument.min_value, instrument.max_value),
        min_size=instrument.item_count,
        max_size=instrument.item_count,
    )


@given(answers_for("phq9"))
def test_phq9(answers):
    score = get_instrument("phq9").score(answers)
    assert score.total == score.raw == sum(answers)
    assert score.band == expected_band(PHQ9, sum(answers))
    assert score.flags["phq9_item9"] == (answers[8] > 0)


@given(answers_for("gad7"))
def test_gad7(answers):
    score = get_instrument("gad7").score(answers)
    assert score.total == sum(answers)
    assert score.band == expected_band(GAD7, sum(answers))


@given(answers_for("wemwbs"))
def test_wemwbs(answers):
    score = get_instrument("wemwbs").score(answers)
    assert score.total == sum(answers)
    assert 14 <= score.total <= 70


@given(answers_for("swemwbs"))
def test_swemwbs(answers):
    score = get_instrument("swemwbs").score(answers)
    assert score.raw == sum(answers)
    assert score.total == SWEMWBS_METRIC[sum(answers)]


@given(answers_for("ons4"))
def test_ons4(answers):
    subscores = get_instrument("ons4").score(answers).subscores
    for code, answer in zip(("life_satisfaction", "worthwhile", "happy"), answers, strict=False):
        assert subscores[code].value == answer
        assert subscores[code].band == expected_band(ONS4_POSITIVE, answer)
    assert subscores["anxious"].band == expected_band(ONS4_ANXIETY, answers[3])


@given(answers_for("ucla3"), st.integers(3, 9))
def test_ucla3(answers, threshold):
    score = get_instrument("ucla3").score(answers, threshold=threshold)
    assert score.total == sum(answers)
    assert score.flags == {"lonely": sum(answers) >= threshold}


BAD_VALUES = st.one_of(
    st.none(),
    st.floats(allow_nan=True),
    st.text(max_size=3),
    st.booleans(),
    st.integers().filter(lambda n: n < 0 or n > 10),
)


@st.composite
def invalid_answers(draw):
    instrument = draw(st.sampled_from(all_instruments()))
    count = instrument.item_count
    kind = draw(st.sampled_from(["length", "value", "range"]))
    valid = st.integers(instrument.min_value, instrument.max_value)
    if kind == "length":
        size = draw(st.integers(0, count + 5).filter(lambda n: n != count))
        return instrument, draw(st.lists(valid, min_size=size, max_size=size))
    answers = draw(st.lists(valid, min_size=count, max_size=count))
    position = draw(st.integers(0, count - 1))
    if kind == "value":
        answers[position] = draw(BAD_VALUES)
    else:
        answers[position] = draw(
            st.one_of(
                st.integers(max_value=instrument.min_value - 1),
                st.integers(min_value=instrument.max_value + 1),
            )
        )
    return instrument, answers


@given(invalid_answers())
def test_invalid_answers_are_always_refused(case):
    instrument, answers = case
    with pytest.raises(InstrumentError):
        instrument.score(answers)

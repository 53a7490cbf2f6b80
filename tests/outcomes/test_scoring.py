"""Every instrument scored against its published scoring: full ranges and every band boundary."""

from decimal import Decimal

import pytest

from linkwork.outcomes.instruments import (
    DEFAULT_UCLA_THRESHOLD,
    InstrumentError,
    all_instruments,
    get_instrument,
)

# The published SWEMWBS raw-to-metric conversion table (University of Warwick), typed out
# independently of the implementation.
SWEMWBS_TABLE = {
    7: "7.00", 8: "9.51", 9: "11.25", 10: "12.40", 11: "13.33", 12: "14.08", 13: "14.75",
    14: "15.32", 15: "15.84", 16: "16.36", 17: "16.88", 18: "17.43", 19: "17.98", 20: "18.59",
    21: "19.25", 22: "19.98", 23: "20.73", 24: "21.54", 25: "22.35", 26: "23.21", 27: "24.11",
    28: "25.03", 29: "26.02", 30: "27.03", 31: "28.13", 32: "29.31", 33: "30.70", 34: "32.55",
    35: "35.00",
}  # fmt: skip


def answers_summing_to(total, count, low, high):
    """``count`` answers in ``low..high``, spread as evenly as possible, summing to ``total``."""
    base, extra = divmod(total - count * low, count)
    answers = [low + base + (1 if i < extra else 0) for i in range(count)]
    assert sum(answers) == total and all(low <= a <= high for a in answers)
    return answers


def test_the_table_covers_every_raw_total():
    assert sorted(SWEMWBS_TABLE) == list(range(7, 36))


@pytest.mark.parametrize(("raw", "metric"), SWEMWBS_TABLE.items())
def test_swemwbs_every_raw_total_maps_to_its_published_metric_score(raw, metric):
    score = get_instrument("swemwbs").score(answers_summing_to(raw, 7, 1, 5))
    assert score.raw == raw
    assert score.total == Decimal(metric)
    assert isinstance(score.total, Decimal)
    assert str(score.total) == metric  # exactly two decimal places, never a float


@pytest.mark.parametrize("raw", [8, 20, 34])
def test_swemwbs_metric_depends_only_on_the_raw_total(raw):
    swemwbs = get_instrument("swemwbs")
    even = answers_summing_to(raw, 7, 1, 5)
    assert swemwbs.score(even).total == swemwbs.score(list(reversed(even))).total


def test_documented_swemwbs_example():
    score = get_instrument("swemwbs").score([4, 3, 3, 4, 3, 4, 4])
    assert score.raw == 25
    assert score.total == Decimal("22.35")
    assert score.band is None and score.flags == {}


@pytest.mark.parametrize(("total", "count"), [(14, 14), (42, 14), (70, 14)])
def test_wemwbs_total_is_the_sum(total, count):
    score = get_instrument("wemwbs").score(answers_summing_to(total, count, 1, 5))
    assert score.total == score.raw == total
    assert score.band is None


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none_minimal"),
        (4, "none_minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_band_boundaries(total, band):
    # Item 9 kept at 0 so the flag is not set by the spread of answers.
    answers = [*answers_summing_to(total, 8, 0, 3), 0] if total <= 24 else [3] * 9
    score = get_instrument("phq9").score(answers)
    assert score.total == total
    assert score.band == band


def test_phq9_band_labels():
    assert str(get_instrument("phq9").score([0] * 9).band_label) == "None–minimal"
    assert str(get_instrument("phq9").score([3] * 9).band_label) == "Severe"


def test_phq9_item_9_flag_with_a_total_of_one():
    score = get_instrument("phq9").score([0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert score.total == 1
    assert score.band == "none_minimal"
    assert score.flags == {"phq9_item9": True}


def test_phq9_no_flag_when_item_9_is_not_at_all():
    score = get_instrument("phq9").score([3, 3, 3, 3, 3, 3, 3, 3, 0])
    assert score.total == 24
    assert score.flags == {"phq9_item9": False}


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_band_boundaries(total, band):
    score = get_instrument("gad7").score(answers_summing_to(total, 7, 0, 3))
    assert score.total == total
    assert score.band == band


@pytest.mark.parametrize(
    ("answer", "band"),
    [(0, "low"), (4, "low"), (5, "medium"), (6, "medium"), (7, "high"), (8, "high")]
    + [(9, "very_high"), (10, "very_high")],
)
@pytest.mark.parametrize("question", range(3))
def test_ons4_positive_question_band_edges(question, answer, band):
    answers = [5, 5, 5, 5]
    answers[question] = answer
    score = get_instrument("ons4").score(answers)
    code = ("life_satisfaction", "worthwhile", "happy")[question]
    assert score.subscores[code].value == answer
    assert score.subscores[code].band == band


@pytest.mark.parametrize(
    ("answer", "band"),
    [(0, "very_low"), (1, "very_low"), (2, "low"), (3, "low"), (4, "medium"), (5, "medium")]
    + [(6, "high"), (10, "high")],
)
def test_ons4_anxiety_band_edges(answer, band):
    score = get_instrument("ons4").score([5, 5, 5, answer])
    assert score.subscores["anxious"].band == band


def test_ons4_has_no_total_and_reports_four_answers():
    score = get_instrument("ons4").score([7, 9, 5, 2])
    assert score.total is None and score.raw is None
    assert {code: sub.value for code, sub in score.subscores.items()} == {
        "life_satisfaction": 7,
        "worthwhile": 9,
        "happy": 5,
        "anxious": 2,
    }
    assert str(score.subscores["anxious"].band_label) == "Low"
    assert str(score.subscores["worthwhile"].band_label) == "Very high"


@pytest.mark.parametrize(("total", "lonely"), [(3, False), (5, False), (6, True), (9, True)])
def test_ucla3_default_threshold(total, lonely):
    assert DEFAULT_UCLA_THRESHOLD == 6
    score = get_instrument("ucla3").score(answers_summing_to(total, 3, 1, 3))
    assert score.total == total
    assert score.flags == {"lonely": lonely}


@pytest.mark.parametrize(("total", "lonely"), [(6, False), (7, True)])
def test_ucla3_custom_threshold(total, lonely):
    score = get_instrument("ucla3").score(answers_summing_to(total, 3, 1, 3), threshold=7)
    assert score.flags == {"lonely": lonely}


@pytest.mark.parametrize("threshold", [2, 10, 6.5, "6", True])
def test_ucla3_rejects_a_nonsense_threshold(threshold):
    with pytest.raises(InstrumentError, match="threshold"):
        get_instrument("ucla3").score([2, 2, 2], threshold=threshold)


def test_other_instruments_take_no_options():
    with pytest.raises(InstrumentError, match="no scoring options"):
        get_instrument("phq9").score([0] * 9, threshold=6)


@pytest.mark.parametrize(
    ("answer", "band", "label"),
    [
        (1, "never", "Never"),
        (2, "hardly_ever", "Hardly ever"),
        (3, "occasionally", "Occasionally"),
        (4, "some_of_the_time", "Some of the time"),
        (5, "often_always", "Often or always"),
    ],
)
def test_ons_loneliness_is_reported_as_its_answer(answer, band, label):
    score = get_instrument("ons_loneliness").score([answer])
    assert score.total == answer
    assert score.band == band
    assert str(score.band_label) == label


def test_get_instrument_unknown_raises():
    with pytest.raises(InstrumentError, match="No instrument 'unknown'"):
        get_instrument("unknown")
    assert issubclass(InstrumentError, ValueError)


def test_registry_lists_every_instrument_once():
    codes = [instrument.code for instrument in all_instruments()]
    assert codes == ["swemwbs", "wemwbs", "ons4", "phq9", "gad7", "ucla3", "ons_loneliness"]
    for code in codes:
        assert get_instrument(code).code == code


@pytest.mark.parametrize(
    ("code", "count", "low", "high"),
    [
        ("swemwbs", 7, 1, 5),
        ("wemwbs", 14, 1, 5),
        ("ons4", 4, 0, 10),
        ("phq9", 9, 0, 3),
        ("gad7", 7, 0, 3),
        ("ucla3", 3, 1, 3),
        ("ons_loneliness", 1, 1, 5),
    ],
)
def test_instrument_data(code, count, low, high):
    instrument = get_instrument(code)
    assert instrument.item_count == count
    assert (instrument.min_value, instrument.max_value) == (low, high)
    assert all(isinstance(item, str) and item for item in instrument.items)
    assert instrument.welsh_available is False
    assert instrument.allows_prorating is False


def test_licensing():
    assert get_instrument("wemwbs").requires_registration
    assert get_instrument("swemwbs").requires_registration
    assert "© University of Warwick 2006" in get_instrument("wemwbs").licence_note
    assert "© University of Warwick, 2008" in get_instrument("swemwbs").licence_note
    assert not get_instrument("phq9").requires_registration
    codes = {instrument.code for instrument in all_instruments()}
    assert not codes & {"mycaw", "pam"}


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([4, 3, 3, 4, 3, 4], "expected 7 answers, got 6"),
        ([4, 3, 3, 4, 3, 4, 4, 4], "expected 7 answers, got 8"),
        ([4, 3, None, 4, 3, 4, 4], "item 3 is unanswered"),
        ([4, 3, 3, 4, 3, 4, 6], r"item 7: 6 is out of range \(1 to 5\)"),
        ([0, 3, 3, 4, 3, 4, 4], r"item 1: 0 is out of range"),
        ([4, 3.0, 3, 4, 3, 4, 4], "item 2: 3.0 is not a whole number"),
        ([4, 3, "3", 4, 3, 4, 4], "item 3: '3' is not a whole number"),
        ([4, 3, 3, True, 3, 4, 4], "item 4: True is not a whole number"),
        ([4, 3, 3, 4, Decimal(3), 4, 4], "item 5: Decimal"),
        ("4334344", "answers must be a list"),
        (None, "answers must be a list"),
        (25, "answers must be a list"),
    ],
)
def test_invalid_answers_raise_a_clear_error(answers, message):
    with pytest.raises(InstrumentError, match=message):
        get_instrument("swemwbs").score(answers)


def test_answers_are_kept_on_the_score():
    assert get_instrument("gad7").score((1, 2, 3, 0, 1, 2, 3)).answers == (1, 2, 3, 0, 1, 2, 3)

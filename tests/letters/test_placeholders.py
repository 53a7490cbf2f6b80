"""The placeholder syntax, the default wording against it, and the letter's own words for
dates and times in English and Welsh."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from linkwork.letters.defaults import DEFAULT_TEMPLATES
from linkwork.letters.models import LetterKind
from linkwork.letters.placeholders import PLACEHOLDERS, check, fill
from linkwork.letters.wording import clock_time, day_and_date, long_date


def test_every_default_template_uses_only_its_own_placeholders():
    assert set(DEFAULT_TEMPLATES) == {(k, lang) for k in LetterKind.values for lang in ("en", "cy")}
    for (kind, _language), (subject, body) in DEFAULT_TEMPLATES.items():
        assert not check(subject, kind), subject
        assert not check(body, kind), body


def test_unknown_placeholders_are_named_once_each_in_order():
    problems = check("{first_name} {nope} {zzz} {nope}", LetterKind.NO_CONTACT)
    assert problems.unknown == ("{nope}", "{zzz}")
    assert not problems.stray_braces


def test_django_template_syntax_is_not_a_placeholder():
    for text in ("{{ first_name }}", "{% load evil %}", "{first_name}}", "{ first_name }"):
        assert check(text, LetterKind.NO_CONTACT), text


def test_fill_replaces_known_names_and_leaves_the_rest():
    values = {"first_name": "Ann", "reply_by": "1 May 2025"}
    assert fill("Dear {first_name}, by {reply_by}. {x}", values) == "Dear Ann, by 1 May 2025. {x}"


def test_a_value_is_never_read_as_a_placeholder_itself():
    assert fill("Dear {first_name}", {"first_name": "{last_name}", "last_name": "X"}) == (
        "Dear {last_name}"
    )


@given(st.text().filter(lambda t: "{" not in t and "}" not in t))
def test_text_without_braces_is_always_fine_and_unchanged(text):
    for kind in LetterKind.values:
        assert not check(text, kind)
    assert fill(text, {"first_name": "Ann"}) == text


def test_each_kind_lists_the_placeholders_its_letters_fill_in():
    names = {kind: {p.name for p in PLACEHOLDERS[kind]} for kind in LetterKind.values}
    assert "appointment_date" in names[LetterKind.APPOINTMENT]
    assert "appointment_date" not in names[LetterKind.END_OF_SUPPORT]
    assert {"outcome", "nhs_number"} <= names[LetterKind.REFERRER]
    assert all("first_name" in each for each in names.values())


def test_dates_and_times_in_each_language():
    day = datetime.date(2025, 1, 14)
    assert long_date(day, "en") == "14 January 2025"
    assert long_date(day, "cy") == "14 Ionawr 2025"
    assert day_and_date(day, "en") == "Tuesday 14 January 2025"
    assert day_and_date(day, "cy") == "Dydd Mawrth 14 Ionawr 2025"
    assert clock_time(datetime.time(14, 30), "en") == "2:30pm"
    assert clock_time(datetime.time(14, 30), "cy") == "2:30yp"
    assert clock_time(datetime.time(9, 5), "cy") == "9:05yb"
    assert clock_time(datetime.time(12, 0), "en") == "12:00pm"
    assert clock_time(datetime.time(0, 15), "en") == "12:15am"

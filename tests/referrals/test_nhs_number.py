"""The NHS number check and the age rule a referrer meets on the referral form."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from linkwork.referrals.eligibility import eligibility_problems
from linkwork.referrals.models import Pathway
from linkwork.referrals.validators import (
    nhs_number_is_valid,
    normalise_nhs_number,
    validate_nhs_number,
)

WEIGHTS = range(10, 1, -1)


def check_digit(first_nine: str) -> int:
    """The modulus-11 check digit, computed independently of the code under test."""
    remainder = sum(int(d) * w for d, w in zip(first_nine, WEIGHTS, strict=True)) % 11
    return (11 - remainder) % 11  # 11 -> 0; 10 stays 10, which means "no valid number"


# --- known numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "9434765919",
        "4010232137",
        "943 476 5919",  # typed in the 3-3-4 groups printed on letters
        "943-476-5919",
        " 9434765919 ",
    ],
)
def test_valid_nhs_numbers_pass(number):
    assert nhs_number_is_valid(number)
    validate_nhs_number(number)  # does not raise


@pytest.mark.parametrize(
    "number",
    [
        "9434765918",  # last digit wrong
        "9434765910",
        "4010232138",
        "1234567890",  # check digit would be 10: no valid number starts 123456789
        "3434765919",  # first digit wrong
    ],
)
def test_numbers_failing_the_check_digit_are_rejected_as_typing_mistakes(number):
    assert not nhs_number_is_valid(number)
    with pytest.raises(ValidationError) as excinfo:
        validate_nhs_number(number)
    assert "check it for typing mistakes" in str(excinfo.value.messages[0])


@pytest.mark.parametrize(
    "number",
    ["", "943476591", "94347659199", "94347659I9", "9434.765919", "abcdefghij"],
)
def test_numbers_without_exactly_ten_digits_are_rejected_asking_for_ten_digits(number):
    assert not nhs_number_is_valid(number)
    with pytest.raises(ValidationError) as excinfo:
        validate_nhs_number(number)
    assert "10 digits" in str(excinfo.value.messages[0])


@pytest.mark.parametrize(
    "number",
    [
        "\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19",  # full-width 9434765919
        "\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669",  # Arabic-Indic digits
        "943476591\u00b2",  # a superscript two, as pasted from a document
    ],
    ids=["full-width digits", "Arabic-Indic digits", "superscript two"],
)
def test_non_ascii_digits_are_refused_with_a_message_not_a_crash(number):
    # An NHS number is stored and matched (duplicate check) as ASCII digits: anything else
    # must be refused on the form with the usual message, never accepted or crash the page.
    with pytest.raises(ValidationError):
        validate_nhs_number(number)
    assert nhs_number_is_valid(number) is False


def test_normalising_removes_only_spaces_and_dashes():
    assert normalise_nhs_number("943 476-5919") == "9434765919"
    assert normalise_nhs_number("943.476.5919") == "943.476.5919"


# --- properties -------------------------------------------------------------------------------

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@given(nine_digits)
def test_any_nine_digits_with_their_check_digit_pass_unless_the_check_is_ten(first_nine):
    check = check_digit(first_nine)
    if check == 10:
        # No tenth digit can make these nine digits a valid NHS number.
        for last in "0123456789":
            assert not nhs_number_is_valid(first_nine + last)
    elif len(set(first_nine + str(check))) == 1:
        # One digit ten times: the check passes, but it is a placeholder, never a real number.
        assert not nhs_number_is_valid(first_nine + str(check))
    else:
        number = first_nine + str(check)
        assert nhs_number_is_valid(number)
        assert nhs_number_is_valid(f"{number[:3]} {number[3:6]} {number[6:]}")
        validate_nhs_number(number)


@given(nine_digits, st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=9))
def test_changing_any_single_digit_of_a_valid_number_makes_it_fail(first_nine, position, shift):
    check = check_digit(first_nine)
    assume(check != 10)
    number = first_nine + str(check)
    digits = list(number)
    digits[position] = str((int(digits[position]) + shift) % 10)
    mistyped = "".join(digits)
    assert mistyped != number
    assert not nhs_number_is_valid(mistyped)
    with pytest.raises(ValidationError):
        validate_nhs_number(mistyped)


@given(nine_digits, st.integers(min_value=0, max_value=8))
def test_swapping_two_neighbouring_different_digits_makes_it_fail(first_nine, position):
    check = check_digit(first_nine)
    assume(check != 10)
    number = first_nine + str(check)
    assume(number[position] != number[position + 1])
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    assert not nhs_number_is_valid(swapped)


# --- eligibility: the minimum age -------------------------------------------------------------


def nth_birthday(date_of_birth: datetime.date, years: int) -> datetime.date:
    """The day someone turns `years` old (1 March for 29 February in a common year)."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + years)
    except ValueError:
        return datetime.date(date_of_birth.year + years, 3, 1)


def pathway(minimum_age: int = 18, frequent_attender_required: bool = False) -> Pathway:
    return Pathway(
        name="GP frequent attenders",
        minimum_age=minimum_age,
        frequent_attender_required=frequent_attender_required,
    )


def test_eighteenth_birthday_today_is_eligible():
    today = datetime.date(2026, 6, 15)
    problems = eligibility_problems(
        pathway(), date_of_birth=datetime.date(2008, 6, 15), frequent_attender=False, on=today
    )
    assert problems == {}


def test_one_day_short_of_eighteen_is_not_eligible_and_told_the_minimum_age():
    today = datetime.date(2026, 6, 15)
    problems = eligibility_problems(
        pathway(), date_of_birth=datetime.date(2008, 6, 16), frequent_attender=False, on=today
    )
    assert set(problems) == {"date_of_birth"}
    assert "aged 18 or over" in problems["date_of_birth"]
    assert "The person is 17" in problems["date_of_birth"]


def test_born_on_29_february_turns_eighteen_on_1_march_in_a_common_year():
    dob = datetime.date(2008, 2, 29)
    p = pathway()
    on_28th = eligibility_problems(
        p, date_of_birth=dob, frequent_attender=False, on=datetime.date(2026, 2, 28)
    )
    on_1st = eligibility_problems(
        p, date_of_birth=dob, frequent_attender=False, on=datetime.date(2026, 3, 1)
    )
    assert "date_of_birth" in on_28th
    assert on_1st == {}


def test_date_of_birth_in_the_future_is_refused():
    today = datetime.date(2026, 6, 15)
    problems = eligibility_problems(
        pathway(), date_of_birth=datetime.date(2026, 6, 16), frequent_attender=False, on=today
    )
    assert problems["date_of_birth"] == "Date of birth must be in the past"


def test_frequent_attender_pathway_refuses_people_who_are_not():
    today = datetime.date(2026, 6, 15)
    p = pathway(frequent_attender_required=True)
    adult = datetime.date(1980, 1, 1)
    refused = eligibility_problems(p, date_of_birth=adult, frequent_attender=False, on=today)
    accepted = eligibility_problems(p, date_of_birth=adult, frequent_attender=True, on=today)
    assert set(refused) == {"frequent_attender"}
    assert "GP frequent attenders" in refused["frequent_attender"]
    assert accepted == {}


dates_of_birth = st.dates(
    min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2030, 12, 31)
)


@given(dob=dates_of_birth, minimum_age=st.integers(min_value=16, max_value=120))
def test_eligible_from_the_birthday_of_the_minimum_age_and_not_a_day_before(dob, minimum_age):
    birthday = nth_birthday(dob, minimum_age)
    assume(birthday.year <= 9999)
    p = pathway(minimum_age)
    on_the_day = eligibility_problems(p, date_of_birth=dob, frequent_attender=False, on=birthday)
    day_before = eligibility_problems(
        p,
        date_of_birth=dob,
        frequent_attender=False,
        on=birthday - datetime.timedelta(days=1),
    )
    assert on_the_day == {}
    assert set(day_before) == {"date_of_birth"}
    assert f"aged {minimum_age} or over" in day_before["date_of_birth"]
    assert f"The person is {minimum_age - 1}." in day_before["date_of_birth"]


@given(
    dob=dates_of_birth,
    on=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)),
    minimum_age=st.integers(min_value=16, max_value=120),
)
def test_age_problem_exactly_when_younger_than_the_minimum(dob, on, minimum_age):
    problems = eligibility_problems(
        pathway(minimum_age), date_of_birth=dob, frequent_attender=False, on=on
    )
    if dob > on:
        assert problems == {"date_of_birth": "Date of birth must be in the past"}
    else:
        old_enough = on >= nth_birthday(dob, minimum_age)
        assert ("date_of_birth" in problems) is not old_enough

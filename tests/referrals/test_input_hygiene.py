"""Input hygiene on the forms that take a person's details (issue 15): dates of birth in a
plausible range, NHS numbers that are not one digit repeated, phone numbers and postcodes that
are phone numbers and postcodes, names without invisible characters, and limits on how much the
public self-referral form takes. Each through the HTTP stack, with what was typed kept."""

import datetime
import re
import unicodedata

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkwork.referrals.models import Person, Referral
from linkwork.referrals.validators import (
    OLDEST_AGE,
    earliest_date_of_birth,
    nhs_number_is_valid,
    validate_date_of_birth,
)
from tests.referrals.test_referral_journey import self_referral_form

pytestmark = pytest.mark.django_db

# --- helpers -----------------------------------------------------------------------------------


def date_parts(name: str, day_month_year: tuple[str, str, str]) -> dict:
    day, month, year = day_month_year
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


def referral_form(pathway, **overrides) -> dict:
    data = {
        "pathway": str(pathway.pk),
        "given_name": "Angharad",
        "family_name": "Bevan-Prydderch",
        **date_parts("date_of_birth", ("17", "5", "1990")),
        "nhs_number": "943 476 5919",
        "phone": "07700 900123",
        "email": "",
        "address": "3 Stryd Fawr\nLlanidloes",
        "postcode": "SY18 6BN",
        "best_time_to_call": "After 3pm",
        "preferred_language": "cy",
        "needs": ["loneliness"],
        "needs_detail": "Worried about debt letters",
        "known_risks": "",
        "frequent_attender": "no",
        "consent_to_referral": "on",
    }
    data.update(overrides)
    return data


def self_refer(client: Client, site, data: dict):
    return client.post(reverse("referrals:self_referral", args=[site.slug]), data)


def refer(client: Client, data: dict):
    return client.post(reverse("referrals:refer"), data)


def input_value(content: str, name: str) -> str | None:
    for tag in re.findall(r"<input\b[^>]*>", content):
        if f'name="{name}"' in tag:
            found = re.search(r'value="([^"]*)"', tag)
            return found.group(1) if found else ""
    return None


def assert_error(response, message: str) -> None:
    assert response.status_code == 200, response.status_code
    assert escape(message) in response.content.decode(), message


def today() -> datetime.date:
    return timezone.localdate()


# --- dates of birth ----------------------------------------------------------------------------

IMPLAUSIBLE_DATES = [
    (("1", "1", "0001"), "must be the same as or after"),
    (("1", "6", "1800"), "must be the same as or after"),
]


@pytest.mark.parametrize(("typed", "message"), IMPLAUSIBLE_DATES)
def test_the_self_referral_form_refuses_a_date_of_birth_long_ago_keeping_it(
    client, site_b, self_referral_pathway_b, typed, message
):
    response = self_refer(client, site_b, self_referral_form(**date_parts("date_of_birth", typed)))

    earliest = earliest_date_of_birth(today())
    assert_error(response, f"Your date of birth {message} {earliest:%-d %B %Y}")
    content = response.content.decode()
    assert input_value(content, "date_of_birth_year") == typed[2]
    assert input_value(content, "date_of_birth_month") == typed[1]
    assert Person.objects.count() == 0


def test_the_self_referral_form_refuses_a_date_of_birth_in_the_future(
    client, site_b, self_referral_pathway_b
):
    tomorrow = today() + datetime.timedelta(days=1)
    typed = (str(tomorrow.day), str(tomorrow.month), str(tomorrow.year))

    response = self_refer(client, site_b, self_referral_form(**date_parts("date_of_birth", typed)))

    assert_error(response, "Your date of birth must be today or in the past")
    assert input_value(response.content.decode(), "date_of_birth_year") == typed[2]
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        *IMPLAUSIBLE_DATES,
        (("1", "1", str(datetime.date.today().year + 1)), "must be today or in the past"),
    ],
)
def test_the_referrer_form_refuses_an_implausible_date_of_birth_keeping_it(
    client_for, gp_referrer, pathway_a, typed, message
):
    response = refer(
        client_for(gp_referrer), referral_form(pathway_a, **date_parts("date_of_birth", typed))
    )

    assert_error(response, f"Date of birth {message}")
    content = response.content.decode()
    assert input_value(content, "date_of_birth_year") == typed[2]
    assert input_value(content, "given_name") == "Angharad"
    assert Referral.objects.count() == 0


def test_the_oldest_date_of_birth_accepted_is_120_years_ago_to_the_day():
    on = datetime.date(2026, 3, 15)
    validate_date_of_birth(datetime.date(1906, 3, 15), today=on, label="Date of birth")
    validate_date_of_birth(on, today=on, label="Date of birth")  # born today
    with pytest.raises(Exception, match="same as or after"):
        validate_date_of_birth(datetime.date(1906, 3, 14), today=on, label="Date of birth")
    assert OLDEST_AGE == 120
    # From 29 February 2020, 120 years before is 1900, which had no 29 February.
    assert earliest_date_of_birth(datetime.date(2020, 2, 29)) == datetime.date(1900, 2, 28)


# --- NHS numbers -------------------------------------------------------------------------------

REPEATED = [str(digit) * 10 for digit in range(10)]


def passes_modulus_11(number: str) -> bool:
    """Computed here, independently of the code under test."""
    remainder = sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1), strict=True)) % 11
    check = (11 - remainder) % 11
    return check != 10 and check == int(number[9])


def test_every_number_of_one_repeated_digit_passes_modulus_11_so_the_check_alone_is_not_enough():
    assert all(passes_modulus_11(number) for number in REPEATED)


@pytest.mark.parametrize("number", REPEATED)
def test_a_number_of_one_repeated_digit_is_not_a_valid_nhs_number(number):
    assert not nhs_number_is_valid(number)


@pytest.mark.parametrize("typed", ["0000000000", "111 111 1111", "9999999999"])
def test_the_referrer_form_refuses_a_repeated_digit_nhs_number_keeping_it(
    client_for, gp_referrer, pathway_a, typed
):
    response = refer(client_for(gp_referrer), referral_form(pathway_a, nhs_number=typed))

    assert_error(
        response, "Enter a real NHS number, not the same digit 10 times, or leave it empty"
    )
    assert input_value(response.content.decode(), "nhs_number") == typed
    assert Referral.objects.count() == 0


def test_the_self_referral_form_refuses_a_repeated_digit_nhs_number(
    client, site_b, self_referral_pathway_b
):
    response = self_refer(client, site_b, self_referral_form(nhs_number="0000000000"))

    assert_error(
        response, "Enter a real NHS number, not the same digit 10 times, or leave it empty"
    )
    assert Person.objects.count() == 0


# --- phone numbers and postcodes ---------------------------------------------------------------

PHONE_MESSAGE = "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"


@pytest.mark.parametrize(
    "typed", ["abc<>", "123", "07700 900", "0770090012345", "+44 7700 900123 ext 4", "+1 23"]
)
def test_the_self_referral_form_refuses_what_is_not_a_phone_number_keeping_it(
    client, site_b, self_referral_pathway_b, typed
):
    response = self_refer(client, site_b, self_referral_form(phone=typed))

    assert_error(response, PHONE_MESSAGE)
    content = response.content.decode()
    assert input_value(content, "phone") == escape(typed)
    # One message for the phone number, not also "enter a phone number or an email address".
    assert "Enter a phone number or an email address" not in content
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("07700 900 982", "07700 900 982"),
        ("(01686)  412345", "(01686) 412345"),
        ("01686-412345", "01686-412345"),
        ("+44 808 157 0192", "+44 808 157 0192"),
        ("+44 (0)1686 412345", "+44 (0)1686 412345"),
        ("0044 1686 412345", "0044 1686 412345"),
        ("+353 1 234 5678", "+353 1 234 5678"),
    ],
)
def test_real_phone_numbers_are_accepted(client, site_b, self_referral_pathway_b, typed, kept):
    response = self_refer(client, site_b, self_referral_form(phone=typed))

    assert response.status_code == 302
    assert Person.objects.get().phone == kept


@pytest.mark.parametrize("typed", ["!!!!", "SY18", "12345", "SY18 6AAA", "6AA SY18"])
def test_the_referrer_form_refuses_what_is_not_a_uk_postcode_keeping_it(
    client_for, gp_referrer, pathway_a, typed
):
    response = refer(client_for(gp_referrer), referral_form(pathway_a, postcode=typed))

    assert_error(response, "Enter a real postcode, like SY18 6AA")
    assert input_value(response.content.decode(), "postcode") == escape(typed)
    assert Referral.objects.count() == 0


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (" sy18  6aa ", "SY18 6AA"),
        ("SY186AA", "SY18 6AA"),
        ("cf10 1aa", "CF10 1AA"),
        ("m1 1ae", "M1 1AE"),
        ("EC1A1BB", "EC1A 1BB"),
        ("gir0aa", "GIR 0AA"),
    ],
)
def test_a_postcode_is_kept_in_capitals_with_one_space(
    client, site_b, self_referral_pathway_b, typed, kept
):
    response = self_refer(client, site_b, self_referral_form(postcode=typed))

    assert response.status_code == 302
    assert Person.objects.get().postcode == kept


# --- invisible characters ----------------------------------------------------------------------
# Rule: removed, not refused (they arrive unseen, pasted); see linkwork/core/text.py.

RLO, ZWSP = "\u202e", "\u200b"


def test_right_to_left_overrides_and_zero_width_spaces_are_removed_from_names(
    client, site_b, self_referral_pathway_b
):
    response = self_refer(
        client,
        site_b,
        self_referral_form(
            given_name=f"De{ZWSP}wi",
            family_name=f"{RLO}Jones\u2066 \u2069",
            address=f"1 High{ZWSP} Street\r\nLlan\ufeffidloes",
            best_time_to_call="\u200fMornings\u200e",
        ),
    )

    assert response.status_code == 302
    person = Person.objects.get()
    assert (person.given_name, person.family_name) == ("Dewi", "Jones")
    assert person.address == "1 High Street\nLlanidloes"
    assert person.best_time_to_call == "Mornings"


def test_a_name_of_nothing_but_invisible_characters_is_no_name(
    client, site_b, self_referral_pathway_b
):
    response = self_refer(client, site_b, self_referral_form(given_name=f"{ZWSP}{RLO}\u2066"))

    assert_error(response, "Enter your first name")
    assert Person.objects.count() == 0


INVISIBLE = [
    *(chr(c) for c in range(0x200B, 0x2010)),
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2060, 0x2065)),
    *(chr(c) for c in range(0x2066, 0x206A)),
    "\ufeff",
    "\u061c",
    "\u00ad",
    "\u2028",
    "\u2029",
    "\x00",
    "\t",
    "\n",
    "\x1b",
    "\x85",
]


def _hidden(ch: str) -> bool:
    return unicodedata.category(ch) in {"Cf", "Cc", "Zl", "Zp"}


name_text = st.lists(
    st.one_of(
        st.sampled_from(INVISIBLE),
        st.characters(exclude_categories=("Cs",)),
        st.sampled_from("Ŵŷ'- "),
    ),
    min_size=1,
    max_size=40,
).map("".join)


@override_settings(SELF_REFERRAL_RATE="100000/h")
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(given_name=name_text, family_name=name_text)
def test_no_saved_name_holds_an_invisible_or_control_character(
    site_b, self_referral_pathway_b, given_name, family_name
):
    before = set(Person.objects.values_list("pk", flat=True))
    response = self_refer(
        Client(), site_b, self_referral_form(given_name=given_name, family_name=family_name)
    )
    assert response.status_code in (200, 302)
    for person in Person.objects.exclude(pk__in=before):
        for typed, saved in ((given_name, person.given_name), (family_name, person.family_name)):
            assert not any(_hidden(ch) for ch in saved), ascii(saved)
            # Nothing visible was lost or added: only hidden characters and spacing changed.
            visible = "".join(ch for ch in typed if not _hidden(ch) and not ch.isspace())
            assert "".join(saved.split()) == visible


# --- how much the public form takes ------------------------------------------------------------


def test_a_long_address_is_refused_with_a_clear_error_and_nothing_saved(
    client, site_b, self_referral_pathway_b
):
    response = self_refer(client, site_b, self_referral_form(address="a" * 5000))

    assert_error(response, "Enter 500 characters or fewer. You entered 5000.")
    assert Person.objects.count() == 0
    assert Referral.objects.count() == 0


def test_a_megabyte_address_and_a_megabyte_of_needs_are_refused_whole_and_nothing_saved(
    client, site_b, self_referral_pathway_b
):
    megabyte = "a" * 1_000_000
    response = self_refer(
        client, site_b, self_referral_form(address=megabyte, needs_detail=megabyte)
    )

    assert response.status_code == 413
    assert "What you sent was too large" in response.content.decode()
    assert "nothing was saved" in response.content.decode()
    assert Person.objects.count() == 0
    assert Referral.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "limit"),
    [("given_name", 100), ("best_time_to_call", 200), ("needs_detail", 2000), ("email", 254)],
)
def test_every_free_text_answer_on_the_public_form_has_a_limit(
    client, site_b, self_referral_pathway_b, field, limit
):
    value = "a" * (limit + 1) if field != "email" else "a" * (limit - 11) + "@example.org"
    response = self_refer(client, site_b, self_referral_form(**{field: value}))

    assert response.status_code == 200
    assert f"Enter {limit} characters or fewer" in response.content.decode()
    assert Person.objects.count() == 0


def test_the_referrer_form_limits_what_it_says_about_needs_and_risks(
    client_for, gp_referrer, pathway_a
):
    response = refer(
        client_for(gp_referrer),
        referral_form(pathway_a, needs_detail="n" * 2001, known_risks="r" * 2001),
    )

    assert_error(response, "Enter 2000 characters or fewer. You entered 2001.")
    assert Referral.objects.count() == 0

"""Ids in query strings and forms (issue 15): a value that is not an id, or is too big for the
database (`?site=99999999999999999999` was a 500 on SQLite, an OverflowError), is a filter
ignored, a 404 or a form error, never a 500. `linkwork.core.params` parses them all."""

import re

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from linkwork.core.params import MAX_ID, parse_id, parse_ids
from linkwork.referrals.models import Pathway

pytestmark = pytest.mark.django_db

#: Too big for SQLite's 64-bit integers, just too big, superscript and Arabic-Indic digits
#: (`"²".isdigit()` is true, `int("²")` fails), and the plainly wrong.
NOT_IDS = [
    "99999999999999999999",
    str(MAX_ID + 1),
    "²",
    "١٢",
    "-1",
    "0",
    "1e3",
    "1_000",
    "abc",
    "1,2",
]


# --- the parser --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", NOT_IDS + ["", " ", None, 3.0, True])
def test_what_is_not_an_id_parses_to_none(value):
    assert parse_id(value) is None


@pytest.mark.parametrize(
    ("value", "expected"), [("1", 1), (" 42 ", 42), ("007", 7), (str(MAX_ID), MAX_ID)]
)
def test_ids_parse(value, expected):
    assert parse_id(value) == expected


@given(st.text(max_size=25))
def test_any_text_parses_to_none_or_to_an_id_the_database_can_hold(text):
    parsed = parse_id(text)
    if parsed is not None:
        assert 1 <= parsed <= MAX_ID
        assert text.strip().isascii() and int(text.strip()) == parsed


@given(st.integers())
def test_any_whole_number_written_out_parses_only_within_range(number):
    assert parse_id(str(number)) == (number if 1 <= number <= MAX_ID else None)


def test_lists_of_ids_parse_whole_or_not_at_all():
    assert parse_ids("3,5,8") == [3, 5, 8]
    assert parse_ids("3,²") is None
    assert parse_ids(f"3,{MAX_ID + 1}") is None


# --- every page that reads an id from its query string -----------------------------------------


@pytest.fixture
def pages(in_support):
    """(page, parameter, who asks) for every page that reads an id from its query string."""
    return [
        ("referrals:list", (), "site", "manager_both"),
        ("referrals:waiting_list", (), "site", "manager_both"),
        ("casework:people", (), "site", "manager_both"),
        ("safeguarding:open_escalations", (), "site", "manager_both"),
        ("directory:availability_report", (), "site", "manager_both"),
        ("directory:search", (), "referral", "coordinator_a"),
        ("unmet:record", (), "referral", "coordinator_a"),
        ("unmet:record", (), "site", "coordinator_a"),
        ("unmet:record", (), "category", "coordinator_a"),
        ("casework:diary", (), "coordinator", "manager"),
        ("prescriptions:new", (in_support.pk,), "service", "coordinator_a"),
    ]


@pytest.mark.parametrize("value", NOT_IDS)
def test_no_page_fails_on_an_id_that_is_not_one(
    request, client_for, pages, manager_both, coordinator_a, manager, value
):
    for name, args, parameter, who in pages:
        client = client_for(request.getfixturevalue(who))
        response = client.get(reverse(name, args=args), {parameter: value})
        assert response.status_code in (200, 302, 404), (name, parameter, response.status_code)


@pytest.mark.parametrize("url", ["/referrals/", "/casework/", "/safeguarding/"])
@pytest.mark.parametrize("value", ["99999999999999999999", "²"])
def test_the_lists_named_in_the_finding_ignore_a_site_that_is_not_an_id(
    client_for, manager_both, in_support, url, value
):
    response = client_for(manager_both).get(url, {"site": value})

    assert response.status_code == 200
    # The filter is ignored: every site is shown, none chosen.
    assert not re.search(r'<option value="\d+"\s*selected', response.content.decode())


def test_a_site_filter_that_is_an_id_still_filters(client_for, manager_both, in_support, site_b):
    url = reverse("referrals:list")
    assert in_support.reference in client_for(manager_both).get(url).content.decode()
    filtered = client_for(manager_both).get(url, {"site": site_b.pk})
    assert in_support.reference not in filtered.content.decode()


@pytest.mark.parametrize("value", ["99999999999999999999", "²", "-5"])
@pytest.mark.parametrize("page", ["referrals:list", "audit:log"])
def test_a_page_cursor_with_an_id_that_is_not_one_is_no_cursor(
    client_for, manager_both, administrator, in_support, value, page
):
    user = administrator if page == "audit:log" else manager_both
    response = client_for(user).get(reverse(page), {"older": f"2026-01-01T00:00:00+00:00~{value}"})
    assert response.status_code in (200, 403)


@pytest.mark.parametrize("value", ["99999999999999999999", "²", "1,²"])
def test_the_records_behind_a_figure_refuse_ids_that_are_not_ones(
    client_for, manager, in_support, value
):
    response = client_for(manager).get(
        reverse("reports:records"), {"metric": "received", "by_pathway": value}
    )
    assert response.status_code == 404


# --- ids posted in forms with several choices --------------------------------------------------


@pytest.mark.parametrize("value", ["99999999999999999999", "²"])
def test_a_posted_choice_of_several_ids_that_are_not_ones_is_a_form_error(
    client_for, manager, site_a, value
):
    response = client_for(manager).post(
        reverse("referrals:pathway_new"),
        {
            "site": site_a.pk,
            "name": "Community groups",
            "source_type": "community",
            "organisations": [value],
            "opens_on_day": "1",
            "opens_on_month": "1",
            "opens_on_year": "2026",
            "minimum_age": "18",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["organisations"]
    assert not Pathway.objects.filter(name="Community groups").exists()

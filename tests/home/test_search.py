"""The search in the header (`/search/?q=`): staff find a person or a referral by part of a name
in any case and with or without accents, by NHS number, phone number, reference or date of
birth; only among referrals they may see; and each search is in the audit log without what was
typed."""

import datetime

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.referrals.models import Person
from linkwork.referrals.search import Kind, fold, phone_digits, understand
from linkwork.referrals.status import ReferralStatus
from tests.factories import make_referral
from tests.query_counts import assert_flat

pytestmark = pytest.mark.django_db

SEARCH = reverse("search")


@pytest.fixture
def sian(pathway_a, gp_referrer, manager, coordinator_a):
    """Siân O’Brien-Jones, in support with coordinator_a at site A."""
    return make_referral(
        ReferralStatus.ALLOCATED,
        pathway=pathway_a,
        by=gp_referrer,
        staff=manager,
        coordinator=coordinator_a,
        person={
            "given_name": "Siân",
            "family_name": "O’Brien-Jones",
            "date_of_birth": datetime.date(1985, 3, 12),
            "nhs_number": "9434765919",
            "phone": "+44 7700 900123",
        },
    )


@pytest.fixture
def gwyn(pathway_a, gp_referrer, manager):
    """Gwyn Jones, waiting at site A."""
    return make_referral(
        ReferralStatus.WAITING,
        pathway=pathway_a,
        by=gp_referrer,
        staff=manager,
        person={"given_name": "Gwyn", "family_name": "Jones", "phone": "01686 412345"},
    )


@pytest.fixture
def elsewhere(pathway_b, manager_b):
    """Another Siân Jones, at site B."""
    return make_referral(
        ReferralStatus.WAITING,
        pathway=pathway_b,
        staff=manager_b,
        person={"given_name": "Sian", "family_name": "Jones", "phone": "07700 900123"},
    )


def found(client, query) -> list[str]:
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    return [referral.reference for referral in response.context["found"]]


@pytest.mark.parametrize(
    "query",
    ["sian", "SIAN", "Siân", "o'brien", "obrien", "OBRIEN-JONES", "brien jon", "sia jon"],
)
def test_a_name_is_found_whatever_the_case_accents_and_punctuation(
    client_for, coordinator_a, sian, gwyn, query
):
    assert found(client_for(coordinator_a), query) == [sian.reference]


def test_each_word_must_match_and_names_starting_with_the_word_come_first(
    client_for, manager, sian, gwyn
):
    # "jones" starts a word of both names; "on" is inside both but starts neither.
    assert set(found(client_for(manager), "jones")) == {sian.reference, gwyn.reference}
    assert found(client_for(manager), "gwyn jones") == [gwyn.reference]
    assert found(client_for(manager), "gwyn sian") == []


def test_by_nhs_number_phone_reference_and_date_of_birth(client_for, manager, sian, gwyn):
    browser = client_for(manager)
    assert found(browser, "943 476 5919") == [sian.reference]
    assert found(browser, "07700 900123") == [sian.reference]  # stored as +44 7700 900123
    assert found(browser, "900123") == [sian.reference]
    assert found(browser, "412345") == [gwyn.reference]
    assert found(browser, sian.reference) == [sian.reference]
    assert found(browser, sian.reference.lower().replace("r0", "r ")) == [sian.reference]
    assert found(browser, sian.person.reference) == [sian.reference]
    assert found(browser, "jones 12/03/1985") == [sian.reference]
    assert found(browser, "12/3/1985") == [sian.reference]
    assert found(browser, "jones 13/03/1985") == []


def test_only_referrals_the_user_may_see_are_found(
    client_for, coordinator_a, manager_b, manager_both, sian, elsewhere
):
    assert found(client_for(coordinator_a), "sian jones") == [sian.reference]
    assert found(client_for(manager_b), "sian jones") == [elsewhere.reference]
    assert set(found(client_for(manager_both), "sian jones")) == {
        sian.reference,
        elsewhere.reference,
    }
    # By number too: site B's Siân has the same phone number.
    assert found(client_for(coordinator_a), "07700900123") == [sian.reference]
    assert found(client_for(coordinator_a), elsewhere.reference) == []


@pytest.mark.parametrize("who", ["gp_referrer", "researcher", "administrator", "outsider"])
def test_who_may_not_search_cannot(client_for, request, sian, who):
    user = request.getfixturevalue(who)
    if who == "outsider":
        # A coordinator at no site: the page opens and finds no one.
        assert found(client_for(user), "sian") == []
        return
    assert client_for(user).get(SEARCH, {"q": "sian"}).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, sian):
    response = client.get(SEARCH, {"q": "sian"})
    assert response.status_code == 302
    assert "sian" not in response.content.decode()


def test_results_lead_to_the_record_when_the_user_may_open_it_otherwise_the_referral(
    client_for, coordinator_a, sian, gwyn
):
    page = client_for(coordinator_a).get(SEARCH, {"q": "jones"}).content.decode()
    assert reverse("casework:record", args=[sian.pk]) in page
    assert reverse("referrals:detail", args=[gwyn.pk]) in page
    assert "12 Mar 1985" in page
    assert "9434765919" in page


def test_every_record_shown_is_audited_as_found_without_what_was_typed(
    client_for, coordinator_a, sian, gwyn
):
    client_for(coordinator_a).get(SEARCH, {"q": "jones"})
    lines = AuditEvent.objects.filter(action=AuditAction.SEARCH)
    assert {(e.user, e.person_id, e.object_id) for e in lines} == {
        (coordinator_a, sian.person_id, str(sian.pk)),
        (coordinator_a, gwyn.person_id, str(gwyn.pk)),
    }
    assert {e.detail for e in lines} == {"search by name"}
    # A search that finds no one is recorded too.
    client_for(coordinator_a).get(SEARCH, {"q": "nobody"})
    empty = AuditEvent.objects.filter(action=AuditAction.SEARCH, person_id=None).get()
    assert empty.detail == "search by name"
    assert "nobody" not in empty.detail


def test_a_search_too_short_says_so_and_runs_nothing(client_for, manager, sian):
    response = client_for(manager).get(SEARCH, {"q": "s"})
    content = response.content.decode()
    assert "Enter at least 2 characters" in content
    assert "govuk-form-group--error" in content
    assert 'value="s"' in content
    assert response.context["found"] == []
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()
    assert (
        "Enter at least 5 digits" in client_for(manager).get(SEARCH, {"q": "0770"}).content.decode()
    )


def test_the_page_without_a_search_shows_the_box_only(client_for, manager):
    response = client_for(manager).get(SEARCH)
    assert response.status_code == 200
    assert 'name="q"' in response.content.decode()
    assert "found" not in response.content.decode().split("<main", 1)[1].split("</form>", 1)[1]


def test_more_than_fifty_say_so(client_for, manager, pathway_a, gp_referrer, monkeypatch):
    from linkwork.referrals import queries

    monkeypatch.setattr(queries, "SEARCH_LIMIT", 3)
    for _ in range(4):
        make_referral(
            ReferralStatus.RECEIVED,
            pathway=pathway_a,
            by=gp_referrer,
            person={"family_name": "Pritchard"},
        )
    response = client_for(manager).get(SEARCH, {"q": "pritch"})
    assert len(response.context["found"]) == 3
    assert "There are more." in response.content.decode()


def test_the_header_has_the_search_box_for_staff_only(client_for, coordinator_a, gp_referrer):
    assert 'id="header-search"' in client_for(coordinator_a).get("/").content.decode()
    assert 'id="header-search"' not in client_for(gp_referrer).get("/").content.decode()


def test_a_search_reads_the_same_number_of_queries_however_many_are_found(
    client_for, manager, pathway_a, gp_referrer
):
    def add(k):
        for _ in range(k):
            make_referral(
                ReferralStatus.RECEIVED,
                pathway=pathway_a,
                by=gp_referrer,
                person={"family_name": "Evans"},
            )

    assert_flat(client_for(manager), f"{SEARCH}?q=evans", add)


def test_the_search_fields_are_kept_when_a_person_is_saved(sian):
    person = Person.objects.get(pk=sian.person_id)
    assert (person.search_name, person.search_phone) == ("sian obrien jones", "07700900123")
    person.given_name = "Siôn"
    person.save(update_fields=["given_name"])
    person.refresh_from_db()
    assert person.search_name == "sion obrien jones"


@given(st.text(max_size=60))
def test_folding_is_stable_and_plain(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert folded == folded.strip()
    assert "  " not in folded
    assert all(c.isascii() and (c.isalnum() or c == " ") for c in folded)


@given(st.text(alphabet="0123456789 +()-", max_size=20))
def test_phone_digits_are_digits(text):
    assert phone_digits(text).isdigit() or phone_digits(text) == ""


def test_what_a_search_is_read_as():
    assert understand("943 476 5919").kind == Kind.NHS_NUMBER
    assert understand("9434765918").kind == Kind.PHONE  # not a valid NHS number
    assert understand("r123").referral_id == 123
    assert understand("P000045").person_id == 45
    assert understand("Jones 31/12/1980").born_on == datetime.date(1980, 12, 31)
    assert understand("1980-12-31").born_on == datetime.date(1980, 12, 31)
    assert (
        understand("Jones 31/02/1980").problem
        == "Enter a date of birth that exists, like 31/12/1980"
    )
    assert understand("12-03-1985").born_on == datetime.date(1985, 3, 12)
    assert understand(" ").problem

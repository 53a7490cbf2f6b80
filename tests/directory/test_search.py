"""Finding a service: every filter, relevance, the defaults, pages of results, htmx, the
person a coordinator is searching for, and open alternatives to a service."""

import datetime
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from linkwork.directory.models import TaxonomyTerm
from linkwork.directory.queries import open_alternatives
from linkwork.directory.search import Criteria, search, words_of
from linkwork.referrals.status import ReferralStatus
from tests.directory.conftest import place, weekly
from tests.factories import make_referral, make_service

pytestmark = pytest.mark.django_db

URL = reverse("directory:search")


def names(response) -> list[str]:
    return [result.service.name for result in response.context["results"]]


def find(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


# --- Defaults and permissions --------------------------------------------------------------------


def test_by_default_everything_serving_my_site_except_what_closed_for_good(
    client_for, coordinator_a, directory
):
    response = find(client_for(coordinator_a))
    # Open first, then limited, then temporarily closed; by name within each.
    assert names(response) == [
        "Elan Valley walkers",
        "Money matters",
        "Knitting circle",
        "Youth club",
    ]
    content = response.content.decode()
    assert "Old lunch club" not in content  # closed permanently
    assert "Men's Shed Treorchy" not in content  # site B only


def test_a_service_for_every_site_is_found_from_each_site(client_for, coordinator_b, directory):
    make_service(name="Samaritans", terms=["Listening"])
    assert names(find(client_for(coordinator_b))) == ["Men's Shed Treorchy", "Samaritans"]


def test_ticking_closed_permanently_brings_it_back(client_for, coordinator_a, directory):
    browser = client_for(coordinator_a)
    response = find(browser, availability=["closed"])
    assert names(response) == ["Old lunch club"]
    response = find(browser, availability=["open", "closed"])
    assert names(response) == ["Elan Valley walkers", "Money matters", "Old lunch club"]
    response = find(browser, availability=["temporarily_closed"])
    assert names(response) == ["Youth club"]


def test_the_availability_defaults_are_ticked_on_the_form(client_for, coordinator_a, directory):
    content = find(client_for(coordinator_a)).content.decode()
    assert 'value="open" id="id_availability_0" checked' in content
    assert 'value="closed"' in content
    assert 'value="closed" id="id_availability_3" checked' not in content


@pytest.mark.parametrize("user", ["gp_referrer", "researcher"])
def test_referrers_and_researchers_cannot_search(client_for, user, request, directory):
    assert client_for(request.getfixturevalue(user)).get(URL).status_code == 403


def test_signing_in_is_needed(client, directory):
    response = client.get(URL)
    assert response.status_code == 302
    assert "sign-in" in response["Location"]


def test_an_administrator_searches_every_site(client_for, administrator, directory):
    assert "Men's Shed Treorchy" in names(find(client_for(administrator)))
    assert "Elan Valley walkers" in names(find(client_for(administrator)))


def test_a_coordinator_with_no_site_sees_only_services_for_every_site(
    client_for, outsider, directory
):
    make_service(name="Samaritans")
    assert names(find(client_for(outsider))) == ["Samaritans"]


# --- Sites ---------------------------------------------------------------------------------------


def test_staff_with_several_sites_choose_one(client_for, manager_both, directory):
    browser = client_for(manager_both)
    everything = names(find(browser))
    assert "Men's Shed Treorchy" in everything and "Elan Valley walkers" in everything
    site_b = manager_both.sites.get(slug="rhondda")
    assert names(find(browser, site=site_b.pk)) == ["Men's Shed Treorchy"]


def test_any_site_widens_the_search(client_for, coordinator_a, directory):
    response = find(client_for(coordinator_a), site="any", q="shed")
    assert names(response) == ["Men's Shed Treorchy"]


def test_someone_elses_site_cannot_be_chosen(client_for, coordinator_a, site_b, directory):
    response = find(client_for(coordinator_a), site=site_b.pk)
    assert "site" in response.context["form"].errors
    # The bad filter is left out: the user's own sites are searched.
    assert "Men's Shed Treorchy" not in names(response)
    assert "Elan Valley walkers" in names(response)


# --- Words and relevance -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("walkers", ["Elan Valley walkers"]),  # the name
        ("ramblers", ["Elan Valley walkers"]),  # the organisation
        ("walking", ["Elan Valley walkers"]),  # a category
        ("rhayader district", ["Elan Valley walkers"]),  # an area it serves
        ("debt", ["Money matters"]),  # the description
        ("needles", ["Knitting circle"]),  # the description
        ("library knitting", ["Knitting circle"]),  # every word, anywhere
        ("knitting walkers", []),  # every word must match
        ("KNITTING", ["Knitting circle"]),  # any case
        ("circles", ["Knitting circle"]),  # a plural finds the singular
        ("the circle for knitting", ["Knitting circle"]),  # little words are ignored
    ],
)
def test_words_match_name_organisation_categories_areas_and_description(
    client_for, coordinator_a, directory, words, expected
):
    assert names(find(client_for(coordinator_a), q=words)) == expected


def test_relevance_puts_the_name_before_categories_and_organisations_before_descriptions(
    client_for, coordinator_a, site_a
):
    make_service(name="Garden helpers", description="Growing veg together.", sites=[site_a])
    make_service(name="Allotment project", sites=[site_a], terms=["Community gardens"])
    make_service(
        name="Green gym",
        organisation_name="Powys Gardens Trust",
        sites=[site_a],
        availability="limited",
        availability_note="Few places",
    )
    make_service(name="Men's Shed", description="Woodwork and gardening.", sites=[site_a])
    response = find(client_for(coordinator_a), q="garden")
    assert names(response)[0] == "Garden helpers"  # the name
    # A category or organisation next (open before limited), then the descriptions.
    assert names(response)[1:3] == ["Allotment project", "Green gym"]
    assert names(response)[3:] == ["Men's Shed"]


def test_the_exact_name_comes_first(client_for, coordinator_a, site_a):
    make_service(name="Walking for health", sites=[site_a])
    make_service(name="Walking", organisation_name="Walking", sites=[site_a])
    assert names(find(client_for(coordinator_a), q="walking")) == [
        "Walking",
        "Walking for health",
    ]


def test_without_words_open_services_come_first(client_for, coordinator_a, site_a):
    make_service(
        name="Aardvark club", sites=[site_a], availability="limited", availability_note="x"
    )
    make_service(name="Zebra club", sites=[site_a])
    assert names(find(client_for(coordinator_a))) == ["Zebra club", "Aardvark club"]


def test_words_of_keeps_meaningful_words():
    assert words_of("The Men's  Shed, Treorchy!") == ["men's", "shed", "treorchy"]
    assert words_of("the") == ["the"]
    assert words_of("groups and classes") == ["group", "class"]


# --- Filters ------------------------------------------------------------------------------------


def test_category_includes_its_sub_categories(
    client_for, coordinator_a, directory, physical_activity, walking
):
    browser = client_for(coordinator_a)
    assert names(find(browser, category=walking.pk)) == ["Elan Valley walkers"]
    assert names(find(browser, category=physical_activity.pk)) == ["Elan Valley walkers"]
    crafts = TaxonomyTerm.objects.get(name="Crafts")
    assert names(find(browser, category=crafts.pk)) == ["Knitting circle"]


def test_the_category_list_offers_terms_in_use(client_for, coordinator_a, directory):
    TaxonomyTerm.objects.create(name="Unused category")
    choices = [
        term.name
        for term in find(client_for(coordinator_a)).context["form"].fields["category"].queryset
    ]
    assert "Walking" in choices and "Crafts" in choices
    assert "Unused category" not in choices


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        ("Rhayader", ["Elan Valley walkers"]),  # a town and an area it serves
        ("district", ["Elan Valley walkers"]),  # part of an area's name
        ("llanidloes", ["Money matters"]),  # a town
        ("SY18", ["Money matters"]),  # a postcode district
        ("sy18 6", ["Money matters"]),  # the start of a postcode
        ("SY186AA", ["Money matters"]),  # a whole postcode without its space
        ("LD", ["Elan Valley walkers"]),  # a postcode area
        ("SY1", []),  # another district: SY1 is not SY18
        ("Cardiff", []),
    ],
)
def test_area_matches_areas_towns_and_postcodes(
    client_for, coordinator_a, directory, area, expected
):
    assert names(find(client_for(coordinator_a), area=area)) == expected


def test_a_postcode_in_another_district_is_not_found_by_its_neighbour(
    client_for, coordinator_a, site_a
):
    service = make_service(name="Shrewsbury group", sites=[site_a])
    place(service, "1 High Street", "Shrewsbury", "SY1 8AB")
    browser = client_for(coordinator_a)
    assert names(find(browser, area="SY1")) == ["Shrewsbury group"]
    assert names(find(browser, area="SY1 8")) == ["Shrewsbury group"]
    assert names(find(browser, area="SY18")) == []


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (15, ["Money matters", "Knitting circle", "Youth club"]),
        (17, ["Money matters", "Knitting circle", "Youth club"]),
        (18, ["Elan Valley walkers", "Money matters", "Knitting circle"]),
        (80, ["Elan Valley walkers", "Money matters", "Knitting circle"]),
    ],
)
def test_age_finds_services_whose_range_includes_it(
    client_for, coordinator_a, directory, age, expected
):
    assert names(find(client_for(coordinator_a), age=age)) == expected


def test_a_wrong_age_is_reported_and_left_out(client_for, coordinator_a, directory):
    response = find(client_for(coordinator_a), age="forty", q="knitting")
    assert response.context["form"].errors["age"] == ["Enter the age as a whole number, like 42"]
    assert names(response) == ["Knitting circle"]
    content = response.content.decode()
    assert "There is a problem" in content
    assert 'value="forty"' in content  # what was typed stays


def test_free_only_leaves_out_services_with_a_cost(client_for, coordinator_a, directory):
    assert "Knitting circle" not in names(find(client_for(coordinator_a), free="on"))
    assert "Money matters" in names(find(client_for(coordinator_a), free="on"))


def test_a_cost_option_of_nothing_is_free(client_for, coordinator_a, site_a):
    from linkwork.directory.models import CostOption

    service = make_service(name="Tea and chat", sites=[site_a])
    CostOption.objects.create(service=service, amount=0, option="Free for members")
    assert names(find(client_for(coordinator_a), free="on")) == ["Tea and chat"]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("MO", ["Money matters"]),
        ("TU", ["Elan Valley walkers"]),
        ("TH", ["Elan Valley walkers"]),
        ("WE", ["Knitting circle"]),
        ("SA", []),
    ],
)
def test_day_of_the_week_reads_the_schedules(client_for, coordinator_a, directory, day, expected):
    assert names(find(client_for(coordinator_a), day=day)) == expected


def test_a_day_at_the_place_it_runs_counts(client_for, coordinator_a, site_a):
    from linkwork.directory.models import Schedule

    service = make_service(name="Drop-in", sites=[site_a])
    location = place(service, "Church Hall", "Newtown", "SY16 1AA")
    Schedule.objects.create(location=location, byday="SA")
    assert names(find(client_for(coordinator_a), day="SA")) == ["Drop-in"]


def test_welsh_finds_services_in_welsh_by_code_or_name(client_for, coordinator_a, directory):
    from linkwork.directory.models import Language

    cymraeg = make_service(name="Clwb cinio", sites=[coordinator_a.sites.get()])
    Language.objects.create(service=cymraeg, name="Cymraeg")
    english = make_service(name="English only", sites=[coordinator_a.sites.get()])
    Language.objects.create(service=english, name="English", code="en")
    assert names(find(client_for(coordinator_a), welsh="on")) == [
        "Clwb cinio",
        "Elan Valley walkers",
    ]


def test_filters_combine(client_for, coordinator_a, directory, site_a):
    cheap_walk = make_service(name="Sunday strollers", sites=[site_a], terms=["Walking"])
    weekly(cheap_walk, "SU")
    browser = client_for(coordinator_a)
    both = find(browser, q="walk", free="on", age="30")
    assert names(both) == ["Elan Valley walkers", "Sunday strollers"]
    assert names(find(browser, q="walk", day="TU", welsh="on", area="Rhayader")) == [
        "Elan Valley walkers"
    ]
    assert names(find(browser, q="walk", day="SU", welsh="on")) == []


def test_search_runs_as_a_function_too(directory, site_a):
    found = search(Criteria(words="walk", site=site_a))
    assert [service.name for service in found] == ["Elan Valley walkers"]
    found = search(Criteria(availability=["closed"]))
    assert [service.name for service in found] == ["Old lunch club"]


# --- What each result shows --------------------------------------------------------------------


def test_each_result_says_what_a_coordinator_needs(client_for, coordinator_a, directory):
    response = find(client_for(coordinator_a))
    content = response.content.decode()
    walkers = response.context["results"][0]
    assert walkers.service.name == "Elan Valley walkers"
    assert [term.name for term in walkers.categories] == ["Walking"]
    assert walkers.places == ["Rhayader and district", "Rhayader"]
    assert walkers.days == ["Tuesday", "Thursday"]
    assert walkers.free and walkers.cost == "Free"
    assert walkers.welsh
    assert not walkers.check_overdue
    for text in ("Rhayader Ramblers", "Tuesday, Thursday", "Available in Welsh", "Direct referral"):
        assert text in content
    knitting = response.context["results"][2]
    assert knitting.cost == "£3.00 (a session)"
    assert "Waiting list of 6 weeks" in content
    youth = response.context["results"][3]
    assert youth.service.name == "Youth club"
    assert "Expected to reopen on" in content
    debt = response.context["results"][1]
    assert debt.check_overdue  # never checked
    assert "Never checked" in content


def test_an_entry_not_checked_for_six_months_is_flagged(client_for, coordinator_a, walkers):
    walkers.last_checked_on = timezone.localdate() - datetime.timedelta(days=200)
    walkers.save()
    content = find(client_for(coordinator_a)).content.decode()
    assert "Not checked for 6 months" in content


# --- Pages and htmx ----------------------------------------------------------------------------


def test_twenty_a_page_and_the_pages_keep_the_filters(client_for, coordinator_a, site_a):
    for n in range(45):
        make_service(name=f"Group {n:02d}", sites=[site_a], terms=["Groups"])
    browser = client_for(coordinator_a)
    first = find(browser, q="group")
    assert len(first.context["results"]) == 20
    assert first.context["page"].paginator.count == 45
    content = first.content.decode()
    assert "govuk-pagination" in content
    assert "45 services found" in content
    next_url = first.context["page_links"]["next"]
    assert parse_qs(urlparse(next_url).query) == {"q": ["group"], "page": ["2"]}
    third = browser.get(URL + first.context["page_links"]["items"][-1]["url"])
    assert names(third) == [f"Group {n:02d}" for n in range(40, 45)]
    assert third.context["page_links"]["previous"]


def test_the_results_list_costs_the_same_queries_however_many_results(
    client_for, coordinator_a, site_a
):
    def add(n):
        for i in range(n):
            service = make_service(
                name=f"Club {n}-{i}",
                sites=[site_a],
                terms=["Clubs", f"Kind {i}-{n}"],
                phone="01234 567890",
            )
            place(service, "1 Main Street", "Newtown", "SY16 1AA")
            weekly(service, "MO,TU")

    browser = client_for(coordinator_a)
    add(2)
    browser.get(URL, {"q": "club"})
    with CaptureQueriesContext(connection) as few:
        assert len(browser.get(URL, {"q": "club"}).context["results"]) == 2
    add(8)
    with CaptureQueriesContext(connection) as many:
        assert len(browser.get(URL, {"q": "club"}).context["results"]) == 10
    assert len(many) == len(few)


def test_htmx_gets_just_the_results(client_for, coordinator_a, directory):
    response = client_for(coordinator_a).get(URL, {"q": "knitting"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert "Knitting circle" in content
    assert 'hx-swap-oob="innerHTML"' in content
    assert "HX-Request" in response["Vary"]


def test_the_page_works_as_a_plain_form_with_htmx_as_an_extra(client_for, coordinator_a, directory):
    content = find(client_for(coordinator_a)).content.decode()
    assert '<form method="get" action="/directory/"' in content
    assert 'hx-get="/directory/"' in content
    assert 'hx-target="#directory-results"' in content
    assert 'hx-push-url="true"' in content
    assert 'id="directory-results"' in content


def test_htmx_restoring_history_gets_the_whole_page(client_for, coordinator_a, directory):
    response = client_for(coordinator_a).get(
        URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


# --- Nothing found ------------------------------------------------------------------------------


def test_nothing_found_says_so_and_offers_to_record_an_unmet_need(
    client_for, coordinator_a, directory
):
    response = find(client_for(coordinator_a), q="skydiving")
    content = response.content.decode()
    assert "No services match your search." in content
    try:
        unmet = reverse("unmet:record")
    except NoReverseMatch:
        assert response.context["unmet_need_url"] == ""
        assert "Record an unmet need" not in content
    else:
        assert response.context["unmet_need_url"].startswith(unmet)
        assert "Record an unmet need" in content


def test_the_unmet_need_link_carries_the_person(client_for, coordinator_a, directory, angharad):
    response = find(client_for(coordinator_a), q="skydiving", referral=angharad.pk)
    try:
        reverse("unmet:record")
    except NoReverseMatch:
        pytest.skip("recording unmet needs is not built yet")
    assert f"referral={angharad.pk}" in response.context["unmet_need_url"]


# --- Searching for a person --------------------------------------------------------------------


def test_searching_for_a_person_offers_to_refer_them(
    client_for, coordinator_a, directory, angharad
):
    response = find(client_for(coordinator_a), referral=angharad.pk)
    content = response.content.decode()
    assert "Find a service for Angharad" in content
    # Her age fills the age filter: the youth club is not for her.
    assert response.context["form"]["age"].value() == "40"
    assert names(response) == ["Elan Valley walkers", "Money matters", "Knitting circle"]
    walkers = response.context["results"][0]
    assert walkers.refer_url == (
        reverse("prescriptions:new", kwargs={"pk": angharad.pk}) + f"?service={walkers.service.pk}"
    )
    assert "Refer Angharad here" in content
    assert content.count("Refer Angharad here") == 3
    # Links to a service's page keep the person.
    assert f"?referral={angharad.pk}" in content


def test_a_cleared_age_stays_cleared(client_for, coordinator_a, directory, angharad):
    response = find(client_for(coordinator_a), referral=angharad.pk, age="")
    assert "Youth club" in names(response)


def test_the_persons_site_is_searched_whatever_the_site_filter_says(
    client_for, manager_both, directory, angharad
):
    response = find(client_for(manager_both), referral=angharad.pk, site="any")
    assert "Men's Shed Treorchy" not in names(response)


def test_a_service_closed_for_good_cannot_be_chosen_for_the_person(
    client_for, coordinator_a, directory, angharad
):
    response = find(
        client_for(coordinator_a), referral=angharad.pk, availability=["closed"], age=""
    )
    [lunch] = response.context["results"]
    assert lunch.refer_url == ""
    assert "Refer Angharad here" not in response.content.decode()


def test_someone_the_user_cannot_refer_answers_404(
    client_for, coordinator_a, coordinator_b, manager_b, directory, angharad, pathway_a
):
    # At another site, or at the same site but on someone else's caseload.
    assert client_for(coordinator_b).get(URL, {"referral": angharad.pk}).status_code == 404
    assert client_for(manager_b).get(URL, {"referral": angharad.pk}).status_code == 404
    someone_else = make_referral(ReferralStatus.ALLOCATED, pathway=pathway_a)
    assert client_for(coordinator_a).get(URL, {"referral": someone_else.pk}).status_code == 404
    assert client_for(coordinator_a).get(URL, {"referral": "nonsense"}).status_code == 404
    assert client_for(coordinator_a).get(URL, {"referral": 999999}).status_code == 404


def test_a_manager_at_the_site_may_search_for_the_person(client_for, manager, directory, angharad):
    response = find(client_for(manager), referral=angharad.pk)
    assert "Refer Angharad here" in response.content.decode()


def test_opening_the_directory_for_a_person_is_in_the_audit_log(
    client_for, coordinator_a, directory, angharad
):
    from linkwork.audit.models import AuditEvent

    before = AuditEvent.objects.filter(action="view", person_id=angharad.person_id).count()
    find(client_for(coordinator_a), referral=angharad.pk)
    after = AuditEvent.objects.filter(action="view", person_id=angharad.person_id).count()
    assert after == before + 1


# --- Open alternatives -------------------------------------------------------------------------


def test_open_alternatives_share_a_category_serve_the_site_and_are_open_best_first(site_a, site_b):
    hall = make_service(
        name="Rhayader Tuesday walk",
        availability="temporarily_closed",
        sites=[site_a],
        terms=["Walking", "Outdoors"],
    )
    make_service(
        name="Builth river walk", availability="limited", sites=[site_a], terms=["Walking"]
    )
    make_service(name="Elan walkers", sites=[site_a], terms=["Walking"])
    make_service(name="Hill and dale", sites=[site_a], terms=["Walking", "Outdoors"])
    make_service(name="Everywhere walks", terms=["Walking"])
    make_service(name="Closed walkers", availability="closed", sites=[site_a], terms=["Walking"])
    make_service(
        name="Paused walkers", availability="temporarily_closed", sites=[site_a], terms=["Walking"]
    )
    make_service(name="Rhondda walkers", sites=[site_b], terms=["Walking"])
    make_service(name="Knitting", sites=[site_a], terms=["Crafts"])
    alternatives = open_alternatives(hall, site_a)
    # Open before limited; then the most categories in common; then by name.
    assert [s.name for s in alternatives] == [
        "Hill and dale",
        "Elan walkers",
        "Everywhere walks",
        "Builth river walk",
    ]
    assert [s.name for s in open_alternatives(hall, site_a, limit=2)] == [
        "Hill and dale",
        "Elan walkers",
    ]


def test_a_service_with_no_category_has_no_alternatives(site_a):
    lonely = make_service(name="Lonely", sites=[site_a])
    make_service(name="Other", sites=[site_a], terms=["Walking"])
    assert open_alternatives(lonely, site_a) == []

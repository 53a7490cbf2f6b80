"""The capacity model and page: a simulation that can be checked by hand where nothing is random,
the same answer for the same question, what-ifs that move the forecast the right way, inputs
measured from the records, and the page for managers only."""

import datetime

import pytest
from django.urls import reverse

from linkwork.reports import capacity
from linkwork.reports.capacity import Inputs, PathwayRate, Question, simulate
from tests.factories import PathwayFactory, make_referral

from .conftest import at, moment

URL = reverse("reports:capacity")
TODAY = datetime.date(2026, 3, 1)


def _inputs(**overrides) -> Inputs:
    values = {
        "as_of": TODAY,
        "rates": [],
        "capacity": 2,
        "support_weeks": [4.0],
        "waiting_weeks": [3.0, 2.0, 1.0],
        "in_support_left": [0.5, 4.5],
        "coordinators": 1,
        "caps": 2,
    }
    return Inputs(**(values | overrides))


def test_with_nothing_random_the_list_drains_as_places_free():
    # Two places, both full: one frees in week 1 and one in week 5. Three waiting: the longest
    # waiter goes in week 1 (and holds the place 4 weeks, to week 5); in week 5 both places
    # free, and the other two go.
    forecast = simulate(_inputs(), months=3, runs=5)
    assert forecast.months == [
        datetime.date(2026, 3, 1),
        datetime.date(2026, 4, 1),
        datetime.date(2026, 5, 1),
    ]
    # Weeks 0 to 3 end in March (2 still waiting after them); week 5 is in April.
    assert [w[1] for w in forecast.waiting] == [2.0, 0.0, 0.0]
    assert all(low == middle == high for low, middle, high in forecast.waiting)


def test_the_same_question_gives_the_same_answer():
    inputs = _inputs(rates=[PathwayRate("GP practices", 6, 0.8)])
    assert simulate(inputs).waiting == simulate(inputs).waiting


def test_what_ifs_move_the_forecast_the_right_way():
    inputs = _inputs(rates=[PathwayRate("GP practices", 8, 0.9)], support_weeks=[12.0])
    baseline = simulate(inputs, runs=100)
    more_referrals = simulate(inputs, Question(extra_per_month=6), runs=100)
    more_staff = simulate(inputs, Question(add_coordinators=1, cap_each=15), runs=100)
    longer = simulate(inputs, Question(support_weeks=16), runs=100)
    end = lambda f: f.waiting[-1][1]  # noqa: E731
    assert end(more_referrals) > end(baseline)
    assert end(more_staff) < end(baseline)
    assert end(longer) > end(baseline)
    low, middle, high = baseline.waiting[-1]
    assert low <= middle <= high


def test_inputs_are_measured_from_the_records(site_a, story, coordinator_a, today):
    inputs = capacity.measure(site_a, datetime.date(2026, 3, 25), months=3)
    rates = {r.name: r for r in inputs.rates}
    # R1 to R5 came through "GP practices" in the three months before 25 March (R7, on 20
    # December, is before them): 5 in 3 months; accepted 2 of the 4 decided.
    assert rates["GP practices"].per_month == pytest.approx(5 / 3)
    assert rates["GP practices"].acceptance == pytest.approx(0.5)
    assert inputs.caps == coordinator_a.caseload_cap
    assert len(inputs.waiting_weeks) == 1  # R7
    assert len(inputs.in_support_left) == 2  # R1 and R2


def test_the_backtest_sets_the_forecast_beside_what_happened(site_a, story, today):
    check = capacity.backtest(site_a, datetime.date(2026, 1, 1), months=3, runs=50)
    # At the ends of January and February R7 and R2 were waiting; March has not ended.
    assert check.observed == [2, 2, None]
    assert check.compared == 2
    assert check.mean_absolute_error is not None


def test_a_manager_asks_a_what_if(client_for, manager, site_a, story, today):
    response = client_for(manager).get(URL, {"site": site_a.pk, "add_coordinators": "1"})
    assert response.status_code == 200
    assert response.context["question"].add_coordinators == 1
    html = response.content.decode()
    assert "With the change" in html
    assert "How well the model did here" in html


def test_a_manager_borrows_another_sites_pathway(
    client_for, manager_both, site_a, site_b, gp_referrer, story, today
):
    crisis = PathwayFactory(site=site_b, name="Mental health crisis team")
    quiet = PathwayFactory(site=site_b, name="Local authority")
    with at(moment(2, 10)):
        make_referral(pathway=crisis, by=gp_referrer, received_at=moment(2, 10))
    browser = client_for(manager_both)
    options = dict(browser.get(URL, {"site": site_a.pk}).context["form"].fields["borrow"].choices)
    # Site A has its own "GP practices"; "Local authority" has had no referrals, so no rate.
    assert set(options) == {"", str(crisis.pk)}
    assert options[str(crisis.pk)] == "Mental health crisis team at Rhondda Valleys: 0.2 a month"
    assert str(quiet.pk) not in options
    response = browser.get(URL, {"site": site_a.pk, "borrow": crisis.pk})
    assert response.context["question"].extra_per_month == pytest.approx(1 / 6)


def test_bad_numbers_are_reported_and_the_rest_still_works(client_for, manager, site_a, today):
    response = client_for(manager).get(URL, {"site": site_a.pk, "add_coordinators": "lots"})
    assert response.status_code == 200
    assert "Enter how many link coordinators to add, like 1" in response.content.decode()
    assert response.context["question"].add_coordinators == 0


@pytest.mark.parametrize("who", ["coordinator_a", "researcher", "gp_referrer", "administrator"])
def test_only_managers_plan_capacity(client_for, who, request):
    assert client_for(request.getfixturevalue(who)).get(URL).status_code == 403


def test_a_manager_cannot_forecast_another_managers_site(client_for, manager, site_b, today):
    response = client_for(manager).get(URL, {"site": site_b.pk})
    assert response.status_code == 200
    assert response.context["site"] != site_b
    assert "site" in response.context["form"].errors

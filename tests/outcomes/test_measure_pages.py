"""Outcome measures on the person's record: the panel, every score over time with reliable
change, entering a questionnaire with the person, withdrawing one, and who may do what."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.outcomes import actions
from linkwork.outcomes.models import Measure
from linkwork.safeguarding import actions as safeguarding
from linkwork.safeguarding.models import SafeguardingPrompt
from tests.factories import CoordinatorFactory

pytestmark = pytest.mark.django_db

SWEMWBS = [4, 3, 3, 4, 3, 4, 4]  # raw 25, metric 22.35


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def record_url(referral) -> str:
    return reverse("casework:record", args=[referral.pk])


def measures_url(referral) -> str:
    return reverse("outcomes:measures", args=[referral.pk])


def new_url(referral, **query) -> str:
    url = reverse("outcomes:record_measure", args=[referral.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def answers(values, **extra) -> dict:
    today = timezone.localdate()
    data = {f"item_{n}": str(v) for n, v in enumerate(values, start=1) if v is not None}
    data.update(
        {
            "completed_on_day": str(today.day),
            "completed_on_month": str(today.month),
            "completed_on_year": str(today.year),
            "timepoint": "baseline",
        }
    )
    data.update(extra)
    return data


def checked(content: str, name: str, value) -> bool:
    return bool(re.search(rf'name="{name}" value="{value}"[^>]*checked', content))


# --- The panel on the record --------------------------------------------------------------------


def test_the_record_shows_what_is_due_with_ways_to_collect_it(
    client_for, coordinator_a, in_support, schedule_a
):
    content = client_for(coordinator_a).get(record_url(in_support)).content.decode()
    assert "Outcome measures" in content
    assert "Short Warwick-Edinburgh Mental Well-being Scale (SWEMWBS)" in content
    assert "Due by" in content
    assert f"Complete with {in_support.person.given_name}" in content
    assert (
        new_url(in_support, instrument="swemwbs", timepoint="baseline").replace("&", "&amp;")
        in content
    )
    assert reverse("outcomes:measure_link", args=[in_support.pk]) in content
    assert "Send a link" in content
    assert "Not yet due" in content  # end of support: no planned end yet
    assert "See all scores" in content


def test_the_record_without_a_schedule_says_so_and_managers_get_a_link(
    client_for, coordinator_a, manager, in_support
):
    content = client_for(coordinator_a).get(record_url(in_support)).content.decode()
    assert "No outcome measures are scheduled at this site" in content
    schedule = reverse("outcomes:site_schedule", args=[in_support.site_id])
    assert schedule not in content
    content = client_for(manager).get(record_url(in_support)).content.decode()
    assert schedule in content


def test_a_done_measure_shows_its_score_and_change_on_the_record(
    client_for, coordinator_a, in_support, schedule_a
):
    actions.record_measure(
        in_support, by=coordinator_a, instrument="swemwbs", timepoint="baseline", answers=[2] * 7
    )
    actions.record_measure(
        in_support, by=coordinator_a, instrument="swemwbs", timepoint="end", answers=[5] * 7
    )
    content = client_for(coordinator_a).get(record_url(in_support)).content.decode()
    assert "Done" in content
    assert "35.00" in content
    assert "Reliable improvement" in content
    assert "Meaningful change (≥3)" in content


def _queries(browser, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_record_runs_as_many_queries_with_many_measures_as_with_one(
    client_for, coordinator_a, in_support, schedule_a
):
    browser = client_for(coordinator_a)
    url = record_url(in_support)
    actions.record_measure(
        in_support, by=coordinator_a, instrument="swemwbs", timepoint="baseline", answers=SWEMWBS
    )
    browser.get(url)
    few = _queries(browser, url)
    actions.record_measure(
        in_support, by=coordinator_a, instrument="phq9", timepoint="baseline", answers=[1] * 8 + [0]
    )
    actions.record_measure(
        in_support, by=coordinator_a, instrument="ons4", timepoint="baseline", answers=[7, 8, 6, 3]
    )
    actions.record_measure(
        in_support, by=coordinator_a, instrument="swemwbs", timepoint="end", answers=[5] * 7
    )
    for _ in range(3):
        actions.record_measure(
            in_support, by=coordinator_a, instrument="gad7", timepoint="review", answers=[1] * 7
        )
    actions.create_measure_link(in_support, by=coordinator_a, instrument="ons4", timepoint="end")
    many = _queries(browser, url)
    assert many == few


# --- Entering a questionnaire -------------------------------------------------------------------


def test_entering_a_full_swemwbs_scores_it(client_for, coordinator_a, in_support, schedule_a):
    browser = client_for(coordinator_a)
    form = browser.get(new_url(in_support, instrument="swemwbs", timepoint="baseline"))
    content = form.content.decode()
    assert form.status_code == 200
    assert "optimistic about the future" in content
    assert "None of the time" in content
    assert "© University of Warwick" in content  # the licence line
    assert checked(content, "timepoint", "baseline")

    response = browser.post(new_url(in_support), answers(SWEMWBS, instrument="swemwbs"))
    assert response.status_code == 302
    assert response["Location"] == record_url(in_support)
    measure = Measure.objects.get(referral=in_support)
    assert str(measure.total) == "22.35"
    assert measure.collected_by == "coordinator"
    followed = browser.get(response["Location"]).content.decode()
    assert "recorded: score 22.35" in followed

    page = browser.get(measures_url(in_support)).content.decode()
    assert "22.35" in page
    assert "(raw 25)" in page


def test_incomplete_answers_keep_those_chosen(client_for, coordinator_a, in_support, schedule_a):
    response = client_for(coordinator_a).post(
        new_url(in_support), answers([4, 3, 3, None, 3, None, 4], instrument="swemwbs")
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert "Answer question 4" in content
    assert "Answer question 6" in content
    assert "Answer question 1" not in content
    assert checked(content, "item_1", 4)
    assert checked(content, "item_7", 4)
    assert not Measure.objects.exists()


def test_a_refusal_from_the_action_shows_on_the_form(
    client_for, coordinator_a, in_support, schedule_a
):
    actions.record_measure(
        in_support, by=coordinator_a, instrument="swemwbs", timepoint="baseline", answers=SWEMWBS
    )
    response = client_for(coordinator_a).post(
        new_url(in_support), answers([1] * 7, instrument="swemwbs")
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "has already been recorded for baseline" in content
    assert checked(content, "item_3", 1)
    assert Measure.objects.count() == 1


def test_a_future_date_is_refused(client_for, coordinator_a, in_support, schedule_a):
    next_year = timezone.localdate().year + 1
    response = client_for(coordinator_a).post(
        new_url(in_support),
        answers(SWEMWBS, instrument="swemwbs", completed_on_year=str(next_year)),
    )
    assert response.status_code == 200
    assert "The date cannot be in the future" in response.content.decode()


def test_phq9_item_9_goes_straight_to_the_safeguarding_prompt(
    client_for, coordinator_a, in_support, schedule_a
):
    response = client_for(coordinator_a).post(
        new_url(in_support), answers([0] * 8 + [1], instrument="phq9")
    )
    prompt = SafeguardingPrompt.objects.get(referral=in_support)
    assert response.status_code == 302
    assert response["Location"] == reverse("safeguarding:prompt", kwargs={"prompt_pk": prompt.pk})


def test_without_a_questionnaire_chosen_the_page_asks_which(
    client_for, coordinator_a, in_support, schedule_a
):
    browser = client_for(coordinator_a)
    content = browser.get(new_url(in_support)).content.decode()
    assert "Record a measure" in content
    assert 'name="instrument" value="swemwbs"' in content
    assert 'name="instrument" value="phq9"' in content
    content = browser.get(new_url(in_support, instrument="")).content.decode()
    assert "Choose a questionnaire" in content


def test_a_licensed_questionnaire_not_in_use_cannot_be_chosen(
    client_for, coordinator_a, in_support
):
    browser = client_for(coordinator_a)
    content = browser.get(new_url(in_support)).content.decode()
    assert 'value="swemwbs"' not in content
    assert 'value="phq9"' in content
    # Asking for it directly shows the choice instead.
    content = browser.get(new_url(in_support, instrument="swemwbs")).content.decode()
    assert 'name="item_1"' not in content
    response = client_for(coordinator_a).post(
        new_url(in_support), answers(SWEMWBS, instrument="swemwbs")
    )
    assert response.status_code == 200
    assert not Measure.objects.exists()


def test_ons4_is_on_one_line_with_labelled_ends(client_for, coordinator_a, in_support):
    content = (
        client_for(coordinator_a)
        .get(new_url(in_support, instrument="ons4", timepoint="baseline"))
        .content.decode()
    )
    assert "govuk-radios--inline" in content
    assert "0 = not at all, 10 = completely" in content


def test_in_welsh_the_questions_are_marked_as_english(
    client_for, coordinator_a, in_support, schedule_a
):
    browser = client_for(coordinator_a)
    browser.post(reverse("set_language"), {"language": "cy", "next": "/"})
    content = browser.get(new_url(in_support, instrument="phq9")).content.decode()
    assert '<html lang="cy"' in content
    assert 'class="lw-questionnaire" lang="en"' in content
    assert "Dim ond yn Saesneg y mae'r holiadur hwn ar gael" in content  # "only in English"


def test_a_closed_case_defaults_to_the_end_of_support(
    client_for, coordinator_a, in_support, schedule_a
):
    from linkwork.casework import actions as casework

    casework.close_case(in_support, by=coordinator_a, reason="goals_achieved", summary="Done")
    content = client_for(coordinator_a).get(new_url(in_support, instrument="phq9")).content.decode()
    assert checked(content, "timepoint", "end")


# --- Scores over time ---------------------------------------------------------------------------


def test_the_scores_page_shows_change_and_reliable_change(
    client_for, coordinator_a, manager, in_support, schedule_a
):
    actions.record_measure(
        in_support, by=coordinator_a, instrument="swemwbs", timepoint="baseline", answers=[2] * 7
    )
    actions.record_measure(
        in_support, by=coordinator_a, instrument="swemwbs", timepoint="end", answers=[5] * 7
    )
    actions.record_measure(
        in_support, by=coordinator_a, instrument="phq9", timepoint="baseline", answers=[2] * 8 + [0]
    )
    actions.record_measure(
        in_support, by=coordinator_a, instrument="ons4", timepoint="baseline", answers=[3, 4, 5, 8]
    )
    actions.record_measure(
        in_support, by=coordinator_a, instrument="ons4", timepoint="end", answers=[7, 8, 6, 3]
    )
    actions.record_measure(
        in_support, by=coordinator_a, instrument="phq9", timepoint="end", answers=[2] * 8 + [1]
    )
    response = client_for(manager).get(measures_url(in_support))
    assert response.status_code == 200
    content = response.content.decode()
    # SWEMWBS: 15.32 (raw 14) to 35.00, reliable, meaningful.
    assert "15.32" in content and "35.00" in content
    assert "+19.68" in content
    assert "Reliable improvement" in content
    assert "Meaningful change (≥3)" in content
    # PHQ-9: 16 to 17, moderately severe both times: no reliable change; item 9 flagged.
    assert "No reliable change" in content
    assert "Moderately severe" in content
    assert "Item 9 answered above" in content
    assert "+1" in content
    # ONS4: each answer with its band, and its change.
    assert "Life satisfaction: <strong>7</strong> (High)" in content
    assert "Anxiety yesterday: -5" in content
    # Who collected it, and the parameters used, with their source.
    assert f"With {coordinator_a.display_name}" in content
    assert "reliability 0.84 and standard deviation 3.9" in content
    assert "Published values:" in content
    assert "Ng Fat" in content
    assert AuditEvent.objects.filter(
        user=manager, action=AuditAction.VIEW, person_id=in_support.person_id
    ).exists()


def test_the_scores_page_names_installation_parameters(
    client_for, coordinator_a, administrator, in_support, schedule_a
):
    actions.configure_instrument(
        "phq9", by=administrator, enabled=True, reliability=actions.Decimal("0.86")
    )
    actions.record_measure(
        in_support, by=coordinator_a, instrument="phq9", timepoint="baseline", answers=[2] * 9
    )
    content = client_for(coordinator_a).get(measures_url(in_support)).content.decode()
    assert "reliability 0.86 and standard deviation 6.0" in content
    assert "Set for this service by an administrator" in content


def test_an_empty_scores_page(client_for, coordinator_a, in_support):
    content = client_for(coordinator_a).get(measures_url(in_support)).content.decode()
    assert "No measures have been recorded yet" in content
    assert "No questionnaire links have been sent" in content


# --- Withdrawing --------------------------------------------------------------------------------


def test_withdrawing_a_measure_keeps_it_on_record(
    client_for, coordinator_a, in_support, schedule_a
):
    measure = actions.record_measure(
        in_support, by=coordinator_a, instrument="swemwbs", timepoint="baseline", answers=SWEMWBS
    )
    browser = client_for(coordinator_a)
    url = reverse("outcomes:withdraw_measure", args=[in_support.pk, measure.pk])
    assert "22.35" in browser.get(url).content.decode()
    response = browser.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "Say why the measure is being withdrawn" in response.content.decode()
    response = browser.post(url, {"reason": "Entered for the wrong person"})
    assert response.status_code == 302
    assert response["Location"] == measures_url(in_support)
    measure.refresh_from_db()
    assert measure.withdrawn_at is not None
    content = browser.get(measures_url(in_support)).content.decode()
    assert "Withdrawn measures" in content
    assert "Entered for the wrong person" in content
    assert "No measures have been recorded yet" in content
    # And it can be entered again.
    again = browser.post(new_url(in_support), answers([1] * 7, instrument="swemwbs"))
    assert again.status_code == 302


# --- Who may do what ----------------------------------------------------------------------------


@pytest.fixture
def measure(in_support, coordinator_a, schedule_a):
    return actions.record_measure(
        in_support, by=coordinator_a, instrument="swemwbs", timepoint="baseline", answers=SWEMWBS
    )


@pytest.mark.parametrize(
    "who",
    ["coordinator_b", "manager_b", "gp_referrer", "researcher", "outsider", "administrator"],
)
def test_people_outside_the_persons_scope_cannot_see_or_change_measures(
    request, client_for, who, in_support, measure
):
    browser = client_for(request.getfixturevalue(who))
    pk = in_support.pk
    assert browser.get(measures_url(in_support)).status_code in (403, 404)
    assert browser.get(new_url(in_support, instrument="phq9")).status_code in (403, 404)
    response = browser.post(new_url(in_support), answers([0] * 9, instrument="phq9"))
    assert response.status_code in (403, 404)
    withdraw = reverse("outcomes:withdraw_measure", args=[pk, measure.pk])
    assert browser.get(withdraw).status_code in (403, 404)
    assert browser.post(withdraw, {"reason": "x"}).status_code in (403, 404)
    measure.refresh_from_db()
    assert measure.withdrawn_at is None
    assert Measure.objects.count() == 1


@pytest.mark.parametrize("who", ["coordinator_b", "manager_b"])
def test_other_sites_staff_get_not_found(request, client_for, who, in_support, measure):
    browser = client_for(request.getfixturevalue(who))
    assert browser.get(measures_url(in_support)).status_code == 404
    assert browser.get(new_url(in_support)).status_code == 404


def test_a_coordinator_who_is_not_theirs_gets_not_found(client_for, site_a, in_support, measure):
    other = CoordinatorFactory(sites=[site_a])
    browser = client_for(other)
    assert browser.get(measures_url(in_support)).status_code == 404
    assert browser.get(new_url(in_support)).status_code == 404
    url = reverse("outcomes:withdraw_measure", args=[in_support.pk, measure.pk])
    assert browser.post(url, {"reason": "x"}).status_code == 404


def test_a_measure_of_someone_else_cannot_be_withdrawn_through_another_record(
    client_for, coordinator_a, in_support, measure, pathway_a, manager
):
    from linkwork.referrals.status import ReferralStatus
    from tests.factories import make_referral

    other = make_referral(
        ReferralStatus.ALLOCATED, pathway=pathway_a, staff=manager, coordinator=coordinator_a
    )
    url = reverse("outcomes:withdraw_measure", args=[other.pk, measure.pk])
    assert client_for(coordinator_a).post(url, {"reason": "x"}).status_code == 404


def test_the_sites_manager_may_record_and_withdraw(client_for, manager, in_support, measure):
    browser = client_for(manager)
    assert browser.get(measures_url(in_support)).status_code == 200
    url = reverse("outcomes:withdraw_measure", args=[in_support.pk, measure.pk])
    assert browser.post(url, {"reason": "Wrong date"}).status_code == 302


def test_the_record_says_when_a_link_is_out(client_for, coordinator_a, in_support, schedule_a):
    actions.create_measure_link(
        in_support, by=coordinator_a, instrument="phq9", timepoint="baseline"
    )
    content = client_for(coordinator_a).get(record_url(in_support)).content.decode()
    assert "not used yet" in content
    assert "Send a new link" in content


def test_an_open_question_9_check_comes_before_another_questionnaire(
    client_for, coordinator_a, in_support, schedule_a
):
    from linkwork.outcomes import actions

    actions.record_measure(
        in_support,
        by=coordinator_a,
        instrument="phq9",
        timepoint="baseline",
        answers=[0, 0, 0, 0, 0, 0, 0, 0, 1],
    )
    prompt = SafeguardingPrompt.objects.get(referral=in_support)
    browser = client_for(coordinator_a)
    response = browser.get(new_url(in_support, instrument="swemwbs"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("safeguarding:prompt", args=[prompt.pk])
    assert "First record what was done" in response.content.decode()
    safeguarding.handle_prompt(prompt, by=coordinator_a, action="safety_plan", note="Plan agreed")
    assert browser.get(new_url(in_support, instrument="swemwbs")).status_code == 200

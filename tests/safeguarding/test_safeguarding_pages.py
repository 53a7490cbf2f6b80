"""Safeguarding through the pages: risk flags, concerns about anyone in the service (the waiting
list included), escalations chased until they answer, the list of open escalations, and the
PHQ-9 item 9 prompt. Each permission rule relied on is tried by someone it should stop."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from linkwork.outcomes import actions
from linkwork.referrals.models import Referral
from linkwork.referrals.status import ReferralStatus
from linkwork.safeguarding import actions as safeguarding
from linkwork.safeguarding.models import (
    Escalation,
    EscalationChase,
    RiskFlag,
    SafeguardingConcern,
    SafeguardingPrompt,
)
from tests.factories import make_referral

pytestmark = pytest.mark.django_db

PHQ9_ITEM9_ONLY = [0, 0, 0, 0, 0, 0, 0, 0, 1]  # total 1: "none-minimal", but item 9 answered


def date_parts(name: str, day: datetime.date) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def errors(response) -> dict:
    return response.context["form"].errors


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _escalate(concern, by, *, days_ago: int, due_in: int, to="social_services", reference=""):
    at = timezone.now() - datetime.timedelta(days=days_ago)
    return safeguarding.escalate(
        concern,
        by=by,
        to=to,
        at=at,
        method="phone",
        reference=reference,
        response_due=timezone.localdate(at) + datetime.timedelta(days=days_ago + due_in),
    )


def _concern(referral, by, kind="falls", summary="Fell twice this week"):
    return safeguarding.raise_concern(referral, by=by, kind=kind, summary=summary)


@pytest.fixture
def waiting_b(pathway_b, gp_referrer, manager_b):
    """Someone on site B's waiting list."""
    return make_referral(ReferralStatus.WAITING, pathway=pathway_b, by=gp_referrer, staff=manager_b)


@pytest.fixture
def prompt(in_support, coordinator_a, instruments_on):
    measure = actions.record_measure(
        in_support,
        by=coordinator_a,
        instrument="phq9",
        timepoint="baseline",
        answers=PHQ9_ITEM9_ONLY,
    )
    return SafeguardingPrompt.objects.get(measure=measure)


# --- A concern about someone on the waiting list, from start to close ---------------------------


def test_concern_about_someone_on_the_waiting_list_escalated_chased_answered_and_closed(
    client_for, coordinator_a, waiting
):
    browser = client_for(coordinator_a)
    detail = text(browser.get(reverse("referrals:detail", args=[waiting.pk])))
    assert "Raise a safeguarding concern" in detail

    response = browser.post(
        reverse("safeguarding:raise_concern", args=[waiting.pk]),
        {"kind": "abuse", "summary": "Told me her son takes her pension", "flag": "on"},
    )
    concern = SafeguardingConcern.objects.get(referral=waiting)
    assert response.status_code == 302
    assert response["Location"] == reverse("safeguarding:concern", args=[concern.pk])
    assert concern.kind == "abuse" and concern.raised_by == coordinator_a
    assert RiskFlag.objects.filter(person=waiting.person, kind="abuse", ended_at=None).exists()

    # Escalated to social services ten days ago, due three days later: overdue now.
    at = timezone.localtime() - datetime.timedelta(days=10)
    response = browser.post(
        reverse("safeguarding:escalate", args=[concern.pk]),
        {
            "to": "social_services",
            "to_detail": "Adult safeguarding team",
            **date_parts("at", at.date()),
            "at_time": "09:15",
            "method": "phone",
            "reference": "ASC-778",
            **date_parts("response_due", at.date() + datetime.timedelta(days=3)),
        },
    )
    assert response.status_code == 302
    escalation = Escalation.objects.get(concern=concern)
    assert escalation.reference == "ASC-778" and escalation.to_detail == "Adult safeguarding team"
    assert timezone.localtime(escalation.at).strftime("%H:%M") == "09:15"
    page = text(browser.get(reverse("safeguarding:concern", args=[concern.pk])))
    assert "Awaiting response – overdue by 7 days" in page
    assert "ASC-778" in page and "Record a chase" in page

    # A chase with a new due date replaces the due date.
    new_due = timezone.localdate() + datetime.timedelta(days=2)
    response = browser.post(
        reverse("safeguarding:chase", args=[escalation.pk]),
        {"method": "phone", "note": "Duty worker says Monday", **date_parts("next_due", new_due)},
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.response_due == new_due
    assert EscalationChase.objects.filter(escalation=escalation).count() == 1
    page = text(browser.get(reverse("safeguarding:concern", args=[concern.pk])))
    assert "Duty worker says Monday" in page
    assert "Awaiting response" in page and "overdue by" not in page

    # Closing is refused while the escalation is unanswered, and says why on the form.
    response = browser.post(
        reverse("safeguarding:close_concern", args=[concern.pk]), {"outcome": "Sorted"}
    )
    assert response.status_code == 200
    assert "still waiting for a response" in text(response)
    assert response.context["form"]["outcome"].value() == "Sorted"

    response = browser.post(
        reverse("safeguarding:record_response", args=[escalation.pk]),
        {
            **date_parts("responded_at", timezone.localdate()),
            "responded_time": timezone.localtime().strftime("%H:%M"),
            "response": "Assessment visit booked",
        },
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.response == "Assessment visit booked" and not escalation.is_open

    response = browser.post(
        reverse("safeguarding:close_concern", args=[concern.pk]),
        {"outcome": "Social services visiting weekly"},
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert not concern.is_open and concern.outcome == "Social services visiting weekly"
    page = text(browser.get(reverse("safeguarding:concern", args=[concern.pk])))
    assert "Responded" in page and "Closed" in page

    # The person's full history: the flag, the concern, its escalation, chase and response.
    history = text(browser.get(reverse("safeguarding:person", args=[waiting.pk])))
    assert concern.reference in history and "Abuse or violence" in history
    assert "Chased 1 time" in history and "Assessment visit booked" in history


def test_a_concern_without_a_flag_when_unticked(client_for, manager, waiting):
    client_for(manager).post(
        reverse("safeguarding:raise_concern", args=[waiting.pk]),
        {"kind": "self_neglect", "summary": "House very cold, no food"},
    )
    assert SafeguardingConcern.objects.filter(referral=waiting).exists()
    assert not RiskFlag.objects.filter(person=waiting.person).exists()


def test_raise_and_remove_a_flag(client_for, coordinator_a, waiting):
    browser = client_for(coordinator_a)
    response = browser.post(
        reverse("safeguarding:raise_flag", args=[waiting.pk]),
        {"kind": "falls", "note": "Uses a frame"},
    )
    assert response.status_code == 302
    flag = RiskFlag.objects.get(person=waiting.person)
    detail = text(browser.get(reverse("referrals:detail", args=[waiting.pk])))
    assert "Falls" in detail and "Uses a frame" in detail and "Remove flag" in detail

    # A reason is needed; what was typed stays.
    url = reverse("safeguarding:end_flag", args=[waiting.pk, flag.pk])
    response = browser.post(url, {"reason": "  "})
    assert response.status_code == 200 and "reason" in errors(response)
    assert browser.post(url, {"reason": "Moved to ground-floor flat"}).status_code == 302
    flag.refresh_from_db()
    assert not flag.is_active and flag.end_reason == "Moved to ground-floor flat"

    history = text(browser.get(reverse("safeguarding:person", args=[waiting.pk])))
    assert "Removed" in history and "Moved to ground-floor flat" in history


def test_flag_forms_keep_what_was_typed(client_for, coordinator_a, waiting):
    browser = client_for(coordinator_a)
    response = browser.post(
        reverse("safeguarding:raise_flag", args=[waiting.pk]), {"kind": "other"}
    )
    assert response.status_code == 200
    assert errors(response)["note"] == ["Say what the risk is."]
    assert response.context["form"]["kind"].value() == "other"
    response = browser.post(
        reverse("safeguarding:raise_concern", args=[waiting.pk]), {"summary": "Bruising on arms"}
    )
    assert response.status_code == 200 and "kind" in errors(response)
    assert "Bruising on arms" in response.content.decode()


# --- Validation on the escalation forms ---------------------------------------------------------


def test_escalation_form_keeps_what_was_typed(client_for, coordinator_a, waiting):
    concern = _concern(waiting, coordinator_a)
    browser = client_for(coordinator_a)
    url = reverse("safeguarding:escalate", args=[concern.pk])
    initial = browser.get(url).context["form"].initial
    assert initial["response_due"] == timezone.localdate() + datetime.timedelta(days=3)

    typed = {
        "to": "police",
        "to_detail": "PC Jones",
        **date_parts("at", timezone.localdate()),
        "at_time": "10:30",
        "method": "phone",
        "reference": "DYF-2211",
    }
    response = browser.post(url, typed)  # no response-due date
    assert response.status_code == 200
    assert errors(response)["response_due"] == ["Enter the date a response is due by"]
    page = response.content.decode()
    assert 'value="DYF-2211"' in page and 'value="PC Jones"' in page and 'value="10:30"' in page
    assert not Escalation.objects.exists()

    # Other needs to say who: the action's refusal shows next to the field.
    response = browser.post(
        url,
        {
            **typed,
            "to": "other",
            "to_detail": "",
            **date_parts("response_due", timezone.localdate()),
        },
    )
    assert response.status_code == 200
    assert errors(response)["to_detail"] == ["Say which organisation or team."]

    # A time that is not a time.
    response = browser.post(
        url, {**typed, "at_time": "half ten", **date_parts("response_due", timezone.localdate())}
    )
    assert errors(response)["at_time"] == ["Enter a time like 14:30"]
    assert 'value="half ten"' in response.content.decode()


def test_chase_and_response_forms_keep_what_was_typed(client_for, coordinator_a, waiting):
    concern = _concern(waiting, coordinator_a)
    escalation = _escalate(concern, coordinator_a, days_ago=2, due_in=1)
    browser = client_for(coordinator_a)
    response = browser.post(
        reverse("safeguarding:chase", args=[escalation.pk]),
        {"method": "email", "note": "", **date_parts("next_due", timezone.localdate())},
    )
    assert response.status_code == 200 and "note" in errors(response)
    assert response.context["form"]["method"].value() == "email"
    past = timezone.localdate() - datetime.timedelta(days=1)
    response = browser.post(
        reverse("safeguarding:chase", args=[escalation.pk]),
        {"method": "email", "note": "Emailed the duty desk", **date_parts("next_due", past)},
    )
    assert errors(response)["next_due"] == ["The new due date cannot be in the past."]
    assert "Emailed the duty desk" in response.content.decode()

    response = browser.post(
        reverse("safeguarding:record_response", args=[escalation.pk]),
        {"responded_time": "11:00", "response": "They will visit"},
    )
    assert response.status_code == 200 and "responded_at" in errors(response)
    assert "They will visit" in response.content.decode()
    assert Escalation.objects.get().is_open


# --- The list of open escalations ---------------------------------------------------------------


def test_list_is_oldest_first_with_days_unanswered_and_overdue(
    client_for, coordinator_a, manager, waiting, in_support
):
    recent = _escalate(
        _concern(in_support, coordinator_a), coordinator_a, days_ago=1, due_in=3, reference="NEW-1"
    )
    old = _escalate(
        _concern(waiting, coordinator_a), coordinator_a, days_ago=12, due_in=-9, reference="OLD-1"
    )
    safeguarding.chase(old, by=coordinator_a, method="phone", note="No answer")
    response = client_for(manager).get(reverse("safeguarding:open_escalations"))
    assert response.status_code == 200
    assert [e.pk for e in response.context["page"].object_list] == [old.pk, recent.pk]
    page = text(response)
    assert page.index("OLD-1") < page.index("NEW-1")
    assert "12 days" in page and "1 day" in page
    assert page.count(">Overdue<") == 1
    assert "1 time" in page

    overdue = client_for(manager).get(reverse("safeguarding:open_escalations") + "?overdue=1")
    assert [e.pk for e in overdue.context["page"].object_list] == [old.pk]


def test_managers_see_their_own_sites(
    client_for, coordinator_a, coordinator_b, manager, manager_b, manager_both, waiting, waiting_b
):
    at_a = _escalate(_concern(waiting, coordinator_a), coordinator_a, days_ago=3, due_in=1)
    at_b = _escalate(_concern(waiting_b, coordinator_b), coordinator_b, days_ago=2, due_in=1)
    url = reverse("safeguarding:open_escalations")

    def shown(user, query=""):
        return [e.pk for e in client_for(user).get(url + query).context["page"].object_list]

    assert shown(manager) == [at_a.pk]
    assert shown(manager_b) == [at_b.pk]
    assert shown(manager_both) == [at_a.pk, at_b.pk]
    assert shown(manager_both, f"?site={waiting_b.site_id}") == [at_b.pk]
    # A coordinator sees the concerns they raised (here, about people on the waiting list).
    assert shown(coordinator_a) == [at_a.pk]
    assert shown(coordinator_b) == [at_b.pk]


def test_list_shows_open_prompts(client_for, coordinator_a, manager, prompt, in_support):
    page = text(client_for(coordinator_a).get(reverse("safeguarding:open_escalations")))
    assert in_support.person.full_name in page
    assert reverse("safeguarding:prompt", args=[prompt.pk]) in page


def test_list_runs_as_many_queries_with_many_escalations(client_for, coordinator_a, manager):
    from tests.factories import PathwayFactory

    site = manager.sites.get()
    browser = client_for(manager)
    url = reverse("safeguarding:open_escalations")

    def add(k):
        for i in range(k):
            referral = make_referral(
                ReferralStatus.WAITING,
                pathway=PathwayFactory(site=site, organisations=[]),
                staff=manager,
            )
            escalation = _escalate(
                _concern(referral, coordinator_a), coordinator_a, days_ago=5, due_in=i - 2
            )
            safeguarding.chase(escalation, by=coordinator_a, method="email", note="Chased")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = browser.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries), len(response.context["page"].object_list)

    add(2)
    browser.get(url)
    few, rows_few = count()
    add(4)
    many, rows_many = count()
    assert rows_many == 6 and rows_few == 2
    assert many == few


# --- Who may see what ---------------------------------------------------------------------------


def test_other_sites_staff_get_404_on_everything_about_a_site_a_person(
    client_for, coordinator_a, coordinator_b, manager_b, waiting, prompt, in_support
):
    concern = _concern(waiting, coordinator_a)
    escalation = _escalate(concern, coordinator_a, days_ago=1, due_in=2)
    flag = RiskFlag.objects.get(person=waiting.person)
    urls = [
        reverse("safeguarding:person", args=[waiting.pk]),
        reverse("safeguarding:raise_flag", args=[waiting.pk]),
        reverse("safeguarding:end_flag", args=[waiting.pk, flag.pk]),
        reverse("safeguarding:raise_concern", args=[waiting.pk]),
        reverse("safeguarding:concern", args=[concern.pk]),
        reverse("safeguarding:escalate", args=[concern.pk]),
        reverse("safeguarding:close_concern", args=[concern.pk]),
        reverse("safeguarding:chase", args=[escalation.pk]),
        reverse("safeguarding:record_response", args=[escalation.pk]),
        reverse("safeguarding:prompt", args=[prompt.pk]),
    ]
    read_only = {urls[0], urls[4]}
    for user in (coordinator_b, manager_b):
        browser = client_for(user)
        for url in urls:
            assert browser.get(url).status_code == 404, (user, url)
            if url in read_only:
                continue
            assert browser.post(url, {"note": "x", "reason": "x"}).status_code == 404, (user, url)
    assert not EscalationChase.objects.exists()
    assert RiskFlag.objects.get(pk=flag.pk).is_active
    assert SafeguardingPrompt.objects.get(pk=prompt.pk).is_open


def test_a_flag_from_another_person_cannot_be_ended_through_this_one(
    client_for, coordinator_a, waiting, in_support
):
    safeguarding.raise_flag(in_support, by=coordinator_a, kind="falls")
    flag = RiskFlag.objects.get(person=in_support.person)
    url = reverse("safeguarding:end_flag", args=[waiting.pk, flag.pk])
    assert client_for(coordinator_a).post(url, {"reason": "x"}).status_code == 404


def test_people_without_safeguarding_get_403_or_404(
    client_for, gp_referrer, researcher, outsider, administrator, coordinator_a, waiting
):
    concern = _concern(waiting, coordinator_a)
    escalation = _escalate(concern, coordinator_a, days_ago=1, due_in=2)
    person_urls = [
        reverse("safeguarding:person", args=[waiting.pk]),
        reverse("safeguarding:raise_concern", args=[waiting.pk]),
        reverse("safeguarding:concern", args=[concern.pk]),
        reverse("safeguarding:chase", args=[escalation.pk]),
    ]
    for user in (gp_referrer, researcher, administrator):
        assert client_for(user).get(reverse("safeguarding:open_escalations")).status_code == 403
    # A coordinator with no site may open the list, and it is empty.
    response = client_for(outsider).get(reverse("safeguarding:open_escalations"))
    assert response.status_code == 200 and not response.context["page"].object_list
    for user in (gp_referrer, researcher, outsider, administrator):
        browser = client_for(user)
        for url in person_urls:
            assert browser.get(url).status_code in (403, 404), (user, url)
        for url in person_urls[1::2]:  # the forms
            assert browser.post(url, {"note": "x"}).status_code in (403, 404), (user, url)
    assert not EscalationChase.objects.exists()


def test_the_referrer_sees_the_referral_without_the_panel(
    client_for, gp_referrer, manager, waiting
):
    safeguarding.raise_flag(waiting, by=manager, kind="falls")
    response = client_for(gp_referrer).get(reverse("referrals:detail", args=[waiting.pk]))
    assert response.status_code == 200
    assert 'id="safeguarding"' not in response.content.decode()


# --- The panel ----------------------------------------------------------------------------------


def test_panel_on_the_waiting_list_referral_page(client_for, manager, coordinator_a, waiting):
    concern = _concern(waiting, coordinator_a)
    _escalate(concern, coordinator_a, days_ago=6, due_in=-2, to="police")
    page = text(client_for(manager).get(reverse("referrals:detail", args=[waiting.pk])))
    assert 'id="safeguarding"' in page
    assert concern.reference in page and "SG-" in page
    assert "Awaiting response – overdue by 2 days" in page
    assert "Police" in page and "Falls" in page
    assert reverse("safeguarding:concern", args=[concern.pk]) in page
    assert "Add a risk flag" in page and "Raise a safeguarding concern" in page


def test_panel_on_the_record_puts_the_open_prompt_first(
    client_for, coordinator_a, in_support, prompt
):
    safeguarding.raise_flag(in_support, by=coordinator_a, kind="self_harm", note="Old scars")
    page = text(client_for(coordinator_a).get(reverse("casework:record", args=[in_support.pk])))
    panel = page[page.index('id="safeguarding"') :]
    assert "Record what you did" in panel
    assert panel.index("Record what you did") < panel.index("Self-harm")
    assert reverse("safeguarding:prompt", args=[prompt.pk]) in panel


def test_panel_runs_as_many_queries_however_much_there_is(
    client_for, coordinator_a, manager, waiting
):
    browser = client_for(manager)
    url = reverse("referrals:detail", args=[waiting.pk])

    def count():
        browser.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert browser.get(url).status_code == 200
        return len(captured.captured_queries)

    concern = _concern(waiting, coordinator_a)
    _escalate(concern, coordinator_a, days_ago=3, due_in=1)
    few = count()
    for kind in ("abuse", "self_neglect", "domestic_abuse"):
        more = _concern(waiting, coordinator_a, kind=kind)
        _escalate(more, coordinator_a, days_ago=2, due_in=1)
        _escalate(more, coordinator_a, days_ago=1, due_in=1, to="gp")
    assert count() == few


# --- The PHQ-9 item 9 prompt --------------------------------------------------------------------


def test_prompt_page_says_what_was_answered_and_needs_a_note(client_for, coordinator_a, prompt):
    browser = client_for(coordinator_a)
    url = reverse("safeguarding:prompt", args=[prompt.pk])
    page = text(browser.get(url))
    assert "answered “Several days” to question 9" in page
    assert "Thoughts that you would be better off dead or of hurting yourself" in page
    assert "116 123" in page and "999" in page

    response = browser.post(url, {"action": "safety_plan", "note": "  "})
    assert response.status_code == 200
    assert "note" in errors(response)
    assert response.context["form"]["action"].value() == "safety_plan"
    response = browser.post(url, {"note": "Talked it through"})
    assert "action" in errors(response)
    assert "Talked it through" in response.content.decode()
    assert SafeguardingPrompt.objects.get(pk=prompt.pk).is_open


def test_handling_a_prompt_with_a_concern_raises_it_and_the_flag(
    client_for, coordinator_a, prompt, in_support
):
    browser = client_for(coordinator_a)
    url = reverse("safeguarding:prompt", args=[prompt.pk])
    response = browser.post(
        url,
        {
            "action": "crisis_team",
            "note": "Has thought about it, no plan. Crisis team will call today.",
            "raise_concern": "on",
            "add_flag": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:record", args=[in_support.pk])
    prompt.refresh_from_db()
    assert not prompt.is_open and prompt.action == "crisis_team"
    concern = SafeguardingConcern.objects.get(referral=in_support)
    assert prompt.concern == concern and concern.kind == "suicidal_thoughts"
    assert concern.summary.startswith("Has thought about it")
    assert (
        RiskFlag.objects.filter(
            person=in_support.person, kind="suicidal_thoughts", ended_at=None
        ).count()
        == 1
    )

    # Read-only once handled.
    response = browser.get(url)
    assert response.context["form"] is None
    page = text(response)
    assert "Contacted the crisis team" in page and concern.reference in page
    assert browser.post(url, {"action": "other", "note": "again"}).status_code == 302
    prompt.refresh_from_db()
    assert prompt.action == "crisis_team"


def test_handling_a_prompt_adds_only_a_flag_when_asked(client_for, coordinator_a, prompt):
    response = client_for(coordinator_a).post(
        reverse("safeguarding:prompt", args=[prompt.pk]),
        {"action": "no_risk", "note": "Passive thoughts last week, none now", "add_flag": "on"},
    )
    assert response.status_code == 302
    assert not SafeguardingConcern.objects.exists()
    flag = RiskFlag.objects.get(kind="suicidal_thoughts")
    assert "question 9" in flag.note_text and flag.note == ""


def test_the_flag_box_is_left_out_when_they_already_have_the_flag(
    client_for, coordinator_a, prompt, in_support
):
    safeguarding.raise_flag(in_support, by=coordinator_a, kind="suicidal_thoughts")
    browser = client_for(coordinator_a)
    url = reverse("safeguarding:prompt", args=[prompt.pk])
    assert "add_flag" not in browser.get(url).context["form"].fields
    response = browser.post(
        url, {"action": "concern", "note": "Raised with the crisis team", "add_flag": "on"}
    )
    assert response.status_code == 302
    # Choosing "Raised a safeguarding concern" raises one.
    assert SafeguardingConcern.objects.filter(referral=in_support).count() == 1
    assert RiskFlag.objects.filter(kind="suicidal_thoughts").count() == 1


def test_prompt_handled_only_by_their_coordinator_or_a_manager(
    client_for, prompt, in_support, site_a, manager
):
    from tests.factories import CoordinatorFactory

    colleague = CoordinatorFactory(sites=[site_a])
    url = reverse("safeguarding:prompt", args=[prompt.pk])
    # Not on their caseload: at site A they first say why they need to read it (decision 0023).
    response = client_for(colleague).get(url)
    assert response.status_code == 302 and "/open/" in response["Location"]
    client_for(colleague).post(
        reverse("referrals:open_with_reason", args=[in_support.pk]),
        {"reason": "Covering while her coordinator is away"},
    )
    response = client_for(colleague).get(url)
    assert response.status_code == 200 and response.context["form"] is None
    assert client_for(colleague).post(url, {"action": "other", "note": "x"}).status_code == 404
    assert SafeguardingPrompt.objects.get(pk=prompt.pk).is_open
    response = client_for(manager).post(url, {"action": "gp", "note": "GP called her"})
    assert response.status_code == 302


def test_list_is_paginated(client_for, coordinator_a, manager, waiting, monkeypatch):
    from linkwork.safeguarding import views as safeguarding_views

    monkeypatch.setattr(safeguarding_views, "PAGE_SIZE", 2)
    concern = _concern(waiting, coordinator_a)
    made = [_escalate(concern, coordinator_a, days_ago=5 - i, due_in=1) for i in range(3)]
    url = reverse("safeguarding:open_escalations")
    first = client_for(manager).get(url)
    assert [e.pk for e in first.context["page"].object_list] == [made[0].pk, made[1].pk]
    assert "page=2" in first.content.decode()
    second = client_for(manager).get(url + "?page=2")
    assert [e.pk for e in second.context["page"].object_list] == [made[2].pk]


def test_answered_escalations_and_closed_concerns_take_no_more(client_for, coordinator_a, waiting):
    concern = _concern(waiting, coordinator_a)
    escalation = _escalate(concern, coordinator_a, days_ago=2, due_in=1)
    safeguarding.record_response(escalation, by=coordinator_a, response="Visited")
    safeguarding.close_concern(concern, by=coordinator_a, outcome="Safe at home")
    browser = client_for(coordinator_a)
    concern_url = reverse("safeguarding:concern", args=[concern.pk])
    for name, pk in (
        ("chase", escalation.pk),
        ("record_response", escalation.pk),
        ("escalate", concern.pk),
        ("close_concern", concern.pk),
    ):
        response = browser.post(reverse(f"safeguarding:{name}", args=[pk]), {"note": "late"})
        assert response.status_code == 302 and response["Location"] == concern_url
    assert not EscalationChase.objects.exists()
    page = text(browser.get(concern_url))
    assert "Record a chase" not in page and "Record an escalation" not in page


def test_a_flag_raised_at_another_site_shows_but_only_that_site_removes_it(
    client_for, coordinator_a, coordinator_b, waiting, waiting_b
):
    # The same person known at both sites.
    Referral.objects.filter(pk=waiting_b.pk).update(person=waiting.person)
    waiting_b.refresh_from_db()
    flag = safeguarding.raise_flag(
        waiting_b, by=coordinator_b, kind="domestic_abuse", note="Partner's name is Rhys"
    )
    browser = client_for(coordinator_a)
    page = text(browser.get(reverse("referrals:detail", args=[waiting.pk])))
    panel = page[page.index('id="safeguarding"') :]
    assert "Domestic abuse" in panel
    # The risk travels with the person; the details stay with the site that raised it.
    assert "Partner's name is Rhys" not in page
    assert f"Raised at {waiting_b.site.name}" in panel
    history = text(browser.get(reverse("safeguarding:person", args=[waiting.pk])))
    assert "Domestic abuse" in history and "Partner's name is Rhys" not in history
    assert reverse("safeguarding:end_flag", args=[waiting.pk, flag.pk]) not in panel
    url = reverse("safeguarding:end_flag", args=[waiting.pk, flag.pk])
    assert browser.post(url, {"reason": "Not ours"}).status_code == 404
    assert RiskFlag.objects.get(pk=flag.pk).is_active
    assert (
        client_for(coordinator_b)
        .post(
            reverse("safeguarding:end_flag", args=[waiting_b.pk, flag.pk]), {"reason": "Moved away"}
        )
        .status_code
        == 302
    )


def test_what_was_done_about_item_9_is_recorded_with_its_concern_and_flag_or_not_at_all(
    prompt, coordinator_a
):
    # The concern is raised first; the check then refuses (no such action), so nothing stays.
    with pytest.raises(safeguarding.ActionRefused):
        safeguarding.record_what_was_done(
            prompt, by=coordinator_a, action="nonsense", note="Talked", with_concern=True
        )
    assert not SafeguardingConcern.objects.exists()
    assert not RiskFlag.objects.exists()
    prompt.refresh_from_db()
    assert prompt.is_open

    handled = safeguarding.record_what_was_done(
        prompt,
        by=coordinator_a,
        action="concern",
        note="Crisis team called together",
        add_flag=True,
    )
    assert not handled.is_open and handled.concern is not None
    assert RiskFlag.objects.filter(kind="suicidal_thoughts", ended_at=None).count() == 1


def test_what_the_service_writes_on_a_flag_reads_in_the_readers_language(prompt, coordinator_a):
    # Raised with the item 9 check, without a concern: the answer and its date, kept as codes.
    safeguarding.record_what_was_done(
        prompt, by=coordinator_a, action="safety_plan", note="Safety plan agreed", add_flag=True
    )
    flag = RiskFlag.objects.get(kind="suicidal_thoughts")
    assert flag.note == "" and flag.note_code == "phq9_item9"
    assert flag.note_params == {
        "answer": 1,
        "date": prompt.measure.completed_on.isoformat(),
    }
    english = flag.note_text
    assert english.startswith("PHQ-9 question 9 answered 'Several days' on ")
    with translation.override("cy"):
        welsh = flag.note_text
    # The questionnaire's own words stay as validated (English); the sentence is Welsh.
    assert welsh != english and "PHQ-9" in welsh and welsh.startswith("Atebwyd")

    # Raised with a concern: its reference, in either language.
    safeguarding.end_flag(flag, by=coordinator_a, reason="Safety plan in place")
    concern = safeguarding.raise_concern(
        prompt.referral, by=coordinator_a, kind="self_neglect", summary="Not eating", flag=True
    )
    raised = RiskFlag.objects.get(kind="self_neglect")
    assert raised.note_text == f"Raised with concern {concern.reference}"
    with translation.override("cy"):
        assert raised.note_text != f"Raised with concern {concern.reference}"
        assert concern.reference in raised.note_text

    # The record's safeguarding section, read in Welsh, says it in Welsh.
    client = Client()
    client.force_login(coordinator_a)
    page = client.get(
        reverse("casework:record", args=[prompt.referral_id]), HTTP_ACCEPT_LANGUAGE="cy"
    ).content.decode()
    with translation.override("cy"):
        assert escape(raised.note_text) in page
    assert f"Raised with concern {concern.reference}" not in page

"""A referral's journey through the pages, from the referral form to a link coordinator's
caseload, as referrers, managers, coordinators and the public use them."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.partners.models import SourceType
from linkwork.referrals import actions
from linkwork.referrals.models import (
    Allocation,
    InterimContact,
    Pathway,
    Person,
    ReceivedVia,
    Referral,
    StatusChange,
)
from linkwork.referrals.status import DeclineReason, Priority, ReferralStatus
from tests.factories import CoordinatorFactory, PathwayFactory, make_referral, nhs_number

S = ReferralStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    """The self-referral rate limit counts in the cache: each test starts with a clean count."""
    cache.clear()
    yield
    cache.clear()


# --- helpers -----------------------------------------------------------------------------------


def today() -> datetime.date:
    return timezone.localdate()


def date_parts(name: str, day: datetime.date) -> dict:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def seventeen_years_old() -> datetime.date:
    """A date of birth that makes someone 17 today (18 tomorrow at the latest)."""
    t = today()
    try:
        return t.replace(year=t.year - 18) + datetime.timedelta(days=1)
    except ValueError:  # 29 February
        return datetime.date(t.year - 18, 3, 1)


def inputs(content: str, name: str) -> list[str]:
    """The <input> tags for a field name, as rendered."""
    return [tag for tag in re.findall(r"<input\b[^>]*>", content) if f'name="{name}"' in tag]


def assert_kept(content: str, name: str, value: str) -> None:
    """What was typed into a text input is shown again."""
    tags = inputs(content, name)
    assert tags, f"no input named {name}"
    assert any(f'value="{escape(value)}"' in tag for tag in tags), f"{name}={value!r} not kept"


def assert_ticked(content: str, name: str, value: str) -> None:
    tags = [tag for tag in inputs(content, name) if f'value="{value}"' in tag]
    assert tags, f"no {name} option {value}"
    assert all(re.search(r"\bchecked\b", tag) for tag in tags), f"{name}={value} not ticked"


def referral_form(pathway: Pathway, **overrides) -> dict:
    data = {
        "pathway": str(pathway.pk),
        "given_name": "Angharad",
        "family_name": "Bevan-Prydderch",
        **date_parts("date_of_birth", datetime.date(1990, 5, 17)),
        "nhs_number": "943 476 5919",
        "phone": "07700 900123",
        "email": "",
        "address": "3 Stryd Fawr\nLlanidloes",
        "postcode": "SY18 6BN",
        "best_time_to_call": "After 3pm",
        "preferred_language": "cy",
        "needs": ["loneliness", "money"],
        "needs_detail": "Worried about debt letters since her husband died",
        "known_risks": "Has spoken about not wanting to be here",
        "frequent_attender": "no",
        "consent_to_referral": "on",
        "consent_to_share_feedback": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def staff_referral_form(pathway: Pathway, organisation, **overrides) -> dict:
    data = referral_form(
        pathway,
        received_via="phone",
        **date_parts("received_on", today() - datetime.timedelta(days=1)),
        referring_organisation=str(organisation.pk) if organisation else "",
        referrer_name="Dr Elin Rees",
        referrer_contact="01686 412345",
    )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


PERSONAL_VALUES = [
    "Angharad",
    "Bevan-Prydderch",
    "9434765919",
    "943 476 5919",
    "07700 900123",
    "Stryd Fawr",
    "SY18 6BN",
    "After 3pm",
    "1990-05-17",
    "debt letters",
    "not wanting to be here",
]


def assert_no_personal_data_in_audit_log() -> None:
    for event in AuditEvent.objects.all():
        written = f"{event.detail} {' '.join(event.fields)}"
        for value in PERSONAL_VALUES:
            assert value not in written, f"{value!r} in audit event {event.pk}: {written!r}"


# --- The referral form -------------------------------------------------------------------------


def test_referral_form_with_mistakes_explains_each_and_keeps_what_was_typed(
    client_for, gp_referrer, pathway_a
):
    dob = seventeen_years_old()
    data = referral_form(
        pathway_a,
        given_name="",
        nhs_number="1234567890",
        phone="",
        email="",
        **date_parts("date_of_birth", dob),
    )

    response = client_for(gp_referrer).post(reverse("referrals:refer"), data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "govuk-error-summary" in content
    assert "There is a problem" in content
    for message in (
        "Enter the person's first name",
        "Enter a valid NHS number: check it for typing mistakes",
        "This service is for people aged 18 or over. The person is 17.",
        "Enter a phone number or an email address",
    ):
        assert escape(message) in content, message
    # Every error links from the summary to its field.
    assert 'href="#id_given_name"' in content
    assert 'href="#id_date_of_birth_day"' in content
    # Everything typed is still there.
    assert_kept(content, "family_name", "Bevan-Prydderch")
    assert_kept(content, "nhs_number", "1234567890")
    assert_kept(content, "date_of_birth_day", str(dob.day))
    assert_kept(content, "date_of_birth_month", str(dob.month))
    assert_kept(content, "date_of_birth_year", str(dob.year))
    assert_kept(content, "postcode", "SY18 6BN")
    assert_kept(content, "best_time_to_call", "After 3pm")
    assert_ticked(content, "needs", "loneliness")
    assert_ticked(content, "needs", "money")
    assert_ticked(content, "preferred_language", "cy")
    assert_ticked(content, "frequent_attender", "no")
    assert re.search(r"\bchecked\b", inputs(content, "consent_to_referral")[0])
    assert re.search(r"\bchecked\b", inputs(content, "consent_to_share_feedback")[0])
    assert escape("Worried about debt letters since her husband died") in content
    assert escape("Has spoken about not wanting to be here") in content
    assert "3 Stryd Fawr" in content
    assert not Referral.objects.exists()
    assert not Person.objects.exists()


def test_referral_sent_once_fixed_is_received_with_history_and_an_audit_trail(
    client_for, gp_referrer, gp_practice, pathway_a
):
    browser = client_for(gp_referrer)
    browser.post(reverse("referrals:refer"), referral_form(pathway_a, given_name=""))

    response = browser.post(reverse("referrals:refer"), referral_form(pathway_a))

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert referral.status == S.RECEIVED
    assert referral.pathway == pathway_a
    assert referral.site == pathway_a.site
    assert referral.referring_organisation == gp_practice
    assert referral.referred_by == gp_referrer
    assert referral.received_via == ReceivedVia.ONLINE
    assert referral.needs == ["loneliness", "money"]
    assert referral.consent_to_share_feedback is True
    person = referral.person
    assert (person.given_name, person.family_name) == ("Angharad", "Bevan-Prydderch")
    assert person.nhs_number == "9434765919"  # stored without the spaces typed
    assert person.date_of_birth == datetime.date(1990, 5, 17)
    assert person.preferred_language == "cy"

    [change] = referral.status_changes.all()
    assert (change.from_status, change.to_status, change.by) == ("", S.RECEIVED, gp_referrer)

    created = AuditEvent.objects.filter(action=AuditAction.CREATE, user=gp_referrer)
    assert set(created.values_list("object_type", "object_id")) == {
        ("referrals.person", str(person.pk)),
        ("referrals.referral", str(referral.pk)),
    }
    assert set(created.values_list("person_id", flat=True)) == {person.pk}
    assert_no_personal_data_in_audit_log()

    # The referrer is told it was sent, on a page about their referral.
    page = browser.get(response["Location"])
    assert referral.reference in page.content.decode()


def test_staff_record_a_phone_referral_through_the_pathway_they_choose(
    client_for, coordinator_a, gp_practice, pathway_a, site_a
):
    other = PathwayFactory(site=site_a, name="Ambulance service", source_type=SourceType.AMBULANCE)
    browser = client_for(coordinator_a)
    form_page = browser.get(reverse("referrals:record"))
    offered = set(form_page.context["form"].fields["pathway"].queryset)
    assert {pathway_a, other} <= offered

    yesterday = today() - datetime.timedelta(days=1)
    response = browser.post(
        reverse("referrals:record"), staff_referral_form(pathway_a, gp_practice)
    )

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert referral.pathway == pathway_a
    assert referral.received_via == ReceivedVia.PHONE
    assert referral.referred_by == coordinator_a
    assert referral.referring_organisation == gp_practice
    assert referral.referrer_name == "Dr Elin Rees"
    assert referral.referrer_contact == "01686 412345"
    assert timezone.localdate(referral.received_at) == yesterday
    assert referral.status_changes.get().by == coordinator_a
    assert_no_personal_data_in_audit_log()


def test_staff_referral_form_with_mistakes_keeps_what_was_typed(
    client_for, coordinator_a, gp_practice, pathway_a
):
    tomorrow = today() + datetime.timedelta(days=1)
    data = staff_referral_form(
        pathway_a, gp_practice, **date_parts("received_on", tomorrow), received_via=None
    )
    response = client_for(coordinator_a).post(reverse("referrals:record"), data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "The date received must be today or in the past" in content
    assert "Select how the referral arrived" in content
    assert_kept(content, "referrer_name", "Dr Elin Rees")
    assert_kept(content, "referrer_contact", "01686 412345")
    assert_kept(content, "received_on_day", str(tomorrow.day))
    assert_kept(content, "family_name", "Bevan-Prydderch")
    assert not Referral.objects.exists()


def test_staff_must_name_the_referring_organisation_for_a_gp_pathway(
    client_for, coordinator_a, pathway_a
):
    data = staff_referral_form(pathway_a, None)
    response = client_for(coordinator_a).post(reverse("referrals:record"), data)
    assert response.status_code == 200
    assert "Choose the organisation that referred the person" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_closed_pathway_is_not_offered_to_referrers_and_is_refused(
    client_for, gp_referrer, pathway_a, closed_pathway_a
):
    browser = client_for(gp_referrer)
    page = browser.get(reverse("referrals:refer"))
    assert list(page.context["form"].fields["pathway"].queryset) == [pathway_a]
    assert closed_pathway_a.name not in page.content.decode()

    response = browser.post(
        reverse("referrals:refer"),
        referral_form(closed_pathway_a, frequent_attender="yes"),
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Referral.objects.exists()


def test_staff_cannot_record_a_referral_through_a_closed_pathway_today(
    client_for, coordinator_a, gp_practice, closed_pathway_a
):
    data = staff_referral_form(
        closed_pathway_a, gp_practice, frequent_attender="yes", **date_parts("received_on", today())
    )
    response = client_for(coordinator_a).post(reverse("referrals:record"), data)
    assert response.status_code == 200
    assert "This pathway was not open on the date received" in response.content.decode()
    assert not Referral.objects.exists()


def test_staff_can_record_a_letter_that_arrived_while_the_pathway_was_open(
    client_for, coordinator_a, gp_practice, closed_pathway_a
):
    data = staff_referral_form(
        closed_pathway_a,
        gp_practice,
        frequent_attender="yes",
        received_via="paper",
        **date_parts("received_on", datetime.date(2023, 6, 1)),
    )
    response = client_for(coordinator_a).post(reverse("referrals:record"), data)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.pathway == closed_pathway_a
    assert timezone.localdate(referral.received_at) == datetime.date(2023, 6, 1)


def test_the_submit_action_refuses_a_closed_pathway_whatever_the_form_said(
    gp_referrer, gp_practice, closed_pathway_a
):
    from tests.factories import person_details, referral_details

    with pytest.raises(actions.ActionRefused, match="is not open"):
        actions.submit_referral(
            pathway=closed_pathway_a,
            person=person_details(),
            details=referral_details(closed_pathway_a),
            by=gp_referrer,
            organisation=gp_practice,
            received_via=ReceivedVia.ONLINE,
        )
    assert not Referral.objects.exists()
    assert not Person.objects.exists()


# --- Triage ------------------------------------------------------------------------------------


def test_possible_duplicates_are_shown_when_triaging(
    client_for, manager, gp_referrer, pathway_a, pathway_b
):
    dob = datetime.date(1975, 3, 9)
    shared_nhs = nhs_number()
    now = timezone.now()
    same_nhs_open = make_referral(
        S.WAITING,
        pathway=pathway_a,
        by=gp_referrer,
        person={"given_name": "Angie", "family_name": "Prydderch", "nhs_number": shared_nhs},
    )
    same_name_recent_declined = make_referral(
        S.DECLINED,
        pathway=pathway_a,
        by=gp_referrer,
        received_at=now - datetime.timedelta(days=30),
        person={"given_name": "ANGHARAD", "family_name": "bevan", "date_of_birth": dob},
    )
    same_name_old_but_open = make_referral(
        S.WAITING,
        pathway=pathway_a,
        by=gp_referrer,
        received_at=now - datetime.timedelta(days=200),
        person={"given_name": "Angharad", "family_name": "Bevan", "date_of_birth": dob},
    )
    same_name_old_closed = make_referral(
        S.DECLINED,
        pathway=pathway_a,
        by=gp_referrer,
        received_at=now - datetime.timedelta(days=200),
        person={"given_name": "Angharad", "family_name": "Bevan", "date_of_birth": dob},
    )
    same_name_other_birthday = make_referral(
        S.RECEIVED,
        pathway=pathway_a,
        by=gp_referrer,
        person={"given_name": "Angharad", "family_name": "Bevan"},
    )
    at_a_site_the_manager_cannot_see = make_referral(
        S.RECEIVED, pathway=pathway_b, by=gp_referrer, person={"nhs_number": shared_nhs}
    )
    new = make_referral(
        S.RECEIVED,
        pathway=pathway_a,
        by=gp_referrer,
        person={
            "given_name": "Angharad ",
            "family_name": "Bevan",
            "date_of_birth": dob,
            "nhs_number": shared_nhs,
        },
    )

    response = client_for(manager).get(reverse("referrals:triage", args=[new.pk]))

    assert response.status_code == 200
    shown = {r.pk for r in response.context["duplicates"]}
    assert shown == {same_nhs_open.pk, same_name_recent_declined.pk, same_name_old_but_open.pk}
    content = response.content.decode()
    assert "Possible duplicates" in content
    for referral in (same_nhs_open, same_name_recent_declined, same_name_old_but_open):
        assert referral.reference in content
    for referral in (
        same_name_old_closed,
        same_name_other_birthday,
        at_a_site_the_manager_cannot_see,
    ):
        assert referral.reference not in content


def test_no_duplicate_warning_for_someone_new(client_for, manager, gp_referrer, pathway_a):
    make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)
    new = make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer)
    response = client_for(manager).get(reverse("referrals:triage", args=[new.pk]))
    assert list(response.context["duplicates"]) == []
    assert "Possible duplicates" not in response.content.decode()


def test_triage_form_with_no_decision_keeps_what_was_typed(
    client_for, manager, gp_referrer, pathway_a
):
    referral = make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer)
    response = client_for(manager).post(
        reverse("referrals:triage", args=[referral.pk]),
        {"note": "Phoned the surgery", "redirected_to": "CMHT"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Select a decision" in content
    assert "Phoned the surgery" in content
    assert_kept(content, "redirected_to", "CMHT")
    referral.refresh_from_db()
    assert referral.status == S.RECEIVED


def test_accepted_people_wait_urgent_first_then_in_the_order_accepted(
    client_for, manager, coordinator_a, gp_referrer, pathway_a
):
    now = timezone.now()

    def waiting(days_ago, priority=Priority.ROUTINE):
        referral = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer, priority=priority)
        Referral.objects.filter(pk=referral.pk).update(
            accepted_at=now - datetime.timedelta(days=days_ago)
        )
        return referral

    routine_10 = waiting(10)
    routine_5 = waiting(5)
    urgent_2 = waiting(2, Priority.URGENT)
    new = make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer)

    response = client_for(manager).post(
        reverse("referrals:triage", args=[new.pk]),
        {"decision": "accept", "priority": "urgent", "note": "Recently bereaved"},
    )
    assert response.status_code == 302
    new.refresh_from_db()
    assert (new.status, new.priority) == (S.WAITING, Priority.URGENT)
    assert new.accepted_at is not None
    steps = list(new.status_changes.values_list("from_status", "to_status", "by"))
    assert steps[-2:] == [
        (S.RECEIVED, S.ACCEPTED, manager.pk),
        (S.ACCEPTED, S.WAITING, manager.pk),
    ]

    page = client_for(coordinator_a).get(reverse("referrals:waiting_list"))
    [site_list] = page.context["lists"]
    entries = site_list["entries"]
    assert [e.pk for e in entries] == [urgent_2.pk, new.pk, routine_10.pk, routine_5.pk]
    assert [e.waited for e in entries] == [2, 0, 10, 5]
    content = page.content.decode()
    positions = [content.index(e.person.full_name) for e in entries]
    assert positions == sorted(positions)
    assert "10 days" in content
    assert "5 days" in content


def test_request_for_information_reaches_the_referrer_and_their_answer_returns_it_to_triage(
    client_for, manager, gp_referrer, pathway_a
):
    referral = make_referral(
        S.RECEIVED, pathway=pathway_a, by=gp_referrer, consent_to_share_feedback=False
    )
    response = client_for(manager).post(
        reverse("referrals:triage", args=[referral.pk]),
        {"decision": "request_information", "information_request": "Does she have a mobile?"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == S.INFORMATION_REQUESTED

    referrer = client_for(gp_referrer)
    page = referrer.get(reverse("referrals:detail", args=[referral.pk]))
    content = page.content.decode()
    assert "Does she have a mobile?" in content
    assert reverse("referrals:provide_information", args=[referral.pk]) in content

    empty = referrer.post(
        reverse("referrals:provide_information", args=[referral.pk]), {"response": ""}
    )
    assert empty.status_code == 200
    assert "Enter the information the service asked for" in empty.content.decode()

    answered = referrer.post(
        reverse("referrals:provide_information", args=[referral.pk]),
        {"response": "Yes, 07700 900456"},
    )
    assert answered.status_code == 302
    referral.refresh_from_db()
    assert referral.status == S.RECEIVED
    assert referral.information_requested == ""
    last = referral.status_changes.last()
    assert (last.from_status, last.to_status, last.by) == (
        S.INFORMATION_REQUESTED,
        S.RECEIVED,
        gp_referrer,
    )
    assert last.note == "Yes, 07700 900456"
    # The answer can't be given twice.
    again = referrer.get(reverse("referrals:provide_information", args=[referral.pk]))
    assert again.status_code == 404
    # It is back in the manager's list to triage.
    to_triage = client_for(manager).get(reverse("referrals:list") + "?status=to_triage")
    assert referral.pk in {r.pk for r in to_triage.context["page"].object_list}


def test_declining_as_needing_more_than_the_service_requires_where_they_were_redirected(
    client_for, manager, gp_referrer, pathway_a
):
    referral = make_referral(
        S.RECEIVED, pathway=pathway_a, by=gp_referrer, consent_to_share_feedback=False
    )
    browser = client_for(manager)
    data = {
        "decision": "decline",
        "decline_reason": DeclineReason.NEEDS_ABOVE_REMIT,
        "note": "Active suicidal plans: needs the crisis team",
    }
    response = browser.post(reverse("referrals:triage", args=[referral.pk]), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Enter the service the person was redirected to" in content
    assert "Active suicidal plans: needs the crisis team" in content  # kept
    referral.refresh_from_db()
    assert referral.status == S.RECEIVED

    data["redirected_to"] = "Crisis Resolution Home Treatment team"
    response = browser.post(reverse("referrals:triage", args=[referral.pk]), data)
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == S.DECLINED
    assert referral.decline_reason == DeclineReason.NEEDS_ABOVE_REMIT
    assert referral.redirected_to == "Crisis Resolution Home Treatment team"
    last = referral.status_changes.last()
    assert (last.to_status, last.reason, last.by) == (
        S.DECLINED,
        DeclineReason.NEEDS_ABOVE_REMIT,
        manager,
    )

    staff_view = browser.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert escape(f"Reason: {DeclineReason.NEEDS_ABOVE_REMIT.label}") in staff_view
    assert "Active suicidal plans: needs the crisis team" in staff_view

    # The referrer sees the reason and where the person was sent, but not the team's note,
    # even though the person did not agree to feedback being shared.
    seen = client_for(gp_referrer).get(reverse("referrals:detail", args=[referral.pk]))
    content = seen.content.decode()
    assert escape(str(DeclineReason.NEEDS_ABOVE_REMIT.label)) in content
    assert "Crisis Resolution Home Treatment team" in content
    assert "Active suicidal plans" not in content


def test_the_decline_action_itself_insists_on_the_redirection(manager, gp_referrer, pathway_a):
    referral = make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer)
    with pytest.raises(actions.ActionRefused) as refused:
        actions.decline_referral(
            referral, by=manager, reason=DeclineReason.NEEDS_ABOVE_REMIT, redirected_to="  "
        )
    assert refused.value.field == "redirected_to"
    referral.refresh_from_db()
    assert referral.status == S.RECEIVED
    assert referral.status_changes.count() == 1


# --- While they wait ---------------------------------------------------------------------------


def test_interim_contact_in_the_future_is_refused_keeping_what_was_typed_then_logged(
    client_for, coordinator_a, gp_referrer, pathway_a
):
    referral = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)
    browser = client_for(coordinator_a)
    url = reverse("referrals:interim_contact", args=[referral.pk])
    tomorrow = today() + datetime.timedelta(days=1)
    data = {
        **date_parts("contact_date", tomorrow),
        "contact_time": "10:30",
        "mode": "telephone",
        "minutes": "20",
        "by_volunteer": "on",
        "note": "Talked about the Tuesday walking group",
    }

    response = browser.post(url, data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "The date of the contact must be in the past" in content
    assert_kept(content, "contact_date_day", str(tomorrow.day))
    assert_kept(content, "contact_date_year", str(tomorrow.year))
    assert_kept(content, "contact_time", "10:30")
    assert_kept(content, "minutes", "20")
    assert re.search(r"\bchecked\b", inputs(content, "by_volunteer")[0])
    assert "Talked about the Tuesday walking group" in content
    assert not InterimContact.objects.exists()

    yesterday = today() - datetime.timedelta(days=1)
    response = browser.post(url, {**data, **date_parts("contact_date", yesterday)})

    assert response.status_code == 302
    contact = InterimContact.objects.get()
    assert contact.referral == referral
    assert contact.by == coordinator_a
    assert timezone.localdate(contact.at) == yesterday
    assert (contact.minutes, contact.by_volunteer) == (20, True)
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE,
        object_type="referrals.interimcontact",
        object_id=str(contact.pk),
        user=coordinator_a,
        person_id=referral.person_id,
    ).exists()
    detail = browser.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Talked about the Tuesday walking group" in detail
    waiting = browser.get(reverse("referrals:waiting_list")).content.decode()
    assert "1 contact, last" in waiting


# --- Allocation --------------------------------------------------------------------------------


@pytest.fixture
def second_coordinator_a(site_a):
    return CoordinatorFactory(
        username="coordinator_a2", first_name="Nia", last_name="Owen", sites=[site_a]
    )


def allocate_via_page(browser, referral, coordinator, replacing=None, note=""):
    return browser.post(
        reverse("referrals:allocate", args=[referral.pk]),
        {
            "coordinator": str(coordinator.pk),
            "replacing": str(replacing.pk) if replacing else "",
            "note": note,
        },
    )


def test_allocation_stops_at_the_coordinators_caseload_cap(
    client_for, manager, coordinator_a, gp_referrer, pathway_a
):
    coordinator_a.caseload_cap = 1
    coordinator_a.save()
    first = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)
    second = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)
    browser = client_for(manager)

    assert allocate_via_page(browser, first, coordinator_a).status_code == 302
    changes_before = StatusChange.objects.count()
    response = allocate_via_page(browser, second, coordinator_a)

    assert response.status_code == 200
    content = response.content.decode()
    assert escape("Gareth Price's caseload is full (1 of 1)") in content
    second.refresh_from_db()
    assert second.status == S.WAITING
    assert not second.allocations.exists()
    assert Allocation.objects.filter(coordinator=coordinator_a, ended_at=None).count() == 1
    assert StatusChange.objects.count() == changes_before


def test_reallocation_ends_the_old_allocation_and_records_why(
    client_for, manager, coordinator_a, second_coordinator_a, gp_referrer, pathway_a
):
    referral = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)
    browser = client_for(manager)
    assert allocate_via_page(browser, referral, coordinator_a).status_code == 302
    first = Allocation.objects.get()

    form_page = browser.get(reverse("referrals:allocate", args=[referral.pk]))
    assert form_page.context["form"].initial["replacing"] == first.pk
    assert "Currently allocated to Gareth Price" in form_page.content.decode()
    response = allocate_via_page(
        browser, referral, second_coordinator_a, replacing=first, note="Nia speaks Welsh"
    )

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.ended_at is not None
    assert first.ended_by == manager
    current = Allocation.objects.get(ended_at=None)
    assert (current.referral, current.coordinator, current.by) == (
        referral,
        second_coordinator_a,
        manager,
    )
    last = referral.status_changes.last()
    assert (last.from_status, last.to_status, last.reason, last.by) == (
        S.ALLOCATED,
        S.ALLOCATED,
        "reallocated",
        manager,
    )
    referral.refresh_from_db()
    assert referral.status == S.ALLOCATED
    assert (
        referral
        not in client_for(coordinator_a).get(reverse("referrals:my_caseload")).context["caseload"]
    )
    assert (
        referral
        in client_for(second_coordinator_a)
        .get(reverse("referrals:my_caseload"))
        .context["caseload"]
    )
    detail = browser.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Re-allocated" in detail
    assert "Earlier allocations" in detail


def test_a_stale_allocation_form_does_not_overwrite_someone_elses_allocation(
    client_for, manager, manager_both, coordinator_a, second_coordinator_a, gp_referrer, pathway_a
):
    referral = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)
    browser = client_for(manager)
    form_page = browser.get(reverse("referrals:allocate", args=[referral.pk]))
    assert form_page.context["form"].initial["replacing"] is None

    # Meanwhile, another manager allocates the person.
    actions.allocate_referral(referral, coordinator=coordinator_a, by=manager_both)
    changes_before = StatusChange.objects.count()

    response = allocate_via_page(browser, referral, second_coordinator_a, replacing=None)

    assert response.status_code == 200
    assert "was allocated to Gareth Price a moment ago" in response.content.decode()
    [allocation] = Allocation.objects.all()
    assert (allocation.coordinator, allocation.ended_at) == (coordinator_a, None)
    assert StatusChange.objects.count() == changes_before


def test_a_stale_reallocation_form_is_refused_too(
    client_for, manager, manager_both, coordinator_a, second_coordinator_a, gp_referrer, pathway_a
):
    referral = make_referral(
        S.ALLOCATED, pathway=pathway_a, by=gp_referrer, coordinator=coordinator_a
    )
    seen = Allocation.objects.get()
    # Another manager re-allocates to Nia, then the first manager's form (which saw Gareth)
    # arrives asking for someone else.
    actions.allocate_referral(
        referral, coordinator=second_coordinator_a, by=manager_both, replacing=seen
    )
    third = CoordinatorFactory(sites=[pathway_a.site], first_name="Huw", last_name="Jones")

    response = allocate_via_page(client_for(manager), referral, third, replacing=seen)

    assert response.status_code == 200
    assert "was allocated to Nia Owen a moment ago" in response.content.decode()
    assert Allocation.objects.get(ended_at=None).coordinator == second_coordinator_a


def test_the_allocated_person_is_on_the_coordinators_caseload_and_counted_for_the_manager(
    client_for, manager, coordinator_a, coordinator_b, second_coordinator_a, gp_referrer, pathway_a
):
    referral = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)
    assert allocate_via_page(client_for(manager), referral, coordinator_a).status_code == 302

    mine = client_for(coordinator_a).get(reverse("referrals:my_caseload"))
    assert [r.pk for r in mine.context["caseload"]] == [referral.pk]
    assert referral.person.full_name in mine.content.decode()
    assert "1 of 15 people" in mine.content.decode()

    page = client_for(manager).get(reverse("referrals:caseloads"))
    counts = {c.pk: c.caseload for c in page.context["coordinators"]}
    assert counts == {coordinator_a.pk: 1, second_coordinator_a.pk: 0}  # not site B's
    assert coordinator_b.get_full_name() not in page.content.decode()


def test_a_full_coordinator_is_shown_as_full_on_the_caseloads_page(
    client_for, manager, coordinator_a, gp_referrer, pathway_a
):
    coordinator_a.caseload_cap = 1
    coordinator_a.save()
    make_referral(S.ALLOCATED, pathway=pathway_a, by=gp_referrer, coordinator=coordinator_a)
    content = client_for(manager).get(reverse("referrals:caseloads")).content.decode()
    assert "Full" in content


def test_allocation_form_without_a_choice_keeps_the_note(
    client_for, manager, coordinator_a, gp_referrer, pathway_a
):
    referral = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)
    response = client_for(manager).post(
        reverse("referrals:allocate", args=[referral.pk]),
        {"coordinator": "", "replacing": "", "note": "Prefers a Welsh speaker"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Select a link coordinator" in content
    assert "Prefers a Welsh speaker" in content
    assert not Allocation.objects.exists()


def test_withdrawing_an_allocated_person_frees_the_coordinators_place(
    client_for, manager, coordinator_a, gp_referrer, pathway_a
):
    referral = make_referral(
        S.ALLOCATED, pathway=pathway_a, by=gp_referrer, coordinator=coordinator_a
    )
    browser = client_for(manager)
    url = reverse("referrals:withdraw", args=[referral.pk])

    missing = browser.post(url, {"note": "Moved to Cardiff"})
    assert missing.status_code == 200
    assert "Select a reason" in missing.content.decode()
    assert "Moved to Cardiff" in missing.content.decode()

    done = browser.post(url, {"reason": "moved_away", "note": "Moved to Cardiff"})
    assert done.status_code == 302
    referral.refresh_from_db()
    assert referral.status == S.WITHDRAWN
    allocation = Allocation.objects.get(referral=referral)
    assert allocation.ended_at is not None
    assert allocation.ended_by == manager
    last = referral.status_changes.last()
    assert (last.from_status, last.to_status, last.reason) == (
        S.ALLOCATED,
        S.WITHDRAWN,
        "moved_away",
    )
    caseload = client_for(coordinator_a).get(reverse("referrals:my_caseload"))
    assert list(caseload.context["caseload"]) == []
    # A withdrawn referral is finished: it can't be withdrawn again.
    again = browser.post(url, {"reason": "moved_away"})
    assert again.status_code == 200
    assert "cannot be moved to withdrawn" in again.content.decode()


# --- The record of what happened ---------------------------------------------------------------


def test_the_timeline_lists_each_step_and_who_took_it(
    client_for, manager, manager_both, coordinator_a, gp_referrer, pathway_a
):
    referral = make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer)
    actions.request_information(referral, by=manager, request="Her phone number?")
    actions.provide_information(referral, by=gp_referrer, response="07700 900789")
    actions.accept_referral(referral, by=manager, priority=Priority.ROUTINE)
    actions.allocate_referral(referral, coordinator=coordinator_a, by=manager_both)

    response = client_for(manager).get(reverse("referrals:detail", args=[referral.pk]))

    steps = [(c.from_status, c.to_status, c.by) for c in response.context["history"]]
    assert steps == [
        ("", S.RECEIVED, gp_referrer),
        (S.RECEIVED, S.INFORMATION_REQUESTED, manager),
        (S.INFORMATION_REQUESTED, S.RECEIVED, gp_referrer),
        (S.RECEIVED, S.ACCEPTED, manager),
        (S.ACCEPTED, S.WAITING, manager),
        (S.WAITING, S.ALLOCATED, manager_both),
    ]
    content = response.content.decode()
    timeline = content[content.index('class="lw-timeline"') :]
    headings = re.findall(r"<h3[^>]*>\s*(.*?)\s*</h3>", timeline, flags=re.S)
    assert headings[:6] == [
        "Received",
        "Information requested",
        "Received",
        "Accepted",
        "Waiting",
        "Allocated",
    ]
    for who in (gp_referrer, manager, manager_both):
        assert who.get_full_name() in timeline


def test_status_history_and_audit_log_cannot_be_changed_or_deleted(manager, gp_referrer, pathway_a):
    referral = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)
    change = referral.status_changes.last()
    event = AuditEvent.objects.filter(person_id=referral.person_id).first()

    change.note = "Rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        change.save()
    with pytest.raises(RuntimeError, match="append-only"):
        change.delete()
    event.detail = "Rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()

    assert StatusChange.objects.get(pk=change.pk).note == ""
    assert AuditEvent.objects.get(pk=event.pk).detail != "Rewritten"


@pytest.mark.parametrize(
    "rewrite",
    [
        lambda qs: qs.update(note="Rewritten"),
        lambda qs: qs.delete(),
    ],
    ids=["bulk update", "bulk delete"],
)
def test_status_history_cannot_be_rewritten_in_bulk_either(rewrite, gp_referrer, pathway_a):
    make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)
    before = list(StatusChange.objects.values_list("pk", "note"))
    with pytest.raises(RuntimeError, match="append-only"):
        rewrite(StatusChange.objects.all())
    assert list(StatusChange.objects.values_list("pk", "note")) == before


@pytest.mark.parametrize(
    "rewrite",
    [
        lambda qs: qs.update(detail="Rewritten"),
        lambda qs: qs.delete(),
    ],
    ids=["bulk update", "bulk delete"],
)
def test_audit_log_cannot_be_rewritten_in_bulk_either(rewrite, gp_referrer, pathway_a):
    make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)
    before = list(AuditEvent.objects.values_list("pk", "detail"))
    with pytest.raises(RuntimeError, match="append-only"):
        rewrite(AuditEvent.objects.all())
    assert list(AuditEvent.objects.values_list("pk", "detail")) == before


@pytest.mark.parametrize("who", ["coordinator_a", "manager", "gp_referrer"])
def test_opening_a_referral_is_recorded_as_a_view_by_that_user(
    who, client_for, gp_referrer, pathway_a, request
):
    user = request.getfixturevalue(who)
    # Waiting: a referral every one of them may open (awaiting triage, a coordinator would first
    # be asked why: tests/referrals/test_coordinator_access.py).
    referral = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()

    client_for(user).get(reverse("referrals:detail", args=[referral.pk]))

    [view] = AuditEvent.objects.filter(action=AuditAction.VIEW)
    assert view.user == user
    assert (view.object_type, view.object_id) == ("referrals.referral", str(referral.pk))
    assert view.person_id == referral.person_id


# --- Pathway settings --------------------------------------------------------------------------


def pathway_form(site, **overrides) -> dict:
    data = {
        "site": str(site.pk),
        "name": "Midwives",
        "source_type": SourceType.MIDWIFERY,
        **date_parts("opens_on", datetime.date(2025, 4, 1)),
        "closes_on_day": "",
        "closes_on_month": "",
        "closes_on_year": "",
        "minimum_age": "18",
    }
    data.update(overrides)
    return data


def test_manager_opens_then_closes_a_pathway_and_each_change_is_audited(
    client_for, manager, site_a
):
    browser = client_for(manager)
    assert browser.get(reverse("referrals:pathway_new")).status_code == 200

    bad = browser.post(
        reverse("referrals:pathway_new"),
        pathway_form(site_a, **date_parts("closes_on", datetime.date(2025, 3, 1))),
    )
    assert bad.status_code == 200
    assert "The closing date must be after the opening date" in bad.content.decode()
    assert_kept(bad.content.decode(), "name", "Midwives")
    assert not Pathway.objects.filter(name="Midwives").exists()

    created = browser.post(reverse("referrals:pathway_new"), pathway_form(site_a))
    assert created.status_code == 302
    assert created["Location"] == reverse("referrals:pathways")
    pathway = Pathway.objects.get(name="Midwives")
    assert (pathway.site, pathway.source_type, pathway.closes_on) == (
        site_a,
        SourceType.MIDWIFERY,
        None,
    )
    event = AuditEvent.objects.get(object_type="referrals.pathway", action=AuditAction.CREATE)
    assert event.user == manager
    assert event.object_id == str(pathway.pk)
    assert {"site", "name", "source_type", "opens_on"} <= set(event.fields)
    assert event.person_id is None

    yesterday = today() - datetime.timedelta(days=1)
    edited = browser.post(
        reverse("referrals:pathway_edit", args=[pathway.pk]),
        pathway_form(site_a, **date_parts("closes_on", yesterday)),
    )
    assert edited.status_code == 302
    pathway.refresh_from_db()
    assert pathway.closes_on == yesterday
    assert not pathway.is_open
    change = AuditEvent.objects.get(object_type="referrals.pathway", action=AuditAction.CHANGE)
    assert change.user == manager
    assert change.fields == ["closes_on"]

    listed = browser.get(reverse("referrals:pathways"))
    assert "Midwives" in listed.content.decode()


def test_a_self_referral_pathway_cannot_require_frequent_attendance(client_for, manager, site_a):
    response = client_for(manager).post(
        reverse("referrals:pathway_new"),
        pathway_form(
            site_a,
            name="Self-referral",
            source_type=SourceType.SELF_REFERRAL,
            frequent_attender_required="on",
        ),
    )
    assert response.status_code == 200
    assert "A self-referral pathway cannot require frequent attendance" in (
        response.content.decode()
    )
    assert not Pathway.objects.filter(name="Self-referral").exists()


# --- The audit log -----------------------------------------------------------------------------


def test_administrator_finds_who_touched_a_persons_record(
    client_for, administrator, coordinator_a, manager, gp_referrer, other_referrer, pathway_a
):
    ours = make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer)
    theirs = make_referral(S.RECEIVED, pathway=pathway_a, by=other_referrer)
    # Awaiting triage, on no one's caseload: the coordinator says why first (decision 0023).
    client_for(coordinator_a).post(
        reverse("referrals:open_with_reason", args=[ours.pk]), {"reason": "They phoned in"}
    )
    client_for(coordinator_a).get(reverse("referrals:detail", args=[ours.pk]))
    client_for(manager).get(reverse("referrals:detail", args=[theirs.pk]))
    browser = client_for(administrator)

    for reference in (ours.person.reference, str(ours.person.pk), ours.person.reference.lower()):
        page = browser.get(reverse("audit:log"), {"person": reference})
        events = list(page.context["page"].object_list)
        assert events, reference
        assert {e.person_id for e in events} == {ours.person_id}
        assert len(events) == AuditEvent.objects.filter(person_id=ours.person_id).count()
        assert {e.user for e in events} == {gp_referrer, coordinator_a}

    page = browser.get(reverse("audit:log"), {"user": str(manager.pk)})
    events = list(page.context["page"].object_list)
    assert events
    assert {e.user for e in events} == {manager}
    assert len(events) == AuditEvent.objects.filter(user=manager).count()

    page = browser.get(reverse("audit:log"), {"user": str(coordinator_a.pk), "action": "view"})
    [event] = page.context["page"].object_list
    assert (event.object_id, event.action) == (str(ours.pk), AuditAction.VIEW)

    bad = browser.get(reverse("audit:log"), {"person": "Angharad"})
    assert "Enter a person reference like P000123" in bad.content.decode()
    assert_kept(bad.content.decode(), "person", "Angharad")


# --- Self-referral -----------------------------------------------------------------------------


def self_referral_form(**overrides) -> dict:
    data = {
        "given_name": "Dewi",
        "family_name": "Jones",
        **date_parts("date_of_birth", datetime.date(1988, 11, 2)),
        "phone": "07700 900321",
        "email": "",
        "preferred_language": "en",
        "needs": ["confidence"],
        "needs_detail": "I want to get out of the house more",
        "consent_to_referral": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def test_self_referral_is_open_only_where_a_self_referral_pathway_is_open(
    client, site_a, site_b, self_referral_pathway_b
):
    assert client.get(reverse("referrals:self_referral", args=[site_b.slug])).status_code == 200
    assert client.get(reverse("referrals:self_referral", args=[site_a.slug])).status_code == 404
    assert client.get(reverse("referrals:self_referral", args=["nowhere"])).status_code == 404
    assert (
        client.post(
            reverse("referrals:self_referral", args=[site_a.slug]), self_referral_form()
        ).status_code
        == 404
    )

    self_referral_pathway_b.closes_on = today()
    self_referral_pathway_b.save()
    assert client.get(reverse("referrals:self_referral", args=[site_b.slug])).status_code == 404


def test_self_referral_sites_page_lists_each_open_site(
    client, site_a, site_b, self_referral_pathway_b
):
    PathwayFactory(site=site_a, name="Self-referral", source_type=SourceType.SELF_REFERRAL)
    page = client.get(reverse("referrals:self_referral_sites"))
    assert page.status_code == 200
    content = page.content.decode()
    assert reverse("referrals:self_referral", args=[site_a.slug]) in content
    assert reverse("referrals:self_referral", args=[site_b.slug]) in content


def test_a_bot_filling_the_hidden_field_is_thanked_but_nothing_is_kept(
    client, site_b, self_referral_pathway_b
):
    response = client.post(
        reverse("referrals:self_referral", args=[site_b.slug]),
        self_referral_form(website="http://spam.example"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:self_referral_sent", args=[site_b.slug])
    assert not Person.objects.exists()
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.exists()


def test_self_referral_with_mistakes_keeps_what_was_typed(client, site_b, self_referral_pathway_b):
    response = client.post(
        reverse("referrals:self_referral", args=[site_b.slug]),
        self_referral_form(given_name="", phone="", needs=[], consent_to_referral=""),
    )
    assert response.status_code == 200
    content = response.content.decode()
    for message in (
        "Enter your first name",
        "Enter a phone number or an email address",
        "Tick at least one thing you would like help with",
        "Tick the box to say you agree, so we can contact you",
    ):
        assert escape(message) in content
    assert_kept(content, "family_name", "Jones")
    assert_kept(content, "date_of_birth_year", "1988")
    assert "I want to get out of the house more" in content
    assert not Referral.objects.exists()


def test_a_self_referral_arrives_with_no_referrer(client, site_b, self_referral_pathway_b):
    response = client.post(
        reverse("referrals:self_referral", args=[site_b.slug]), self_referral_form()
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:self_referral_sent", args=[site_b.slug])
    referral = Referral.objects.get()
    assert referral.received_via == ReceivedVia.SELF_REFERRAL
    assert referral.referred_by is None
    assert referral.referring_organisation is None
    assert referral.pathway == self_referral_pathway_b
    assert referral.site == site_b
    assert referral.status == S.RECEIVED
    assert referral.consent_to_share_feedback is False
    assert referral.status_changes.get().by is None
    assert set(AuditEvent.objects.values_list("user", flat=True)) == {None}
    assert client.get(response["Location"]).status_code == 200


def test_a_self_referral_under_the_minimum_age_is_told_why(client, site_b, self_referral_pathway_b):
    dob = seventeen_years_old()
    response = client.post(
        reverse("referrals:self_referral", args=[site_b.slug]),
        self_referral_form(**date_parts("date_of_birth", dob)),
    )
    assert response.status_code == 200
    assert "aged 18 or over" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_self_referral_form_is_rate_limited_per_address(
    client, site_b, self_referral_pathway_b
):
    url = reverse("referrals:self_referral", args=[site_b.slug])
    for _ in range(5):
        assert client.post(url, self_referral_form(given_name="")).status_code == 200

    blocked = client.post(url, self_referral_form())

    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert not Referral.objects.exists()
    # Reading the form is not limited, and someone at another address can still send theirs.
    assert client.get(url).status_code == 200
    other = client.post(url, self_referral_form(), REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 302


# --- Health check ------------------------------------------------------------------------------


def test_health_check_says_ok_without_signing_in(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == "ok"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_health_check_says_unavailable_when_the_database_is_unreachable(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(connection, "cursor", unreachable)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["status"] != "ok"
    assert "could not connect" not in response.content.decode()

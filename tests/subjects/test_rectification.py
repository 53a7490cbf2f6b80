"""Rectification (UK GDPR article 16, decision 0026): a person's details changed with the reason
kept and what they were before in an append-only history; a contact note corrected without
losing what it said; requests from the person with their deadline, refusals and the person's
statement; all audited without the values, all in the subject access export."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.casework import actions as casework
from linkwork.casework.models import ContactNoteCorrection
from linkwork.partners.models import Site
from linkwork.referrals.models import CorrectionReason, PersonDetailsChange
from linkwork.referrals.status import ReferralStatus
from linkwork.subjects import actions
from linkwork.subjects.collect import collect
from linkwork.subjects.models import RectificationRequest, RectificationStatus
from tests.factories import CoordinatorFactory, make_referral

pytestmark = pytest.mark.django_db

NEW_PHONE = "01686 412345"


def person_form(person, **overrides) -> dict:
    """The change form as it comes filled in (what is held now), with `overrides`."""
    dob = person.date_of_birth
    data = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth_day": str(dob.day),
        "date_of_birth_month": str(dob.month),
        "date_of_birth_year": str(dob.year),
        "nhs_number": person.nhs_number,
        "phone": person.phone,
        "email": person.email,
        "address": person.address,
        "postcode": person.postcode,
        "best_time_to_call": person.best_time_to_call,
        "preferred_language": person.preferred_language,
        "reason": CorrectionReason.DETAILS_CHANGED,
        "reason_detail": "",
    }
    if person.texts_agreed:
        data["texts_agreed"] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def dated(prefix: str, day: datetime.date) -> dict:
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def change_url(referral) -> str:
    return reverse("subjects:change_details", args=[referral.pk])


def log_contact(referral, coordinator, note="Talked about the allotment; Mam is unwell."):
    return casework.log_contact(
        referral,
        by=coordinator,
        at=timezone.now() - datetime.timedelta(days=2),
        mode="telephone",
        outcome="attended",
        minutes=20,
        note=note,
    )


# --- Changing a person's details ----------------------------------------------------------------


def test_the_persons_coordinator_changes_their_phone_and_what_it_was_is_kept(
    client_for, in_support, coordinator_a, manager
):
    person = in_support.person
    old_phone = person.phone
    browser = client_for(coordinator_a)
    record = browser.get(reverse("casework:record", args=[in_support.pk])).content.decode()
    assert change_url(in_support) in record

    page = browser.get(change_url(in_support))
    assert page.status_code == 200
    assert f'value="{old_phone}"' in page.content.decode()  # the form shows what is held now

    response = browser.post(
        change_url(in_support), person_form(person, phone=NEW_PHONE), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("referrals:detail", args=[in_support.pk])
    assert "Details changed: phone number" in response.content.decode()

    person.refresh_from_db()
    assert person.phone == NEW_PHONE
    change = PersonDetailsChange.objects.get()
    assert change.changes == [{"field": "phone", "old": old_phone, "new": NEW_PHONE}]
    assert change.by == coordinator_a and change.reason == CorrectionReason.DETAILS_CHANGED
    assert change.referral == in_support

    # Audited: the field and the reason, never the values.
    line = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="referrals.person")
    assert line.fields == ["phone"] and line.person_id == person.pk
    assert line.user == coordinator_a
    everything = " ".join(f"{e.detail} {e.fields}" for e in AuditEvent.objects.all())
    assert old_phone not in everything and NEW_PHONE not in everything

    # The timeline says what changed and why; the values are for managers.
    timeline = browser.get(reverse("casework:timeline", args=[in_support.pk])).content.decode()
    assert "Details changed: phone number" in timeline
    assert "The details changed (moved house, new number)" in timeline

    history_url = reverse("subjects:details_history", args=[in_support.pk])
    assert browser.get(history_url).status_code == 404  # the coordinator: not the old values
    history = client_for(manager).get(history_url).content.decode()
    assert old_phone in history and NEW_PHONE in history and "Gareth Price" in history


def test_saving_the_same_details_changes_nothing_and_says_so(client_for, in_support, manager):
    browser = client_for(manager)
    response = browser.post(change_url(in_support), person_form(in_support.person), follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert not PersonDetailsChange.objects.exists()
    assert not AuditEvent.objects.filter(
        object_type="referrals.person", action=AuditAction.CHANGE
    ).exists()


def test_the_form_checks_as_the_referral_forms_do_and_keeps_what_was_typed(
    client_for, in_support, manager
):
    person = in_support.person
    browser = client_for(manager)
    response = browser.post(
        change_url(in_support),
        person_form(
            person,
            phone="01686 4",
            nhs_number="943 476 5918",  # fails the modulus 11 check
            postcode="NOT A POSTCODE",
            address="7 New Road\nRhayader",
            reason="",
            **dated("date_of_birth", timezone.localdate() + datetime.timedelta(days=1)),
        ),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Select why it is changing" in page
    assert "NOT A POSTCODE" in page and "01686 4" in page and "7 New Road" in page
    assert "943 476 5918" in page
    assert page.count("govuk-error-message") >= 5
    person.refresh_from_db()
    assert person.postcode == "SY18 6AA" and not PersonDetailsChange.objects.exists()


def test_other_needs_words_and_a_contact_route_is_still_needed(client_for, in_support, manager):
    browser = client_for(manager)
    page = browser.post(
        change_url(in_support),
        person_form(in_support.person, phone="", email="", reason=CorrectionReason.OTHER),
    ).content.decode()
    assert "Say why it is changing" in page
    assert "Enter a phone number or an email address" in page
    assert not PersonDetailsChange.objects.exists()


def test_a_person_asking_needs_the_date_and_records_their_request_answered(
    client_for, in_support, manager
):
    browser = client_for(manager)
    form = person_form(
        in_support.person,
        family_name="Price-Jones",
        reason=CorrectionReason.PERSON_ASKED,
        reason_detail="By phone: married last year.",
    )
    page = browser.post(change_url(in_support), form).content.decode()
    assert "Enter the date the person asked" in page and "Price-Jones" in page
    assert not RectificationRequest.objects.exists()

    asked_on = timezone.localdate() - datetime.timedelta(days=3)
    response = browser.post(change_url(in_support), {**form, **dated("received_on", asked_on)})
    assert response.status_code == 302
    request = RectificationRequest.objects.get()
    assert request.status == RectificationStatus.CORRECTED
    assert request.received_on == asked_on and request.details_change.field_names == ["family_name"]
    assert request.asked_for == "By phone: married last year."


# --- Who may change them ------------------------------------------------------------------------


@pytest.fixture
def colleagues_person(site_a, pathway_a, gp_referrer, manager):
    """Someone at site A supported by another coordinator, not coordinator_a."""
    return make_referral(
        ReferralStatus.ALLOCATED,
        pathway=pathway_a,
        by=gp_referrer,
        staff=manager,
        coordinator=CoordinatorFactory(sites=[site_a]),
    )


def test_a_coordinator_at_a_caseload_only_site_cannot_change_someone_elses_person(
    client_for, site_a, colleagues_person, coordinator_a
):
    site_a.coordinator_access = Site.CoordinatorAccess.CASELOAD
    site_a.save()
    browser = client_for(coordinator_a)
    person = colleagues_person.person
    assert browser.get(change_url(colleagues_person)).status_code == 404
    posted = browser.post(change_url(colleagues_person), person_form(person, phone=NEW_PHONE))
    assert posted.status_code == 404
    person.refresh_from_db()
    assert person.phone != NEW_PHONE and not PersonDetailsChange.objects.exists()


def test_at_a_site_that_takes_a_reason_the_coordinator_is_asked_why_first(
    client_for, colleagues_person, coordinator_a
):
    response = client_for(coordinator_a).get(change_url(colleagues_person))
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("referrals:open_with_reason", args=[colleagues_person.pk])
    )


def test_a_coordinator_may_change_the_details_of_someone_waiting(
    client_for, waiting, coordinator_a
):
    browser = client_for(coordinator_a)
    response = browser.post(change_url(waiting), person_form(waiting.person, phone=NEW_PHONE))
    assert response.status_code == 302
    assert PersonDetailsChange.objects.get().by == coordinator_a


def test_the_referrer_and_another_sites_manager_cannot(
    client_for, in_support, gp_referrer, manager_b, researcher
):
    person = in_support.person
    for user in (gp_referrer, manager_b, researcher):
        browser = client_for(user)
        assert browser.get(change_url(in_support)).status_code in (403, 404)
        posted = browser.post(change_url(in_support), person_form(person, phone=NEW_PHONE))
        assert posted.status_code in (403, 404)
        history = browser.get(reverse("subjects:details_history", args=[in_support.pk]))
        assert history.status_code in (403, 404)
    assert client_for(manager_b).get(change_url(in_support)).status_code == 404
    assert client_for(gp_referrer).get(change_url(in_support)).status_code == 404
    person.refresh_from_db()
    assert person.phone != NEW_PHONE and not PersonDetailsChange.objects.exists()


# --- Append-only --------------------------------------------------------------------------------


@pytest.fixture
def corrected(in_support, coordinator_a):
    """A details change and a corrected contact note, both for coordinator_a's person."""
    actions.change_details(
        in_support,
        by=coordinator_a,
        details={"phone": NEW_PHONE},
        reason=CorrectionReason.DETAILS_CHANGED,
    )
    contact = log_contact(in_support, coordinator_a)
    actions.correct_note(
        in_support,
        contact,
        by=coordinator_a,
        note="Talked about the allotment.",
        reason=CorrectionReason.RECORDED_WRONGLY,
        reason_detail="Wrote about someone else's mother by mistake.",
    )
    return in_support


@pytest.mark.parametrize(
    "table", ["referrals_persondetailschange", "casework_contactnotecorrection"]
)
@pytest.mark.parametrize("statement", ["UPDATE {table} SET id = id", "DELETE FROM {table}"])
def test_the_database_refuses_to_rewrite_the_history(corrected, table, statement):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=table))


def test_the_orm_refuses_too(corrected):
    with pytest.raises(RuntimeError):
        PersonDetailsChange.objects.update(reason="other")
    with pytest.raises(RuntimeError):
        ContactNoteCorrection.objects.all().delete()
    change = PersonDetailsChange.objects.get()
    change.reason_detail = "rewritten"
    with pytest.raises(RuntimeError):
        change.save()


# --- Correcting a contact note ------------------------------------------------------------------


def test_a_contact_note_corrected_keeps_what_it_said_for_managers(
    client_for, in_support, coordinator_a, manager
):
    original = "Talked about the allotment; Mam is unwell."
    contact = log_contact(in_support, coordinator_a, note=original)
    url = reverse("subjects:correct_contact_note", args=[in_support.pk, contact.pk])
    browser = client_for(coordinator_a)
    record_url = reverse("casework:record", args=[in_support.pk])
    assert url in browser.get(record_url).content.decode()

    page = browser.post(url, {"note": "Talked about the allotment.", "reason": ""})
    assert page.status_code == 400
    assert "Select why it is changing" in page.content.decode()
    assert "Talked about the allotment." in page.content.decode()

    response = browser.post(
        url,
        {
            "note": "Talked about the allotment.",
            "reason": CorrectionReason.RECORDED_WRONGLY,
            "reason_detail": "Another person's family by mistake.",
        },
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.note == "Talked about the allotment."
    correction = ContactNoteCorrection.objects.get()
    assert correction.original == original and correction.by == coordinator_a

    mine = browser.get(record_url).content.decode()
    assert "Corrected on" in mine and "Another person&#x27;s family by mistake." in mine
    assert "Mam is unwell" not in mine  # the original: for managers
    theirs = client_for(manager).get(record_url).content.decode()
    assert "Mam is unwell" in theirs and "What it said before" in theirs
    timeline = browser.get(reverse("casework:timeline", args=[in_support.pk])).content.decode()
    assert "Corrected on" in timeline and "Mam is unwell" not in timeline

    line = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="casework.contact")
    assert line.fields == ["note"] and "allotment" not in line.detail

    # The same text again corrects nothing.
    again = browser.post(
        url, {"note": "Talked about the allotment.", "reason": "recorded_wrongly"}, follow=True
    )
    assert "nothing was corrected" in again.content.decode()
    assert ContactNoteCorrection.objects.count() == 1


def test_only_the_persons_coordinator_or_a_manager_corrects_a_note(
    client_for, in_support, coordinator_a, coordinator_b, manager_b, gp_referrer, site_a
):
    contact = log_contact(in_support, coordinator_a)
    url = reverse("subjects:correct_contact_note", args=[in_support.pk, contact.pk])
    colleague = CoordinatorFactory(sites=[site_a])
    for user in (colleague, coordinator_b, manager_b, gp_referrer):
        browser = client_for(user)
        assert browser.get(url).status_code in (403, 404), user
        assert browser.post(url, {"note": "x", "reason": "recorded_wrongly"}).status_code in (
            403,
            404,
        )
    assert not ContactNoteCorrection.objects.exists()


def test_a_contact_of_another_record_is_not_found(
    client_for, in_support, coordinator_a, manager, pathway_a, gp_referrer
):
    other = make_referral(
        ReferralStatus.ALLOCATED,
        pathway=pathway_a,
        by=gp_referrer,
        staff=manager,
        coordinator=coordinator_a,
    )
    contact = log_contact(other, coordinator_a)
    url = reverse("subjects:correct_contact_note", args=[in_support.pk, contact.pk])
    assert client_for(coordinator_a).get(url).status_code == 404


# --- Rectification requests ---------------------------------------------------------------------


def test_a_request_refused_keeps_the_reason_and_the_persons_statement(
    client_for, in_support, manager, coordinator_a
):
    browser = client_for(manager)
    received = timezone.localdate() - datetime.timedelta(days=40)
    response = browser.post(
        reverse("subjects:new_rectification", args=[in_support.pk]),
        {**dated("received_on", received), "asked_for": "Says they never missed a session."},
    )
    request = RectificationRequest.objects.get()
    assert response["Location"] == reverse("subjects:rectification", args=[request.pk])
    assert request.is_open and request.overdue()

    listing = browser.get(reverse("subjects:rectifications")).content.decode()
    assert in_support.person.full_name in listing and "Overdue" in listing
    assert request.due_on.strftime("%-d %b %Y") in listing

    page = browser.post(
        reverse("subjects:rectification", args=[request.pk]), {"do": "refuse", "reason": ""}
    )
    assert page.status_code == 400 and "Say why the correction is refused" in page.content.decode()
    browser.post(
        reverse("subjects:rectification", args=[request.pk]),
        {
            "do": "refuse",
            "reason": "The contact log shows the missed session as it happened.",
            **dated("told_on", timezone.localdate()),
        },
    )
    request.refresh_from_db()
    assert request.status == RectificationStatus.REFUSED
    assert request.person_told_on == timezone.localdate()

    browser.post(
        reverse("subjects:rectification", args=[request.pk]),
        {"do": "statement", "statement": "I phoned to cancel that day."},
    )
    request.refresh_from_db()
    assert request.statement == "I phoned to cancel that day."
    # Kept with the record, for everyone who reads it.
    seen = client_for(coordinator_a).get(reverse("referrals:detail", args=[in_support.pk]))
    assert "I phoned to cancel that day." in seen.content.decode()
    # Audited without the words.
    lines = AuditEvent.objects.filter(object_type="subjects.rectificationrequest").exclude(
        action=AuditAction.VIEW
    )
    assert lines.count() == 3
    assert all("cancel" not in line.detail and "log shows" not in line.detail for line in lines)


def test_a_correction_made_for_an_open_request_answers_it(client_for, in_support, manager):
    request = actions.record_request(
        in_support,
        by=manager,
        received_on=timezone.localdate(),
        asked_for="My surname is spelt Prys, not Price.",
    )
    browser = client_for(manager)
    url = change_url(in_support) + f"?request={request.pk}"
    page = browser.get(url).content.decode()
    assert "My surname is spelt Prys" in page and "received_on_day" not in page
    response = browser.post(
        url,
        person_form(in_support.person, family_name="Prys", reason=CorrectionReason.PERSON_ASKED),
    )
    assert response["Location"] == reverse("subjects:rectification", args=[request.pk])
    request.refresh_from_db()
    assert request.status == RectificationStatus.CORRECTED
    assert request.details_change.changes[0]["new"] == "Prys"
    assert RectificationRequest.objects.count() == 1


def test_requests_are_for_the_sites_managers(
    client_for, in_support, manager, manager_b, coordinator_a
):
    request = actions.record_request(
        in_support, by=manager, received_on=timezone.localdate(), asked_for="Wrong address."
    )
    detail = reverse("subjects:rectification", args=[request.pk])
    assert client_for(manager_b).get(detail).status_code == 404
    assert client_for(coordinator_a).get(detail).status_code == 403
    assert client_for(coordinator_a).get(reverse("subjects:rectifications")).status_code == 403
    new = reverse("subjects:new_rectification", args=[in_support.pk])
    assert client_for(coordinator_a).get(new).status_code == 404
    assert client_for(manager_b).get(new).status_code == 404


# --- Subject access -----------------------------------------------------------------------------


def test_the_subject_access_export_holds_the_history(corrected, manager):
    actions.record_request(
        corrected, by=manager, received_on=timezone.localdate(), asked_for="Wrong address."
    )
    sections = {s.key: s for s in collect(corrected.person)}
    changes = sections["referrals.persondetailschange"]
    assert changes.review and changes.records[0]["changes"][0]["new"] == NEW_PHONE
    notes = sections["casework.contactnotecorrection"]
    assert notes.records[0]["original"] == "Talked about the allotment; Mam is unwell."
    assert notes.records[0]["corrected"] == "Talked about the allotment."
    assert sections["subjects.rectificationrequest"].records[0]["asked_for"] == "Wrong address."


def test_a_note_corrected_from_a_requests_page_answers_it(
    client_for, in_support, manager, coordinator_a
):
    contact = log_contact(in_support, coordinator_a)
    request = actions.record_request(
        in_support,
        by=manager,
        received_on=timezone.localdate(),
        asked_for="The note about my mother is wrong.",
    )
    browser = client_for(manager)
    page = browser.get(reverse("subjects:rectification", args=[request.pk])).content.decode()
    to_record = reverse("casework:record", args=[in_support.pk]) + f"?request={request.pk}"
    assert to_record in page
    record = browser.get(to_record).content.decode()
    url = reverse("subjects:correct_contact_note", args=[in_support.pk, contact.pk])
    assert f"{url}?request={request.pk}" in record
    response = browser.post(
        f"{url}?request={request.pk}",
        {"note": "Talked about the allotment.", "reason": CorrectionReason.PERSON_ASKED},
    )
    assert response["Location"] == reverse("subjects:rectification", args=[request.pk])
    request.refresh_from_db()
    assert request.status == RectificationStatus.CORRECTED
    assert request.note_correction.contact == contact
    assert RectificationRequest.objects.count() == 1


def test_an_interim_support_note_corrected_keeps_what_it_said(
    client_for, waiting, coordinator_a, manager, manager_b, gp_referrer
):
    from linkwork.referrals import actions as referral_actions
    from linkwork.referrals.models import InterimContactCorrection

    contact = referral_actions.log_interim_contact(
        waiting,
        by=coordinator_a,
        at=timezone.now() - datetime.timedelta(days=1),
        mode="telephone",
        note="Rang to check in; her son has been arrested.",
    )
    url = reverse("subjects:correct_interim_note", args=[waiting.pk, contact.pk])
    detail = reverse("referrals:detail", args=[waiting.pk])
    browser = client_for(coordinator_a)
    assert url in browser.get(detail).content.decode()
    for outsider in (manager_b, gp_referrer):
        assert client_for(outsider).get(url).status_code == 404
    response = browser.post(
        url,
        {
            "note": "Rang to check in; worried about her son.",
            "reason": CorrectionReason.OTHER,
            "reason_detail": "Not what she said: she asked us not to record it.",
        },
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.note == "Rang to check in; worried about her son."
    correction = InterimContactCorrection.objects.get()
    assert correction.original == "Rang to check in; her son has been arrested."
    mine = browser.get(detail).content.decode()
    assert "Corrected on" in mine and "arrested" not in mine
    assert "arrested" in client_for(manager).get(detail).content.decode()
    sections = {s.key: s for s in collect(waiting.person)}
    assert (
        sections["referrals.interimcontactcorrection"].records[0]["original"].endswith("arrested.")
    )
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE referrals_interimcontactcorrection SET original = ''")


def test_only_a_manager_answers_a_request_and_only_about_its_person(
    in_support, waiting, manager, coordinator_a
):
    from linkwork.core.errors import ActionRefused

    request = actions.record_request(
        in_support, by=manager, received_on=timezone.localdate(), asked_for="Wrong surname."
    )
    with pytest.raises(ActionRefused):
        actions.change_details(
            in_support,
            by=coordinator_a,
            details={"family_name": "Prys"},
            reason=CorrectionReason.PERSON_ASKED,
            request=request,
        )
    with pytest.raises(ActionRefused):
        actions.change_details(
            waiting,
            by=manager,
            details={"family_name": "Prys"},
            reason=CorrectionReason.PERSON_ASKED,
            request=request,
        )
    request.refresh_from_db()
    assert request.is_open and not PersonDetailsChange.objects.exists()

"""Making letters from the person's record: each kind, its preview, what is kept, the rules
about when each kind can be made, and the record's section, timeline and audit log."""

import pytest
from django.urls import reverse

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.audit.presenters import describe_all
from linkwork.core.errors import ActionRefused
from linkwork.letters.models import Letter, LetterKind

from .conftest import book, close, make

pytestmark = pytest.mark.django_db


def write_url(referral, kind):
    return reverse("letters:write", args=[referral.pk, kind])


def test_an_appointment_letter_is_previewed_then_made_and_kept_as_previewed(
    client_for, coordinator_a, ann, letterhead_a
):
    contact = book(ann, coordinator_a, mode="telephone")
    browser = client_for(coordinator_a)

    page = browser.get(write_url(ann, LetterKind.APPOINTMENT))
    assert page.status_code == 200
    preview = page.content.decode()
    assert "Dear Ann," in preview
    assert "A telephone call" in preview
    assert "10:30am" in preview
    assert "Cyswllt Cymunedol Powys" in preview  # the letterhead
    assert "SY18 6AB" in preview  # her address, from the record
    assert "Gareth Price" in preview and "Link coordinator" in preview  # the sign-off
    assert not Letter.objects.exists()  # a preview keeps nothing

    data = {
        "language": "en",
        "contact": contact.pk,
        "place": "",
        "recipient_name": "Ms Ann Jones",
        "recipient_address": "4 Heol y Bryn\nLlanidloes\nSY18 6AB",
    }
    response = browser.post(write_url(ann, LetterKind.APPOINTMENT), data | {"action": "make"})
    letter = Letter.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("letters:letter", args=[ann.pk, letter.pk])
    assert letter.kind == LetterKind.APPOINTMENT
    assert letter.contact == contact
    assert letter.recipient_name == "Ms Ann Jones"
    assert letter.language == "en"
    assert letter.created_by == coordinator_a
    assert letter.subject == "Your next appointment"
    assert "Dear Ann," in letter.body
    assert "We will ring you on the number we have for you" in letter.body
    assert "01686 412345" in letter.body
    assert "Canolfan y Dref" in letter.letterhead
    assert (letter.signed_by_name, letter.signed_by_role) == ("Gareth Price", "Link coordinator")

    kept = browser.get(response["Location"]).content.decode()
    assert "Dear Ann," in kept and "Ms Ann Jones" in kept


def test_preview_shows_the_changes_and_keeps_what_was_typed(
    client_for, coordinator_a, ann, letterhead_a
):
    contact = book(ann, coordinator_a, mode="face_to_face")
    data = {
        "language": "en",
        "contact": contact.pk,
        "place": "Llanidloes Community Centre, Great Oak Street",
        "recipient_name": "Ann Jones",
        "recipient_address": "4 Heol y Bryn",
        "action": "preview",
    }
    response = client_for(coordinator_a).post(write_url(ann, LetterKind.APPOINTMENT), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Where: Llanidloes Community Centre, Great Oak Street" in page
    assert not Letter.objects.exists()
    assert AuditEvent.objects.filter(
        user=coordinator_a, action=AuditAction.VIEW, detail="letter preview appointment en"
    ).exists()


def test_a_form_that_fails_keeps_what_was_typed(client_for, coordinator_a, ann):
    contact = book(ann, coordinator_a)
    data = {
        "language": "en",
        "contact": contact.pk,
        "place": "The library",
        "recipient_name": "Ann Jones",
        "recipient_address": "",
        "action": "make",
    }
    response = client_for(coordinator_a).post(write_url(ann, LetterKind.APPOINTMENT), data)
    assert response.status_code == 200
    assert "Enter the postal address the letter goes to" in response.content.decode()
    form = response.context["form"]
    assert form["place"].value() == "The library"
    assert form["recipient_name"].value() == "Ann Jones"
    assert not Letter.objects.exists()


def test_markup_typed_into_a_letter_is_shown_as_text(client_for, coordinator_a, ann):
    letter = make(ann, coordinator_a, LetterKind.NO_CONTACT, recipient_name="<b>Ann</b>")
    page = client_for(coordinator_a).get(reverse("letters:letter", args=[ann.pk, letter.pk]))
    assert "&lt;b&gt;Ann&lt;/b&gt;" in page.content.decode()
    assert "<b>Ann</b>" not in page.content.decode()


def test_an_appointment_letter_needs_a_booked_contact_still_to_come(client_for, coordinator_a, ann):
    page = client_for(coordinator_a).get(write_url(ann, LetterKind.APPOINTMENT))
    assert page.status_code == 200
    assert "There is no contact booked with Ann still to come" in page.content.decode()
    assert "form" not in page.context or page.context["reason"]
    response = client_for(coordinator_a).post(
        write_url(ann, LetterKind.APPOINTMENT),
        {"language": "en", "recipient_name": "Ann", "recipient_address": "x", "action": "make"},
    )
    assert response.status_code == 200
    assert not Letter.objects.exists()
    with pytest.raises(ActionRefused):
        make(ann, coordinator_a, LetterKind.APPOINTMENT)


def test_an_appointment_letter_cannot_name_a_contact_of_someone_else(
    coordinator_a, ann, in_support
):
    theirs = book(in_support, coordinator_a)
    book(ann, coordinator_a)
    with pytest.raises(ActionRefused):
        make(ann, coordinator_a, LetterKind.APPOINTMENT, contact=theirs)
    assert not Letter.objects.exists()


def test_the_unable_to_contact_letter_gives_two_weeks_to_reply(coordinator_a, ann, letterhead_a):
    letter = make(ann, coordinator_a, LetterKind.NO_CONTACT)
    assert letter.subject == "We have been trying to contact you"
    assert "Your link coordinator, Gareth Price, has tried to contact you" in letter.body
    assert "Please contact us by " in letter.body
    assert letter.contact is None


def test_the_end_of_support_letter_comes_after_support_has_ended(
    client_for, coordinator_a, ann, letterhead_a
):
    page = client_for(coordinator_a).get(write_url(ann, LetterKind.END_OF_SUPPORT))
    assert "Support has not ended yet" in page.content.decode()
    with pytest.raises(ActionRefused):
        make(ann, coordinator_a, LetterKind.END_OF_SUPPORT)

    closure = close(ann, coordinator_a)
    # The coordinator who supported her last may still write it, although the case is closed.
    letter = make(ann, coordinator_a, LetterKind.END_OF_SUPPORT)
    assert "your support from Cyswllt Cymunedol Powys ended on" in letter.body
    assert f"{closure.closed_on.day} " in letter.body
    # ...and the letters that only make sense during support are no longer offered.
    for kind in (LetterKind.APPOINTMENT, LetterKind.NO_CONTACT):
        with pytest.raises(ActionRefused):
            make(ann, coordinator_a, kind)


def test_the_referrer_letter_says_what_became_of_the_referral(
    client_for, coordinator_a, ann, letterhead_a
):
    close(ann, coordinator_a, reason="moved_away")
    page = client_for(coordinator_a).get(write_url(ann, LetterKind.REFERRER))
    form = page.context["form"]
    assert form.initial["recipient_name"] == "Alun Hughes"  # the referrer, from the referral
    assert form.initial["recipient_address"] == "Llanidloes Health Centre"
    letter = make(
        ann,
        coordinator_a,
        LetterKind.REFERRER,
        recipient_name="Dr Alun Hughes",
        recipient_address="Llanidloes Health Centre\nMount Street\nSY18 6EY",
    )
    assert letter.subject.startswith("Re: Ann Jones, date of birth ")
    assert ann.person.nhs_number in letter.subject
    assert letter.body.startswith("Dear Dr Alun Hughes,")
    assert "the person has moved out of the area" in letter.body


def test_no_letter_to_the_referrer_without_consent_to_share_feedback(
    client_for, coordinator_a, gwen
):
    browser = client_for(coordinator_a)
    record = browser.get(reverse("casework:record", args=[gwen.pk])).content.decode()
    assert "did not consent to feedback being shared with the referrer" in record
    assert write_url(gwen, LetterKind.REFERRER) not in record

    page = browser.get(write_url(gwen, LetterKind.REFERRER))
    assert page.status_code == 200
    assert "did not consent to feedback being shared" in page.content.decode()
    assert "paper" not in page.context
    response = browser.post(
        write_url(gwen, LetterKind.REFERRER),
        {
            "language": "en",
            "recipient_name": "Dr Hughes",
            "recipient_address": "Llanidloes Health Centre",
            "action": "make",
        },
    )
    assert response.status_code == 200
    assert not Letter.objects.exists()
    with pytest.raises(ActionRefused):
        make(gwen, coordinator_a, LetterKind.REFERRER)


def test_a_letter_is_in_the_persons_language_unless_another_is_chosen(
    client_for, coordinator_a, gwen, letterhead_a
):
    browser = client_for(coordinator_a)
    page = browser.get(write_url(gwen, LetterKind.NO_CONTACT))
    assert page.context["form"].initial["language"] == "cy"
    assert "Annwyl Gwen," in page.content.decode()
    assert 'lang="cy"' in page.content.decode()

    response = browser.post(
        write_url(gwen, LetterKind.NO_CONTACT),
        {
            "language": "en",
            "recipient_name": "Gwen Prys",
            "recipient_address": "1 Stryd y Bont",
            "action": "make",
        },
    )
    assert response.status_code == 302
    assert Letter.objects.get().body.startswith("Dear Gwen,")


def test_a_welsh_letter_is_welsh_throughout(coordinator_a, gwen, letterhead_a):
    contact = book(gwen, coordinator_a, hour=14, mode="home_visit")
    letter = make(gwen, coordinator_a, LetterKind.APPOINTMENT, language="cy", contact=contact)
    assert letter.subject == "Eich apwyntiad nesaf"
    assert letter.body.startswith("Annwyl Gwen,")
    assert "Amser: 2:30yp" in letter.body
    assert "Sut: Ymweliad â'ch cartref" in letter.body
    assert "Ble: Yn eich cartref" in letter.body
    assert letter.body.endswith("Yn gywir,")
    assert letter.signed_by_role == "Cydlynydd cyswllt"
    assert "Ffôn: 01686 412345" in letter.letterhead


def test_a_manager_at_the_site_may_write_and_signs_as_manager(
    client_for, manager, coordinator_a, ann
):
    book(ann, coordinator_a)
    assert client_for(manager).get(write_url(ann, LetterKind.APPOINTMENT)).status_code == 200
    letter = make(ann, manager, LetterKind.NO_CONTACT)
    assert (letter.signed_by_name, letter.signed_by_role) == ("Sian Morgan", "Service manager")
    # The person's coordinator is still the one named in the letter.
    assert "Gareth Price" in letter.body


def test_without_a_letterhead_the_letter_carries_the_site_name_and_says_so(
    client_for, coordinator_a, ann
):
    page = client_for(coordinator_a).get(write_url(ann, LetterKind.NO_CONTACT))
    assert "has no letterhead yet" in page.content.decode()
    letter = make(ann, coordinator_a, LetterKind.NO_CONTACT)
    assert letter.letterhead == "Powys Rural"
    assert "the contact details at the top of this letter" in letter.body


def test_the_record_lists_letters_and_the_kinds_to_write(
    client_for, coordinator_a, ann, letterhead_a
):
    book(ann, coordinator_a)
    letter = make(ann, coordinator_a, LetterKind.NO_CONTACT)
    page = client_for(coordinator_a).get(reverse("casework:record", args=[ann.pk]))
    content = page.content.decode()
    assert 'id="letters"' in content
    assert reverse("letters:letter", args=[ann.pk, letter.pk]) in content
    assert reverse("letters:pdf", args=[ann.pk, letter.pk]) in content
    for kind in (LetterKind.APPOINTMENT, LetterKind.NO_CONTACT, LetterKind.REFERRER):
        assert write_url(ann, kind) in content
    assert write_url(ann, LetterKind.END_OF_SUPPORT) not in content
    assert "Support has not ended yet" in content


def test_a_letter_appears_on_the_timeline(client_for, coordinator_a, ann):
    make(ann, coordinator_a, LetterKind.NO_CONTACT, recipient_name="Ms A Jones")
    page = client_for(coordinator_a).get(reverse("casework:timeline", args=[ann.pk]))
    content = page.content.decode()
    assert "Letter made: We have been unable to contact you" in content
    assert "To Ms A Jones, in English" in content


def test_making_and_reading_letters_is_audited_in_words(
    client_for, coordinator_a, manager, ann, administrator
):
    letter = make(ann, coordinator_a, LetterKind.NO_CONTACT)
    created = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="letters.letter")
    assert created.user == coordinator_a
    assert created.person_id == ann.person_id
    assert created.object_id == str(letter.pk)
    assert "body" in created.fields and "recipient_address" in created.fields

    browser = client_for(manager)
    browser.get(write_url(ann, LetterKind.NO_CONTACT))  # a preview, nothing made
    browser.get(reverse("letters:letter", args=[ann.pk, letter.pk]))
    browser.get(reverse("letters:pdf", args=[ann.pk, letter.pk]))
    reads = AuditEvent.objects.filter(
        user=manager, action=AuditAction.VIEW, object_type="letters.letter"
    )
    assert sorted(reads.values_list("detail", flat=True)) == ["", "pdf"]
    assert set(reads.values_list("person_id", flat=True)) == {ann.person_id}

    lines = {line.detail for line in describe_all(list(AuditEvent.objects.all()))}
    assert "Downloaded as a PDF" in lines
    assert "We have been unable to contact you, in English" in lines
    assert "Previewed a letter, not made: We have been unable to contact you, in English" in lines
    # The administrator reads the same in the log itself.
    log = client_for(administrator).get(reverse("audit:log")).content.decode()
    assert "Downloaded as a PDF" in log


def test_a_kept_letter_cannot_be_changed(coordinator_a, ann):
    letter = make(ann, coordinator_a, LetterKind.NO_CONTACT)
    letter.body = "Something else"
    with pytest.raises(RuntimeError):
        letter.save()
    with pytest.raises(RuntimeError):
        Letter.objects.filter(pk=letter.pk).update(body="Something else")


def test_an_unknown_kind_of_letter_is_not_found(client_for, coordinator_a, ann):
    assert client_for(coordinator_a).get(write_url(ann, "ransom_note")).status_code == 404


@pytest.mark.parametrize("page", ["casework:record", "casework:timeline"])
def test_the_record_and_timeline_run_as_many_queries_with_many_letters_as_with_one(
    client_for, coordinator_a, ann, page
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    browser = client_for(coordinator_a)
    url = reverse(page, args=[ann.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert browser.get(url).status_code == 200
        return len(captured.captured_queries)

    make(ann, coordinator_a, LetterKind.NO_CONTACT)
    browser.get(url)
    one = queries()
    for _ in range(5):
        make(ann, coordinator_a, LetterKind.NO_CONTACT, language="cy")
    assert queries() == one
    assert browser.get(url).content.decode().count("We have been unable to contact you") >= 6

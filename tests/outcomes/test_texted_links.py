"""A questionnaire link sent by text message: only to someone who agreed to texts (asked on the
referral form, changed on the record), only to a UK mobile, in their language, through the
configured backend once the link is saved; and the record offers it only where it can go."""

import pytest
from django.urls import reverse

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.core import sms
from linkwork.outcomes.models import MeasureLink
from linkwork.referrals.models import Person
from tests.referrals.test_referral_journey import referral_form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.MemoryBackend.outbox.clear()


@pytest.fixture
def agrees(in_support, schedule_a):
    person = in_support.person
    person.texts_agreed = True
    person.phone = "+44 7700 900123"
    person.preferred_language = "cy"
    person.save()
    return in_support


def send_by_text(browser, referral, capture):
    with capture(execute=True):
        return browser.post(
            reverse("outcomes:measure_link", args=[referral.pk]),
            {"instrument": "swemwbs", "timepoint": "baseline", "by": "text"},
        )


def test_the_gp_referral_form_asks_and_records_agreement_to_texts(
    client_for, gp_referrer, pathway_a
):
    page = client_for(gp_referrer).get(reverse("referrals:refer")).content.decode()
    assert "They agree to be sent text messages by the service" in page
    client_for(gp_referrer).post(
        reverse("referrals:refer"), referral_form(pathway_a, texts_agreed="on")
    )
    assert Person.objects.get().texts_agreed is True


def test_a_link_is_texted_in_their_language_once_saved(
    client_for, coordinator_a, agrees, django_capture_on_commit_callbacks
):
    response = send_by_text(client_for(coordinator_a), agrees, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    content = response.content.decode()
    assert "We are sending the link by text message to +44 7700 900123." in content
    (text,) = sms.MemoryBackend.outbox
    link = MeasureLink.objects.get()
    assert text["to"] == "07700900123"
    assert text["reference"] == f"measure-link-{link.pk}"
    assert text["message"].startswith(f"Helo {agrees.person.given_name}. ")  # in Welsh
    assert "holiadur byr" in text["message"]
    assert "https://linkwork.test/measures/questionnaire/" in text["message"]
    # The person's name is in the text to them; the reference that Notify keeps names no one.
    assert agrees.person.family_name not in text["reference"]


def test_no_text_to_someone_who_has_not_agreed(
    client_for, coordinator_a, in_support, schedule_a, django_capture_on_commit_callbacks
):
    response = send_by_text(
        client_for(coordinator_a), in_support, django_capture_on_commit_callbacks
    )
    assert response.status_code == 302  # back to the record, with the reason
    assert not sms.MemoryBackend.outbox
    assert not MeasureLink.objects.exists()  # nothing half-made


def test_no_text_to_a_landline(
    client_for, coordinator_a, agrees, django_capture_on_commit_callbacks
):
    Person.objects.filter(pk=agrees.person_id).update(phone="01686 412345")
    send_by_text(client_for(coordinator_a), agrees, django_capture_on_commit_callbacks)
    assert not sms.MemoryBackend.outbox
    assert not MeasureLink.objects.exists()


def test_the_record_offers_a_text_only_where_one_can_go(
    client_for, coordinator_a, agrees, settings
):
    url = reverse("casework:record", args=[agrees.pk])
    assert "Send a link by text message" in client_for(coordinator_a).get(url).content.decode()
    settings.SMS_BACKEND = ""  # texts off in this installation
    assert "Send a link by text message" not in client_for(coordinator_a).get(url).content.decode()


def test_agreement_is_changed_on_the_record_and_audited(client_for, coordinator_a, agrees):
    browser = client_for(coordinator_a)
    response = browser.post(reverse("casework:texts", args=[agrees.pk]), {"agreed": "no"})
    assert response.status_code == 302
    assert Person.objects.get(pk=agrees.person_id).texts_agreed is False
    line = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_type="referrals.person")
    assert line.get().fields == ["texts_agreed"]
    content = browser.get(reverse("casework:record", args=[agrees.pk])).content.decode()
    assert "Send a link by text message" not in content
    assert "Record that they agree to texts" in content


@pytest.mark.parametrize("who", ["coordinator_b", "gp_referrer", "researcher", "manager_b"])
def test_no_one_else_can_change_it(client_for, request, agrees, who):
    browser = client_for(request.getfixturevalue(who))
    response = browser.post(reverse("casework:texts", args=[agrees.pk]), {"agreed": "no"})
    assert response.status_code in (403, 404)
    assert Person.objects.get(pk=agrees.person_id).texts_agreed is True


@pytest.mark.parametrize(
    ("phone", "mobile"),
    [
        ("07700 900123", "07700900123"),
        ("+44 (0)7700 900123", "07700900123"),
        ("0044 7700 900123", "07700900123"),
        ("01686 412345", ""),
        ("0770090012", ""),
        ("", ""),
    ],
)
def test_only_uk_mobiles(phone, mobile):
    assert sms.uk_mobile(phone) == mobile

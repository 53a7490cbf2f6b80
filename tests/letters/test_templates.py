"""Managers change the wording of letters and the letterheads; the placeholders are checked;
every change is audited; coordinators may not."""

import pytest
from django.urls import reverse

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.audit.presenters import describe_all
from linkwork.letters.models import Letterhead, LetterKind, LetterTemplate

from .conftest import make

pytestmark = pytest.mark.django_db

URL = reverse("letters:template", args=[LetterKind.NO_CONTACT, "en"])


def test_the_default_wording_is_there_in_both_languages():
    saved = {(t.kind, t.language) for t in LetterTemplate.objects.all()}
    assert saved == {(kind, language) for kind in LetterKind.values for language in ("en", "cy")}
    welsh = LetterTemplate.objects.get(kind=LetterKind.END_OF_SUPPORT, language="cy")
    assert welsh.body.startswith("Annwyl {first_name},")
    assert welsh.body.endswith("Yn gywir,")


def test_the_settings_page_lists_the_wording_and_letterheads(client_for, manager, letterhead_a):
    page = client_for(manager).get(reverse("letters:settings"))
    assert page.status_code == 200
    content = page.content.decode()
    for kind in LetterKind.values:
        for language in ("en", "cy"):
            assert reverse("letters:template", args=[kind, language]) in content
    assert "Canolfan y Dref" in content
    assert reverse("letters:letterhead", args=[letterhead_a.site_id]) in content


def test_a_manager_changes_the_wording_and_new_letters_use_it(
    client_for, manager, coordinator_a, ann
):
    old = make(ann, coordinator_a, LetterKind.NO_CONTACT)
    page = client_for(manager).get(URL)
    assert page.status_code == 200
    assert "{reply_by}" in page.content.decode()  # the placeholders this kind has
    assert "{appointment_date}" not in page.content.decode()  # ...and not another kind's

    response = client_for(manager).post(
        URL, {"subject": "Are you there, {first_name}?", "body": "Hello {first_name}.\n\nBye,"}
    )
    assert response.status_code == 302
    template = LetterTemplate.objects.get(kind=LetterKind.NO_CONTACT, language="en")
    assert template.updated_by == manager
    new = make(ann, coordinator_a, LetterKind.NO_CONTACT)
    assert (new.subject, new.body) == ("Are you there, Ann?", "Hello Ann.\n\nBye,")
    old.refresh_from_db()
    assert old.subject == "We have been trying to contact you"  # letters made keep their words

    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="letters.lettertemplate")
    assert event.user == manager
    assert sorted(event.fields) == ["body", "subject"]
    (line,) = describe_all([event])
    assert line.detail == "We have been unable to contact you, in English"
    assert "heading" in line.what and "wording" in line.what


def test_an_unknown_placeholder_is_refused_by_name_and_what_was_typed_is_kept(client_for, manager):
    typed_body = "Dear {first_name} {surname},\n\nCall {service_phone} or {mobile}.\n\nBye,"
    response = client_for(manager).post(URL, {"subject": "Hello {nickname}", "body": typed_body})
    assert response.status_code == 200
    content = response.content.decode()
    assert "{surname}, {mobile} are not placeholders this letter has" in content
    assert "{nickname} is not a placeholder this letter has" in content
    assert "There is a problem" in content
    form = response.context["form"]
    assert form["body"].value() == typed_body
    assert form["subject"].value() == "Hello {nickname}"
    # The page still lists the placeholders there are.
    assert "{first_name}" in content and "{reply_by}" in content
    template = LetterTemplate.objects.get(kind=LetterKind.NO_CONTACT, language="en")
    assert "{surname}" not in template.body
    assert not AuditEvent.objects.filter(object_type="letters.lettertemplate").exists()


def test_another_kinds_placeholder_is_unknown_here(client_for, manager):
    response = client_for(manager).post(
        URL, {"subject": "Hello", "body": "See you on {appointment_date}."}
    )
    assert "{appointment_date} is not a placeholder this letter has" in response.content.decode()


@pytest.mark.parametrize("body", ["Dear {{first_name}},", "Dear {first_name,", "Dear first_name}"])
def test_braces_are_only_for_placeholders(client_for, manager, body):
    response = client_for(manager).post(URL, {"subject": "Hello", "body": body})
    assert response.status_code == 200
    assert "Use braces only around a placeholder" in response.content.decode()


def test_an_administrator_may_change_the_wording(client_for, administrator):
    response = client_for(administrator).post(
        reverse("letters:template", args=[LetterKind.END_OF_SUPPORT, "cy"]),
        {"subject": "Diwedd eich cymorth", "body": "Annwyl {first_name},\n\nYn gywir,"},
    )
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["coordinator_a", "gp_referrer", "researcher", "outsider"])
def test_only_managers_and_administrators_may_change_the_wording(client_for, request, who):
    browser = client_for(request.getfixturevalue(who))
    before = list(LetterTemplate.objects.values_list("subject", "body"))
    assert browser.get(reverse("letters:settings")).status_code == 403
    assert browser.get(URL).status_code == 403
    response = browser.post(URL, {"subject": "Hacked", "body": "Hacked {first_name}"})
    assert response.status_code == 403
    assert list(LetterTemplate.objects.values_list("subject", "body")) == before


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.post(URL, {"subject": "Hacked", "body": "Hacked"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_manager_sets_their_sites_letterhead(client_for, manager, site_a):
    url = reverse("letters:letterhead", args=[site_a.pk])
    response = client_for(manager).post(
        url,
        {
            "service_name": "Cyswllt Cymunedol Powys",
            "address": "Canolfan y Dref\nLlanidloes",
            "phone": "01686 412345",
            "email": "",
        },
    )
    assert response.status_code == 302
    head = Letterhead.objects.get(site=site_a)
    assert head.phone == "01686 412345"
    assert AuditEvent.objects.filter(
        user=manager, action=AuditAction.CREATE, object_type="letters.letterhead"
    ).exists()


def test_a_letterhead_form_that_fails_keeps_what_was_typed(client_for, manager, site_a):
    url = reverse("letters:letterhead", args=[site_a.pk])
    response = client_for(manager).post(
        url, {"service_name": "Cyswllt", "address": "", "phone": "01686", "email": "not-an-email"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.keys() == {"address", "email"}
    assert form["phone"].value() == "01686"
    assert not Letterhead.objects.exists()


def test_a_manager_may_not_set_another_sites_letterhead(client_for, manager, manager_b, site_b):
    url = reverse("letters:letterhead", args=[site_b.pk])
    data = {"service_name": "Hijacked", "address": "Elsewhere", "phone": "", "email": ""}
    assert client_for(manager).get(url).status_code == 404
    assert client_for(manager).post(url, data).status_code == 404
    assert not Letterhead.objects.exists()
    assert client_for(manager_b).get(url).status_code == 200

"""The whole loop through the test client: a coordinator refers someone on, the service opens
the emailed link without an account, accepts, and later reports the outcome."""

import datetime
import re

import pytest
from django.core import mail
from django.db.models import QuerySet
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from linkwork.audit.models import AuditEvent
from linkwork.prescriptions import tokens
from linkwork.prescriptions.models import PrescriptionUpdate, ServiceLink, SocialPrescription
from linkwork.prescriptions.status import PrescriptionStatus

from .conftest import PERSONAL, link_in

P = PrescriptionStatus

pytestmark = pytest.mark.django_db


def test_the_whole_loop(
    client, client_for, angharad, coordinator_a, walking_group, django_capture_on_commit_callbacks
):
    staff = client_for(coordinator_a)
    form = staff.get(
        reverse("prescriptions:new", args=[angharad.pk]) + f"?service={walking_group.pk}"
    )
    assert form.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("prescriptions:new", args=[angharad.pk]),
            {
                "service": walking_group.pk,
                "asked_for": "A place on the Tuesday walk; would like to start slowly.",
                "accompany_first_visit": "yes",
                "send": "yes",
            },
        )
    prescription = SocialPrescription.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "prescriptions:detail", args=[angharad.pk, prescription.pk]
    )
    assert prescription.status == P.SENT
    assert prescription.accompany_first_visit
    [email] = mail.outbox
    respond_path = link_in(email.body)

    # The service opens the link: no account needed.
    page = client.get(respond_path)
    assert page.status_code == 200
    content = page.content.decode()
    assert "A place on the Tuesday walk" in content
    assert "The link coordinator will contact you to arrange." in content
    assert "Gareth" in content and coordinator_a.email in content
    assert "come with them to the first visit" in content

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(respond_path, {"decision": "accept"})
    assert done.status_code == 200
    outcome_path = link_in(done.content.decode())  # shown on the confirmation page...
    assert link_in(mail.outbox[-1].body) == outcome_path  # ...and emailed
    assert len(mail.outbox) == 2
    # The respond link is spent.
    assert client.get(respond_path).status_code == 410

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(outcome_path, {"outcome": P.ATTENDING, "note": "Attended 4 sessions"})
    assert done.status_code == 200
    next_path = link_in(done.content.decode())
    done = client.post(next_path, {"outcome": P.COMPLETED, "note": "Debt write-off agreed"})
    assert done.status_code == 200
    assert "Tell us how it goes" not in done.content.decode()  # nothing more to report

    # The coordinator sees every step, and who made it.
    prescription.refresh_from_db()
    assert prescription.status == P.COMPLETED
    detail = staff.get(reverse("prescriptions:detail", args=[angharad.pk, prescription.pk]))
    content = detail.content.decode()
    for text in ("Accepted by service", "Attended 4 sessions", "Debt write-off agreed"):
        assert text in content
    assert "through their link" in content
    listing = staff.get(reverse("prescriptions:list", args=[angharad.pk]))
    assert "Completed" in listing.content.decode()
    assert "by the service" in listing.content.decode()
    # The service's reads and answers are in the audit log, attributed to no user.
    details = set(
        AuditEvent.objects.filter(user=None, person_id=angharad.person_id).values_list(
            "detail", flat=True
        )
    )
    assert "service link opened" in details
    assert any("service link used" in d for d in details)


def test_nothing_about_the_person_is_shown_without_consent(client, sent):
    _prescription, path = sent
    content = client.get(path).content.decode()
    for secret in PERSONAL:
        assert secret not in content
    assert "The link coordinator will contact you to arrange." in content
    for secret in PERSONAL:
        assert secret not in mail.outbox[-1].body


def test_with_consent_the_service_sees_the_first_name_and_contact_details(
    client, angharad, coordinator_a, walking_group, django_capture_on_commit_callbacks
):
    from linkwork.prescriptions import actions

    with django_capture_on_commit_callbacks(execute=True):
        actions.make_prescription(
            angharad,
            by=coordinator_a,
            service=walking_group,
            asked_for="A walk",
            share_contact_details=True,
            send=True,
        )
    content = client.get(link_in(mail.outbox[-1].body)).content.decode()
    assert "Angharad" in content
    assert "07700 900456" in content
    assert "angharad.pritchard@example.com" in content
    assert "Pritchard" not in content.replace("angharad.pritchard@", "")  # first name only
    assert angharad.person.nhs_number not in content


# --- Refused links --------------------------------------------------------------------------


def _snapshot():
    return (
        sorted(SocialPrescription.objects.values_list("pk", "status")),
        PrescriptionUpdate.objects.count(),
        sorted(ServiceLink.objects.values_list("pk", "used_at", "revoked_at")),
    )


def _assert_refused(response, status, heading):
    assert response.status_code == status
    content = response.content.decode()
    assert heading in content
    assert "contact" in content.lower()
    for secret in (*PERSONAL, "Tuesday walk"):
        assert secret not in content
    assert '<form method="post" novalidate>' not in content


def _tampered(path: str) -> str:
    signed = path.rstrip("/").rsplit("/", 1)[1]
    value, signature = signed.rsplit(":", 1)
    swapped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return reverse("prescriptions:service_link", args=[f"{value}:{swapped}"])


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_refused_before_any_lookup(
    client, sent, method, django_assert_num_queries
):
    _prescription, path = sent
    before = _snapshot()
    data = {"decision": "accept"} if method == "post" else None
    bad = _tampered(path)
    with django_assert_num_queries(0):
        response = getattr(client, method)(bad, data)
    _assert_refused(response, 404, "This link does not work")
    assert _snapshot() == before


def test_a_link_signed_for_someone_else_is_refused(client, sent):
    prescription, path = sent
    link = prescription.links.get()
    # A real signature over a made-up token for this link, and over a link that does not exist.
    for link_id, token in ((link.pk, tokens.new_token()), (link.pk + 1000, tokens.new_token())):
        url = reverse("prescriptions:service_link", args=[tokens.sign(link_id, token)])
        _assert_refused(client.get(url), 404, "This link does not work")
        _assert_refused(client.post(url, {"decision": "accept"}), 404, "This link does not work")
    assert prescription.links.get().state() == "open"


def test_a_used_link_is_refused(client, sent):
    prescription, path = sent
    assert client.post(path, {"decision": "accept"}).status_code == 200
    before = _snapshot()
    _assert_refused(client.get(path), 410, "This link has already been used")
    response = client.post(path, {"decision": "decline", "reason": "Changed our minds"})
    _assert_refused(response, 410, "This link has already been used")
    assert "Gareth" in response.content.decode()  # who to contact instead
    assert _snapshot() == before
    prescription.refresh_from_db()
    assert prescription.status == P.ACCEPTED


def test_an_expired_link_is_refused(client, sent):
    prescription, path = sent
    past = timezone.now() - datetime.timedelta(days=1)
    QuerySet(ServiceLink).filter(prescription=prescription).update(
        created_at=past - datetime.timedelta(days=30), expires_at=past
    )
    before = _snapshot()
    _assert_refused(client.get(path), 410, "This link has expired")
    _assert_refused(client.post(path, {"decision": "accept"}), 410, "This link has expired")
    assert _snapshot() == before


def test_a_withdrawn_link_is_refused(client, client_for, sent, coordinator_a):
    prescription, path = sent
    link = prescription.links.get()
    response = client_for(coordinator_a).post(
        reverse(
            "prescriptions:revoke_link", args=[prescription.referral_id, prescription.pk, link.pk]
        )
    )
    assert response.status_code == 302
    before = _snapshot()
    _assert_refused(client.get(path), 410, "This link has been withdrawn")
    _assert_refused(client.post(path, {"decision": "accept"}), 410, "This link has been withdrawn")
    assert _snapshot() == before


def test_a_new_link_replaces_the_emailed_one(
    client, client_for, sent, coordinator_a, django_capture_on_commit_callbacks
):
    prescription, old_path = sent
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator_a).post(
            reverse("prescriptions:new_link", args=[prescription.referral_id, prescription.pk])
        )
    assert response.status_code == 302
    new_path = link_in(mail.outbox[-1].body)
    assert new_path != old_path
    assert client.get(old_path).status_code == 410
    assert client.get(new_path).status_code == 200


@override_settings(SERVICE_LINK_RATE="2/h")
def test_public_posts_are_rate_limited(client, sent):
    _prescription, path = sent
    for _ in range(2):
        assert client.post(path, {"decision": "decline"}).status_code == 200  # invalid form
    assert client.post(path, {"decision": "accept"}).status_code == 429


# --- Forms keep what was typed ----------------------------------------------------------------


def test_the_respond_form_keeps_what_was_typed(client, sent):
    prescription, path = sent
    response = client.post(path, {"decision": "decline", "reason": "   "})
    assert response.status_code == 200
    form = response.context["form"]
    assert "reason" in form.errors
    assert re.search(r'<input[^>]*value="decline"[^>]*checked', response.content.decode())
    assert prescription.links.get().state() == "open"


def test_the_outcome_form_keeps_what_was_typed(client, sent):
    prescription, path = sent
    done = client.post(path, {"decision": "accept"})
    outcome_path = link_in(done.content.decode())
    response = client.post(outcome_path, {"note": "Came to two sessions"})
    assert response.status_code == 200
    assert "outcome" in response.context["form"].errors
    assert "Came to two sessions" in response.content.decode()


def test_the_prescription_form_keeps_what_was_typed(client_for, angharad, coordinator_a):
    response = client_for(coordinator_a).post(
        reverse("prescriptions:new", args=[angharad.pk]),
        {"asked_for": "Help with a housing letter", "accompany_first_visit": "yes"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"service", "send"} <= set(form.errors)
    content = response.content.decode()
    assert "Help with a housing letter" in content
    assert "govuk-error-summary" in content
    assert not SocialPrescription.objects.exists()


def test_the_status_form_keeps_what_was_typed(client_for, sent, coordinator_a):
    prescription, _path = sent
    response = client_for(coordinator_a).post(
        reverse("prescriptions:update", args=[prescription.referral_id, prescription.pk]),
        {"status": P.COMPLETED, "note": "Phoned the group"},
    )
    assert response.status_code == 200
    assert "status" in response.context["form"].errors  # not a move from "sent"
    assert "Phoned the group" in response.content.decode()


def test_a_status_update_by_the_coordinator(client_for, sent, coordinator_a):
    prescription, _path = sent
    url = reverse("prescriptions:update", args=[prescription.referral_id, prescription.pk])
    response = client_for(coordinator_a).post(
        url, {"status": P.ACCEPTED, "note": "They phoned to say yes"}
    )
    assert response.status_code == 302
    prescription.refresh_from_db()
    assert prescription.status == P.ACCEPTED
    assert prescription.updates.last().note == "They phoned to say yes"
    assert prescription.updates.last().by == coordinator_a

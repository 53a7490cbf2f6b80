"""Making, sending and answering social prescriptions through the actions."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from linkwork.audit.models import AuditEvent
from linkwork.core.errors import ActionRefused
from linkwork.prescriptions import actions, tokens
from linkwork.prescriptions.models import (
    PrescriptionUpdate,
    ServiceLink,
    SocialPrescription,
)
from linkwork.prescriptions.status import PrescriptionStatus
from linkwork.referrals.status import ReferralStatus
from tests.factories import make_referral

from .conftest import PERSONAL, link_in

P = PrescriptionStatus

pytestmark = pytest.mark.django_db


def make(referral, by, service, **kwargs):
    kwargs.setdefault("asked_for", "A place on the Tuesday walk.")
    return actions.make_prescription(referral, by=by, service=service, **kwargs)


def test_a_suggestion_is_recorded_with_its_history_and_audited_by_field_name(
    angharad, coordinator_a, walking_group
):
    prescription = make(angharad, coordinator_a, walking_group, accompany_first_visit=True)
    assert prescription.status == P.SUGGESTED
    assert not prescription.share_contact_details  # nothing shared unless the person agreed
    assert [u.to_status for u in prescription.updates.all()] == [P.SUGGESTED]
    assert not prescription.links.exists()
    event = AuditEvent.objects.get(object_type="prescriptions.socialprescription")
    assert event.user == coordinator_a
    assert event.person_id == angharad.person_id
    assert "asked_for" in event.fields
    assert "Tuesday" not in event.detail


def test_sending_issues_a_respond_link_and_emails_it_after_the_commit(
    angharad, coordinator_a, walking_group, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        prescription = make(angharad, coordinator_a, walking_group, send=True)
    assert not mail.outbox  # nothing goes before the commit
    for callback in callbacks:
        callback()
    assert prescription.status == P.SENT
    link = ServiceLink.objects.get(prescription=prescription)
    assert link.purpose == "respond"
    assert link.state() == "open"
    assert link.expires_at - link.created_at == datetime.timedelta(days=actions.link_days())
    [email] = mail.outbox
    assert email.to == ["walks@ramblers.example.org"]
    path = link_in(email.body)
    signed = prescription.new_link.signed
    assert path.endswith(f"/{signed}/")
    # Only a hash of the token is stored.
    link_id, token = tokens.unsign(signed)
    assert link_id == link.pk
    assert link.token_hash == tokens.hash_token(token) != token


def test_the_email_never_names_the_person(
    angharad, coordinator_a, walking_group, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make(angharad, coordinator_a, walking_group, send=True, share_contact_details=True)
        make(angharad, coordinator_a, walking_group, send=True, share_contact_details=False)
    assert len(mail.outbox) == 2
    for email in mail.outbox:
        for secret in PERSONAL:
            assert secret not in email.body
            assert secret not in email.subject
        assert "Gareth" in email.body  # the coordinator's first name
        assert "Price" not in email.body


def test_a_closed_service_cannot_be_chosen(angharad, coordinator_a, library_group):
    with pytest.raises(ActionRefused) as refusal:
        make(angharad, coordinator_a, library_group)
    assert refusal.value.field == "service"
    assert "Closed for good" in refusal.value.message
    assert not SocialPrescription.objects.exists()


def test_a_service_must_serve_the_persons_site(angharad, coordinator_a, rhondda_only):
    with pytest.raises(ActionRefused) as refusal:
        make(angharad, coordinator_a, rhondda_only)
    assert refusal.value.field == "service"
    assert not SocialPrescription.objects.exists()


def test_only_people_on_a_caseload_get_social_prescriptions(
    pathway_a, gp_referrer, manager, walking_group
):
    waiting = make_referral(ReferralStatus.WAITING, pathway=pathway_a, by=gp_referrer)
    with pytest.raises(ActionRefused):
        make(waiting, manager, walking_group)


def test_what_is_asked_for_is_required(angharad, coordinator_a, walking_group):
    with pytest.raises(ActionRefused) as refusal:
        make(angharad, coordinator_a, walking_group, asked_for="   ")
    assert refusal.value.field == "asked_for"


def test_a_service_that_closed_after_the_suggestion_cannot_be_sent_to(
    angharad, coordinator_a, walking_group
):
    prescription = make(angharad, coordinator_a, walking_group)
    walking_group.availability = "closed"
    walking_group.save()
    with pytest.raises(ActionRefused):
        actions.change_status(prescription, by=coordinator_a, to_status=P.SENT)
    prescription.refresh_from_db()
    assert prescription.status == P.SUGGESTED


def test_moves_outside_the_table_are_refused(angharad, coordinator_a, walking_group):
    prescription = make(angharad, coordinator_a, walking_group)
    with pytest.raises(ActionRefused):
        actions.change_status(prescription, by=coordinator_a, to_status=P.COMPLETED)
    assert prescription.updates.count() == 1


def test_accepting_spends_the_link_and_issues_an_outcome_link(sent):
    prescription, _path = sent
    respond = prescription.links.get()
    outcome = actions.respond_through_link(respond, accept=True)
    respond.refresh_from_db()
    assert respond.state() == "used"
    assert outcome.purpose == "outcome" and outcome.state() == "open"
    prescription.refresh_from_db()
    assert prescription.status == P.ACCEPTED
    update = prescription.updates.last()
    assert update.by is None and update.via_link == respond
    event = AuditEvent.objects.filter(user=None).latest("pk")
    assert "service link used" in event.detail


def test_declining_needs_a_reason_and_ends_the_prescription(sent):
    prescription, _path = sent
    link = prescription.links.get()
    with pytest.raises(ActionRefused):
        actions.respond_through_link(link, accept=False, reason=" ")
    link.refresh_from_db()
    assert link.state() == "open"
    assert actions.respond_through_link(link, accept=False, reason="Full until March") is None
    prescription.refresh_from_db()
    assert prescription.status == P.DECLINED_BY_SERVICE
    assert prescription.updates.last().note == "Full until March"
    assert not prescription.links.open().exists()


def test_attending_asks_again_later_and_completion_closes_the_loop(sent):
    prescription, _path = sent
    outcome = actions.respond_through_link(prescription.links.get(), accept=True)
    again = actions.record_outcome_through_link(
        outcome, outcome=P.ATTENDING, note="Attended 4 sessions"
    )
    assert again is not None and again.purpose == "outcome"
    assert actions.record_outcome_through_link(again, outcome=P.COMPLETED, note="Done") is None
    prescription.refresh_from_db()
    assert prescription.status == P.COMPLETED
    assert [u.to_status for u in prescription.updates.all()] == [
        P.SUGGESTED,
        P.SENT,
        P.ACCEPTED,
        P.ATTENDING,
        P.COMPLETED,
    ]
    assert not prescription.links.open().exists()


def test_a_link_cannot_be_used_twice_or_for_the_other_purpose(sent):
    prescription, _path = sent
    respond = prescription.links.get()
    outcome = actions.respond_through_link(respond, accept=True)
    with pytest.raises(actions.LinkRefused) as refusal:
        actions.respond_through_link(respond, accept=True)
    assert refusal.value.reason == "used"
    with pytest.raises(actions.LinkRefused):
        actions.respond_through_link(outcome, accept=False, reason="x")


def test_an_ending_recorded_by_the_coordinator_withdraws_the_open_link(sent, coordinator_a):
    prescription, _path = sent
    actions.change_status(
        prescription, by=coordinator_a, to_status=P.DECLINED_BY_PERSON, note="Changed her mind"
    )
    assert prescription.links.get().state() == "revoked"


def test_a_new_link_replaces_the_old_one(sent, coordinator_a, django_capture_on_commit_callbacks):
    prescription, _path = sent
    old = prescription.links.get()
    with django_capture_on_commit_callbacks(execute=True):
        new = actions.send_new_link(prescription, by=coordinator_a)
    old.refresh_from_db()
    assert old.state() == "revoked"
    assert new.state() == "open" and new.purpose == "respond"
    assert len(mail.outbox) == 2


def test_revoking_a_link(sent, coordinator_a):
    prescription, _path = sent
    link = actions.revoke_link(prescription.links.get(), by=coordinator_a)
    assert link.state() == "revoked"
    with pytest.raises(ActionRefused):
        actions.revoke_link(link, by=coordinator_a)


def test_a_service_without_email_is_sent_to_by_phone(
    angharad, coordinator_a, phone_only, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        prescription = make(angharad, coordinator_a, phone_only, send=True)
    assert prescription.status == P.SENT
    assert prescription.new_link is None
    assert not mail.outbox
    with pytest.raises(ActionRefused):
        actions.send_new_link(prescription, by=coordinator_a)
    actions.change_status(prescription, by=coordinator_a, to_status=P.ACCEPTED, note="By phone")


def test_the_history_is_append_only(sent):
    prescription, _path = sent
    update = prescription.updates.first()
    update.note = "rewritten"
    with pytest.raises(RuntimeError):
        update.save()
    with pytest.raises(RuntimeError):
        update.delete()
    with pytest.raises(RuntimeError):
        PrescriptionUpdate.objects.filter(prescription=prescription).update(note="x")


def test_an_expired_link_cannot_be_used(sent):
    prescription, _path = sent
    link = prescription.links.get()
    later = timezone.now() + datetime.timedelta(days=actions.link_days() + 1)
    with pytest.raises(actions.LinkRefused) as refusal:
        actions.respond_through_link(link, accept=True, now=later)
    assert refusal.value.reason == "expired"

"""Referrers are told when their referral is accepted, declined or allocated, and when support
ends: by email and in Linkwork, only where the person agreed to feedback being shared."""

import datetime
import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.messaging import sweeps
from linkwork.messaging.models import MAX_ATTEMPTS, Event, ReferrerMessage
from linkwork.messaging.referrer import deliver, tell_referrer
from linkwork.messaging.tasks import send_referrer_message
from linkwork.referrals import actions
from linkwork.referrals.status import DeclineReason, ReferralStatus
from tests.factories import CoordinatorFactory, allocate, make_referral

S = ReferralStatus

pytestmark = pytest.mark.django_db

INTERNAL_NOTE = "Internal: lives with a controlling partner"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what an action queues for after its commit (the test itself never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def received(pathway_a, gp_referrer, manager):
    return make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer, staff=manager)


def only_message(referral) -> ReferrerMessage:
    messages = list(ReferrerMessage.objects.filter(referral=referral))
    assert len(messages) == 1
    return messages[0]


# --- Accepted, declined, allocated ------------------------------------------------------------


def test_accepting_tells_the_gp_in_a_few_lines(received, manager, gp_referrer, committed):
    with committed():
        actions.accept_referral(
            received,
            by=manager,
            priority="routine",
            note=INTERNAL_NOTE,
            message="She starts on Monday.",
        )

    message = only_message(received)
    assert message.event == Event.ACCEPTED
    assert message.subject == f"Referral {received.reference} accepted"
    assert f"Referral {received.reference} has been accepted." in message.body
    assert received.person.full_name in message.body
    assert "Loneliness or isolation" in message.body  # needs and concerns
    assert "waiting list" in message.body
    assert "She starts on Monday." in message.body
    assert f"https://linkwork.test/referrals/{received.pk}/" in message.body
    assert INTERNAL_NOTE not in message.body
    assert len(message.body.splitlines()) < 20

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [gp_referrer.email]
    assert email.subject == message.subject
    assert email.body == message.body
    assert email.from_email == "Linkwork <linkwork@linkwork.test>"
    message.refresh_from_db()
    assert message.sent_at is not None
    assert message.delivery == "sent"


def test_declining_tells_the_gp_the_reason(received, manager, gp_referrer, committed):
    with committed():
        actions.decline_referral(
            received,
            by=manager,
            reason=DeclineReason.NEEDS_ABOVE_REMIT,
            redirected_to="Community Mental Health Team",
            note=INTERNAL_NOTE,
            message="Her needs are beyond what we can offer.",
        )

    message = only_message(received)
    assert message.event == Event.DECLINED
    assert f"Referral {received.reference} has not been accepted." in message.body
    assert f"Reason: {DeclineReason.NEEDS_ABOVE_REMIT.label}" in message.body
    assert "We have suggested Community Mental Health Team instead." in message.body
    assert "Her needs are beyond what we can offer." in message.body
    assert INTERNAL_NOTE not in message.body
    assert [email.to for email in mail.outbox] == [[gp_referrer.email]]
    assert str(DeclineReason.NEEDS_ABOVE_REMIT.label) in mail.outbox[0].body


def test_allocating_tells_the_gp_without_naming_the_coordinator(
    pathway_a, gp_referrer, manager, coordinator_a, committed
):
    referral = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer, staff=manager)
    mail.outbox.clear()
    with committed():
        actions.allocate_referral(referral, coordinator=coordinator_a, by=manager, note="Note")

    message = ReferrerMessage.objects.get(referral=referral, event=Event.ALLOCATED)
    assert "a link coordinator has been allocated" in message.body
    assert "12 weeks" in message.body
    assert coordinator_a.get_full_name() not in message.body
    assert coordinator_a.first_name not in message.body
    assert [email.to for email in mail.outbox] == [[gp_referrer.email]]


def test_each_message_is_audited_without_personal_data(received, manager, committed):
    with committed():
        actions.accept_referral(received, by=manager, priority="routine")
    message = only_message(received)
    created = AuditEvent.objects.get(object_type="messaging.referrermessage", action="create")
    assert created.user == manager
    assert created.person_id == received.person_id
    assert created.object_id == str(message.pk)
    sent = AuditEvent.objects.get(object_type="messaging.referrermessage", action="change")
    assert sent.fields == ["sent_at"]
    for event in (created, sent):
        assert received.person.given_name not in event.detail
        assert "@" not in event.detail


def test_messages_never_carry_the_nhs_number(pathway_a, gp_referrer, manager, coordinator_a):
    referral = make_referral(S.ALLOCATED, pathway=pathway_a, by=gp_referrer, staff=manager)
    tell_referrer(referral, "closed", by=manager, extra={"reason": "Goals met"})
    assert referral.person.nhs_number
    for message in ReferrerMessage.objects.filter(referral=referral):
        assert referral.person.nhs_number not in message.body
        assert referral.person.nhs_number not in message.subject
        assert referral.person.phone not in message.body
        assert referral.person.postcode not in message.body


# --- Who is not told --------------------------------------------------------------------------


def test_without_consent_nothing_is_written_or_sent(pathway_a, gp_referrer, manager, committed):
    accepted = make_referral(
        S.RECEIVED, pathway=pathway_a, by=gp_referrer, consent_to_share_feedback=False
    )
    declined = make_referral(
        S.RECEIVED, pathway=pathway_a, by=gp_referrer, consent_to_share_feedback=False
    )
    with committed():
        actions.accept_referral(accepted, by=manager, priority="routine", message="Accepted.")
        actions.decline_referral(declined, by=manager, reason=DeclineReason.OUTSIDE_CRITERIA)
        allocate(accepted, by=manager)
        tell_referrer(accepted, "closed", by=manager, extra={"reason": "Goals met"})
    assert not ReferrerMessage.objects.exists()
    assert mail.outbox == []


def test_a_self_referral_has_no_referrer_to_tell(self_referral_pathway_b, manager_b, committed):
    referral = make_referral(S.RECEIVED, pathway=self_referral_pathway_b, self_referral=True)
    assert referral.referring_organisation is None
    with committed():
        actions.accept_referral(referral, by=manager_b, priority="routine")
        allocate(referral, by=manager_b)
    assert tell_referrer(referral, "closed", by=manager_b) is None
    assert not ReferrerMessage.objects.exists()
    assert mail.outbox == []


def test_re_allocation_tells_the_referrer_nothing(pathway_a, gp_referrer, manager, committed):
    referral = make_referral(S.ALLOCATED, pathway=pathway_a, by=gp_referrer, staff=manager)
    first = referral.allocations.get()
    mail.outbox.clear()
    with committed():
        allocate(referral, coordinator=CoordinatorFactory(sites=[referral.site]), replacing=first)
    assert ReferrerMessage.objects.filter(referral=referral, event=Event.ALLOCATED).count() == 1
    assert mail.outbox == []


def test_the_referrer_is_told_of_an_allocation_once_even_if_asked_twice(
    pathway_a, gp_referrer, manager
):
    referral = make_referral(S.ALLOCATED, pathway=pathway_a, by=gp_referrer, staff=manager)
    assert tell_referrer(referral, "allocated", by=manager) is None
    assert ReferrerMessage.objects.filter(referral=referral, event=Event.ALLOCATED).count() == 1


def test_a_phoned_in_referral_is_emailed_to_the_contact_given(
    pathway_a, gp_practice, manager, committed
):
    referral = actions.submit_referral(
        pathway=pathway_a,
        person={
            "given_name": "Mair",
            "family_name": "Example",
            "date_of_birth": datetime.date(1960, 5, 1),
        },
        details={"consent_to_referral": True, "consent_to_share_feedback": True},
        by=manager,
        organisation=gp_practice,
        received_via="phone",
        referrer_name="Dr Jones",
        referrer_contact="dr.jones@nhs.example",
    )
    with committed():
        actions.accept_referral(referral, by=manager, priority="routine")
    message = only_message(referral)
    assert message.recipient_email == "dr.jones@nhs.example"
    assert "See this referral in Linkwork" not in message.body  # they have no account
    assert [email.to for email in mail.outbox] == [["dr.jones@nhs.example"]]


def test_without_an_email_address_the_message_stays_in_linkwork(
    pathway_a, gp_practice, manager, committed
):
    # Recorded by staff from a phone call: no referring user, no email address.
    referral = make_referral(S.RECEIVED, pathway=pathway_a, organisation=gp_practice)
    with committed():
        actions.accept_referral(referral, by=manager, priority="routine")
    message = only_message(referral)
    assert message.recipient_email == ""
    assert message.delivery == "not_emailed"
    assert mail.outbox == []


# --- Sending: after commit, at most once, failures kept -------------------------------------


def test_nothing_is_sent_when_the_action_is_rolled_back(received, manager, committed):
    class Boom(Exception):
        pass

    with committed(), pytest.raises(Boom), transaction.atomic():
        actions.accept_referral(received, by=manager, priority="routine")
        raise Boom
    assert not ReferrerMessage.objects.exists()
    assert mail.outbox == []


def test_sending_twice_sends_one_email(received, manager, committed):
    with committed():
        actions.accept_referral(received, by=manager, priority="routine")
    message = only_message(received)
    assert deliver(message.pk) == "already sent"
    send_referrer_message.enqueue(message.pk)
    ReferrerMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - sweeps.RETRY_AFTER
    )
    assert sweeps.send_unsent_referrer_messages() == 0
    assert len(mail.outbox) == 1


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        address = email_messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({address: (550, b"No such user " + address.encode())})


FAILING = {"default": {"BACKEND": f"{__name__}.FailingBackend"}}


def test_a_failed_email_is_kept_flagged_and_retried_by_the_sweep(
    received, manager, gp_referrer, committed, caplog
):
    caplog.set_level(logging.INFO)
    with override_settings(MAILERS=FAILING), committed():
        actions.accept_referral(received, by=manager, priority="routine")

    message = only_message(received)
    assert message.sent_at is None
    assert message.failed_at is not None
    assert message.error == "SMTPRecipientsRefused"
    assert message.attempts == 1
    assert message.delivery == "sending"  # it will be tried again
    assert gp_referrer.email not in caplog.text
    assert received.person.full_name not in caplog.text

    # Too soon: the sweep leaves messages alone for a few minutes.
    assert sweeps.send_unsent_referrer_messages() == 0
    ReferrerMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - sweeps.RETRY_AFTER
    )
    assert sweeps.send_unsent_referrer_messages() == 1
    assert sweeps.send_unsent_referrer_messages() == 0
    assert [email.to for email in mail.outbox] == [[gp_referrer.email]]


def test_the_sweep_gives_up_after_a_few_attempts(received, manager, committed):
    with override_settings(MAILERS=FAILING):
        with committed():
            actions.accept_referral(received, by=manager, priority="routine")
        message = only_message(received)
        ReferrerMessage.objects.filter(pk=message.pk).update(
            created_at=timezone.now() - sweeps.RETRY_AFTER
        )
        for _ in range(MAX_ATTEMPTS + 2):
            sweeps.send_unsent_referrer_messages()
    message.refresh_from_db()
    assert message.attempts == MAX_ATTEMPTS
    assert message.delivery == "failed"
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE, object_id=str(message.pk))


# --- At closure -------------------------------------------------------------------------------

CLOSURE = {
    "reason": "Goals met",
    "summary": "Now goes to the walking group on her own.",
    "goals": [("Get out of the house twice a week", "Achieved"), ("Sort out my debts", "Partly")],
    "prescriptions": [("Llanidloes walking group", "Started"), ("Citizens Advice", "Seen")],
    "contact_count": 8,
    "weeks": 12,
}


def test_the_closure_message_has_the_prsb_headings_and_stays_short(
    pathway_a, gp_referrer, manager, committed
):
    referral = make_referral(S.ALLOCATED, pathway=pathway_a, by=gp_referrer, staff=manager)
    mail.outbox.clear()
    with committed():
        message = tell_referrer(referral, "closed", by=manager, extra=CLOSURE)

    body = message.body
    assert message.subject == f"Referral {referral.reference}: support has ended"
    for heading in (
        "Person:",
        "Reason for referral / needs:",
        "Support offered:",
        "Activities referred to:",
        "Outcomes:",
        "Reason for ending:",
    ):
        assert heading in body
    assert "8 contacts with a link coordinator over 12 weeks." in body
    assert "- Llanidloes walking group (Started)" in body
    assert "- Get out of the house twice a week: Achieved" in body
    assert "Reason for ending: Goals met" in body
    assert "Now goes to the walking group on her own." in body
    assert len(body.splitlines()) < 30
    assert [email.to for email in mail.outbox] == [[gp_referrer.email]]


def test_a_closure_message_with_little_recorded_still_reads(pathway_a, gp_referrer, manager):
    referral = make_referral(S.ALLOCATED, pathway=pathway_a, by=gp_referrer, staff=manager)
    body = tell_referrer(referral, "closed", by=manager, extra={"contact_count": 1}).body
    assert "1 contact with a link coordinator." in body
    assert "Activities referred to: none" in body
    assert "Outcomes: no goals were recorded" in body
    assert "Reason for ending: not recorded" in body


def test_a_reopened_and_closed_again_referral_is_told_again(pathway_a, gp_referrer, manager):
    referral = make_referral(S.ALLOCATED, pathway=pathway_a, by=gp_referrer, staff=manager)
    tell_referrer(referral, "closed", by=manager, extra=CLOSURE)
    tell_referrer(referral, "closed", by=manager, extra=CLOSURE)
    assert ReferrerMessage.objects.filter(referral=referral, event=Event.CLOSED).count() == 2


def test_an_unknown_event_is_a_programming_error(received, manager):
    with pytest.raises(ValueError):
        tell_referrer(received, "discharged", by=manager)


# --- On the person's timeline -----------------------------------------------------------------


def test_each_message_is_on_the_persons_timeline(
    pathway_a, gp_referrer, manager, coordinator_a, committed
):
    from linkwork.casework.timeline import timeline_for

    referral = make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer, staff=manager)
    with committed():
        actions.accept_referral(referral, by=manager, priority="routine")
        actions.allocate_referral(referral, coordinator=coordinator_a, by=manager)

    entries = [e for e in timeline_for(referral) if e.kind == "referrer_message"][::-1]
    assert [e.title for e in entries] == [
        "Referrer told: Accepted",
        "Referrer told: Allocated to a link coordinator",
    ]
    assert entries[0].who == manager.display_name
    # The timeline says it was sent; the message itself is on the referral page.
    assert entries[0].detail == f"Emailed to {gp_referrer.email}."

"""Chasing services that have not answered: once, idempotently, flagged to the coordinator."""

import datetime

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from linkwork.prescriptions import actions
from linkwork.prescriptions.models import ServiceLink
from linkwork.prescriptions.status import PrescriptionStatus

from .conftest import PERSONAL, link_in

P = PrescriptionStatus

pytestmark = pytest.mark.django_db


def days(n):
    return datetime.timedelta(days=n)


@override_settings(SERVICE_LINK_CHASE_DAYS=14, SERVICE_LINK_DAYS=30)
def test_a_link_unanswered_after_14_days_is_chased_once(sent, django_capture_on_commit_callbacks):
    prescription, _path = sent
    mail.outbox.clear()
    link = prescription.links.get()

    with django_capture_on_commit_callbacks(execute=True):
        assert actions.chase_unanswered_links(now=link.created_at + days(13)) == 0
    assert not mail.outbox

    later = link.created_at + days(14)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.chase_unanswered_links(now=later) == 1
        assert actions.chase_unanswered_links(now=later) == 0
        assert actions.chase_unanswered_links(now=later + days(15)) == 0
    [reminder] = mail.outbox
    assert "Reminder" in reminder.subject
    for secret in PERSONAL:
        assert secret not in reminder.body
    link.refresh_from_db()
    assert link.chased_at == later
    prescription.refresh_from_db()
    assert prescription.needs_attention_since == later
    assert prescription.links.filter(is_reminder=True).count() == 1


def test_chasing_uses_the_setting(sent):
    prescription, _path = sent
    created = prescription.links.get().created_at
    with override_settings(SERVICE_LINK_CHASE_DAYS=3):
        assert actions.chase_unanswered_links(now=created + days(3)) == 1


def test_answered_withdrawn_and_expired_links_are_not_chased(sent, coordinator_a):
    prescription, _path = sent
    link = prescription.links.get()
    actions.respond_through_link(link, accept=True)
    outcome = prescription.links.get(purpose="outcome")
    actions.revoke_link(outcome, by=coordinator_a)
    assert actions.chase_unanswered_links(now=timezone.now() + days(20)) == 0
    assert actions.chase_unanswered_links(now=timezone.now() + days(400)) == 0


def test_either_link_answers_after_a_chase_and_the_flag_clears(
    client, client_for, sent, coordinator_a, django_capture_on_commit_callbacks
):
    prescription, first_path = sent
    created = prescription.links.get().created_at
    # Back-date the link rather than the clock: the public page checks expiry against now.
    ServiceLink.objects.filter(prescription=prescription).update(
        created_at=created - days(actions.chase_days()),
        expires_at=created - days(actions.chase_days()) + days(actions.link_days()),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.chase_unanswered_links() == 1
    reminder_path = link_in(mail.outbox[-1].body)
    assert reminder_path != first_path

    listing = client_for(coordinator_a).get(
        reverse("prescriptions:list", args=[prescription.referral_id])
    )
    assert "Needs attention" in listing.content.decode()

    assert client.post(first_path, {"decision": "accept"}).status_code == 200
    assert client.get(reminder_path).status_code == 410  # one answer per prescription
    prescription.refresh_from_db()
    assert prescription.status == P.ACCEPTED
    assert not prescription.needs_attention
    listing = client_for(coordinator_a).get(
        reverse("prescriptions:list", args=[prescription.referral_id])
    )
    assert "Needs attention" not in listing.content.decode()


def _home_list(client_for, user) -> str:
    content = client_for(user).get(reverse("home")).content.decode()
    if 'id="prescriptions-needing-attention"' not in content:
        return ""
    part = content[content.index('id="prescriptions-needing-attention"') :]
    return part[: part.index("</ul>")]


@override_settings(SERVICE_LINK_CHASE_DAYS=14, SERVICE_LINK_DAYS=30)
def test_a_chased_prescription_is_on_its_coordinators_home_page_until_answered(
    sent, client_for, coordinator_a, coordinator_b, manager
):
    prescription, _path = sent
    assert _home_list(client_for, coordinator_a) == ""
    assert actions.chase_unanswered_links(now=prescription.links.get().created_at + days(14)) == 1

    listed = _home_list(client_for, coordinator_a)
    assert "Angharad Pritchard" in listed and prescription.service.name in listed
    assert reverse("prescriptions:detail", args=[prescription.referral_id, prescription.pk]) in (
        listed
    )
    # Nobody else's home page: another site's coordinator, or a manager.
    assert _home_list(client_for, coordinator_b) == ""
    assert "Angharad" not in _home_list(client_for, manager)

    # The service answers by phone: the coordinator records it, and it leaves the list.
    actions.change_status(prescription, by=coordinator_a, to_status=P.ACCEPTED)
    assert _home_list(client_for, coordinator_a) == ""

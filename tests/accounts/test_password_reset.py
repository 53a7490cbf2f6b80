"""Resetting a forgotten password by email: the same page whatever is typed (no account
enumeration), the email only to an active account's address, limited per address and per email
address, a link that works once and expires; after a reset every session ends, the password is
the owner's own, and the second factor still applies."""

import re
import time

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from linkwork.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

NEW = "kettle orchard lantern 42"


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """Ask for a reset link for `email`; the email (queued after the commit) is sent at once."""

    def asking(email: str, on: Client | None = None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return (on or client).post(reverse("password_reset"), {"email": email}, **extra)

    return asking


@pytest.fixture
def sian(manager):
    manager.email = "sian.morgan@example.org"
    manager.save()
    return manager


def link_in(message) -> str:
    (link,) = re.findall(r"https://linkwork\.test(/account/password-reset/\S+/)", message.body)
    return link


def test_the_sign_in_page_links_to_it(client):
    page = client.get(reverse("login")).content.decode()
    assert "Forgotten your password?" in page
    assert reverse("password_reset") in page
    assert client.get(reverse("password_reset")).status_code == 200


def test_the_same_page_whatever_is_typed_and_an_email_only_to_an_active_account(
    ask, sian, coordinator_a
):
    coordinator_a.email = "gone@example.org"
    coordinator_a.is_active = False
    coordinator_a.save()
    answers = [
        ask("SIAN.Morgan@example.org"),
        ask("nobody@example.org"),
        ask("gone@example.org"),
    ]
    assert {a.status_code for a in answers} == {302}
    assert {a["Location"] for a in answers} == {reverse("password_reset_done")}
    assert len(mail.outbox) == 1
    (message,) = mail.outbox
    assert message.to == ["sian.morgan@example.org"]
    assert message.subject == "Choose a new password for Linkwork"
    assert "Dear Sian," in message.body and "60 minutes" in message.body
    # The page after is the same for all three.
    sent = Client().get(reverse("password_reset_done")).content.decode()
    assert "If the address you entered belongs to a Linkwork account" in sent
    # Only the real account's link is in the audit log, without the address typed.
    (event,) = AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET_SENT)
    assert event.object_id == str(sian.pk) and "@" not in event.detail


def test_an_invalid_address_is_asked_again_with_what_was_typed(client):
    response = client.post(reverse("password_reset"), {"email": "not an address"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter an email address in the right format" in page
    assert 'value="not an address"' in page


def test_the_email_is_in_welsh_for_a_welsh_page(ask, sian):
    ask(sian.email, HTTP_ACCEPT_LANGUAGE="cy")
    (message,) = mail.outbox
    assert link_in(message)


def test_limited_per_email_address_without_saying_so(ask, sian, settings):
    settings.PASSWORD_RESET_RATE = "2/h"
    # From different addresses, the same account: the third gets the same page and no email.
    answers = [ask(sian.email, on=Client(REMOTE_ADDR=f"192.0.2.{n}")) for n in range(1, 4)]
    assert [a.status_code for a in answers] == [302, 302, 302]
    assert len(mail.outbox) == 2


def test_limited_per_client_address(ask, settings):
    settings.PASSWORD_RESET_RATE = "2/h"
    one_address = Client(REMOTE_ADDR="192.0.2.9")
    answers = [ask(f"someone{n}@example.org", on=one_address) for n in range(3)]
    assert [a.status_code for a in answers] == [302, 302, 429]


def test_the_link_sets_a_new_password_once_ends_every_session_and_is_audited(ask, sian):
    sian.must_change_password = True
    sian.save()
    elsewhere = Client()
    elsewhere.force_login(sian)
    assert elsewhere.get(reverse("home")).status_code == 302  # must change the password first

    ask(sian.email)
    link = link_in(mail.outbox[0])
    anonymous = Client()
    form = anonymous.get(link, follow=True)
    assert form.status_code == 200
    assert "Choose a new password" in form.content.decode()
    set_password_url = form.redirect_chain[-1][0]
    # The validators apply, and what was typed is refused with a reason.
    weak = anonymous.post(
        set_password_url, {"new_password1": "Powys2024", "new_password2": "Powys2024"}
    )
    assert weak.status_code == 200
    assert "does not rely on the name of the service" in weak.content.decode()

    done = anonymous.post(set_password_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    sian.refresh_from_db()
    assert sian.check_password(NEW)
    assert not sian.must_change_password
    # The session signed in elsewhere has ended (and any other the owner had, whatever Django's
    # own check of the password would make of it: the epoch was raised).
    assert sian.session_epoch == 1
    ended = elsewhere.get(reverse("home"))
    assert ended.status_code == 302 and ended["Location"].startswith(reverse("login"))
    # Not signed in by the reset.
    assert anonymous.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert AuditEvent.objects.filter(
        action=AuditAction.PASSWORD_RESET, object_id=str(sian.pk)
    ).exists()
    # The link works once.
    again = Client().get(link, follow=True).content.decode()
    assert "This link does not work" in again


def test_the_link_expires(ask, sian, settings):
    ask(sian.email)
    link = link_in(mail.outbox[0])
    with time_machine.travel(time.time() + settings.PASSWORD_RESET_TIMEOUT + 60):
        page = Client().get(link, follow=True).content.decode()
    assert "This link does not work" in page


def test_a_reset_does_not_skip_the_second_factor(ask, sian):
    device = TOTPDevice.objects.create(user=sian, name="Authenticator app")
    ask(sian.email)
    client = Client()
    form = client.get(link_in(mail.outbox[0]), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})

    client.post(reverse("login"), {"username": sian.username, "password": NEW})
    gated = client.get(reverse("home"))
    assert gated["Location"].startswith(reverse("two_factor_verify"))
    totp = TOTP(device.bin_key)
    client.post(reverse("two_factor_verify"), {"code": f"{totp.token():06d}"})
    assert client.get(reverse("home")).status_code == 200

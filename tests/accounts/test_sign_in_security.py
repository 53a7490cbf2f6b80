"""Password guessing is throttled (django-axes): per account and per address, on the sign-in page
and on Django admin, with a clear page, a cool-off, and unlocking by an administrator; every
sign-in, failure, sign-out and lock-out is in the audit log. Behind the installation's own proxy
the client's address comes from the header it names, and only then."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.core.client_ip import client_ip

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough demo password"
LIMIT = 5


@pytest.fixture
def manager_account(manager):
    manager.set_password(PASSWORD)
    manager.save()
    return manager


def sign_in(client, username, password, *, url=None, **extra):
    return client.post(
        url or reverse("login"), {"username": username, "password": password}, **extra
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_does_not_sign_in(manager_account):
    client = Client()
    for _ in range(LIMIT - 1):
        assert sign_in(client, manager_account.username, "wrong").status_code == 200
    locked = sign_in(client, manager_account.username, "wrong")
    assert locked.status_code == 429
    assert "Signing in is paused" in locked.content.decode()
    for _ in range(25):
        sign_in(client, manager_account.username, "wrong")
    right = sign_in(client, manager_account.username, PASSWORD)
    assert right.status_code == 429 and not signed_in(client)
    # The page says how long, and who can unlock; never whether the account exists.
    text = right.content.decode()
    assert "Try again in 15 minutes" in text and "administrator" in text

    failures = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED)
    assert failures.count() == LIMIT - 1
    assert set(failures.values_list("user", flat=True)) == {manager_account.pk}
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT, user=manager_account).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.SIGN_IN).exists()


def test_the_lock_lifts_after_the_cool_off_and_a_success_clears_the_count(manager_account):
    client = Client()
    for _ in range(LIMIT):
        sign_in(client, manager_account.username, "wrong")
    assert sign_in(client, manager_account.username, PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        assert sign_in(client, manager_account.username, PASSWORD).status_code == 302
        assert signed_in(client)
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN)
    assert event.user == manager_account and event.detail == "sign-in 127.0.0.1"


def test_an_administrator_unlocks_an_account_in_django_admin(manager_account, administrator):
    client = Client()
    for _ in range(LIMIT):
        sign_in(client, manager_account.username, "wrong")
    assert sign_in(client, manager_account.username, PASSWORD).status_code == 429

    administrator.is_staff = True
    administrator.is_superuser = True
    administrator.save()
    admin = Client()
    admin.force_login(administrator)
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    assert attempts
    response = admin.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    cache.clear()
    assert sign_in(client, manager_account.username, PASSWORD).status_code == 302


def test_guessing_across_accounts_from_one_address_locks_the_address(manager_account):
    client = Client()
    for n in range(LIMIT):
        sign_in(client, f"nobody-{n}", "guess")
    refused = sign_in(client, manager_account.username, PASSWORD)
    assert refused.status_code == 429 and not signed_in(client)
    # Someone else, elsewhere, signs in as usual.
    elsewhere = Client(REMOTE_ADDR="192.0.2.44")
    assert sign_in(elsewhere, manager_account.username, PASSWORD).status_code == 302
    # A name that is no account is never written down (people type passwords in that box).
    unknown = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED, user=None)
    assert unknown.count() == LIMIT - 1
    assert all("nobody" not in e.detail and e.object_id == "" for e in unknown)


def test_django_admin_sign_in_is_throttled_too(administrator):
    administrator.is_staff = True
    administrator.set_password(PASSWORD)
    administrator.save()
    client = Client()
    url = reverse("admin:login")
    for _ in range(LIMIT):
        sign_in(client, administrator.username, "wrong", url=url)
    assert sign_in(client, administrator.username, PASSWORD, url=url).status_code == 429
    failure = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).first()
    assert failure.detail.startswith("admin ")


def test_sign_ins_and_sign_outs_read_in_words_in_the_audit_log(manager_account, administrator):
    client = Client()
    sign_in(client, manager_account.username, "wrong")
    sign_in(client, manager_account.username, PASSWORD)
    client.post(reverse("logout"))
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions[:3] == [
        AuditAction.SIGN_IN_FAILED,
        AuditAction.SIGN_IN,
        AuditAction.SIGN_OUT,
    ]
    admin = Client()
    admin.force_login(administrator)
    page = admin.get(reverse("audit:log")).content.decode()
    assert "Failed to sign in" in page and "Signed in" in page and "Signed out" in page
    assert "On the sign-in page, from 127.0.0.1" in page


# --- The client's address behind a proxy ---------------------------------------------------------


def request_from(remote, forwarded=None):
    from django.test import RequestFactory

    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_trusted_proxy_a_forwarded_header_is_ignored():
    assert client_ip(request_from("10.0.0.1", "203.0.113.9")) == "10.0.0.1"


@override_settings(TRUSTED_PROXY_HEADER="HTTP_X_FORWARDED_FOR", TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_client_is_the_entry_it_appended():
    # The client may send its own header; the proxy appends the address it saw, last.
    assert client_ip(request_from("10.0.0.1", "198.51.100.7, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(request_from("10.0.0.1", "not an address")) == "10.0.0.1"
    assert client_ip(request_from("10.0.0.1")) == "10.0.0.1"


@override_settings(TRUSTED_PROXY_HEADER="HTTP_X_FORWARDED_FOR", TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_each_visitor_has_their_own_sign_in_count(manager_account):
    via_proxy = {"REMOTE_ADDR": "10.0.0.1"}
    guesser = Client(HTTP_X_FORWARDED_FOR="203.0.113.9", **via_proxy)
    for n in range(LIMIT):
        sign_in(guesser, f"nobody-{n}", "guess")
    assert sign_in(guesser, manager_account.username, PASSWORD).status_code == 429
    colleague = Client(HTTP_X_FORWARDED_FOR="198.51.100.20", **via_proxy)
    assert sign_in(colleague, manager_account.username, PASSWORD).status_code == 302


def test_without_the_setting_a_guesser_cannot_dodge_the_lock_with_a_header(manager_account):
    for n in range(LIMIT):
        sign_in(Client(HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"), f"nobody-{n}", "guess")
    again = Client(HTTP_X_FORWARDED_FOR="203.0.113.200")
    assert sign_in(again, manager_account.username, PASSWORD).status_code == 429

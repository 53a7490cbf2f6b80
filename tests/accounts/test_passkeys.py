"""Passkeys (WebAuthn) as a second factor (decision 0025): added from one's own two-factor page
with a name, listed, removed with the password; used after the password instead of a code;
the API answering only in the right sign-in state, rate limited, CSRF-safe and audited, and
failed uses counted by django-axes. A software authenticator (`soft_authenticator`) answers the
challenges, so the library's real WebAuthn checks run."""

import json

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp_webauthn.models import WebAuthnCredential

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.audit.presenters import describe_all
from linkwork.core.relying_party import relying_party
from tests.factories import PASSWORD

from .soft_authenticator import SoftAuthenticator, b64url
from .test_two_factor import code_for, enrol, sign_in

pytestmark = pytest.mark.django_db


def api(client: Client, name: str, body: dict | None = None, query: str = ""):
    return client.post(
        reverse(f"passkeys:{name}") + query,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
    )


def add_passkey(client: Client, authenticator: SoftAuthenticator, name: str = "Work laptop"):
    """Through the pages and the API, as the browser would: name it, then make it."""
    client.post(reverse("passkeys:add"), {"name": name})
    options = api(client, "register_begin").json()
    response = api(client, "register_complete", authenticator.register(options))
    assert response.status_code == 200, response.content
    return WebAuthnCredential.objects.get(pk=response.json()["id"])


def signed_in_with_password(user, next_page: str = "") -> Client:
    client = Client()
    response = sign_in(client, user, next_page)
    assert response.status_code == 302
    return client


def use_passkey(client: Client, authenticator: SoftAuthenticator, query: str = "", **kwargs):
    options = api(client, "sign_in_begin").json()
    return api(client, "sign_in_complete", authenticator.sign_in(options, **kwargs), query)


def actions_of(user) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(user.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


@pytest.fixture
def with_passkey(client_for, manager):
    """The manager, with a passkey added (and nothing else); and its authenticator."""
    authenticator = SoftAuthenticator()
    add_passkey(client_for(manager), authenticator)
    return manager, authenticator


# --- Where passkeys work -----------------------------------------------------------------------


def test_the_relying_party_comes_from_the_address():
    assert relying_party("https://linkwork.example.org") == (
        "linkwork.example.org",
        ["https://linkwork.example.org"],
    )
    assert relying_party("https://Linkwork.example.org:8443/") == (
        "linkwork.example.org",
        ["https://linkwork.example.org:8443"],
    )
    assert relying_party("http://localhost:8000") == ("localhost", ["http://localhost:8000"])
    # Browsers refuse these: an IP address is no domain; plain HTTP is no secure page.
    assert relying_party("http://127.0.0.1:8000") == ("", [])
    assert relying_party("https://10.0.0.5") == ("", [])
    assert relying_party("http://linkwork.example.org") == ("", [])
    assert relying_party("") == ("", [])


def test_at_an_ip_address_passkeys_are_not_offered(client_for, manager, settings):
    settings.SITE_URL = ""
    settings.OTP_WEBAUTHN_RP_ID = ""
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = []
    client = client_for(manager)
    page = client.get(reverse("passkeys:add"), HTTP_HOST="127.0.0.1:8000")
    assert page.status_code == 200
    assert 'id="passkeys-not-here"' in page.content.decode()
    refused = client.post(reverse("passkeys:register_begin"), HTTP_HOST="127.0.0.1:8000")
    assert refused.status_code == 403
    assert refused.json()["code"] == "unavailable"
    # At localhost, in development, the request's own address is the relying party.
    options = client.post(reverse("passkeys:register_begin"), HTTP_HOST="localhost:8000").json()
    assert options["rp"] == {"name": "Linkwork", "id": "localhost"}


# --- Adding, listing, removing -----------------------------------------------------------------


def test_a_named_passkey_is_added_listed_and_audited(client_for, manager):
    client = client_for(manager)
    first = client.get(reverse("passkeys:add"))
    assert "Name this passkey" in first.content.decode()
    named = client.post(reverse("passkeys:add"), {"name": "Work laptop"})
    body = named.content.decode()
    assert 'id="otp_webauthn_config"' in body
    assert "otp_webauthn_register.js" in body
    assert "Adding a passkey needs JavaScript" in body  # until the script replaces it

    options = api(client, "register_begin").json()
    assert options["rp"] == {"name": "Linkwork", "id": "linkwork.test"}
    assert options["user"]["name"] == "manager"
    done = api(client, "register_complete", SoftAuthenticator().register(options))
    assert done.status_code == 200
    passkey = WebAuthnCredential.objects.get(user=manager)
    assert passkey.name == "Work laptop"
    assert passkey.confirmed

    listed = client.get(reverse("two_factor")).content.decode()
    assert "Passkey “Work laptop” added." in listed
    assert "Work laptop" in listed
    assert "Not used yet" in listed
    assert reverse("passkeys:remove", args=[passkey.pk]) in listed
    assert actions_of(manager) == [AuditAction.PASSKEY_ADDED]
    (line,) = describe_all(list(AuditEvent.objects.all()))
    assert line.what == "Added a passkey: user"
    assert line.detail.startswith("On their account's pages, from ")


def test_a_name_is_needed_first(client_for, manager):
    response = client_for(manager).post(reverse("passkeys:add"), {"name": ""})
    assert "Enter a name for the passkey" in response.content.decode()
    assert 'id="otp_webauthn_config"' not in response.content.decode()


def test_more_than_one_passkey(client_for, manager):
    client = client_for(manager)
    add_passkey(client, SoftAuthenticator(), "Work laptop")
    add_passkey(client, SoftAuthenticator(), "Phone")
    names = list(WebAuthnCredential.objects.filter(user=manager).values_list("name", flat=True))
    assert sorted(names) == ["Phone", "Work laptop"]
    # The second is made excluding the first, so one authenticator is not added twice.
    client.post(reverse("passkeys:add"), {"name": "Again"})
    options = api(client, "register_begin").json()
    assert len(options["excludeCredentials"]) == 2


def test_a_passkey_counts_as_setting_up_two_factor_sign_in(client_for, manager, settings):
    settings.TWO_FACTOR_ENROLMENT_REQUIRED = True
    client = client_for(manager)
    assert client.get(reverse("referrals:list"))["Location"] == reverse("two_factor")
    setup = client.get(reverse("two_factor")).content.decode()
    assert reverse("passkeys:add") in setup  # "Add a passkey instead"
    add_passkey(client, SoftAuthenticator())
    # The session that added it is verified by it; the pages open.
    assert client.get(reverse("referrals:list")).status_code == 200
    # Someone with only a passkey is told to make recovery codes, and may; or set up an app too.
    overview = client.get(reverse("two_factor")).content.decode()
    assert 'id="no-recovery-codes"' in overview
    assert "Make recovery codes" in overview
    codes = client.post(reverse("two_factor_recovery_codes"))
    assert len(codes.context["codes"]) == 10
    assert 'id="no-recovery-codes"' not in client.get(reverse("two_factor")).content.decode()
    app = client.get(reverse("two_factor") + "?app").content.decode()
    assert "Set up two-factor sign-in" in app


def test_removing_a_passkey_needs_the_password_and_is_audited(with_passkey, client_for):
    manager, _ = with_passkey
    passkey = WebAuthnCredential.objects.get(user=manager)
    client = client_for(manager)
    url = reverse("passkeys:remove", args=[passkey.pk])
    # A session that has not given its second factor goes to give it first.
    assert client.get(url)["Location"].startswith(reverse("two_factor_verify"))
    client = signed_in_with_password(manager)
    assert use_passkey(client, with_passkey[1]).status_code == 200
    page = client.get(url).content.decode()
    assert "Remove the passkey “Work laptop”" in page
    assert "It is your only second factor" in page
    wrong = client.post(url, {"password": "not it"})
    assert "That is not your password" in wrong.content.decode()
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    removed = client.post(url, {"password": PASSWORD})
    assert removed["Location"] == reverse("two_factor")
    assert not WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert actions_of(manager)[-1] == AuditAction.PASSKEY_REMOVED


def test_someone_elses_passkey_cannot_be_removed(with_passkey, client_for, manager_b):
    manager, _ = with_passkey
    passkey = WebAuthnCredential.objects.get(user=manager)
    other = client_for(manager_b)
    url = reverse("passkeys:remove", args=[passkey.pk])
    assert other.get(url).status_code == 404
    assert other.post(url, {"password": PASSWORD}).status_code == 404
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert other.get(reverse("passkeys:remove", args=[999_999])).status_code == 404


def test_the_command_removes_passkeys_too(with_passkey, capsys):
    manager, _ = with_passkey
    call_command("remove_two_factor", "manager")
    assert not WebAuthnCredential.objects.filter(user=manager).exists()
    assert "Removed two-factor sign-in from manager" in capsys.readouterr().out
    assert actions_of(manager)[-1] == AuditAction.SECOND_FACTOR_REMOVED


def test_removing_two_factor_sign_in_removes_passkeys(with_passkey):
    manager, authenticator = with_passkey
    client = signed_in_with_password(manager)
    use_passkey(client, authenticator)
    client.post(reverse("two_factor_remove"), {"password": PASSWORD})
    assert not WebAuthnCredential.objects.filter(user=manager).exists()


# --- Using a passkey after the password --------------------------------------------------------


def test_after_the_password_a_passkey_instead_of_a_code(with_passkey):
    manager, authenticator = with_passkey
    client = signed_in_with_password(manager, next_page="/referrals/")
    assert client.get(reverse("referrals:list"))["Location"].startswith(
        reverse("two_factor_verify")
    )
    page = client.get(reverse("two_factor_verify") + "?next=/referrals/").content.decode()
    assert 'id="passkey-verification-button"' in page
    assert "otp_webauthn_auth.js" in page
    # The button is only in a <template>: without JavaScript it never shows.
    assert page.index("<template") < page.index('id="passkey-verification-button"')

    options = api(client, "sign_in_begin").json()
    assert [c["id"] for c in options["allowCredentials"]] == [b64url(authenticator.credential_id)]
    done = api(
        client, "sign_in_complete", authenticator.sign_in(options), query="?next=/referrals/"
    )
    assert done.status_code == 200, done.content
    assert done.json()["redirect_url"] == "/referrals/"
    assert client.get(reverse("referrals:list")).status_code == 200
    assert actions_of(manager)[-2:] == [AuditAction.SIGN_IN, AuditAction.PASSKEY_USED]
    used = describe_all([AuditEvent.objects.filter(user=manager).latest("pk")])[0]
    assert used.what == "Used a passkey: user"
    assert used.detail.startswith("On the sign-in page, from ")
    assert WebAuthnCredential.objects.get(user=manager).last_used_at is not None
    # Verified now: the sign-in API has nothing more to do.
    assert api(client, "sign_in_begin").json()["code"] == "already_verified"


def test_a_password_to_change_comes_after_the_passkey(with_passkey):
    """The second factor first, then the password an administrator set (decision 0019); the
    code page used to be sent to the password page, which sent it back."""
    manager, authenticator = with_passkey
    manager.must_change_password = True
    manager.save(update_fields=["must_change_password"])
    client = signed_in_with_password(manager)
    assert client.get(reverse("two_factor_verify")).status_code == 200
    assert use_passkey(client, authenticator).status_code == 200
    assert client.get(reverse("home"))["Location"] == reverse("password_change")
    assert client.get(reverse("password_change")).status_code == 200


def test_the_next_page_stays_on_linkwork(with_passkey):
    manager, authenticator = with_passkey
    client = signed_in_with_password(manager)
    done = use_passkey(client, authenticator, query="?next=https://evil.example/")
    assert done.json()["redirect_url"] == "/"


def test_someone_with_only_a_passkey_is_not_asked_for_a_code(with_passkey, settings):
    manager, _ = with_passkey
    client = signed_in_with_password(manager)
    page = client.get(reverse("two_factor_verify") + "?next=/referrals/").content.decode()
    assert "Use your passkey" in page
    assert 'name="code"' not in page
    # Without JavaScript the placeholder says what is needed (the script replaces it).
    assert 'id="passkey-needs-script"' in page
    posted = client.post(reverse("two_factor_verify"), {"code": "123456"})
    assert "Use your passkey" in posted.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_codes_still_work_beside_a_passkey(with_passkey, client_for):
    manager, authenticator = with_passkey
    device, recovery = enrol(manager)
    client = signed_in_with_password(manager)
    page = client.get(reverse("two_factor_verify")).content.decode()
    assert 'id="passkey-verification-button"' in page
    # Without JavaScript the code form is there, as before passkeys.
    assert 'name="code"' in page
    assert page.index('name="code"') < page.index("I do not have my phone")
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device.key)})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    other = signed_in_with_password(manager)
    other.post(reverse("two_factor_verify"), {"code": recovery[0]})
    assert other.get(reverse("home")).status_code == 200


def test_a_wrong_answer_is_refused_audited_and_counted_by_axes(with_passkey, settings):
    manager, authenticator = with_passkey
    client = signed_in_with_password(manager)
    refused = use_passkey(client, authenticator, tamper=True)
    assert refused.status_code == 422
    assert client.get(reverse("home")).status_code == 302  # still not verified
    assert actions_of(manager)[-1] == AuditAction.PASSKEY_FAILED
    assert AccessAttempt.objects.get(username="manager").failures_since_start == 1
    # From the wrong origin (a look-alike site passing the challenge on), refused too.
    assert use_passkey(client, authenticator, origin="https://linkwork.evil").status_code == 422


def test_enough_failures_lock_the_account_out(with_passkey, settings):
    manager, authenticator = with_passkey
    client = signed_in_with_password(manager)
    answers = [use_passkey(client, authenticator, tamper=True) for _ in range(5)]
    assert [a.status_code for a in answers] == [422, 422, 422, 422, 403]
    assert answers[-1].json()["code"] == "locked_out"
    assert AuditAction.LOCKED_OUT in actions_of(manager)
    # Locked: the right passkey is refused now, and so is the password.
    assert api(client, "sign_in_begin").json()["code"] == "locked_out"
    again = Client().post(reverse("login"), {"username": "manager", "password": PASSWORD})
    assert again.status_code != 302


def test_another_persons_passkey_does_not_work(with_passkey, client_for, manager_b):
    _, authenticator = with_passkey
    theirs = SoftAuthenticator()
    add_passkey(client_for(manager_b), theirs)
    client = signed_in_with_password(manager_b)
    options = api(client, "sign_in_begin").json()
    wrong = api(client, "sign_in_complete", authenticator.sign_in(options))
    assert wrong.status_code == 403
    assert wrong.json()["code"] == "credential_user_mismatch"
    assert actions_of(manager_b)[-1] == AuditAction.PASSKEY_FAILED


# --- The API refuses outside the right sign-in state -------------------------------------------

API = ["register_begin", "register_complete", "sign_in_begin", "sign_in_complete"]


@pytest.mark.parametrize("name", API)
def test_the_api_asks_anonymous_visitors_to_sign_in(client, name):
    response = api(client, name)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_nobody_signs_in_with_a_passkey_alone(with_passkey):
    """Not even with the passkey's own answer: there is no passwordless sign-in."""
    _, authenticator = with_passkey
    client = Client()
    assert api(client, "sign_in_begin").status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_the_sign_in_api_needs_a_passkey(client, manager):
    enrol(manager)
    client = signed_in_with_password(manager)
    assert api(client, "sign_in_begin").json()["code"] == "no_passkey"


def test_finishing_without_starting_is_refused_and_counted(with_passkey):
    manager, authenticator = with_passkey
    client = signed_in_with_password(manager)
    options = api(client, "sign_in_begin").json()
    answer = authenticator.sign_in(options)
    assert api(client, "sign_in_complete", answer).status_code == 200
    replay = signed_in_with_password(manager)
    refused = api(replay, "sign_in_complete", answer)
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_state"
    assert actions_of(manager)[-1] == AuditAction.PASSKEY_FAILED


def test_adding_one_needs_the_second_factor_first(with_passkey):
    """Someone who knows only the password cannot add their own passkey to the account."""
    manager, _ = with_passkey
    client = signed_in_with_password(manager)
    response = api(client, "register_begin")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert client.get(reverse("passkeys:add")).status_code == 302


def test_the_api_needs_the_csrf_token(with_passkey, manager_b):
    manager, _ = with_passkey
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    assert api(client, "sign_in_begin").status_code == 403
    client.force_login(manager_b)  # nothing set up: may add one
    assert api(client, "register_begin").status_code == 403


def test_the_api_is_rate_limited(client_for, manager, settings):
    settings.PASSKEY_RATE = "3/h"
    client = client_for(manager)
    answers = [api(client, "register_begin").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert api(client, "register_begin").json()["code"] == "rate_limited"


def test_what_passkeys_cost_the_verify_page(with_passkey, manager_b):
    """Measured: "Use a passkey" costs the page one query (an EXISTS) for someone without one;
    for someone with one, two more (has an app or recovery codes, so the code form shows)."""
    manager, _ = with_passkey
    enrol(manager)
    enrol(manager_b)
    counts = []
    for user in (manager_b, manager):
        client = signed_in_with_password(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("two_factor_verify")).status_code == 200
        counts.append(len(queries))
    # Session, user, the gate's device check, the view's, then the passkey EXISTS.
    assert counts == [5, 7], counts


def test_the_scripts_words_are_served_in_welsh_too(client_for, manager):
    """The library's script says how things went in the page's language: its words come from
    a script Linkwork serves (the library's catalogue, and Linkwork's own djangojs.po)."""
    client = client_for(manager)
    for language in ("en-gb", "cy"):
        response = client.get(reverse("passkeys:catalog"), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/javascript")
        assert "django.gettext" in response.content.decode()
    # The Welsh is Linkwork's (the library has none): it reaches the script.
    assert "Yn dilysu..." in response.content.decode()
    assert "Dilysu gydag allwedd mynediad" in response.content.decode()

"""Two-factor sign-in: after the password, a code from an authenticator app (or a recovery
code) before any page, for everyone who has one; enrolment first, on every page, for the roles
that must have one; wrong codes throttled; everything audited.

The test settings do not demand enrolment (most tests sign in with `force_login`); these tests
turn it back on, and the first checks that production demands it."""

import subprocess
import sys
import time
from base64 import b32decode
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from linkwork.accounts import two_factor
from linkwork.accounts.models import Role
from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.audit.presenters import describe_all
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def enforced(settings):
    """The production setting: the roles that need two-factor sign-in must set it up."""
    settings.TWO_FACTOR_ENROLMENT_REQUIRED = True
    return settings


def code_for(key_hex: str, *, at: float | None = None) -> str:
    totp = TOTP(bytes.fromhex(key_hex))
    totp.time = at if at is not None else time.time()
    return f"{totp.token():06d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="Authenticator app")
    codes = StaticDevice.objects.create(user=user, name="Recovery codes")
    tokens = [f"code{n:04d}" for n in range(10)]
    for token in tokens:
        StaticToken.objects.create(device=codes, token=token)
    return device, tokens


def sign_in(client: Client, user, next_page: str = "") -> object:
    url = reverse("login") + (f"?next={next_page}" if next_page else "")
    return client.post(url, {"username": user.username, "password": PASSWORD})


# --- Who must have it --------------------------------------------------------------------------


def test_production_demands_enrolment_and_runs_the_gate():
    setup = (
        "import django\ndjango.setup()\nfrom django.conf import settings\n"
        "print('REQUIRED', settings.TWO_FACTOR_ENROLMENT_REQUIRED)\n"
        "gate = 'linkwork.accounts.two_factor.SecondFactorMiddleware'\n"
        "print('GATE', gate in settings.MIDDLEWARE)\n"
        "print('COORDINATORS', settings.TWO_FACTOR_REQUIRED_FOR_COORDINATORS)\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(PROJECT_ROOT),
        "DJANGO_SETTINGS_MODULE": "linkwork.config.settings.production",
        "SECRET_KEY": "k" * 50,
        "EMAIL_HOST": "smtp.example.org",
        "SITE_URL": "https://linkwork.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/9",
        # Settings never connect on import; production refuses SQLite unless allowed.
        "DATABASE_URL": "postgres://linkwork@db.example.org:5432/linkwork",
    }
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "-c", setup],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "REQUIRED True" in result.stdout
    assert "GATE True" in result.stdout
    assert "COORDINATORS False" in result.stdout


def test_who_must_have_two_factor_sign_in(
    enforced, coordinator_a, manager, researcher, administrator, gp_referrer
):
    assert two_factor.required_for(manager)
    assert two_factor.required_for(researcher)
    assert two_factor.required_for(administrator)
    assert two_factor.required_for(UserFactory(role=Role.TRIAL_MANAGER)), (
        "trial managers unblind allocations and export trial data"
    )
    assert not two_factor.required_for(coordinator_a)
    assert not two_factor.required_for(gp_referrer)
    gp_referrer.is_staff = True
    assert two_factor.required_for(gp_referrer), "every staff account (Django admin) needs it"
    enforced.TWO_FACTOR_REQUIRED_FOR_COORDINATORS = True
    assert two_factor.required_for(coordinator_a)


PAGES = [
    "home",
    "search",
    "account",
    "referrals:list",
    "referrals:waiting_list",
    "referrals:caseloads",
    "referrals:pathways",
    "casework:people",
    "casework:diary",
    "safeguarding:open_escalations",
    "directory:search",
    "reports:index",
    "trials:list",
    "audit:log",
    "messaging:list",
    "admin:index",
    "admin:accounts_user_changelist",
]


@pytest.mark.parametrize("who", ["manager", "researcher", "administrator"])
def test_a_role_that_needs_it_is_sent_to_set_it_up_from_every_page(
    enforced, who, request, client_for
):
    user = request.getfixturevalue(who)
    user.is_staff = user.is_superuser = who == "administrator"
    user.save()
    client = client_for(user)
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"] == reverse("two_factor"), name
    page = client.get(reverse("two_factor"))
    assert page.status_code == 200
    assert "Your role needs two-factor sign-in" in page.content.decode()
    # Signing out stays open.
    assert client.post(reverse("logout")).status_code == 302


def test_coordinators_are_not_required_by_default_but_are_when_the_setting_is_on(
    enforced, client_for, coordinator_a
):
    client = client_for(coordinator_a)
    assert client.get(reverse("referrals:my_caseload")).status_code == 200
    enforced.TWO_FACTOR_REQUIRED_FOR_COORDINATORS = True
    response = client.get(reverse("referrals:my_caseload"))
    assert response.status_code == 302 and response["Location"] == reverse("two_factor")


def test_demo_accounts_are_exempt_only_while_debug_is_on(enforced, client_for, manager):
    manager.is_demo = True
    manager.save()
    client = client_for(manager)
    enforced.DEBUG = False
    assert client.get(reverse("home"))["Location"] == reverse("two_factor")
    enforced.DEBUG = True
    assert client.get(reverse("home")).status_code == 200
    # An account that is not the demo's is never exempt, DEBUG or not.
    manager.is_demo = False
    manager.save()
    assert client.get(reverse("home"))["Location"] == reverse("two_factor")


def test_a_demo_account_with_a_device_still_gives_its_code(enforced, client, manager):
    enforced.DEBUG = True
    manager.is_demo = True
    manager.save()
    enrol(manager)
    sign_in(client, manager)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))


# --- Setting it up -----------------------------------------------------------------------------


def test_setting_up_shows_a_qr_code_and_the_secret_then_recovery_codes_once(
    enforced, client_for, manager
):
    client = client_for(manager)
    page = client.get(reverse("two_factor")).content.decode()
    assert "<svg" in page and 'id="two-factor-secret"' in page
    secret = page.split('id="two-factor-secret" class="lw-secret">')[1].split("<")[0]
    key = b32decode(secret.replace(" ", "")).hex()
    assert client.session["lw_new_totp_key"] == key

    wrong = client.post(
        reverse("two_factor"), {"code": "000000" if code_for(key) != "000000" else "111111"}
    )
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=manager).exists()

    done = client.post(reverse("two_factor"), {"code": code_for(key)})
    assert done.status_code == 200
    shown = done.content.decode()
    codes = list(StaticToken.objects.filter(device__user=manager).values_list("token", flat=True))
    assert len(codes) == 10 and all(code in shown for code in codes)
    device = TOTPDevice.objects.get(user=manager)
    assert device.key == key and device.confirmed
    # This session counts as verified: every page opens.
    assert client.get(reverse("home")).status_code == 200
    # The codes are shown once: the page about it shows how many are left, not the codes.
    status = client.get(reverse("two_factor")).content.decode()
    assert "You have 10 recovery codes left." in status
    assert not any(code in status for code in codes)
    assert AuditEvent.objects.filter(
        action=AuditAction.SECOND_FACTOR_ADDED, user=manager, object_id=str(manager.pk)
    ).exists()


def test_a_new_set_of_recovery_codes_replaces_the_old(client, manager):
    _device, old = enrol(manager)
    sign_in(client, manager)
    client.post(reverse("two_factor_verify"), {"code": old[0]})
    assert client.get(reverse("two_factor")).status_code == 200
    response = client.post(reverse("two_factor_recovery_codes"))
    assert response.status_code == 200
    new = list(StaticToken.objects.filter(device__user=manager).values_list("token", flat=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert all(code in response.content.decode() for code in new)
    assert AuditEvent.objects.filter(action=AuditAction.RECOVERY_CODES_MADE, user=manager).exists()
    assert client.get(reverse("two_factor_recovery_codes")).status_code == 405


# --- Signing in with it -----------------------------------------------------------------------


def test_after_the_password_a_code_before_any_page(client, coordinator_a):
    device, _codes = enrol(coordinator_a)
    response = sign_in(client, coordinator_a, next_page=reverse("referrals:my_caseload"))
    assert response.status_code == 302
    for name in ("home", "referrals:my_caseload", "account", "two_factor", "password_change"):
        gated = client.get(reverse(name))
        assert gated.status_code == 302, name
        assert gated["Location"].startswith(reverse("two_factor_verify")), name
    page = client.get(gated["Location"])
    assert page.status_code == 200
    assert "Enter your sign-in code" in page.content.decode()
    done = client.post(
        reverse("two_factor_verify"),
        {"code": code_for(device.key), "next": reverse("referrals:my_caseload")},
    )
    assert done.status_code == 302 and done["Location"] == reverse("referrals:my_caseload")
    assert client.get(reverse("referrals:my_caseload")).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.SECOND_FACTOR)
    assert event.user == coordinator_a and event.detail.startswith("sign-in ")


def test_the_code_step_leads_nowhere_outside_linkwork(client, coordinator_a):
    device, _codes = enrol(coordinator_a)
    sign_in(client, coordinator_a)
    done = client.post(
        reverse("two_factor_verify"),
        {"code": code_for(device.key), "next": "https://evil.example/"},
    )
    assert done["Location"] == reverse("home")


def test_a_wrong_code_is_refused_audited_and_throttled(client, manager):
    device, _codes = enrol(manager)
    sign_in(client, manager)
    right = code_for(device.key)
    wrong = "000000" if right != "000000" else "111111"
    refused = client.post(reverse("two_factor_verify"), {"code": wrong})
    assert refused.status_code == 200
    assert "That code is not right" in refused.content.decode()
    assert client.get(reverse("home")).status_code == 302
    failed = AuditEvent.objects.get(action=AuditAction.SECOND_FACTOR_FAILED)
    assert failed.user == manager and failed.detail.startswith("sign-in ")
    # Straight after a wrong code, even the right one waits (django-otp's throttling).
    throttled = client.post(reverse("two_factor_verify"), {"code": right})
    assert throttled.status_code == 429
    assert "too many wrong codes" in throttled.content.decode()
    assert client.get(reverse("home")).status_code == 302
    # Once the wait is over, the right code works.
    with time_machine.travel(time.time() + 5, tick=False):
        done = client.post(reverse("two_factor_verify"), {"code": code_for(device.key)})
    assert done.status_code == 302 and done["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_a_recovery_code_works_once(client, manager):
    _device, codes = enrol(manager)
    sign_in(client, manager)
    done = client.post(reverse("two_factor_verify"), {"code": codes[3].upper()})
    assert done.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.SECOND_FACTOR_RECOVERY, user=manager
    ).exists()
    client.post(reverse("logout"))

    again = Client()
    sign_in(again, manager)
    refused = again.post(reverse("two_factor_verify"), {"code": codes[3]})
    assert refused.status_code == 200
    assert "That code is not right" in refused.content.decode()
    assert again.get(reverse("home")).status_code == 302


def test_django_admin_needs_the_code_too(client, administrator):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    device, _codes = enrol(administrator)
    response = client.post(
        reverse("admin:login") + "?next=" + reverse("admin:index"),
        {"username": administrator.username, "password": PASSWORD},
    )
    assert response.status_code == 302
    gated = client.get(reverse("admin:index"))
    assert gated.status_code == 302
    assert gated["Location"] == reverse("two_factor_verify") + "?next=%2Fdjango-admin%2F"
    client.post(gated["Location"], {"code": code_for(device.key), "next": reverse("admin:index")})
    assert client.get(reverse("admin:index")).status_code == 200


def test_django_admin_sends_an_administrator_without_it_to_set_it_up(
    enforced, client, administrator
):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.post(reverse("admin:login"), {"username": administrator.username, "password": PASSWORD})
    gated = client.get(reverse("admin:accounts_user_changelist"))
    assert gated.status_code == 302 and gated["Location"] == reverse("two_factor")


# --- Removing it -------------------------------------------------------------------------------


def test_removing_it_needs_the_password(client, manager, enforced):
    device, codes = enrol(manager)
    sign_in(client, manager)
    client.post(reverse("two_factor_verify"), {"code": codes[0]})
    page = client.get(reverse("two_factor_remove"))
    assert page.status_code == 200
    refused = client.post(reverse("two_factor_remove"), {"password": "not my password at all"})
    assert refused.status_code == 200
    assert "That is not your password" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=manager).exists()

    done = client.post(reverse("two_factor_remove"), {"password": PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("two_factor")
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert not StaticDevice.objects.filter(user=manager).exists()
    # A manager must have it: every page leads to setting it up again.
    assert client.get(reverse("home"))["Location"] == reverse("two_factor")
    assert AuditEvent.objects.filter(
        action=AuditAction.SECOND_FACTOR_REMOVED, user=manager
    ).exists()


def test_an_administrator_removes_a_lost_device_with_a_command(manager, capsys):
    enrol(manager)
    call_command("remove_two_factor", manager.username)
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert not StaticDevice.objects.filter(user=manager).exists()
    event = AuditEvent.objects.get(action=AuditAction.SECOND_FACTOR_REMOVED)
    assert event.user is None and event.object_id == str(manager.pk)
    (line,) = describe_all([event])
    assert line.who == "An administrator, with manage.py"
    assert "Removed two-factor sign-in from manager" in capsys.readouterr().out


def test_the_audit_log_says_what_happened_in_words(client, manager):
    device, codes = enrol(manager)
    sign_in(client, manager)
    client.post(reverse("two_factor_verify"), {"code": "999999x"})
    with time_machine.travel(time.time() + 5, tick=False):
        client.post(reverse("two_factor_verify"), {"code": code_for(device.key)})
    lines = describe_all(list(AuditEvent.objects.filter(user=manager).order_by("pk")))
    words = [line.what for line in lines]
    assert words == [
        "Signed in: user",
        "Gave a wrong sign-in code: user",
        "Gave a sign-in code: user",
    ]
    assert lines[1].detail.startswith("On the sign-in page, from ")


def test_a_coordinator_may_set_it_up_without_being_required(client_for, coordinator_a):
    client = client_for(coordinator_a)
    assert "Two-factor sign-in is off." in client.get(reverse("account")).content.decode()
    page = client.get(reverse("two_factor")).content.decode()
    assert "Set up two-factor sign-in" in page and "Your role needs" not in page


def test_any_confirmed_device_counts_as_a_second_factor(coordinator_a, manager):
    from linkwork.accounts.queries import has_second_factor

    assert not has_second_factor(coordinator_a)
    TOTPDevice.objects.create(user=coordinator_a, name="Half set up", confirmed=False)
    assert not has_second_factor(coordinator_a), "an app never confirmed with a code"
    StaticDevice.objects.create(user=coordinator_a, name="Recovery codes")
    assert has_second_factor(coordinator_a)
    TOTPDevice.objects.create(user=manager, name="Authenticator app")
    assert has_second_factor(manager)


def test_someone_without_a_second_factor_costs_one_query_a_page(client_for, coordinator_a):
    """Every page asks whether a signed-in user not yet verified has a device: in one query,
    however many kinds of device are installed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(coordinator_a)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    asked = [q["sql"] for q in captured.captured_queries if "otp_" in q["sql"]]
    assert len(asked) == 1, asked

"""Passkeys in a real browser (decision 0025), with Chromium's virtual authenticator (through
the DevTools protocol) standing in for a laptop's fingerprint reader: a manager, who must have
two-factor sign-in, adds a passkey instead of an app; signs out; signs in with the password and
the passkey; and the audit log says so. The library's script runs under the strict
Content-Security-Policy: a blocked script or a JavaScript error fails the test (`new_page`).
"""

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from linkwork.audit.models import AuditAction, AuditEvent
from tests.accounts.test_two_factor import enrol
from tests.factories import PASSWORD

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def virtual_authenticator(page) -> None:
    """A platform authenticator (a laptop's own) that keeps passkeys and whose user is always
    verified (as if the fingerprint were given)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Linkwork")


def test_a_manager_adds_a_passkey_and_signs_in_with_it(
    new_page, manager, administrator, settings, live_server
):
    settings.TWO_FACTOR_ENROLMENT_REQUIRED = True  # as in production
    # The live server's own address is the relying party (localhost: a secure page, a domain).
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    assert live_server.url.startswith("http://localhost:")
    page = new_page()
    virtual_authenticator(page)

    sign_in(page, manager, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    page.get_by_role("link", name="Add a passkey instead").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a passkey")
    page.get_by_label("Name this passkey").fill("Work laptop")
    page.get_by_role("button", name="Continue").click()
    # The library's script has swapped the "needs JavaScript" words for the button.
    expect(page.get_by_text("Adding a passkey needs JavaScript")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Add the passkey").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")
    expect(page.get_by_role("alert", name="Success")).to_contain_text(
        "Passkey “Work laptop” added."
    )
    expect(page.locator("#passkeys")).to_contain_text("Work laptop")
    expect(page.locator("#passkeys")).to_contain_text("Not used yet")
    assert_accessible(page)
    # The list fits a phone's screen.
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 800})
    # Added: two-factor sign-in is set up, and other pages open.
    page.goto("/referrals/")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Set up two-factor sign-in")

    # Signing in again: the password, then the passkey instead of a code.
    sign_out(page)
    sign_in(page, manager, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Use your passkey")
    expect(page.get_by_text("needs JavaScript")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("link", name="Reports").first).to_be_visible()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Use your passkey")

    # With an app too, the code box stands beside the passkey button, and either works.
    enrol(manager)
    sign_out(page)
    sign_in(page, manager, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    expect(page.get_by_label("Code")).to_be_visible()
    expect(page.get_by_role("button", name="Use a passkey")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("link", name="Reports").first).to_be_visible()

    passkey = WebAuthnCredential.objects.get(user=manager)
    assert passkey.name == "Work laptop"
    assert passkey.last_used_at is not None

    # The audit log, as an administrator reads it, has the lines.
    settings.TWO_FACTOR_ENROLMENT_REQUIRED = False  # the administrator's own is another test's
    admin_page = new_page()
    sign_in(admin_page, administrator, PASSWORD)
    admin_page.goto("/audit/")
    log = admin_page.locator("main")
    expect(log).to_contain_text("Added a passkey")
    expect(log).to_contain_text("Used a passkey")
    actions = list(
        AuditEvent.objects.filter(object_id=str(manager.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions.count(AuditAction.PASSKEY_ADDED) == 1
    assert actions.count(AuditAction.PASSKEY_USED) == 2
    assert AuditAction.PASSKEY_FAILED not in actions

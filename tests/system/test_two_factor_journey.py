"""Two-factor sign-in in a real browser: a manager, who must have it, signs in and is sent to
set it up; reads the secret from the page, confirms with a code, sees the recovery codes; signs
out and in again with a code; then signs in with a recovery code, which does not work twice."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from linkwork.audit.models import AuditAction, AuditEvent
from tests.factories import PASSWORD

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code(key: bytes, *, steps_ahead: int = 0) -> str:
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Linkwork")


def test_a_manager_sets_up_two_factor_sign_in_and_uses_it(new_page, manager, settings):
    settings.TWO_FACTOR_ENROLMENT_REQUIRED = True  # as in production
    page = new_page()
    sign_in(page, manager, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.locator("#must-enrol")).to_be_visible()
    # Any other page leads back here.
    page.goto("/referrals/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.locator("#two-factor-qr svg")).to_be_visible()
    assert_accessible(page)

    secret = page.locator("#two-factor-secret").inner_text()
    key = b32decode(secret.replace(" ", ""))
    page.get_by_label("Code from your authenticator app").fill(code(key))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in is on")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    page.get_by_role("link", name="I have kept my codes: continue").click()
    expect(page.get_by_role("link", name="Reports").first).to_be_visible()

    # Signing in again: the password, then a code (the next one: the one just used is spent).
    sign_out(page)
    sign_in(page, manager, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    assert_accessible(page)
    page.get_by_label("Code").fill(code(key, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Enter your sign-in code")
    expect(page.get_by_role("link", name="Reports").first).to_be_visible()

    # Without the phone: a recovery code, once.
    sign_out(page)
    sign_in(page, manager, PASSWORD)
    page.get_by_text("I do not have my phone").click()
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name="Reports").first).to_be_visible()
    sign_out(page)
    sign_in(page, manager, PASSWORD)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("That code is not right")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")

    actions = list(
        AuditEvent.objects.filter(user=manager).order_by("pk").values_list("action", flat=True)
    )
    assert actions.count(AuditAction.SECOND_FACTOR_ADDED) == 1
    assert actions.count(AuditAction.SECOND_FACTOR) == 1
    assert actions.count(AuditAction.SECOND_FACTOR_RECOVERY) == 1
    assert actions.count(AuditAction.SECOND_FACTOR_FAILED) == 1

"""In a real browser: the inactivity warning appears before an unused sign-in ends, and "Stay
signed in" keeps it; guessing a password pauses signing in, in Welsh too."""

import pytest
from playwright.sync_api import expect

from linkwork.audit.models import AuditAction, AuditEvent
from tests.factories import PASSWORD

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_idle_warning_and_a_paused_sign_in(browser, live_server, coordinator_a, settings):
    # Two minutes unused: the warning (two minutes before the end) shows at once.
    settings.SESSION_IDLE_MINUTES = 2
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 800})
    page = context.new_page()
    sign_in(page, coordinator_a, PASSWORD)
    warning = page.locator("#idle-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("You will be signed out in 2 minutes")
    stay = page.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    assert_accessible(page)
    with page.expect_response(lambda r: r.url.endswith("/account/keep-alive/")) as kept:
        stay.click()
    assert kept.value.status == 204
    context.close()

    # Someone guessing another account's password, in Welsh.
    welsh = browser.new_context(
        base_url=live_server.url, extra_http_headers={"Accept-Language": "cy"}
    )
    guesser = welsh.new_page()
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        guesser.goto("/sign-in/")
        guesser.locator("#id_username").fill(coordinator_a.username)
        guesser.locator("#id_password").fill("not the password")
        guesser.locator("main button[type=submit]").click()
    expect(guesser.get_by_role("heading", level=1)).to_have_text("Mae mewngofnodi wedi'i oedi")
    assert_accessible(guesser)
    # Closed before the live server stops, so no connection outlives it.
    welsh.close()
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT, user=coordinator_a).exists()

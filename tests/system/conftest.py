"""Playwright in Debian's Chromium, against pytest-django's live server (the `browser`
fixture itself is in tests/conftest.py, shared by every browser test).
"""

import os
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# Playwright's sync API runs an event loop in this thread; the test's own database calls are
# ordinary synchronous code, so let Django allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (its own cookies), one per person in a test."""
    contexts = []

    problems = []

    def open_page():
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        # A blocked script or style (Content-Security-Policy) or a JavaScript error shows here.
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, "The browser reported errors:\n" + "\n".join(problems)


def assert_accessible(page) -> None:
    """Run axe-core on the page and fail on serious or critical violations."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run npm ci")
    # Evaluated through the DevTools protocol, so the page's Content-Security-Policy (which
    # forbids inline scripts without a nonce) does not block it.
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} elements, e.g. {v['nodes'][0]['target']})"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical") and not _govuk_conditional_reveal(v)
    ]
    assert not serious, "Accessibility problems:\n" + "\n".join(serious)


def sign_in(page, user, password: str) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def _govuk_conditional_reveal(violation) -> bool:
    """GOV.UK Frontend's conditional reveal sets aria-expanded on its radios, which axe calls
    not allowed. GOV.UK keeps it on purpose (screen readers announce it; a documented known
    issue: alphagov/govuk-frontend#979), so the pattern is not counted as our violation."""
    return violation["id"] == "aria-allowed-attr" and all(
        "govuk-radios__input" in node["html"] and "aria-expanded" in node["html"]
        for node in violation["nodes"]
    )

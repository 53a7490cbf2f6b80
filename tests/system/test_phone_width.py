"""On a phone, no page scrolls sideways, nor on a laptop. Every page of the permission matrix
(tests/accounts/test_permission_matrix.py) that a role may open is opened as that role, in
Chromium 375 px wide and again 1280 px wide, and the page must be no wider than the screen:
tables scroll inside their own box, long links wrap, forms and summary lists stack. One object
per page (the matrix's `url_of`), then each role that may see it."""

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client

from tests.accounts.test_permission_matrix import CASES, url_of  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Pages that answer with something other than a page for people (JSON, a download).
NOT_PAGES = ("healthz", "oruk_")


def _pages_by_role() -> dict[str, list[str]]:
    by_role: dict[str, list[str]] = {}
    for page, who, outcome in CASES:
        if outcome == "200" and not page.startswith(NOT_PAGES):
            by_role.setdefault(who, []).append(page)
    return by_role


def _signed_in_context(browser, live_server, user, width):
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": width, "height": 800}
    )
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        assert client.session[SESSION_KEY] == str(user.pk)
    return context


@pytest.mark.parametrize("width", [375, 1280])
def test_no_page_in_the_permission_matrix_scrolls_sideways(
    width,
    browser,
    live_server,
    url_of,  # noqa: F811
    request,
):
    # One person in support per page about one: more than a caseload's usual cap.
    coordinator = request.getfixturevalue("coordinator_a")
    coordinator.caseload_cap = 100
    coordinator.save(update_fields=["caseload_cap"])
    urls: dict[str, str] = {}
    too_wide = []
    opened = 0
    for who, pages in _pages_by_role().items():
        user = None if who == "anonymous" else request.getfixturevalue(who)
        context = _signed_in_context(browser, live_server, user, width)
        page = context.new_page()
        for name in pages:
            if name not in urls:
                urls[name] = url_of(name)
            response = page.goto(urls[name])
            assert response.status == 200, f"{name} as {who}: {response.status}"
            opened += 1
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                too_wide.append(f"{name} as {who} ({urls[name]}): {scroll_width} px")
        context.close()
    assert opened > 100
    assert not too_wide, f"Wider than the {width} px screen:\n" + "\n".join(too_wide)

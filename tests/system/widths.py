"""Open every page of a permission matrix as each role that may see it, in Chromium at a given
width, and list those wider than the screen (`document.documentElement.scrollWidth`). Used by
the width tests of the main matrix (tests/system/test_phone_width.py) and of the trials,
reports and partners matrices, each with its own `url_of` and cast."""

from django.conf import settings
from django.test import Client


def _context(browser, live_server, user, width):
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": width, "height": 800}
    )
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context


def pages_too_wide(browser, live_server, url_of, cases, request, width, *, skip=()):
    """(how many pages were opened, a line for each that was wider than `width`). `cases` are
    the matrix's (page, who, outcome); pages answering 200 are opened, except those named in
    `skip` (downloads) and answers that are not HTML (JSON, CSV)."""
    by_role: dict[str, list[str]] = {}
    for name, who, outcome in cases:
        if outcome == "200" and name not in skip:
            by_role.setdefault(who, []).append(name)
    urls: dict[str, str] = {}
    opened, too_wide = 0, []
    for who, names in by_role.items():
        user = None if who == "anonymous" else request.getfixturevalue(who)
        context = _context(browser, live_server, user, width)
        # Closed however the pages go: a context left open outlives the live server, and its
        # threads then break a later test's teardown.
        try:
            page = context.new_page()
            for name in names:
                if name not in urls:
                    urls[name] = url_of(name)
                response = page.goto(urls[name])
                assert response.status == 200, f"{name} as {who}: {response.status}"
                if not response.headers.get("content-type", "").startswith("text/html"):
                    continue
                opened += 1
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                if scroll_width > width:
                    too_wide.append(f"{name} as {who} ({urls[name]}): {scroll_width} px")
        finally:
            context.close()
    return opened, too_wide

"""The same POST sent several times at the same moment, over real HTTP, as a double click, a
retrying phone or an impatient user does: for the tests of no doubled submissions on a live
server (PostgreSQL: tests/core/test_idempotency_live.py; SQLite, on a database file under
gunicorn: tests/core/test_sqlite_under_load.py)."""

import datetime
import re
import threading

import httpx
from django.utils import timezone

from tests.factories import PASSWORD

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY = re.compile(r'name="submission_key" value="([^"]+)"')
TIMES = 6
SWEMWBS = {f"item_{n}": "3" for n in range(1, 8)}


def sign_in(client: httpx.Client, username: str) -> None:
    page = client.get("/sign-in/")
    token = CSRF.search(page.text).group(1)
    signed_in = client.post(
        "/sign-in/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert signed_in.status_code == 302, signed_in.text[:500]


def contact_form() -> dict:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    return {
        "contact_date_day": yesterday.day,
        "contact_date_month": yesterday.month,
        "contact_date_year": yesterday.year,
        "contact_time": "10:30",
        "mode": "telephone",
        "outcome": "attended",
        "minutes": "20",
        "note": "Sent six times at once",
    }


def self_referral_form() -> dict:
    return {
        "given_name": "Dewi",
        "family_name": "Jones",
        "date_of_birth_day": "2",
        "date_of_birth_month": "11",
        "date_of_birth_year": "1988",
        "phone": "07700 900321",
        "email": "",
        "preferred_language": "en",
        "needs": ["confidence"],
        "needs_detail": "I want to get out of the house more",
        "consent_to_referral": "on",
        "website": "",
    }


def post_at_once(
    base: str, path: str, data: dict, *, username: str | None = None, times: int = TIMES
) -> list[httpx.Response]:
    """Open the form once (signed in as `username`, if given), then send what it asks for
    `times` times at once, from the same browser (its cookies, its CSRF token and submission
    key). Each response as it came, redirects not followed."""
    with httpx.Client(base_url=base, timeout=60) as browser:
        if username:
            sign_in(browser, username)
        form = browser.get(path)
        assert form.status_code == 200, form.text[:500]
        assert KEY.search(form.text), "the form carries no submission key"
        sent = {
            **data,
            "csrfmiddlewaretoken": CSRF.search(form.text).group(1),
            "submission_key": KEY.search(form.text).group(1),
        }
        cookies = dict(browser.cookies)

    barrier = threading.Barrier(times)
    responses: list = [None] * times

    def send(index: int) -> None:
        with httpx.Client(base_url=base, timeout=60, cookies=cookies) as client:
            barrier.wait(timeout=30)
            try:
                responses[index] = client.post(path, data=sent)
            except httpx.HTTPError as error:  # reported to the test
                responses[index] = error

    threads = [threading.Thread(target=send, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
        assert not thread.is_alive(), "a request never came back"
    return responses


def assert_one_result(responses: list, *, leads_to: str | None = None) -> str:
    """Every response a redirect to the same place (the record made, or the thank-you page):
    no error, no 500, no "link used"."""
    statuses = [getattr(r, "status_code", r) for r in responses]
    assert statuses == [302] * len(responses), statuses
    places = {r.headers["location"] for r in responses}
    assert len(places) == 1, places
    (place,) = places
    if leads_to is not None:
        assert place.endswith(leads_to), place
    return place

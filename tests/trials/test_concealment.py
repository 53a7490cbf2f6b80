"""Allocation concealment: nobody in the service can see or infer the next allocation.

Every page reachable from the home page is crawled as every role (and the Django admin as a
superuser), after a few people have been randomised. No page may show the secret seed, any
part of it, or the reference of any allocation not yet used (a page listing the sequence ahead
would show them). Used allocations are fine: they are shown to staff once made.
"""

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import reverse

from linkwork.accounts.models import User
from linkwork.trials.models import AllocationSeed, AllocationSlot, ParticipantStatus
from tests.trials.conftest import enrol

pytestmark = pytest.mark.django_db

SKIP = ("/sign-out/", "/i18n/", "/static/", "/django-admin/logout/")
#: The admin's filtered and sorted lists, histories and delete confirmations show nothing new.
SKIP_IN_ADMIN = ("/history/", "/delete/", "/password/")
MAX_PAGES = 400


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.found.append(href)


def crawl(browser, start: str) -> dict[str, str]:
    seen, pages, queue = {start}, {}, deque([start])
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        response = browser.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        pages[url] = body
        parser = Links()
        parser.feed(body)
        for href in parser.found:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIP):
                continue
            if parts.path.startswith("/django-admin/") and (
                parts.query or any(s in parts.path for s in SKIP_IN_ADMIN)
            ):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return pages


@pytest.fixture
def randomised_some(trial, waiting_at_a, coordinator_a):
    for _ in range(5):
        enrol(trial, waiting_at_a(), coordinator_a, until=ParticipantStatus.RANDOMISED)
    enrol(trial, waiting_at_a(), coordinator_a)  # consented, not yet randomised
    waiting_at_a()  # not offered yet
    return trial


def test_no_page_shows_the_seed_or_an_allocation_not_yet_used(
    randomised_some,
    client,
    client_for,
    coordinator_a,
    manager,
    manager_b,
    researcher,
    trial_manager,
    administrator,
    gp_referrer,
):
    trial = randomised_some
    seed = AllocationSeed.objects.get(trial=trial).seed
    secrets = {seed, seed.upper(), seed[:16], seed[-16:]}
    unused = set(
        AllocationSlot.objects.filter(stratum__trial=trial, used_at__isnull=True).values_list(
            "reference", flat=True
        )
    )
    used = set(
        AllocationSlot.objects.filter(stratum__trial=trial, used_at__isnull=False).values_list(
            "reference", flat=True
        )
    )
    assert len(unused) > 50 and len(used) == 5
    superuser = User.objects.create_superuser("root", "root@example.org", "x", role="administrator")
    crawls = {"anonymous": crawl(client, reverse("login"))}
    for user in (coordinator_a, manager, manager_b, researcher, trial_manager, administrator):
        crawls[user.username] = crawl(client_for(user), "/")
    crawls["gp_referrer"] = crawl(client_for(gp_referrer), "/")
    crawls["superuser admin"] = crawl(client_for(superuser), "/django-admin/")
    # The crawl reached the trial's pages (so the test could have failed).
    assert crawls["anonymous"] and len(crawls["superuser admin"]) > 20
    assert any("/trials/" in url for url in crawls["manager"])
    assert any("/consort/" in url for url in crawls["researcher"])
    assert any("/participants/" in url for url in crawls["coordinator_a"])
    shown_used = set()
    for who, pages in crawls.items():
        for url, body in pages.items():
            for secret in secrets:
                assert secret not in body, f"{who} saw the seed on {url}"
            leaked = {ref for ref in unused if ref in body}
            assert not leaked, f"{who} saw unused allocations on {url}"
            shown_used |= {ref for ref in used if ref in body}
    assert shown_used, "used allocations' references are shown to staff: the check can see them"

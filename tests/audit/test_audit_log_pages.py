"""The audit log pages through millions of lines by keyset: each page reads its own lines,
newest first, with "Older events" and "Newer events" links that keep the search; the total is
counted up to a cap; a cursor edited by hand gives the newest page, never an error."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.audit import views
from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.core import keyset

pytestmark = pytest.mark.django_db

NOON = timezone.make_aware(datetime.datetime(2026, 11, 2, 12, 0))


@pytest.fixture
def log(administrator, monkeypatch):
    """Eleven lines: three at the very same moment (ties broken by id), the rest a minute apart,
    every other one about person 7. Pages of three."""
    monkeypatch.setattr(views, "EVENTS_PER_PAGE", 3)
    events = []
    for i in range(11):
        at = NOON + datetime.timedelta(minutes=min(i, 8))  # 8, 9 and 10 share a time
        events.append(
            AuditEvent.objects.create(
                at=at,
                user=administrator,
                action=AuditAction.VIEW,
                object_type="referral",
                object_id=str(i),
                person_id=7 if i % 2 == 0 else 8,
            )
        )
    return events


def _ids(response) -> list[str]:
    return [event.object_id for event in response.context["page"].object_list]


def test_older_and_newer_walk_the_whole_log_once_each_way(client_for, administrator, log):
    browser = client_for(administrator)
    url = reverse("audit:log")
    seen, response = [], browser.get(url)
    pages = [response]
    while response.context["page"].older:
        seen += _ids(response)
        response = browser.get(url, {"older": response.context["page"].older})
        pages.append(response)
    seen += _ids(response)
    # Newest first, ties newest id first, nothing twice, nothing missed.
    assert seen == [str(i) for i in range(10, -1, -1)]
    assert [len(_ids(page)) for page in pages] == [3, 3, 3, 2]
    assert pages[0].context["page"].newer == ""

    # And back again from the oldest page.
    back = []
    while response.context["page"].newer:
        response = browser.get(url, {"newer": response.context["page"].newer})
        back.append(_ids(response))
    assert back == [_ids(pages[2]), _ids(pages[1]), _ids(pages[0])]


def test_pages_keep_the_search_and_the_links_say_older_and_newer(client_for, administrator, log):
    browser = client_for(administrator)
    first = browser.get(reverse("audit:log"), {"person": "P000007"})
    assert _ids(first) == ["10", "8", "6"]
    content = first.content.decode()
    assert "6 events" in content
    assert "Older events" in content and "Newer events" not in content
    assert "person=P000007&amp;older=" in content

    second = browser.get(
        reverse("audit:log"), {"person": "P000007", "older": first.context["page"].older}
    )
    assert _ids(second) == ["4", "2", "0"]
    assert "Newer events" in second.content.decode()


@pytest.mark.parametrize("cursor", ["", "yesterday", "2026-11-02T12:00:00~x", "2026-11-02~3", "~"])
def test_a_cursor_edited_by_hand_gives_the_newest_page(client_for, administrator, log, cursor):
    for name in ("older", "newer"):
        response = client_for(administrator).get(reverse("audit:log"), {name: cursor})
        assert response.status_code == 200
        assert _ids(response) == ["10", "9", "8"]


def test_the_total_is_counted_up_to_a_cap(client_for, administrator, log, monkeypatch):
    monkeypatch.setattr(keyset, "COUNT_CAP", 5)
    response = client_for(administrator).get(reverse("audit:log"))
    assert response.context["page"].capped
    assert "More than 5 events" in response.content.decode()

    narrowed = client_for(administrator).get(reverse("audit:log"), {"person": "P000008"})
    assert not narrowed.context["page"].capped
    assert "5 events" in narrowed.content.decode()


def test_dates_are_whole_local_days(client_for, administrator, log):
    late = AuditEvent.objects.create(
        at=timezone.make_aware(datetime.datetime(2026, 11, 3, 23, 59, 59)),
        user=administrator,
        action=AuditAction.VIEW,
        object_type="referral",
        object_id="late",
    )
    browser = client_for(administrator)
    day = browser.get(reverse("audit:log"), {"date_from": "2026-11-03", "date_to": "2026-11-03"})
    assert [e.pk for e in day.context["page"].object_list] == [late.pk]
    before = browser.get(reverse("audit:log"), {"date_to": "2026-11-02"})
    assert "late" not in _ids(before)
    assert len(before.context["page"].object_list) == 3

"""Who may open which partners page, and every way we could think of to get at a partner, an
engagement record or a contact from outside.

Staff at a site see its partners, their pages and contacts, and record engagement (link
coordinators attend MDT meetings); only its managers keep contacts and say when a referrer
has gone quiet; an engagement record is corrected by whoever recorded it, or a manager at its
site. Referrers, researchers, trial managers and administrators see nothing. A partner or
record outside the user's scope answers 404; a page a role may never use, 403. The pages are
about Severn Valley Surgery (it referred to site A) and a walking group whose service serves
site A; neither is a partner of site B.
"""

from urllib.parse import unquote, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.audit.models import AuditEvent
from linkwork.engagement.models import EngagementActivity, PartnerContact, SiteEngagementSettings
from tests.factories import CoordinatorFactory

pytestmark = pytest.mark.django_db

# login: 302 to sign in. co_a2: another coordinator at site A; mgr_ab: a manager of both sites.
MATRIX = """
page               anon  co_a co_a2 co_b mgr_a mgr_b mgr_ab gp_ref res admin tm  out
partners           login 200  200   200  200   200   200    403    403 403   403 200
partner            login 200  200   404  200   404   200    404    404 404   404 404
partner_receiving  login 200  200   404  200   404   200    404    404 404   404 404
record_activity    login 200  200   404  200   404   200    404    404 404   404 404
correct_activity   login 200  404   404  200   404   200    404    404 404   404 404
correct_mgr_record login 404  404   404  200   404   200    404    404 404   404 404
add_contact        login 404  404   404  200   404   200    404    404 404   404 404
change_contact     login 404  404   404  200   404   200    404    404 404   404 404
settings           login 403  403   403  200   200   200    403    403 403   403 403
site_settings      login 403  403   403  200   404   200    403    403 403   403 403
"""

# Rows that are a second case of a page already in the matrix (not URL names of their own).
VARIANTS = {"partner_receiving", "correct_mgr_record"}

WHO = {
    "anon": "anonymous",
    "co_a": "coordinator_a",
    "co_a2": "coordinator_a2",
    "co_b": "coordinator_b",
    "mgr_a": "manager",
    "mgr_b": "manager_b",
    "mgr_ab": "manager_both",
    "gp_ref": "gp_referrer",
    "res": "researcher",
    "admin": "administrator",
    "tm": "trial_manager",
    "out": "outsider",
}


def _parse(table):
    lines = [line.split() for line in table.strip().splitlines()]
    users, rows = lines[0][1:], lines[1:]
    for page, *expected in rows:
        assert len(expected) == len(users), page
        yield from ((page, WHO[u], outcome) for u, outcome in zip(users, expected, strict=True))


CASES = list(_parse(MATRIX))


@pytest.fixture
def coordinator_a2(site_a):
    """Another link coordinator at site A: did not record the MDT meeting."""
    return CoordinatorFactory(username="coordinator_a2", sites=[site_a])


@pytest.fixture
def url_of(severn_referred, walking_group, mdt_meeting, managers_letter, contact, site_a):
    s = ["referring", severn_referred.pk]
    pages = {
        "partners": lambda: reverse("engagement:partners"),
        "partner": lambda: reverse("engagement:partner", args=s),
        "partner_receiving": lambda: reverse(
            "engagement:partner", args=["receiving", walking_group.pk]
        ),
        "record_activity": lambda: reverse("engagement:record_activity", args=s),
        "correct_activity": lambda: reverse(
            "engagement:correct_activity", args=[*s, mdt_meeting.pk]
        ),
        "correct_mgr_record": lambda: reverse(
            "engagement:correct_activity", args=[*s, managers_letter.pk]
        ),
        "add_contact": lambda: reverse("engagement:add_contact", args=s),
        "change_contact": lambda: reverse("engagement:change_contact", args=[*s, contact.pk]),
        "settings": lambda: reverse("engagement:settings"),
        "site_settings": lambda: reverse("engagement:site_settings", args=[site_a.pk]),
    }
    return lambda page: pages[page]()


@pytest.mark.parametrize(("page", "who", "outcome"), CASES, ids=[f"{p}-{u}" for p, u, _ in CASES])
def test_partners_page_access(page, who, outcome, url_of, client, client_for, request):
    url = url_of(page)
    browser = client if who == "anonymous" else client_for(request.getfixturevalue(who))
    response = browser.get(url)
    if outcome == "login":
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == reverse("login")
        assert f"next={url}" in unquote(response["Location"])
    else:
        assert response.status_code == int(outcome), f"{url}: {response.status_code}"


def test_the_matrix_has_a_row_for_every_page_of_the_app():
    from django.urls import get_resolver

    (app,) = [r for r in get_resolver().url_patterns if getattr(r, "app_name", "") == "engagement"]
    names = {pattern.name for pattern in app.url_patterns}
    rows = {line.split()[0] for line in MATRIX.strip().splitlines()[1:]}
    assert names == rows - VARIANTS


# --- POSTs by the wrong person change nothing --------------------------------------------------


def _snapshot() -> dict:
    return {
        "activities": sorted(
            EngagementActivity.objects.values_list("pk", "kind", "summary", "site_id")
        ),
        "contacts": sorted(PartnerContact.objects.values_list("pk", "name", "is_current")),
        "settings": sorted(
            SiteEngagementSettings.objects.values_list("site_id", "quiet_after_days")
        ),
        "audit": AuditEvent.objects.count(),
    }


def _activity(site) -> dict:
    today = timezone.localdate()
    return {
        "kind": "letter",
        "happened_on_day": today.day,
        "happened_on_month": today.month,
        "happened_on_year": today.year,
        "site": site.pk,
        "summary": "Hijacked",
    }


CONTACT = {
    "name": "Hijacked",
    "role": "",
    "email": "",
    "phone": "",
    "notes": "",
    "is_current": "no",
}

# who, page, data, expected status
WRONG_POSTS = [
    ("anonymous", "record_activity", "activity", 302),
    ("coordinator_b", "record_activity", "activity", 404),
    ("manager_b", "record_activity", "activity", 404),
    ("gp_referrer", "record_activity", "activity", 404),
    ("researcher", "record_activity", "activity", 404),
    ("administrator", "record_activity", "activity", 404),
    ("trial_manager", "record_activity", "activity", 404),
    ("coordinator_a2", "correct_activity", "activity", 404),
    ("coordinator_b", "correct_activity", "activity", 404),
    ("manager_b", "correct_activity", "activity", 404),
    ("coordinator_a", "correct_mgr_record", "activity", 404),
    ("coordinator_a", "add_contact", "contact", 404),
    ("manager_b", "add_contact", "contact", 404),
    ("gp_referrer", "add_contact", "contact", 404),
    ("coordinator_a", "change_contact", "contact", 404),
    ("manager_b", "change_contact", "contact", 404),
    ("coordinator_a", "site_settings", {"quiet_after_days": "200"}, 403),
    ("manager_b", "site_settings", {"quiet_after_days": "200"}, 404),
    ("administrator", "site_settings", {"quiet_after_days": "200"}, 403),
]


@pytest.mark.parametrize(
    ("who", "page", "data", "expected"),
    WRONG_POSTS,
    ids=[f"{w}-{p}" for w, p, _d, _e in WRONG_POSTS],
)
def test_posts_by_the_wrong_person_change_nothing(
    who, page, data, expected, url_of, site_a, client, client_for, request
):
    if data == "activity":
        data = _activity(site_a)
    elif data == "contact":
        data = CONTACT
    url = url_of(page)
    browser = client if who == "anonymous" else client_for(request.getfixturevalue(who))
    before = _snapshot()

    response = browser.post(url, data)

    assert response.status_code == expected
    assert _snapshot() == before


def test_the_wrong_posts_would_have_worked_for_the_right_person(
    url_of, site_a, client_for, coordinator_a, manager
):
    """Guards the test above: the same data, posted by someone allowed, changes things."""
    posts = [
        (coordinator_a, "record_activity", _activity(site_a)),
        (coordinator_a, "correct_activity", _activity(site_a)),
        (manager, "correct_mgr_record", _activity(site_a)),
        (manager, "add_contact", CONTACT),
        (manager, "change_contact", CONTACT),
        (manager, "site_settings", {"quiet_after_days": "200"}),
    ]
    for user, page, data in posts:
        before = _snapshot()
        response = client_for(user).post(url_of(page), data)
        assert response.status_code == 302, page
        assert _snapshot() != before, page


def test_a_coordinator_who_moves_site_can_no_longer_correct_their_record(
    client_for, coordinator_a, mdt_meeting, url_of, site_b
):
    coordinator_a.sites.set([site_b])
    assert client_for(coordinator_a).get(url_of("correct_activity")).status_code == 404

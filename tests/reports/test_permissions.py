"""Who may open which reports page. Dashboards: staff and the research roles; the records behind
a figure: staff; recording timeline events: managers, for events at their own sites (an event
at another site answers 404). Everyone else: 403; anonymous visitors: sign in."""

from urllib.parse import unquote, urlsplit

import pytest
from django.urls import reverse

from linkwork.accounts.models import Role
from linkwork.reports.models import CaseStudy, FunderReport, ServiceEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MATRIX = """
page            anon   coord_a manager mgr_b  gp_ref research tm     admin
index           login  200     200     200    403    200      200    403
dashboard       login  200     200     200    403    200      200    403
dashboard_csv   login  200     200     200    403    200      200    403
dashboard_json  login  200     200     200    403    200      200    403
records         login  200     200     200    403    403      403    403
timeline        login  200     200     200    403    200      200    403
new_event       login  403     200     200    403    403      403    403
change_event    login  404     200     404    404    404      404    404
remove_event    login  404     200     404    404    404      404    404
funder_reports  login  403     200     200    403    403      403    403
capacity        login  403     200     200    403    403      403    403
funder_report   login  403     200     404    403    403      403    403
funder_progress login  403     200     404    403    403      403    403
funder_download login  403     302     404    403    403      403    403
new_case_study  login  403     200     200    403    403      403    403
change_case_study login 403    200     404    403    403      403    403
"""

WHO = {
    "anon": "anonymous",
    "coord_a": "coordinator_a",
    "manager": "manager",
    "mgr_b": "manager_b",
    "gp_ref": "gp_referrer",
    "research": "researcher",
    "tm": "trial_manager",
    "admin": "administrator",
}


def _parse(table):
    lines = [line.split() for line in table.strip().splitlines()]
    users, rows = lines[0][1:], lines[1:]
    for page, *expected in rows:
        assert len(expected) == len(users), page
        yield from ((page, WHO[u], outcome) for u, outcome in zip(users, expected, strict=True))


CASES = list(_parse(MATRIX))
PAGES = {
    f"reports:{name}"
    for name in (
        "index",
        "dashboard",
        "records",
        "timeline",
        "new_event",
        "change_event",
        "remove_event",
        "funder_reports",
        "capacity",
        "funder_report",
        "funder_report_progress",
        "funder_report_download",
        "new_case_study",
        "change_case_study",
    )
}


@pytest.fixture
def trial_manager(db):
    return UserFactory(role=Role.TRIAL_MANAGER)


@pytest.fixture
def url_of(site_a, manager):
    event = ServiceEvent.objects.create(on="2025-03-23", title="Lockdown", created_by=manager)
    event.sites.set([site_a])
    report = FunderReport.objects.create(
        first_month="2026-01-01", last_month="2026-03-01", requested_by=manager
    )
    report.sites.set([site_a])
    study = CaseStudy.objects.create(site=site_a, title="A", text="Person A.", written_by=manager)
    referrals = reverse("reports:dashboard", args=["referrals"])
    pages = {
        "index": reverse("reports:index"),
        "dashboard": referrals,
        "dashboard_csv": f"{referrals}?format=csv",
        "dashboard_json": f"{referrals}?format=json",
        "records": reverse("reports:records") + "?metric=received",
        "timeline": reverse("reports:timeline"),
        "new_event": reverse("reports:new_event"),
        "change_event": reverse("reports:change_event", args=[event.pk]),
        "remove_event": reverse("reports:remove_event", args=[event.pk]),
        "funder_reports": reverse("reports:funder_reports"),
        "capacity": reverse("reports:capacity"),
        "funder_report": reverse("reports:funder_report", args=[report.pk]),
        "funder_progress": reverse("reports:funder_report_progress", args=[report.pk]),
        "funder_download": reverse("reports:funder_report_download", args=[report.pk, "pdf"]),
        "new_case_study": reverse("reports:new_case_study"),
        "change_case_study": reverse("reports:change_case_study", args=[study.pk]),
    }
    return pages.__getitem__


@pytest.mark.parametrize(("page", "who", "outcome"), CASES, ids=[f"{p}-{u}" for p, u, _ in CASES])
def test_page_access(page, who, outcome, url_of, client, client_for, request):
    url = url_of(page)
    browser = client if who == "anonymous" else client_for(request.getfixturevalue(who))
    response = browser.get(url)
    if outcome == "login":
        assert response.status_code == 302
        location = urlsplit(response["Location"])
        assert location.path == reverse("login")
        assert f"next={url}" in unquote(response["Location"])
    else:
        assert response.status_code == int(outcome), url

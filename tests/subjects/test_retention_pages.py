"""The retention pages (decision 0027): administrators see the rules, ask for a dry run (made in
the background) and read past runs' reports; nobody else may."""

import pytest
from django.urls import reverse

from linkwork.subjects import sweep
from linkwork.subjects.models import RetentionRun

pytestmark = pytest.mark.django_db


def test_an_administrator_reads_the_rules_and_asks_for_a_dry_run(
    client_for, administrator, django_capture_on_commit_callbacks
):
    browser = client_for(administrator)
    page = browser.get(reverse("subjects:retention")).content.decode()
    assert "Records of people supported by a link coordinator" in page and "8 years" in page
    home = browser.get(reverse("home")).content.decode()
    assert reverse("subjects:retention") in home
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(reverse("subjects:retention_dry_run"))
    report = RetentionRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("subjects:retention_run", args=[report.pk])
    report.refresh_from_db()
    assert report.dry_run and report.finished and report.by == administrator
    page = browser.get(response["Location"]).content.decode()
    assert "Retention dry run" in page and "Would go" in page
    listing = browser.get(reverse("subjects:retention_runs")).content.decode()
    assert reverse("subjects:retention_run", args=[report.pk]) in listing


@pytest.mark.parametrize("who", ["manager", "coordinator_a", "gp_referrer", "researcher"])
def test_nobody_else_may(request, client_for, who):
    report = sweep.run(dry_run=True)
    browser = client_for(request.getfixturevalue(who))
    assert browser.get(reverse("subjects:retention")).status_code == 403
    assert browser.post(reverse("subjects:retention_dry_run")).status_code == 403
    assert browser.get(reverse("subjects:retention_run", args=[report.pk])).status_code == 403
    assert RetentionRun.objects.count() == 1

"""The demo's reports: every dashboard, the timeline, capacity and the funder pages open for the
manager, the case studies pass the identifier check, and a funder report can be made from the
demo. Loading the demo takes a while, so one test loads it and checks everything."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.accounts.models import User
from linkwork.core.months import add_months, month_of
from linkwork.demo.service import load
from linkwork.referrals.models import Person
from linkwork.reports import funder
from linkwork.reports.dashboards import DASHBOARDS
from linkwork.reports.identifiers import find_identifiers
from linkwork.reports.models import CaseStudy, FunderReport

pytestmark = pytest.mark.django_db


def test_the_demos_reports_open_and_a_funder_report_is_made(client):
    load()
    manager = User.objects.get(username="manager")
    client.force_login(manager)
    for key in DASHBOARDS:
        response = client.get(reverse("reports:dashboard", args=[key]))
        assert response.status_code == 200, key
        assert b"lw-chart__svg" in response.content, key
    for name in ("timeline", "capacity", "funder_reports"):
        assert client.get(reverse(f"reports:{name}")).status_code == 200, name

    names = set()
    for given, family in Person.objects.values_list("given_name", "family_name"):
        names.update(f"{given} {family}".split())
    studies = list(CaseStudy.objects.all())
    assert {s.site.slug for s in studies} == {"powys", "rhondda"}
    for study in studies:
        assert find_identifiers(f"{study.title}\n{study.text}", names) == [], study.title

    this_month = month_of(timezone.localdate())
    report = FunderReport.objects.create(
        first_month=add_months(this_month, -6),
        last_month=add_months(this_month, -1),
        requested_by=manager,
    )
    report.sites.set(manager.sites.all())
    report.case_studies.set(studies)
    built = funder.build(report)
    assert built.pdf.startswith(b"%PDF") and len(built.pdf) > 20_000
    assert built.xlsx[:2] == b"PK"
    assert report.first_month < datetime.date.today()

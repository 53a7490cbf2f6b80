"""The manager's home page says what needs attention in the directory serving their sites."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.directory.models import Service
from linkwork.unmet.actions import record_unmet_need
from tests.factories import make_service

pytestmark = pytest.mark.django_db


def test_the_manager_sees_closures_limits_checks_due_and_this_months_unmet_needs(
    client_for, manager, coordinator_a, site_a, site_b
):
    today = timezone.localdate()
    make_service(name="Choir", sites=[site_a], availability="limited", last_checked_on=today)
    make_service(name="Hall lunch club", sites=[site_a], availability="temporarily_closed")
    make_service(name="Old group", sites=[site_a], availability="closed")  # not counted as due
    make_service(
        name="Walkers", sites=[site_a], last_checked_on=today - datetime.timedelta(days=200)
    )
    make_service(name="Rhondda shed", sites=[site_b], availability="temporarily_closed")
    need = make_service(name="Befriending", sites=[site_a], last_checked_on=today, terms=["Talk"])
    record_unmet_need(
        by=coordinator_a,
        site=site_a,
        category=need.attributes.get().taxonomy_term,
        area="Rhayader",
    )
    response = client_for(manager).get(reverse("home"))
    summary = response.context["directory"]
    assert summary.temporarily_closed == 1  # site B's is not theirs
    assert summary.limited == 1
    assert summary.needs_check == 2  # never checked (the lunch club), and 200 days ago
    assert response.context["unmet_needs_this_month"] == 1
    content = response.content.decode()
    assert "1 unmet need recorded this month" in content
    assert "1 service is temporarily closed" in content
    assert "2 entries have not been checked for 6 months" in content


def test_the_checks_due_link_lists_exactly_those_entries(client_for, manager, site_a):
    today = timezone.localdate()
    make_service(name="Checked choir", sites=[site_a], last_checked_on=today)
    make_service(name="Forgotten walkers", sites=[site_a])
    response = client_for(manager).get(
        reverse("directory:search") + "?unchecked=on&availability=open"
    )
    names = [service.name for service in response.context["page"]]
    assert names == ["Forgotten walkers"]
    assert Service.objects.count() == 2

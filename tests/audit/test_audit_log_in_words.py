"""Observation 14: the audit log was written for developers ("referrals.referral #49",
"information_requested -> received", usernames). Now each line says who (by name) did what to
whose record (reference and name), in the reader's language, and the lines a search finds can
be downloaded as CSV, which is itself recorded."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.referrals.status import ReferralStatus
from tests.factories import make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewed(client_for, coordinator_a, in_support):
    client_for(coordinator_a).get(reverse("casework:record", args=[in_support.pk]))
    return in_support


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_a_line_says_who_did_what_to_whose_record(client_for, administrator, coordinator_a, viewed):
    person = viewed.person
    content = (
        client_for(administrator)
        .get(reverse("audit:log"), {"person": person.reference})
        .content.decode()
    )
    assert f"{coordinator_a.display_name}" in content
    assert "Viewed: referral" in content
    assert person.reference in content
    assert person.full_name in content
    assert "referrals.referral" not in content


def test_status_changes_are_in_words(client_for, administrator, pathway_a, gp_referrer, manager):
    make_referral(ReferralStatus.WAITING, pathway=pathway_a, by=gp_referrer, staff=manager)
    content = (
        client_for(administrator)
        .get(reverse("audit:log"), {"action": AuditAction.TRANSITION})
        .content.decode()
    )
    assert "Received → Accepted" in content
    assert "Accepted → Waiting" in content
    assert "->" not in content


def test_users_are_chosen_by_name_and_anyone_is_in_welsh_too(
    client_for, administrator, coordinator_a
):
    browser = client_for(administrator)
    content = browser.get(reverse("audit:log")).content.decode()
    assert f"{coordinator_a.display_name} ({coordinator_a.username})" in content
    assert ">Anyone</option>" in content
    with translation.override("cy"):
        welsh = browser.get(reverse("audit:log"), HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert ">Unrhyw un</option>" in welsh


def test_the_lines_found_download_as_csv_and_the_download_is_recorded(
    client_for, administrator, viewed
):
    person = viewed.person
    response = client_for(administrator).get(reverse("audit:export"), {"person": person.reference})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, *lines = rows(response)
    assert header == ["When", "Who", "Username", "What", "Record", "Person", "Name", "Detail"]
    assert lines
    assert all(line[5] == person.reference and line[6] == person.full_name for line in lines)
    assert any(line[3] == "Viewed: referral" for line in lines)
    recorded = AuditEvent.objects.get(object_type="audit.export")
    assert recorded.user == administrator
    assert recorded.detail == f"audit log exported: {len(lines)} lines"
    # And the log says so in words.
    page = client_for(administrator).get(reverse("audit:log")).content.decode()
    assert f"The audit log downloaded: {len(lines)} lines" in page


def test_a_bad_search_downloads_nothing(client_for, administrator, viewed):
    response = client_for(administrator).get(reverse("audit:export"), {"person": "not-a-ref"})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(object_type="audit.export").exists()


def test_text_a_spreadsheet_would_run_is_made_safe(client_for, administrator, coordinator_a):
    AuditEvent.objects.create(
        user=coordinator_a, action=AuditAction.VIEW, object_type="x.y", detail="=HYPERLINK(1)"
    )
    (line,) = rows(client_for(administrator).get(reverse("audit:export")))[1:]
    assert line[7] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("who", ["coordinator_a", "manager", "researcher", "gp_referrer"])
def test_only_administrators_download_it(client_for, request, who, viewed):
    response = client_for(request.getfixturevalue(who)).get(reverse("audit:export"))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(object_type="audit.export").exists()

"""The record of processing (UK GDPR article 30): read live from what Linkwork holds, with the
controller's own part kept by administrators, for the data protection officer and the ICO."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.partners.models import Site
from linkwork.referrals.status import ReferralStatus
from linkwork.subjects.collect import SECTIONS
from linkwork.subjects.models import (
    ErasureRequest,
    ProcessingRecord,
    RectificationRequest,
    SubjectAccessRequest,
)
from linkwork.subjects.processing import record_of_processing
from tests.factories import make_referral
from tests.subjects.test_subject_access import pdf_text

pytestmark = pytest.mark.django_db

PAGE = "subjects:record_of_processing"
EDIT = "subjects:edit_record_of_processing"

FILLED = {
    "controller_name": "Cysylltu Cymunedol",
    "controller_address": "1 High Street\nNewtown\nSY16 1AA",
    "controller_contact": "dataprotection@example.org",
    "ico_registration": "za 123456",
    "dpo_name": "Gwen Price",
    "dpo_contact": "dpo@example.org",
    "processors": "Hosting: Example Cloud Ltd (contract in the shared drive)",
    "transfers": "None",
    "lawful_basis_notes": "Commissioned by Powys Teaching Health Board: public task.",
    "dpia": "DPIA v3, reviewed March 2026",
}


def tally(record, label_start):
    (number,) = [t.number for t in record.whose if t.label.startswith(label_start)]
    return number


def test_the_counts_are_of_what_is_held_now_and_name_no_one(
    client_for, manager, in_support, pathway_a, gp_referrer
):
    make_referral(ReferralStatus.DECLINED, pathway=pathway_a, by=gp_referrer, staff=manager)
    response = client_for(manager).get(reverse(PAGE))
    assert response.status_code == 200
    record = response.context["record"]
    assert tally(record, "People referred") == 2
    assert tally(record, "… of whom with a referral open now") == 1
    page = response.content.decode()
    assert in_support.person.family_name not in page
    assert in_support.person.reference not in page
    # Counts are service-wide, from a few queries whatever the history.
    assert "Record of processing" in page


def test_every_kind_of_record_held_about_a_person_is_on_the_record():
    listed = {kind for part in record_of_processing().parts for kind in part.kinds}
    assert len(listed) == len(SECTIONS)
    safeguarding = [p for p in record_of_processing().parts if p.title.startswith("Safeguarding")]
    assert safeguarding and safeguarding[0].reviewed


def test_the_safeguards_are_the_settings_in_force(settings, site_a):
    site_a.coordinator_access = Site.CoordinatorAccess.CASELOAD
    site_a.save()
    settings.TWO_FACTOR_REQUIRED_FOR_COORDINATORS = False
    safeguards = {m.title: m.what for m in record_of_processing().safeguards}
    assert "Link coordinator" not in safeguards["Signing in"]
    assert "Trial manager" in safeguards["Signing in"]
    assert (
        f"{site_a.name}: Their own caseload and the waiting list"
        in safeguards["Who may read a record"]
    )
    settings.TWO_FACTOR_REQUIRED_FOR_COORDINATORS = True
    settings.SESSION_IDLE_MINUTES = 20
    safeguards = {m.title: m.what for m in record_of_processing().safeguards}
    assert "Link coordinator" in safeguards["Signing in"]
    assert "after 20 minutes without use" in safeguards["Sessions"]


def test_requests_are_counted_with_those_past_their_deadline(manager, in_support):
    today = timezone.localdate()
    SubjectAccessRequest.objects.create(
        person=in_support.person,
        referral=in_support,
        received_on=today - datetime.timedelta(days=40),
        note="The person, by letter",
        requested_by=manager,
    )
    refused = {"decided_at": timezone.now(), "decided_by": manager, "refusal_reason": "Accurate"}
    for days_ago, status in ((45, "open"), (10, "open"), (50, "refused")):
        RectificationRequest.objects.create(
            person=in_support.person,
            referral=in_support,
            received_on=today - datetime.timedelta(days=days_ago),
            asked_for="Their address",
            recorded_by=manager,
            status=status,
            **({} if status == "open" else refused),
        )
    ErasureRequest.objects.create(
        person=in_support.person,
        referral=in_support,
        received_on=today - datetime.timedelta(days=3),
        note="By phone",
        requested_by=manager,
    )
    access, rectification, erasure = record_of_processing().requests
    assert (access.received, access.answered, access.late) == (1, 0, 1)
    assert (rectification.received, rectification.answered, rectification.late) == (3, 1, 1)
    assert (erasure.received, erasure.answered, erasure.late) == (1, 0, 0)


def test_an_administrator_reviews_the_controllers_part_and_it_is_audited(client_for, administrator):
    client = client_for(administrator)
    page = client.get(reverse(PAGE)).content.decode()
    assert "has never been filled in or reviewed" in page
    assert "Not recorded yet" in page

    response = client.post(reverse(EDIT), FILLED)
    assert response.status_code == 302
    saved = ProcessingRecord.current()
    assert saved.controller_name == "Cysylltu Cymunedol"
    assert saved.ico_registration == "ZA123456"
    assert (saved.reviewed_on, saved.reviewed_by) == (timezone.localdate(), administrator)
    event = AuditEvent.objects.get(object_type="subjects.processingrecord")
    assert event.action == AuditAction.CHANGE
    assert "dpo_name" in event.fields and "reviewed_on" in event.fields
    assert "Gwen" not in event.detail

    page = client.get(reverse(PAGE)).content.decode()
    assert "Gwen Price" in page
    assert "never been filled in" not in page
    assert "Last reviewed on" in page

    # Saved unchanged a year and more later: still a review, and only the date changes.
    with time_machine.travel(timezone.now() + datetime.timedelta(days=400)):
        assert record_of_processing().due_for_review
        # (Signed in again: a session lasts hours, not a year.)
        assert client_for(administrator).post(reverse(EDIT), FILLED).status_code == 302
        assert not record_of_processing().due_for_review
    latest = AuditEvent.objects.filter(object_type="subjects.processingrecord").latest("seq")
    assert latest.fields == ["reviewed_on"]


def test_a_wrong_registration_number_is_refused_and_what_was_typed_is_kept(
    client_for, administrator
):
    response = client_for(administrator).post(
        reverse(EDIT), {**FILLED, "ico_registration": "12345"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter the ICO registration number as it is on the register" in page
    assert "Gwen Price" in page and "Example Cloud Ltd" in page
    assert not ProcessingRecord.objects.exists()


@pytest.mark.parametrize("who", ["manager", "coordinator_a", "gp_referrer", "researcher"])
def test_only_an_administrator_may_change_it(client_for, request, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse(EDIT)).status_code == 403
    assert client.post(reverse(EDIT), FILLED).status_code == 403
    assert not ProcessingRecord.objects.exists()
    assert not AuditEvent.objects.filter(object_type="subjects.processingrecord").exists()


def test_the_pdf_holds_the_record_and_is_not_cached(client_for, administrator, manager):
    client_for(administrator).post(reverse(EDIT), FILLED)
    response = client_for(manager).get(reverse("subjects:record_of_processing_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    text = pdf_text(response.content)
    for words in (
        "Record of processing",
        "Cysylltu Cymunedol",
        "ZA123456",
        "Why the service holds personal data",
        "How it is kept safe",
    ):
        assert words in text


def test_the_old_subject_access_address_leads_to_the_new(client_for, manager):
    response = client_for(manager).get("/subject-access/")
    assert response.status_code == 301
    assert response["Location"] == reverse("subjects:list")


def test_the_page_costs_the_same_however_much_is_held(
    client_for, manager, in_support, pathway_a, gp_referrer
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(manager)
    url = reverse(PAGE)
    client.get(url)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    for status in (ReferralStatus.WAITING, ReferralStatus.WITHDRAWN, ReferralStatus.DECLINED):
        referral = make_referral(status, pathway=pathway_a, by=gp_referrer, staff=manager)
        SubjectAccessRequest.objects.create(
            person=referral.person,
            referral=referral,
            received_on=timezone.localdate(),
            note="By letter",
            requested_by=manager,
        )
    assert queries() == before
    assert tally(client.get(url).context["record"], "People referred") == 4


def test_how_long_each_record_is_kept_is_the_retention_rules_in_force(
    client_for, manager, settings
):
    settings.RETENTION_SUPPORTED_YEARS = 10
    page = client_for(manager).get(reverse(PAGE)).content.decode()
    assert "How long it is kept" in page
    assert "Records of people supported by a link coordinator" in page
    assert "10 years" in page
    assert "Sign-in sessions" in page

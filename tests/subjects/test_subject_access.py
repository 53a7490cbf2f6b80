"""Subject access (UK GDPR article 15, decision 0024): a manager at the person's site asks for
everything held about them; the worker makes a JSON and a PDF, with safeguarding and staff notes
marked for review before release; every step is audited; nobody else may ask or download."""

import datetime
import json
import shutil
import subprocess

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.casework import actions as casework
from linkwork.referrals.models import Person
from linkwork.referrals.status import ReferralStatus
from linkwork.safeguarding import actions as safeguarding
from linkwork.subjects.collect import EXCLUDED, SECTIONS
from linkwork.subjects.models import ExportStatus, SubjectAccessRequest, one_calendar_month_after
from tests.factories import make_referral

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext (poppler-utils) is needed to read the PDFs"
    out = subprocess.run(  # noqa: S603  (poppler's pdftotext, fixed arguments)
        [pdftotext, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(out.split())


def models_about_a_person() -> set[str]:
    """Every model with a chain of foreign keys (or one-to-ones) to `referrals.Person`."""
    reached = {Person}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model in reached:
                continue
            for f in model._meta.get_fields():
                if (f.many_to_one or (f.one_to_one and f.concrete)) and f.related_model in reached:
                    reached.add(model)
                    grew = True
                    break
    return {m._meta.label for m in reached}


def test_every_kind_of_record_about_a_person_is_exported_or_excluded_with_a_reason():
    covered = {spec.model for spec in SECTIONS}
    assert len(covered) == len(SECTIONS), "a kind is listed twice"
    assert not covered & set(EXCLUDED)
    assert models_about_a_person() == covered | set(EXCLUDED), (
        "a model now holds something about a person: add it to subjects.collect.SECTIONS, or "
        "to EXCLUDED with the reason"
    )
    for spec in SECTIONS:  # each path really leads to the person
        apps.get_model(spec.model).objects.filter(**{spec.to_person: 1}).exists()


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (datetime.date(2026, 3, 5), datetime.date(2026, 4, 5)),
        (datetime.date(2026, 1, 31), datetime.date(2026, 2, 28)),
        (datetime.date(2028, 1, 31), datetime.date(2028, 2, 29)),
        (datetime.date(2026, 12, 15), datetime.date(2027, 1, 15)),
    ],
)
def test_the_deadline_is_one_calendar_month(received, due):
    assert one_calendar_month_after(received) == due


@pytest.fixture
def supported(in_support, coordinator_a, manager):
    """coordinator_a's person at site A, with a contact, a risk flag and an escalated concern."""
    casework.log_contact(
        in_support,
        by=coordinator_a,
        at=timezone.now() - datetime.timedelta(days=1),
        mode="telephone",
        outcome="attended",
        minutes=30,
        note="Talked about the allotment.",
    )
    safeguarding.raise_concern(
        in_support, by=manager, kind="abuse", summary="Worried about a neighbour's visits."
    )
    return in_support


def ask(client, referral, **overrides):
    today = timezone.localdate()
    data = {
        "received_on_day": str(today.day),
        "received_on_month": str(today.month),
        "received_on_year": str(today.year),
        "note": "The person, by letter. Photo ID checked at the office.",
        **overrides,
    }
    return client.post(reverse("subjects:new", args=[referral.pk]), data)


def test_a_manager_asks_and_downloads_the_export(
    client_for, manager, supported, django_capture_on_commit_callbacks
):
    browser = client_for(manager)
    detail = browser.get(reverse("referrals:detail", args=[supported.pk])).content.decode()
    assert reverse("subjects:new", args=[supported.pk]) in detail
    page = browser.get(reverse("subjects:new", args=[supported.pk]))
    assert page.status_code == 200 and "Review before release" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = ask(browser, supported)
    assert response.status_code == 302, response.content.decode()[:3000]
    made = SubjectAccessRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "subjects:request", args=[made.pk]
    )
    assert made.status == ExportStatus.DONE and made.person == supported.person
    assert made.due_on == one_calendar_month_after(timezone.localdate())

    page = browser.get(reverse("subjects:request", args=[made.pk])).content.decode()
    assert "must be reviewed before release" in page
    assert made.due_on.strftime("%-d %B %Y") in page
    listing = browser.get(reverse("subjects:list")).content.decode()
    assert supported.person.full_name in listing and made.due_on.strftime("%-d %b %Y") in listing

    data = browser.get(reverse("subjects:download", args=[made.pk, "json"]))
    assert data["Cache-Control"] == "no-store" and data["Content-Type"] == "application/json"
    document = json.loads(b"".join(data.streaming_content) if data.streaming else data.content)
    sections = {s["key"]: s for s in document["sections"]}
    assert sections["referrals.person"]["records"][0]["nhs_number"] == supported.person.nhs_number
    assert sections["referrals.referral"]["records"][0]["id"] == supported.pk
    assert sections["casework.contact"]["records"][0]["note"] == "Talked about the allotment."
    concern = sections["safeguarding.safeguardingconcern"]
    assert concern["review_before_release"] is True and concern["records"]
    assert sections["safeguarding.riskflag"]["review_before_release"] is True
    assert sections["referrals.statuschange"]["review_before_release"] is False
    assert sections["referrals.statuschange"]["records"]
    assert sections["referrals.allocation"]["records"][0]["coordinator"]
    assert "token_hash" not in json.dumps(document)
    assert sections["audit.auditevent"]["records"]  # who read the record

    pdf = browser.get(reverse("subjects:download", args=[made.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert supported.person.full_name in text
    assert "Review before release" in text
    assert "Worried about a neighbour's visits." in text or "Worried about a neighbour" in text

    lines = AuditEvent.objects.filter(object_type="subjects.subjectaccessrequest")
    p = supported.person_id
    assert set(lines.values_list("action", "detail", "part", "user", "person_id")) == {
        (AuditAction.CREATE, "subject access request", "", manager.pk, supported.person_id),
        (AuditAction.CHANGE, "subject access export made", "", manager.pk, supported.person_id),
        (AuditAction.VIEW, "subject access export json", "subject_access", manager.pk, p),
        (AuditAction.VIEW, "subject access export pdf", "subject_access", manager.pk, p),
    }
    made.refresh_from_db()
    assert made.downloads == 2


def test_the_date_and_the_note_are_required_and_the_date_not_in_the_future(
    client_for, manager, supported
):
    browser = client_for(manager)
    response = ask(browser, supported, note="  ", received_on_day="")
    assert response.status_code == 400
    assert "Say who asked and how their identity was checked" in response.content.decode()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = ask(
        browser,
        supported,
        received_on_day=str(tomorrow.day),
        received_on_month=str(tomorrow.month),
        received_on_year=str(tomorrow.year),
    )
    assert response.status_code == 400
    assert not SubjectAccessRequest.objects.exists()


def test_other_roles_and_other_sites_are_refused(
    client, client_for, supported, coordinator_a, gp_referrer, researcher, manager_b, manager
):
    made = SubjectAccessRequest.objects.create(
        person=supported.person,
        referral=supported,
        received_on=timezone.localdate(),
        note="n",
        requested_by=manager,
        status=ExportStatus.DONE,
        json=b"{}",
        pdf=b"%PDF",
    )
    new = reverse("subjects:new", args=[supported.pk])
    pages = [
        reverse("subjects:request", args=[made.pk]),
        reverse("subjects:download", args=[made.pk, "json"]),
        reverse("subjects:download", args=[made.pk, "pdf"]),
    ]
    for user, on_new, on_pages in [
        (coordinator_a, 404, 403),
        (gp_referrer, 404, 403),
        (researcher, 404, 403),
        (manager_b, 404, 404),
    ]:
        browser = client_for(user)
        assert browser.get(new).status_code == on_new, user
        assert ask(browser, supported).status_code == on_new, user
        for url in pages:
            assert browser.get(url).status_code == on_pages, (user, url)
    assert (
        supported.person.full_name
        not in client_for(manager_b).get(reverse("subjects:list")).content.decode()
    )
    for url in [new, *pages]:
        assert client.get(url).status_code == 302
    assert SubjectAccessRequest.objects.count() == 1
    assert not AuditEvent.objects.filter(
        object_type="subjects.subjectaccessrequest", action=AuditAction.VIEW
    ).exists()


def test_a_manager_at_another_of_the_persons_sites_sees_it_and_the_export_covers_both(
    client_for, supported, pathway_b, gp_referrer, manager_b, django_capture_on_commit_callbacks
):
    """UK GDPR asks for everything the controller holds: a request made at site B includes the
    person's referral at site A."""
    at_b = make_referral(ReferralStatus.WAITING, pathway=pathway_b, by=gp_referrer, staff=manager_b)
    at_b.person = supported.person
    at_b.save()
    with django_capture_on_commit_callbacks(execute=True):
        ask(client_for(manager_b), at_b)
    made = SubjectAccessRequest.objects.get()
    document = json.loads(bytes(made.json))
    referrals = next(s for s in document["sections"] if s["key"] == "referrals.referral")
    assert {r["id"] for r in referrals["records"]} == {supported.pk, at_b.pk}

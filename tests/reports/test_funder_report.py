"""The funder report: case studies refused while they could identify someone, the report made
in the background as a PDF (in the asker's language) and a spreadsheet, with small numbers
suppressed, kept, and every download audited; managers only, for their own sites."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.reports import funder
from linkwork.reports.identifiers import find_identifiers
from linkwork.reports.models import CaseStudy, FunderReport, ReportStatus

pytestmark = pytest.mark.django_db
LIST = reverse("reports:funder_reports")
NEW_STUDY = reverse("reports:new_case_study")


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("Her NHS number is 943 476 5919.", "nhs_number", "943 476 5919"),
        ("Call her on 07700 900123 after ten.", "phone", "07700 900123"),
        ("Ring +44 1686 412345.", "phone", "+44 1686 412345"),
        ("She lives near SY18 6AA now.", "postcode", "SY18 6AA"),
        ("Born 12/03/1958 in Llanidloes.", "date", "12/03/1958"),
        ("Born on 3 March 1958.", "date", "3 March 1958"),
        ("Ganwyd hi ar 3 Mawrth 1958.", "date", "3 Mawrth 1958"),
    ],
)
def test_identifiers_are_found(text, kind, found):
    assert [(f.kind, f.text) for f in find_identifiers(text)] == [(kind, found)]


def test_names_are_found_only_where_written_as_names():
    text = "Angharad joined the walking group; the group is angharad's favourite. Person A too."
    assert [(f.kind, f.text) for f in find_identifiers(text, ["Angharad", "Jones"])] == [
        ("name", "Angharad")
    ]


def test_ordinary_numbers_and_years_are_not_identifiers():
    text = "In 2025 she met 12 people, went 3 times a week for 12 weeks, and SY18 is rural."
    assert find_identifiers(text) == []


def _study_form(site, text, title="Back to the allotment"):
    return {"site": site.pk, "title": title, "text": text}


def test_a_case_study_with_an_identifier_is_refused_and_kept_on_the_form(
    client_for, manager, site_a, story
):
    name = story["r1"].person.given_name
    text = f"{name} was referred in January. Phone 07700 900123."
    response = client_for(manager).post(NEW_STUDY, _study_form(site_a, text))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Remove everything that could identify someone" in html
    assert "a phone number" in html and "the name of someone referred" in html
    assert "07700 900123" in html  # what was typed is kept
    assert not CaseStudy.objects.exists()


def test_a_clean_case_study_is_saved_and_audited(client_for, manager, site_a):
    text = "Person A was lonely after retiring. Now she walks with a group twice a week."
    response = client_for(manager).post(NEW_STUDY, _study_form(site_a, text))
    assert response.status_code == 302
    study = CaseStudy.objects.get()
    assert (study.site, study.written_by, study.text) == (site_a, manager, text)
    assert AuditEvent.objects.filter(
        object_type="reports.casestudy", action=AuditAction.CREATE
    ).exists()


def test_case_studies_stay_at_their_site(client_for, manager, manager_b, site_a, site_b):
    study = CaseStudy.objects.create(site=site_b, title="B", text="Person B.", written_by=manager_b)
    url = reverse("reports:change_case_study", args=[study.pk])
    assert client_for(manager).get(url).status_code == 404
    response = client_for(manager).post(NEW_STUDY, _study_form(site_b, "Person C."))
    assert response.status_code == 200
    assert CaseStudy.objects.count() == 1


@pytest.fixture
def made_report(client_for, manager, site_a, story, django_capture_on_commit_callbacks):
    study = CaseStudy.objects.create(
        site=site_a, title="Back to the allotment", text="Person A grows beans.", written_by=manager
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(manager).post(
            LIST,
            {"from": "2026-01", "to": "2026-03", "sites": [site_a.pk], "case_studies": [study.pk]},
        )
    assert response.status_code == 302
    report = FunderReport.objects.get()
    assert len(callbacks) == 1  # the task is queued once the request's transaction commits
    assert report.status == ReportStatus.QUEUED
    return report


def test_a_report_is_made_in_the_background_and_kept(client_for, manager, made_report):
    browser = client_for(manager)
    page = browser.get(reverse("reports:funder_report", args=[made_report.pk]))
    assert "Waiting to start." in page.content.decode()
    assert funder.make(made_report.pk) == ReportStatus.DONE
    made_report.refresh_from_db()
    assert made_report.status == ReportStatus.DONE
    assert bytes(made_report.pdf).startswith(b"%PDF")
    progress = browser.get(
        reverse("reports:funder_report_progress", args=[made_report.pk]), HTTP_HX_REQUEST="true"
    )
    assert progress.headers.get("HX-Refresh") == "true"
    # A report is made once: asking again changes nothing.
    assert funder.make(made_report.pk) == ReportStatus.DONE


def test_the_spreadsheet_has_the_figures_with_small_numbers_suppressed(manager, made_report):
    funder.make(made_report.pk)
    made_report.refresh_from_db()
    book = load_workbook(io.BytesIO(bytes(made_report.xlsx)))
    assert book.sheetnames[:2] == ["Summary", "Referrals"]
    summary = {row[0]: row[2] for row in book["Summary"].iter_rows(values_only=True) if row}
    assert summary["Referrals received"] == "5"
    referrals = list(book["Referrals"].iter_rows(values_only=True))
    frequent = next(r for r in referrals if r[3] == "From frequent attenders")
    assert frequent[5] == "fewer than 5" and frequent[4] is None
    studies = list(book["Case studies"].iter_rows(values_only=True))
    assert studies[1] == ("Back to the allotment", "Person A grows beans.")
    quality = {r[0]: r[1] for r in book["Data quality"].iter_rows(values_only=True)}
    assert "Referrals waiting more than two weeks for triage" in quality


def test_the_pdf_is_made_in_the_askers_language(manager, made_report, monkeypatch):
    seen = {}

    def capture(context):
        from django.template.loader import render_to_string

        seen["language"] = translation.get_language()
        seen["html"] = render_to_string("reports/funder/report.html", context)
        return b"%PDF-test"

    monkeypatch.setattr(funder, "render_pdf", capture)
    FunderReport.objects.filter(pk=made_report.pk).update(language="cy")
    funder.make(made_report.pk)
    assert seen["language"] == "cy"
    assert "Adroddiad i'r cyllidwr a'r grŵp llywio" in seen["html"]


def test_downloads_are_audited_and_counted(client_for, manager, made_report):
    funder.make(made_report.pk)
    browser = client_for(manager)
    pdf = browser.get(reverse("reports:funder_report_download", args=[made_report.pk, "pdf"]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Cache-Control"] == "no-store"
    xlsx = browser.get(reverse("reports:funder_report_download", args=[made_report.pk, "xlsx"]))
    assert xlsx.status_code == 200
    made_report.refresh_from_db()
    assert made_report.downloads == 2
    audited = AuditEvent.objects.filter(
        object_type="reports.funderreport", action=AuditAction.VIEW
    ).values_list("detail", flat=True)
    assert sorted(audited) == ["funder report pdf", "funder report xlsx"]


def test_a_report_not_ready_cannot_be_downloaded(client_for, manager, made_report):
    response = client_for(manager).get(
        reverse("reports:funder_report_download", args=[made_report.pk, "pdf"])
    )
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_a_failure_is_recorded_by_its_kind_only(manager, made_report, monkeypatch):
    def broken(report, progress):
        raise ValueError("Angharad Jones 943 476 5919")

    monkeypatch.setattr(funder, "build", broken)
    assert funder.make(made_report.pk) == ReportStatus.FAILED
    made_report.refresh_from_db()
    assert made_report.error == "ValueError"


def test_reports_are_seen_only_by_managers_of_all_their_sites(
    client_for, manager_b, manager_both, made_report, site_b
):
    url = reverse("reports:funder_report", args=[made_report.pk])
    assert client_for(manager_b).get(url).status_code == 404
    assert client_for(manager_both).get(url).status_code == 200
    made_report.sites.add(site_b)
    from linkwork.accounts.models import User

    only_a = User.objects.get(pk=made_report.requested_by_id)
    assert client_for(only_a).get(url).status_code == 404


def test_a_manager_cannot_report_on_a_site_they_do_not_manage(client_for, manager, site_b):
    response = client_for(manager).post(
        LIST, {"from": "2026-01", "to": "2026-03", "sites": [site_b.pk]}
    )
    assert response.status_code == 400
    assert not FunderReport.objects.exists()


def test_the_default_period_is_the_last_complete_quarter(client_for, manager, time_machine):
    time_machine.move_to(datetime.datetime(2026, 5, 20, 12))
    form = client_for(manager).get(LIST).context["form"]
    assert (form["from_month"].value(), form["to_month"].value()) == ("2026-01", "2026-03")

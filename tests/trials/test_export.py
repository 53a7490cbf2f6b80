"""The pseudonymised export for the trial statistician, through the pages and the real task.

A trial was run 70 days ago with people whose personal details are distinctive; their records
are exported and every file of the zip (and every part of the Excel workbook) is searched for
anything that could identify them, and for their dates. Pseudonyms are stable, and change
with the key; the export is audited, shows its progress, is for the trial team only, still
works after the trial closed, and says plainly when the installation has no pseudonym key.
"""

import csv
import datetime
import io
import re
import zipfile

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from linkwork.accounts.models import Role
from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.core.sweeps import registered_sweeps
from linkwork.outcomes import actions as outcomes
from linkwork.referrals import actions as referrals
from linkwork.referrals.status import ReferralStatus
from linkwork.trials import actions, dataset, export, exports
from linkwork.trials.consort import render_svg
from linkwork.trials.flow import consort_flow
from linkwork.trials.models import (
    DataKept,
    DeclineReason,
    ExportStatus,
    NoteKind,
    ParticipantStatus,
    TrialExport,
    WithdrawalReason,
)
from linkwork.trials.pseudonyms import pseudonym
from tests.factories import ResearcherFactory, UserFactory, make_referral, nhs_number
from tests.trials.conftest import GAD7_ANSWERS, enrol, spec

pytestmark = pytest.mark.django_db

DAYS_AGO = 70
FULL_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{4}\b")

PEOPLE = [
    {
        "person": {
            "given_name": "Gwenllian",
            "family_name": "Quarrington-Zephaniah",
            "date_of_birth": datetime.date(1961, 3, 17),
            "phone": "07700 900417",
            "email": "gwenllian.qz@example.org",
            "address": "17 Lon Dirgel\nMachynlleth",
            "postcode": "SY20 8ZZ",
            "best_time_to_call": "After the milking",
        },
        "needs_detail": "Grieving since the flood at Cwm Hyfryd",
        "known_risks": "Keeps a shotgun at Ty Gwyn farm",
    },
    {
        "person": {
            "given_name": "Bartholomew",
            "family_name": "Fflewddur-Oakenshaw",
            "date_of_birth": datetime.date(1948, 11, 2),
            "phone": "07700 900832",
            "email": "barty.fo@example.net",
            "address": "Flat 9, Plas Ysbrydion\nLlanbrynmair",
            "postcode": "SY19 7QX",
            "best_time_to_call": "Before the quiz night",
        },
        "needs_detail": "Lost his allotment to the bypass scheme",
        "known_risks": "Brother Idris is volatile when drinking",
    },
    {
        "person": {
            "given_name": "Myfanwy",
            "family_name": "Trelawney-Price",
            "date_of_birth": datetime.date(1990, 7, 29),
            "phone": "07700 900561",
            "email": "myfanwy.tp@example.com",
            "address": "Bwthyn Seren\nCarno",
            "postcode": "SY17 5LW",
            "best_time_to_call": "During nap time",
        },
        "needs_detail": "Isolated since moving from Aberaeron",
        "known_risks": "",
    },
]
NOTE = "Deviation: rota clash at Pantyffynnon surgery"
CLOSURE = "Funding from the Ymddiriedolaeth ended early"


def days_ago(n: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=n)


@pytest.fixture
def history(site_a, pathway_a, trial_manager, researcher, gp_referrer, manager, coordinator_a):
    """A trial opened 70 days ago: three people randomised (one withdrew ten days later and
    asked that none of their data be used), one who declined, one found ineligible. Everyone's
    details are distinctive, and so are their dates."""
    people = []
    with time_machine.travel(days_ago(DAYS_AGO), tick=False):
        trial = actions.create_trial(spec([site_a], [pathway_a]), by=trial_manager)
        trial.team.add(researcher)
        trial = actions.open_trial(trial, by=trial_manager)
        for details in PEOPLE:
            person = {**details["person"], "nhs_number": nhs_number()}
            referral = make_referral(
                ReferralStatus.WAITING,
                pathway=pathway_a,
                by=gp_referrer,
                staff=manager,
                person=person,
                needs_detail=details["needs_detail"],
                known_risks=details["known_risks"],
            )
            participant = enrol(trial, referral, manager, until=ParticipantStatus.RANDOMISED)
            people.append((referral, participant))
        actions.add_note(people[0][1], by=manager, kind=NoteKind.DEVIATION, text=NOTE)
        declined = enrol(
            trial,
            make_referral(ReferralStatus.WAITING, pathway=pathway_a, by=gp_referrer, staff=manager),
            manager,
            until=ParticipantStatus.ELIGIBLE,
        )
        actions.record_decline(declined, by=manager, reason=DeclineReason.NO_WAIT)
        actions.screen(
            trial,
            make_referral(ReferralStatus.WAITING, pathway=pathway_a, by=gp_referrer, staff=manager),
            by=manager,
            unmet=[trial.criteria.first()],
        )
    with time_machine.travel(days_ago(DAYS_AGO - 10), tick=False):
        actions.withdraw(
            people[2][1],
            by=manager,
            on=timezone.localdate(),
            reason=WithdrawalReason.NO_LONGER_WISHES,
            data_kept=DataKept.NONE,
        )
    with time_machine.travel(days_ago(DAYS_AGO - 28), tick=False):
        referrals.allocate_referral(people[0][0], coordinator=coordinator_a, by=manager)
        outcomes.record_measure(
            people[0][0],
            by=manager,
            instrument="gad7",
            timepoint="review",
            answers=GAD7_ANSWERS,
            completed_on=timezone.localdate(),
        )
    trial.refresh_from_db()
    return trial, people


def request_export(client, trial, fmt, capture) -> TrialExport:
    with capture(execute=True):
        response = client.post(reverse("trials:exports", args=[trial.pk]), {"format": fmt})
    made = TrialExport.objects.latest("pk")
    assert response.status_code == 302
    assert response.url == reverse("trials:export", args=[trial.pk, made.pk])
    return made


def download(client, made) -> zipfile.ZipFile:
    response = client.get(reverse("trials:export_download", args=[made.trial_id, made.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    return zipfile.ZipFile(io.BytesIO(response.content))


def read_csv(archive: zipfile.ZipFile, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(archive.read(name).decode("utf-8"))))


def texts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Every file of the zip as text; an Excel workbook opened up, part by part."""
    found = {}
    for name in archive.namelist():
        data = archive.read(name)
        if name.endswith(".xlsx"):
            inner = zipfile.ZipFile(io.BytesIO(data))
            for part in inner.namelist():
                found[f"{name}/{part}"] = inner.read(part).decode("utf-8")
        else:
            found[name] = data.decode("utf-8")
    return found


def identifying(people, *staff) -> list[str]:
    """Everything about the people (and the staff) that must not be in an export."""
    found = [NOTE, "Pantyffynnon"]
    for referral, participant in people:
        person = referral.person
        dob = person.date_of_birth
        found += [
            person.given_name,
            person.family_name,
            person.email,
            person.phone,
            person.phone.replace(" ", ""),
            person.postcode,
            person.nhs_number,
            f"{person.nhs_number[:3]} {person.nhs_number[3:6]} {person.nhs_number[6:]}",
            person.best_time_to_call,
            *person.address.splitlines(),
            dob.isoformat(),
            dob.strftime("%d/%m/%Y"),
            f"{dob.day} {dob.strftime('%B %Y')}",
            referral.reference,
            referral.needs_detail,
        ]
        if referral.known_risks:
            found.append(referral.known_risks)
        for day in (
            participant.consented_on,
            timezone.localdate(participant.randomised_at),
            timezone.localdate(participant.screened_at),
            participant.withdrawn_on,
        ):
            if day is not None:
                found += [day.isoformat(), day.strftime("%d/%m/%Y")]
    found += [user.get_full_name() for user in staff]
    return found


def assert_nothing_identifying(archive, people, trial, made, *staff):
    everything = texts(archive)
    for name, text in everything.items():
        lowered = text.lower()
        for value in identifying(people, *staff):
            assert value.lower() not in lowered, (name, value)
    # No full date in the data or the dictionary at all; elsewhere (the README, the workbook's
    # own properties) only the trial's dates and the time the export was made.
    made_on = timezone.localtime(made.finished_at).date()
    allowed = {
        trial.starts_on.isoformat(),
        trial.ends_on.isoformat(),
        made_on.isoformat(),
        made.finished_at.astimezone(datetime.UTC).date().isoformat(),
    }
    if trial.closed_on:
        allowed.add(trial.closed_on.isoformat())
    for name, text in everything.items():
        dates = set(FULL_DATE.findall(text))
        if name in ("data.csv", "data_dictionary.csv"):
            assert not dates, (name, dates)
        else:
            assert dates <= allowed, (name, dates - allowed)
    if "data.xlsx" in archive.namelist():
        workbook = load_workbook(io.BytesIO(archive.read("data.xlsx")))
        for sheet in ("data", "dictionary"):
            for row in workbook[sheet].iter_rows(values_only=True):
                for value in row:
                    assert not isinstance(value, datetime.date | datetime.datetime), (sheet, row)
                    assert not FULL_DATE.search(str(value)), (sheet, row)


# --- What is in the export, and what is not -------------------------------------------------


def test_the_csv_export_holds_nothing_that_identifies_anyone(
    history,
    client_for,
    researcher,
    trial_manager,
    manager,
    gp_referrer,
    django_capture_on_commit_callbacks,
):
    trial, people = history
    client = client_for(researcher)
    made = request_export(client, trial, "csv", django_capture_on_commit_callbacks)
    made.refresh_from_db()
    assert made.status == ExportStatus.DONE
    assert made.rows == 2  # the third withdrew and asked that none of their data be used
    assert made.filename.startswith("ISRCTN12345678-data-csv-")

    archive = download(client, made)
    assert sorted(archive.namelist()) == [
        "README.txt",
        "consort.svg",
        "data.csv",
        "data_dictionary.csv",
    ]
    assert_nothing_identifying(archive, people, trial, made, trial_manager, manager, gp_referrer)

    data = read_csv(archive, "data.csv")
    header, rows = data[0], data[1:]
    assert len(rows) == 2
    for column in header:
        assert not any(word in column for word in ("referral", "person", "nhs", "name", "id"))
    assert {row[header.index("participant")] for row in rows} == {
        pseudonym(trial.pk, participant.pk) for _referral, participant in people[:2]
    }
    month = timezone.localtime(people[0][1].randomised_at).strftime("%Y-%m")
    assert {row[header.index("randomised_month")] for row in rows} == {month}
    first = next(
        row
        for row in rows
        if row[header.index("participant")] == pseudonym(trial.pk, people[0][1].pk)
    )
    assert first[header.index("gad7_week_4_day")] == "28"  # days, not a date
    assert first[header.index("gad7_baseline")] == "8.0"
    assert [row[header.index("participant")] for row in rows] == sorted(
        row[header.index("participant")] for row in rows
    )  # sorted by pseudonym, not by when they were randomised


def test_the_columns_are_the_dictionarys(
    history, client_for, researcher, django_capture_on_commit_callbacks
):
    trial, _people = history
    client = client_for(researcher)
    archive = download(
        client, request_export(client, trial, "csv", django_capture_on_commit_callbacks)
    )
    header = read_csv(archive, "data.csv")[0]
    dictionary = read_csv(archive, "data_dictionary.csv")
    assert dictionary[0] == ["column", "description", "type", "values"]
    assert [row[0] for row in dictionary[1:]] == header
    assert header == [c.name for c in dataset.columns(trial)]
    assert all(row[1] and row[2] for row in dictionary[1:])
    described = {row[0]: row for row in dictionary[1:]}
    assert described["randomised_month"][3] == "YYYY-MM"
    assert "no_longer_wishes = No longer wishes to take part" in described["withdrawal_reason"][3]


def test_the_readme_describes_the_trial_and_the_consort_diagram_is_included(
    history, client_for, researcher, django_capture_on_commit_callbacks
):
    trial, _people = history
    client = client_for(researcher)
    archive = download(
        client, request_export(client, trial, "csv", django_capture_on_commit_callbacks)
    )

    svg = archive.read("consort.svg").decode()
    assert svg == render_svg(consort_flow(trial)[0])
    assert svg.startswith("<svg") and "Randomised" in svg

    readme = archive.read("README.txt").decode()
    for expected in (
        "Linkwork waitlist trial",
        "Registration: ISRCTN12345678",
        "Status: Open to enrolment",
        "* Immediate support: ratio 1, support may start at once",
        "* Waitlist (the comparison arm): ratio 1, support starts 28 days after randomisation",
        "Allocation ratio: 1:1",
        "Stratified by: site",
        "Time points: baseline (before randomisation); 4 weeks after randomisation; 12 weeks "
        "after randomisation",
        "Withdrew consent to the use of their data (n=1)",
        "Primary outcome: Generalised Anxiety Disorder Assessment (GAD-7) at 12 weeks after "
        "randomisation",
        "HMAC-SHA256",
        "TRIAL_PSEUDONYM_KEY",
        "Randomisation is given as a month",
        "Participants in the data set: 2",
        "Assessed for eligibility (n=5)",
        "Generated: ",
    ):
        assert expected in readme, (expected, readme)
    assert "Closed on" not in readme
    assert "block sizes are not given" in readme


def test_the_excel_export_holds_the_three_sheets_and_nothing_identifying(
    history,
    client_for,
    researcher,
    trial_manager,
    manager,
    gp_referrer,
    django_capture_on_commit_callbacks,
):
    trial, people = history
    client = client_for(researcher)
    made = request_export(client, trial, "xlsx", django_capture_on_commit_callbacks)
    made.refresh_from_db()
    archive = download(client, made)
    assert sorted(archive.namelist()) == [
        "README.txt",
        "consort.svg",
        "data.xlsx",
        "data_dictionary.csv",
    ]
    assert_nothing_identifying(archive, people, trial, made, trial_manager, manager, gp_referrer)

    workbook = load_workbook(io.BytesIO(archive.read("data.xlsx")))
    assert workbook.sheetnames == ["data", "dictionary", "readme"]
    data = [list(row) for row in workbook["data"].iter_rows(values_only=True)]
    dictionary = [list(row) for row in workbook["dictionary"].iter_rows(values_only=True)]
    assert [row[0] for row in dictionary[1:]] == data[0]
    assert data[0] == [row[0] for row in read_csv(archive, "data_dictionary.csv")[1:]]
    assert len(data) == 3
    readme = "\n".join(row[0] or "" for row in workbook["readme"].iter_rows(values_only=True))
    assert "HMAC-SHA256" in readme


def test_text_that_a_spreadsheet_would_run_is_quoted(
    site_a,
    pathway_a,
    trial_manager,
    gp_referrer,
    manager,
    client_for,
    django_capture_on_commit_callbacks,
):
    trial = actions.create_trial(
        spec(
            [site_a],
            [pathway_a],
            arms=[
                actions.ArmSpec('=HYPERLINK("http://evil.example")', is_control=True),
                actions.ArmSpec("+Waitlist", delay_days=28),
            ],
        ),
        by=trial_manager,
    )
    trial = actions.open_trial(trial, by=trial_manager)
    for _n in range(2):
        referral = make_referral(
            ReferralStatus.WAITING, pathway=pathway_a, by=gp_referrer, staff=manager
        )
        enrol(trial, referral, manager, until=ParticipantStatus.RANDOMISED)
    client = client_for(trial_manager)
    for fmt in ("csv", "xlsx"):
        archive = download(
            client, request_export(client, trial, fmt, django_capture_on_commit_callbacks)
        )
        if fmt == "csv":
            data = read_csv(archive, "data.csv")
            arms = {row[data[0].index("arm")] for row in data[1:]}
        else:
            sheet = load_workbook(io.BytesIO(archive.read("data.xlsx")))["data"]
            header = [cell.value for cell in sheet[1]]
            cells = [row[header.index("arm")] for row in sheet.iter_rows(min_row=2)]
            assert all(cell.data_type == "s" for cell in cells)
            arms = {cell.value for cell in cells}
        assert arms <= {'\'=HYPERLINK("http://evil.example")', "'+Waitlist"}
        dictionary = read_csv(archive, "data_dictionary.csv")
        arm_values = next(row[3] for row in dictionary if row[0] == "arm")
        assert arm_values.startswith("'=HYPERLINK")


def test_the_guard_quotes_every_formula_start():
    from linkwork.core.spreadsheets import spreadsheet_safe

    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert spreadsheet_safe(value) == "'" + value
    assert spreadsheet_safe("Waitlist") == "Waitlist"
    assert spreadsheet_safe("") == ""
    assert spreadsheet_safe(3) == 3


# --- Pseudonyms ---------------------------------------------------------------------------------


def participants_in(archive) -> list[str]:
    data = read_csv(archive, "data.csv")
    return sorted(row[data[0].index("participant")] for row in data[1:])


def test_pseudonyms_are_stable_and_change_with_the_key(
    history, client_for, researcher, trial_manager, django_capture_on_commit_callbacks
):
    trial, _people = history
    first = participants_in(
        download(
            client_for(researcher),
            request_export(
                client_for(researcher), trial, "csv", django_capture_on_commit_callbacks
            ),
        )
    )
    second = participants_in(
        download(
            client_for(trial_manager),
            request_export(
                client_for(trial_manager), trial, "csv", django_capture_on_commit_callbacks
            ),
        )
    )
    assert first == second
    assert all(re.fullmatch(r"P-[A-Z2-7]{10}", p) for p in first)

    with override_settings(TRIAL_PSEUDONYM_KEY="another-installations-key"):
        other = participants_in(
            download(
                client_for(researcher),
                request_export(
                    client_for(researcher), trial, "csv", django_capture_on_commit_callbacks
                ),
            )
        )
    assert len(other) == len(first)
    assert not set(other) & set(first)


# --- Audit, progress, keeping and failing ----------------------------------------------------


def test_asking_for_and_downloading_an_export_are_audited(
    history, client_for, researcher, django_capture_on_commit_callbacks
):
    trial, _people = history
    client = client_for(researcher)
    made = request_export(client, trial, "csv", django_capture_on_commit_callbacks)
    created = AuditEvent.objects.get(
        object_type="trials.trialexport", object_id=str(made.pk), action=AuditAction.CREATE
    )
    assert (created.user, created.detail, created.person_id) == (researcher, "export", None)
    assert not AuditEvent.objects.filter(
        object_type="trials.trialexport", action=AuditAction.VIEW
    ).exists()

    download(client, made)
    download(client, made)
    viewed = AuditEvent.objects.filter(
        object_type="trials.trialexport", object_id=str(made.pk), action=AuditAction.VIEW
    )
    assert viewed.count() == 2
    assert {(e.user, e.detail, e.person_id) for e in viewed} == {(researcher, "export", None)}
    made.refresh_from_db()
    assert made.downloaded_count == 2
    assert made.last_downloaded_at is not None


def test_the_page_shows_the_progress_until_the_export_is_made(
    history, client_for, researcher, django_capture_on_commit_callbacks
):
    trial, _people = history
    client = client_for(researcher)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("trials:exports", args=[trial.pk]), {"format": "csv"})
    assert len(queued) == 1  # the task is queued once the export's row is committed
    made = TrialExport.objects.get()
    assert made.status == ExportStatus.QUEUED
    page_url = reverse("trials:export", args=[trial.pk, made.pk])
    progress_url = reverse("trials:export_progress", args=[trial.pk, made.pk])
    assert response.url == page_url

    page = client.get(page_url).content.decode()
    assert "Waiting to start." in page
    assert f'hx-get="{progress_url}"' in page and 'hx-trigger="every 2s"' in page
    assert "Refresh the page to see how the export is going" in page  # without JavaScript
    assert "Download the export" not in page

    TrialExport.objects.filter(pk=made.pk).update(
        status=ExportStatus.RUNNING, total=10, processed=4
    )
    fragment = client.get(progress_url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "Prepared the rows of 4 of 10 participants." in fragment.content.decode()
    assert 'value="40"' in fragment.content.decode()
    TrialExport.objects.filter(pk=made.pk).update(status=ExportStatus.QUEUED, total=0, processed=0)

    queued[0]()  # the worker runs the task
    made.refresh_from_db()
    assert made.status == ExportStatus.DONE
    assert (made.processed, made.total) == (2, 2)  # written by the data set's progress

    finished = client.get(progress_url, headers={"HX-Request": "true"})
    assert finished.headers.get("HX-Refresh") == "true"  # htmx reloads the page
    page = client.get(page_url).content.decode()
    assert "hx-trigger" not in page
    assert "Download the export (zip," in page
    assert "deleted 7 days after it was made" in page
    listing = client.get(reverse("trials:exports", args=[trial.pk])).content.decode()
    assert page_url in listing and "Ready to download" in listing


def test_a_task_run_twice_makes_the_export_once(history, researcher):
    trial, _people = history
    made = TrialExport.objects.create(trial=trial, requested_by=researcher, format="csv")
    assert export.make(made.pk) == ExportStatus.DONE
    made.refresh_from_db()
    content = bytes(made.content)
    assert export.make(made.pk) == ExportStatus.DONE
    made.refresh_from_db()
    assert bytes(made.content) == content


def test_a_failure_records_its_kind_only_and_the_page_says_so(
    history, client_for, researcher, django_capture_on_commit_callbacks, monkeypatch
):
    trial, people = history
    secret = f"{people[0][0].person.full_name} {people[0][0].person.nhs_number}"

    def broken(*args, **kwargs):
        raise ValueError(secret)

    monkeypatch.setattr(export, "build", broken)
    client = client_for(researcher)
    made = request_export(client, trial, "csv", django_capture_on_commit_callbacks)
    made.refresh_from_db()
    assert made.status == ExportStatus.FAILED
    assert made.error == "ValueError"
    assert made.content in (b"", memoryview(b""))
    page = client.get(reverse("trials:export", args=[trial.pk, made.pk])).content.decode()
    assert "The export could not be made" in page
    assert "Something went wrong" in page
    assert secret not in page and "ValueError" not in page
    response = client.get(reverse("trials:export_download", args=[trial.pk, made.pk]))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="trials.trialexport"
    ).exists()


def test_files_are_kept_seven_days_then_deleted(
    history, client_for, researcher, django_capture_on_commit_callbacks
):
    trial, _people = history
    client = client_for(researcher)
    made = request_export(client, trial, "csv", django_capture_on_commit_callbacks)
    made.refresh_from_db()
    assert made.expires_at == made.finished_at + datetime.timedelta(days=7)
    assert exports.delete_expired_files() == 0

    with time_machine.travel(made.expires_at + datetime.timedelta(minutes=1), tick=False):
        client = client_for(researcher)  # a new session: the first has expired
        page = client.get(reverse("trials:export", args=[trial.pk, made.pk])).content.decode()
        assert "The file can no longer be downloaded." in page
        response = client.get(reverse("trials:export_download", args=[trial.pk, made.pk]))
        assert response.status_code == 302
        assert exports.delete_expired_files() == 1
        assert exports.delete_expired_files() == 0
    made.refresh_from_db()
    client = client_for(researcher)
    assert made.status == ExportStatus.EXPIRED
    assert bytes(made.content) == b""
    assert AuditEvent.objects.filter(
        object_type="trials.trialexport", object_id=str(made.pk), action=AuditAction.DELETE
    ).exists()
    page = client.get(reverse("trials:export", args=[trial.pk, made.pk])).content.decode()
    assert "The file was deleted on" in page


def test_the_sweep_is_registered():
    assert "linkwork.trials.sweeps.tidy_trial_exports" in registered_sweeps()


def test_an_export_whose_worker_was_lost_is_failed_by_the_sweep(history, researcher):
    trial, _people = history
    made = TrialExport.objects.create(trial=trial, requested_by=researcher, format="csv")
    assert exports.delete_expired_files() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=3), tick=False):
        assert exports.delete_expired_files() == 1
    made.refresh_from_db()
    assert (made.status, made.error) == (ExportStatus.FAILED, "Abandoned")
    assert export.make(made.pk) == ExportStatus.FAILED  # a late worker leaves it alone


# --- A closed trial, and no key ------------------------------------------------------------------


def test_a_closed_trial_still_exports(
    history,
    client_for,
    researcher,
    trial_manager,
    manager,
    gp_referrer,
    django_capture_on_commit_callbacks,
):
    trial, people = history
    trial = actions.close_trial(
        trial, by=trial_manager, closed_on=timezone.localdate(), reason=CLOSURE
    )
    client = client_for(researcher)
    listing = client.get(reverse("trials:exports", args=[trial.pk])).content.decode()
    assert "Its records can still be exported." in listing
    made = request_export(client, trial, "csv", django_capture_on_commit_callbacks)
    made.refresh_from_db()
    assert made.status == ExportStatus.DONE
    archive = download(client, made)
    readme = archive.read("README.txt").decode()
    assert f"Closed on: {trial.closed_on.isoformat()}" in readme
    assert CLOSURE in readme
    assert "Status: Closed" in readme
    assert_nothing_identifying(archive, people, trial, made, manager, gp_referrer)


@override_settings(TRIAL_PSEUDONYM_KEY="")
def test_without_the_key_the_page_says_who_must_set_it_and_offers_no_export(
    history, client_for, researcher, django_capture_on_commit_callbacks
):
    trial, _people = history
    client = client_for(researcher)
    url = reverse("trials:exports", args=[trial.pk])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "it has no pseudonym key" in text
    assert "must set the TRIAL_PSEUDONYM_KEY environment variable" in text
    assert "Make the export" not in text
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(url, {"format": "csv"})
    assert posted.status_code == 200
    assert "it has no pseudonym key" in posted.content.decode()
    assert not TrialExport.objects.exists()


def test_a_key_removed_before_the_export_runs_fails_it_plainly(
    history, client_for, researcher, django_capture_on_commit_callbacks
):
    trial, _people = history
    client = client_for(researcher)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(reverse("trials:exports", args=[trial.pk]), {"format": "csv"})
    with override_settings(TRIAL_PSEUDONYM_KEY=""):
        queued[0]()
    made = TrialExport.objects.get()
    assert (made.status, made.error) == (ExportStatus.FAILED, "PseudonymKeyMissing")
    page = client.get(reverse("trials:export", args=[trial.pk, made.pk])).content.decode()
    assert "This installation has no pseudonym key." in page


def test_the_form_asks_for_a_format(history, client_for, researcher):
    trial, _people = history
    response = client_for(researcher).post(
        reverse("trials:exports", args=[trial.pk]), {"format": "sav"}
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert not TrialExport.objects.exists()


# --- Who may export -------------------------------------------------------------------------------


@pytest.fixture
def finished_export(history, researcher, django_capture_on_commit_callbacks):
    trial, _people = history
    with django_capture_on_commit_callbacks(execute=True):
        made = exports.request_export(trial, by=researcher, fmt="csv")
    made.refresh_from_db()
    assert made.status == ExportStatus.DONE
    return made


def urls_of(made) -> list[str]:
    return [
        reverse("trials:exports", args=[made.trial_id]),
        reverse("trials:export", args=[made.trial_id, made.pk]),
        reverse("trials:export_progress", args=[made.trial_id, made.pk]),
        reverse("trials:export_download", args=[made.trial_id, made.pk]),
    ]


def test_the_trial_team_may_export(finished_export, client_for, researcher, trial_manager):
    for user in (researcher, trial_manager):
        client = client_for(user)
        for url in urls_of(finished_export):
            assert client.get(url).status_code == 200, (user, url)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        # Staff at the trial's site see the trial, not its data set: `require` with an object
        # answers 404, as for a record outside their scope.
        ("coordinator_a", 404),
        ("manager", 404),
        ("administrator", 404),
        ("gp_referrer", 404),
        ("outsider", 404),
        ("researcher_off_the_team", 404),
        ("trial_manager_off_the_team", 404),
    ],
)
def test_no_one_else_may_export_or_download(finished_export, client_for, request, who, status):
    if who == "researcher_off_the_team":
        user = ResearcherFactory()
    elif who == "trial_manager_off_the_team":
        user = UserFactory(role=Role.TRIAL_MANAGER)
    else:
        user = request.getfixturevalue(who)
    client = client_for(user)
    for url in urls_of(finished_export):
        assert client.get(url).status_code == status, url
    response = client.post(urls_of(finished_export)[0], {"format": "csv"})
    assert response.status_code == status
    assert TrialExport.objects.count() == 1
    finished_export.refresh_from_db()
    assert finished_export.downloaded_count == 0
    assert not AuditEvent.objects.filter(
        object_type="trials.trialexport", action=AuditAction.VIEW
    ).exists()


def test_anonymous_visitors_are_sent_to_sign_in(finished_export, client):
    for url in urls_of(finished_export):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_an_export_is_reached_only_through_its_own_trial(
    finished_export, site_a, pathway_a, researcher, client_for
):
    other = actions.create_trial(spec([site_a], [pathway_a], name="Another trial"), by=researcher)
    client = client_for(researcher)
    for url in (
        reverse("trials:export", args=[other.pk, finished_export.pk]),
        reverse("trials:export_download", args=[other.pk, finished_export.pk]),
    ):
        assert client.get(url).status_code == 404


def test_the_readme_and_dictionary_are_in_the_language_of_whoever_asked(
    history, client_for, researcher, django_capture_on_commit_callbacks
):
    trial, _people = history
    client = client_for(researcher)
    client.post(reverse("set_language"), {"language": "cy", "next": "/"})
    made = request_export(client, trial, "csv", django_capture_on_commit_callbacks)
    made.refresh_from_db()
    assert made.language == "cy"
    archive = download(client, made)
    with translation.override("cy"):
        heading = gettext("Pseudonymised data set of the trial, for analysis.")
        description = str(dataset.columns(trial)[0].description)
    assert heading in archive.read("README.txt").decode()
    assert read_csv(archive, "data_dictionary.csv")[1][1] == description
    assert read_csv(archive, "data.csv")[0][0] == "participant"  # the column names are codes

"""The imports page: who may use it, uploading a feed, progress and the report."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from linkwork.directory.models import DirectoryImport, ImportStatus, Service
from linkwork.oruk import importer

pytestmark = pytest.mark.django_db

FEEDS = Path(__file__).resolve().parent / "feeds"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/json")


@pytest.fixture
def finished(manager):
    importer.run_import(json.loads((FEEDS / "broken.json").read_text()), by=manager)
    return DirectoryImport.objects.get()


@pytest.mark.parametrize("who", ["manager", "administrator"])
def test_managers_and_administrators_see_the_imports_page(who, request, client_for, finished):
    response = client_for(request.getfixturevalue(who)).get(reverse("oruk:imports"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Import services" in page
    assert 'enctype="multipart/form-data"' in page
    assert reverse("oruk:import_detail", args=[finished.pk]) in page
    assert "Imported" in page  # the status


@pytest.mark.parametrize("who", ["coordinator_a", "gp_referrer", "researcher"])
def test_other_roles_are_refused(who, request, client_for, finished):
    client = client_for(request.getfixturevalue(who))

    for url in (
        reverse("oruk:imports"),
        reverse("oruk:import_detail", args=[finished.pk]),
        reverse("oruk:import_progress", args=[finished.pk]),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("oruk:imports"), {"file": upload("feed.json", b"{}")})
    assert response.status_code == 403
    assert DirectoryImport.objects.count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(finished):
    client = Client()

    for url in (
        reverse("oruk:imports"),
        reverse("oruk:import_detail", args=[finished.pk]),
        reverse("oruk:import_progress", args=[finished.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_uploading_a_feed_imports_it_in_the_background(
    manager, client_for, django_capture_on_commit_callbacks
):
    content = (FEEDS / "broken.json").read_bytes()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(manager).post(
            reverse("oruk:imports"), {"file": upload("library.json", content), "url": ""}
        )

    assert len(callbacks) == 1  # the task is queued once the import's row is committed
    directory_import = DirectoryImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("oruk:import_detail", args=[directory_import.pk])
    assert directory_import.source == "library.json"
    assert directory_import.payload == content.decode()
    assert directory_import.started_by == manager
    assert directory_import.status == ImportStatus.SUCCEEDED
    assert Service.objects.filter(name="Knitting circle").exists()

    page = client_for(manager).get(response.url).content.decode()
    assert "Records not imported" in page
    assert "Required field &#x27;name&#x27; is missing" in page
    assert "Imported with warnings" in page
    assert "is not a phone number" in page
    assert "Knitting circle" in page
    assert 'hx-trigger="every 2s"' not in page  # finished: nothing to poll


def test_an_address_is_queued_to_be_fetched(
    manager, client_for, django_capture_on_commit_callbacks
):
    url = "https://directory.example.org/api/services"

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(manager).post(reverse("oruk:imports"), {"url": url})

    assert len(callbacks) == 1
    directory_import = DirectoryImport.objects.get()
    assert response.status_code == 302
    assert (directory_import.source, directory_import.payload) == (url, "")
    assert directory_import.status == ImportStatus.QUEUED


def test_a_file_that_is_not_json_is_refused_and_the_typed_address_kept(manager, client_for):
    response = client_for(manager).post(
        reverse("oruk:imports"),
        {
            "file": upload("feed.json", b"<html>not a feed</html>"),
            "url": "https://directory.example.org/api/services",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert (
        "The selected file must be a JSON file: The feed is not valid JSON (line 1, column 1)."
        in page
    )
    assert 'href="#id_file"' in page
    assert 'value="https://directory.example.org/api/services"' in page
    assert "<title>Error:" in page
    assert not DirectoryImport.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({}, "file", "Select a JSON file, or enter the address of a feed"),
        (
            {"url": "ftp://example.org/feed"},
            "url",
            "Enter an address that starts with http:// or https://",
        ),
        (
            {"file": ("feed.json", b'{"hello": "world"}'), "url": ""},
            "file",
            "The selected file is not an ORUK feed",
        ),
        ({"file": ("feed.json", b"")}, "file", "The selected file is empty"),
        (
            {
                "file": ("feed.json", b'{"id": "x", "name": "y", "status": "active"}'),
                "url": "https://example.org/services",
            },
            "url",
            "Select a file or enter an address, not both",
        ),
    ],
)
def test_the_form_explains_each_mistake(manager, client_for, data, field, error):
    data = {
        name: upload(*value) if isinstance(value, tuple) else value for name, value in data.items()
    }

    response = client_for(manager).post(reverse("oruk:imports"), data)

    assert response.status_code == 400
    page = response.content.decode()
    assert f'href="#id_{field}"' in page
    assert error in page
    if "url" in data and data["url"]:
        assert f'value="{data["url"]}"' in page
    assert not DirectoryImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused(manager, client_for):
    content = b"[" + b" " * importer.MAX_UPLOAD_BYTES + b"]"

    response = client_for(manager).post(
        reverse("oruk:imports"), {"file": upload("big.json", content)}
    )

    assert response.status_code == 400
    assert "The selected file must be smaller than 10 MB" in response.content.decode()
    assert not DirectoryImport.objects.exists()


def test_a_running_import_shows_its_progress_and_htmx_polls_it(manager, client_for):
    running = DirectoryImport.objects.create(
        source="https://example.org/services",
        status=ImportStatus.RUNNING,
        total=40,
        processed=10,
        started_by=manager,
    )
    client = client_for(manager)

    page = client.get(reverse("oruk:import_detail", args=[running.pk])).content.decode()
    assert "Checked 10 of 40 records." in page
    assert '<progress class="govuk-!-width-full" max="100" value="25"' in page
    assert 'hx-trigger="every 2s"' in page
    assert reverse("oruk:import_progress", args=[running.pk]) in page
    assert "Refresh the page to see how the import is going" in page

    fragment = client.get(
        reverse("oruk:import_progress", args=[running.pk]), HTTP_HX_REQUEST="true"
    )
    assert fragment.status_code == 200
    assert 'hx-trigger="every 2s"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()

    DirectoryImport.objects.filter(pk=running.pk).update(status=ImportStatus.SUCCEEDED)
    done = client.get(reverse("oruk:import_progress", args=[running.pk]), HTTP_HX_REQUEST="true")
    assert done.headers["HX-Refresh"] == "true"


def test_a_failed_import_says_nothing_changed(manager, client_for, monkeypatch):
    monkeypatch.setattr(importer.Feed, "_apply_service", lambda self, record: 1 / 0)
    importer.run_import(json.loads((FEEDS / "dataset.json").read_text()), by=manager)
    failed = DirectoryImport.objects.get()

    page = client_for(manager).get(reverse("oruk:import_detail", args=[failed.pk])).content.decode()

    assert "The import failed. Nothing in the directory was changed." in page
    assert "unexpected error (ZeroDivisionError)" in page
    assert "Failed: nothing changed" in page


def test_the_list_shows_the_newest_import_first(manager, client_for):
    older = DirectoryImport.objects.create(source="older.json", status=ImportStatus.SUCCEEDED)
    newer = DirectoryImport.objects.create(source="newer.json", status=ImportStatus.QUEUED)

    page = client_for(manager).get(reverse("oruk:imports")).content.decode()

    assert page.index(newer.source) < page.index(older.source)
    assert "Waiting to start" in page

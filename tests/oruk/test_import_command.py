"""`manage.py import_oruk FILE_OR_URL [--dry-run]`."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from linkwork.directory.models import DirectoryImport, ImportStatus, Service

pytestmark = pytest.mark.django_db

FEEDS = Path(__file__).resolve().parent / "feeds"


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_oruk", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_progress_the_report_and_the_totals():
    out, err = run(str(FEEDS / "broken.json"))

    assert "Checking" in err and "Saving" in err  # the progress bar
    lines = out.splitlines()
    assert "Service 'Knitting circle' (id 1b000000-0000-4000-8000-000000000001): created" in lines
    assert "Service (id 1b000000-0000-4000-8000-000000000003): rejected" in lines
    assert "    rejected because: Required field 'name' is missing" in lines
    assert lines[-1] == "5 created, 0 updated, 0 unchanged, 9 rejected, 9 warnings"
    directory_import = DirectoryImport.objects.get()
    assert directory_import.status == ImportStatus.SUCCEEDED
    assert directory_import.source == "broken.json"
    assert directory_import.started_by is None


def test_a_second_run_is_all_unchanged():
    run(str(FEEDS / "dataset.json"))

    out, _err = run(str(FEEDS / "dataset.json"), "--no-progress")

    assert out.splitlines()[-1] == "0 created, 0 updated, 8 unchanged, 0 rejected, 0 warnings"


def test_a_dry_run_changes_nothing():
    out, _err = run(str(FEEDS / "dataset.json"), "--dry-run", "--no-progress")

    assert out.splitlines()[-1] == (
        "Dry run, nothing was changed: 8 created, 0 updated, 0 unchanged, 0 rejected, 0 warnings"
    )
    assert not Service.objects.exists()
    assert not DirectoryImport.objects.exists()


def test_an_import_that_fails_exits_with_an_error(tmp_path):
    bad = tmp_path / "feed.json"
    bad.write_text('{"services": [')

    with pytest.raises(CommandError) as raised:
        run(str(bad), "--no-progress")

    assert str(raised.value) == "The feed is not valid JSON (line 1, column 15)."
    assert DirectoryImport.objects.get().status == ImportStatus.FAILED


def test_a_file_that_is_not_there_is_named(tmp_path):
    with pytest.raises(CommandError) as raised:
        run(str(tmp_path / "missing.json"))

    assert str(raised.value).startswith(f"Cannot read {tmp_path / 'missing.json'}")
    assert not DirectoryImport.objects.exists()


def test_a_dry_run_of_a_feed_that_is_not_oruk_fails(tmp_path):
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": "world"}))

    with pytest.raises(CommandError, match="not in a shape Linkwork can import"):
        run(str(other), "--dry-run")

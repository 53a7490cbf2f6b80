"""An import whose worker died is not left "Importing" for ever."""

import datetime

import pytest
from django.utils import timezone

from linkwork.core.sweeps import registered_sweeps
from linkwork.directory.models import DirectoryImport, ImportStatus
from linkwork.oruk.sweeps import ABANDONED_AFTER, fail_stuck_imports

pytestmark = pytest.mark.django_db


def test_imports_stuck_for_hours_are_marked_failed_once(manager):
    long_ago = timezone.now() - ABANDONED_AFTER - datetime.timedelta(minutes=1)
    stuck = DirectoryImport.objects.create(
        source="feed.json", status=ImportStatus.RUNNING, created_at=long_ago, started_by=manager
    )
    queued = DirectoryImport.objects.create(
        source="feed.json", status=ImportStatus.QUEUED, created_at=long_ago
    )
    recent = DirectoryImport.objects.create(source="feed.json", status=ImportStatus.RUNNING)
    done = DirectoryImport.objects.create(
        source="feed.json", status=ImportStatus.SUCCEEDED, created_at=long_ago
    )

    assert fail_stuck_imports() == 2
    assert fail_stuck_imports() == 0  # idempotent
    for directory_import, status in (
        (stuck, ImportStatus.FAILED),
        (queued, ImportStatus.FAILED),
        (recent, ImportStatus.RUNNING),
        (done, ImportStatus.SUCCEEDED),
    ):
        directory_import.refresh_from_db()
        assert directory_import.status == status
    assert "stopped before it finished" in stuck.error
    assert stuck.finished_at is not None


def test_the_sweep_is_registered_with_the_worker():
    assert "linkwork.oruk.sweeps.fail_stuck_imports" in registered_sweeps()

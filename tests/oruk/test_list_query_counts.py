"""The list of past ORUK imports runs the same number of SQL queries however many imports there
have been (`tests/query_counts.py`). Each import added was started by a new manager. (The
published API's lists are held flat in `test_api.py`.)"""

import pytest
from django.urls import reverse

from linkwork.directory.models import DirectoryImport, ImportStatus
from linkwork.oruk import actions
from tests.factories import ManagerFactory
from tests.query_counts import assert_flat

pytestmark = pytest.mark.django_db


def imports(k: int) -> None:
    for i in range(k):
        made = actions.queue_import(
            source=f"https://example.org/feed-{i}.json", payload="", by=ManagerFactory()
        )
        if i % 2:  # finished, with its counts, as the worker leaves it
            DirectoryImport.objects.filter(pk=made.pk).update(
                status=ImportStatus.SUCCEEDED,
                counts={"created": 3, "updated": 1, "unchanged": 0, "rejected": 1},
            )


def test_imports_list(client_for, manager):
    assert_flat(client_for(manager), reverse("oruk:imports"), imports)

"""Background tasks of ORUK imports, run by the worker (`python manage.py linkwork_worker`).

Each task takes only ids: its arguments are stored in the task queue.
"""

from django.tasks import task

from linkwork.directory.models import ImportStatus

from . import importer


@task
def run_directory_import(import_id: int) -> str:
    """Run one queued ORUK import (an uploaded file, or a feed fetched from its URL). Answers
    the import's status; the report is on its `DirectoryImport` row."""
    report = importer.run_directory_import(import_id)
    return ImportStatus.FAILED.value if report.failed else ImportStatus.SUCCEEDED.value

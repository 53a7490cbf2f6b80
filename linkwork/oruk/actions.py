"""Starting an ORUK import: the one change the import pages make. The import itself runs in the
worker (`tasks.run_directory_import`, `importer.run`)."""

from functools import partial

from django.db import transaction

from linkwork.accounts.models import User
from linkwork.audit import service as audit
from linkwork.audit.models import AuditAction
from linkwork.directory.models import DirectoryImport

from . import tasks


@transaction.atomic
def queue_import(*, source: str, payload: str, by: User) -> DirectoryImport:
    """Record an import of `source` (with the uploaded feed as `payload`, or "" to fetch the
    URL) and queue it for the worker once this transaction commits."""
    directory_import = DirectoryImport.objects.create(source=source, payload=payload, started_by=by)
    audit.record(by=by, action=AuditAction.CREATE, obj=directory_import, detail="import queued")
    transaction.on_commit(
        partial(tasks.run_directory_import.enqueue, directory_import.pk), robust=True
    )
    return directory_import

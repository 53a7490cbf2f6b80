"""Exports of a trial's pseudonymised data set: asking for one, downloading it, and deleting the
file once it has been kept long enough. The export is made in the worker (`tasks.make_export`,
`export.make`); what goes in it is `export.build`'s.

Each change is one transaction with its audit line. The audit says who asked for or downloaded
which export ("export"), never whom it is about: the data are pseudonymised, so no `person_id`.

The reads at the end take a trial the view has already checked (`queries.trial_for` with
`Permission.ANALYSE_TRIAL`).
"""

import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from linkwork.accounts.models import User
from linkwork.audit import service as audit
from linkwork.audit.models import AuditAction
from linkwork.core.errors import ActionRefused

from . import export, tasks
from .models import ExportFormat, ExportStatus, Trial, TrialExport
from .pseudonyms import key_is_set

#: A queued or running export older than this was lost with its worker: the sweep fails it.
ABANDONED_AFTER = datetime.timedelta(hours=2)

AUDIT_DETAIL = "export"


@transaction.atomic
def request_export(trial: Trial, *, by: User, fmt: str) -> TrialExport:
    """Ask for an export of the trial's data set in `fmt` (csv or xlsx): it is queued for the
    worker once this transaction commits. Refused without the installation's pseudonym key."""
    if not key_is_set():
        raise ActionRefused(
            _(
                "The export cannot be made: the pseudonym key (TRIAL_PSEUDONYM_KEY) is not set "
                "on this installation."
            )
        )
    if fmt not in ExportFormat.values:
        raise ActionRefused(_("Choose the format"), field="format")
    made = TrialExport.objects.create(
        trial=trial,
        requested_by=by,
        format=fmt,
        language=get_language() or settings.LANGUAGE_CODE,
    )
    audit.record(by=by, action=AuditAction.CREATE, obj=made, detail=AUDIT_DETAIL)
    transaction.on_commit(partial(tasks.make_export.enqueue, made.pk), robust=True)
    return made


@transaction.atomic
def record_download(made: TrialExport, *, by: User) -> TrialExport:
    """Count a download of the export and audit it. Answers the export with its file; refused
    if the file is not ready, or has been deleted."""
    made = TrialExport.objects.select_for_update().get(pk=made.pk)
    if not made.downloadable:
        raise ActionRefused(_("This export cannot be downloaded."))
    TrialExport.objects.filter(pk=made.pk).update(
        downloaded_count=F("downloaded_count") + 1, last_downloaded_at=timezone.now()
    )
    audit.record(by=by, action=AuditAction.VIEW, obj=made, detail=AUDIT_DETAIL)
    return made


def delete_expired_files(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of exports kept for their time (the rows stay, as the record of each
    export), and fail exports whose worker was lost. Returns how many were changed."""
    now = now or timezone.now()
    changed = 0
    due = TrialExport.objects.filter(status=ExportStatus.DONE, expires_at__lte=now)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            made = (
                TrialExport.objects.select_for_update(skip_locked=True)
                .defer("content")
                .filter(pk=pk, status=ExportStatus.DONE)
                .first()
            )
            if made is None:
                continue
            TrialExport.objects.filter(pk=pk).update(
                status=ExportStatus.EXPIRED, content=b"", deleted_at=now
            )
            audit.record(by=None, action=AuditAction.DELETE, obj=made, detail="export file")
            changed += 1
    stuck = TrialExport.objects.filter(
        status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING],
        requested_at__lt=now - ABANDONED_AFTER,
    )
    for pk in stuck.values_list("pk", flat=True):
        export.fail(pk, "Abandoned")
        changed += 1
    return changed

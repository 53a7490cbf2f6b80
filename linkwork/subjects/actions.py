"""Asking for a subject access export, and downloading it (each download audited); asking for
a retention dry run. Erasure's actions are in `erasure`."""

from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from linkwork.accounts.permissions import Permission, has_permission
from linkwork.audit.models import AuditAction, RecordPart
from linkwork.audit.service import record
from linkwork.core.errors import ActionRefused

from . import sweep, tasks
from .models import ExportStatus, RetentionRun, SubjectAccessRequest

LANGUAGES = {"en", "cy"}


@transaction.atomic
def request_subject_access(referral, *, by, received_on, note) -> SubjectAccessRequest:
    """Record a subject access request about the referral's person, and queue the export for
    the worker once this transaction commits. The export covers all the person's referrals, at
    every site (decision 0024); the manager must manage one of them."""
    if not has_permission(by, Permission.EXPORT_SUBJECT_ACCESS, referral):
        raise ActionRefused(_("Only a manager at the person's site can do this."))
    if received_on > timezone.localdate():
        raise ActionRefused(
            _("The date received must be today or in the past"), field="received_on"
        )
    person = referral.person
    language = person.preferred_language
    if language not in LANGUAGES:
        language = (get_language() or settings.LANGUAGE_CODE)[:2]
    request = SubjectAccessRequest.objects.create(
        person=person,
        referral=referral,
        received_on=received_on,
        note=note,
        language=language,
        requested_by=by,
    )
    record(
        by=by,
        action=AuditAction.CREATE,
        obj=request,
        person_id=person.pk,
        fields=["received_on", "note"],
        detail="subject access request",
    )
    transaction.on_commit(
        partial(tasks.make_subject_access_export.enqueue, request.pk), robust=True
    )
    return request


@transaction.atomic
def record_download(request: SubjectAccessRequest, *, by, fmt: str) -> SubjectAccessRequest:
    """Count and audit a download of the export's JSON or PDF."""
    request = (
        SubjectAccessRequest.objects.select_for_update().defer("json", "pdf").get(pk=request.pk)
    )
    if request.status != ExportStatus.DONE:
        raise ActionRefused(_("This export is not ready to download."))
    SubjectAccessRequest.objects.filter(pk=request.pk).update(downloads=F("downloads") + 1)
    record(
        by=by,
        action=AuditAction.VIEW,
        obj=request,
        person_id=request.person_id,
        detail=f"subject access export {fmt}",
        part=RecordPart.SUBJECT_ACCESS,
    )
    return request


@transaction.atomic
def ask_for_dry_run(*, by) -> RetentionRun:
    """Start a retention dry run in the background (decision 0027); its report is made by the
    worker and changes nothing else."""
    if not has_permission(by, Permission.MANAGE_RETENTION):
        raise ActionRefused(_("Only an administrator can do this."))
    report = sweep.start(dry_run=True, by=by)
    record(by=by, action=AuditAction.CREATE, obj=report, detail="retention dry run asked for")
    transaction.on_commit(partial(tasks.retention_sweep.enqueue, report.pk), robust=True)
    return report

"""Asking for a subject access export, and downloading it (each download audited)."""

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

from . import tasks
from .models import ExportStatus, ProcessingRecord, SubjectAccessRequest

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
def review_record_of_processing(*, by, changes: dict) -> ProcessingRecord:
    """Save the controller's part of the record of processing, and mark it reviewed today by
    `by` (saving it unchanged is a review too). Audited with the names of the fields changed."""
    if not has_permission(by, Permission.EDIT_RECORD_OF_PROCESSING):
        raise ActionRefused(_("Only an administrator can change the record of processing."))
    current, _created = ProcessingRecord.objects.select_for_update().get_or_create(pk=1)
    changed = [name for name, value in changes.items() if getattr(current, name) != value]
    for name, value in changes.items():
        setattr(current, name, value)
    current.reviewed_on = timezone.localdate()
    current.reviewed_by = by
    current.save()
    record(
        by=by,
        action=AuditAction.CHANGE,
        obj=current,
        fields=[*changed, "reviewed_on"],
        detail="record of processing reviewed",
    )
    return current

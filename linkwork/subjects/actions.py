"""Subject rights (decision 0024): asking for a subject access export and downloading it (each
download audited); rectification (UK GDPR article 16, decision 0026); asking for a retention dry
run (decision 0027; erasure's actions are in `erasure`); and reviewing the record of processing.

Rectification: the changes themselves are made by the apps that hold what is changed
(`referrals.actions.change_person_details`, `casework.actions.correct_contact_note`), which keep
what was held before in their append-only histories. This module adds the person's request: a
change made because the person asked records, or answers, a `RectificationRequest`; one to look
into is recorded open, with its deadline, and answered by a correction or a refusal (with the
person's statement kept)."""

import datetime
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
from linkwork.casework import actions as casework_actions
from linkwork.casework.models import Contact
from linkwork.core.errors import ActionRefused
from linkwork.referrals import actions as referral_actions
from linkwork.referrals.models import (
    CorrectionReason,
    InterimContact,
    NoteCorrection,
    PersonDetailsChange,
    Referral,
)

from . import sweep, tasks
from .models import (
    ExportStatus,
    ProcessingRecord,
    RectificationRequest,
    RectificationStatus,
    RetentionRun,
    SubjectAccessRequest,
)

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


# --- Rectification (decision 0026) ---------------------------------------------------------------


def _check_received_on(received_on: datetime.date | None) -> datetime.date:
    if received_on is None:
        raise ActionRefused(_("Enter the date the person asked"), field="received_on")
    if received_on > timezone.localdate():
        raise ActionRefused(
            _("The date received must be today or in the past"), field="received_on"
        )
    return received_on


def _open_request(request: RectificationRequest | None, referral: Referral, by):
    """The open request a correction answers, locked; refused unless it is open, about this
    person, and the user keeps the site's requests."""
    if request is None:
        return None
    if not has_permission(by, Permission.HANDLE_RECTIFICATION, referral):
        raise ActionRefused(_("Only a manager at the person's site can answer a request."))
    request = RectificationRequest.objects.select_for_update().get(pk=request.pk)
    if request.person_id != referral.person_id:
        raise ActionRefused(_("That rectification request is about someone else."))
    if not request.is_open:
        raise ActionRefused(_("That rectification request has already been answered."))
    return request


def _answered(
    referral: Referral,
    *,
    by,
    request: RectificationRequest | None,
    received_on: datetime.date | None,
    asked_for: str,
    **answer,
) -> RectificationRequest:
    """Close the open request the correction answers, or record one already answered."""
    now = timezone.now()
    if request is not None:
        for name, value in answer.items():
            setattr(request, name, value)
        request.status = RectificationStatus.CORRECTED
        request.decided_at, request.decided_by = now, by
        request.save(update_fields=[*answer, "status", "decided_at", "decided_by"])
        action = AuditAction.CHANGE
    else:
        request = RectificationRequest.objects.create(
            person_id=referral.person_id,
            referral=referral,
            received_on=received_on,
            asked_for=asked_for,
            recorded_by=by,
            status=RectificationStatus.CORRECTED,
            decided_at=now,
            decided_by=by,
            **answer,
        )
        action = AuditAction.CREATE
    record(
        by=by,
        action=action,
        obj=request,
        person_id=referral.person_id,
        fields=["status"],
        detail="rectification request answered: corrected",
    )
    return request


@transaction.atomic
def change_details(
    referral: Referral,
    *,
    by,
    details: dict,
    reason: str,
    reason_detail: str = "",
    received_on: datetime.date | None = None,
    request: RectificationRequest | None = None,
) -> PersonDetailsChange | None:
    """Change the person's details, keeping what was held before (None when nothing changed).
    Because the person asked: answers `request`, or records a request received on
    `received_on`, answered by this change."""
    asked = reason == CorrectionReason.PERSON_ASKED
    request = _open_request(request, referral, by) if asked else None
    if asked and request is None:
        received_on = _check_received_on(received_on)
    change = referral_actions.change_person_details(
        referral, by=by, details=details, reason=reason, reason_detail=reason_detail
    )
    if change is not None and asked:
        _answered(
            referral,
            by=by,
            request=request,
            received_on=received_on,
            asked_for=reason_detail,
            details_change=change,
        )
    return change


@transaction.atomic
def correct_note(
    referral: Referral,
    entry: Contact | InterimContact,
    *,
    by,
    note: str,
    reason: str,
    reason_detail: str = "",
    received_on: datetime.date | None = None,
    request: RectificationRequest | None = None,
) -> NoteCorrection | None:
    """Correct the note of a contact or of interim support, keeping the text it replaces (None
    when the text is the same). Because the person asked: answers `request`, or records a
    request received on `received_on`, answered by this correction."""
    if entry.referral_id != referral.pk:
        raise ActionRefused(_("That entry is not part of this record."))
    asked = reason == CorrectionReason.PERSON_ASKED
    request = _open_request(request, referral, by) if asked else None
    if asked and request is None:
        received_on = _check_received_on(received_on)
    if isinstance(entry, Contact):
        correct, link = casework_actions.correct_contact_note, "note_correction"
    else:
        correct, link = referral_actions.correct_interim_note, "interim_note_correction"
    correction = correct(entry, by=by, note=note, reason=reason, reason_detail=reason_detail)
    if correction is not None and asked:
        _answered(
            referral,
            by=by,
            request=request,
            received_on=received_on,
            asked_for=reason_detail,
            **{link: correction},
        )
    return correction


@transaction.atomic
def record_request(
    referral: Referral, *, by, received_on: datetime.date, asked_for: str
) -> RectificationRequest:
    """Record a request to look into: open, with its deadline, on the managers' list."""
    if not has_permission(by, Permission.HANDLE_RECTIFICATION, referral):
        raise ActionRefused(_("Only a manager at the person's site can do this."))
    received_on = _check_received_on(received_on)
    asked_for = asked_for.strip()
    if not asked_for:
        raise ActionRefused(_("Say what the person asked to be corrected"), field="asked_for")
    request = RectificationRequest.objects.create(
        person_id=referral.person_id,
        referral=referral,
        received_on=received_on,
        asked_for=asked_for,
        recorded_by=by,
    )
    record(
        by=by,
        action=AuditAction.CREATE,
        obj=request,
        person_id=referral.person_id,
        fields=["received_on", "asked_for"],
        detail="rectification request",
    )
    return request


def _locked(request: RectificationRequest, by) -> RectificationRequest:
    request = RectificationRequest.objects.select_for_update().get(pk=request.pk)
    if not has_permission(by, Permission.HANDLE_RECTIFICATION, request.referral):
        raise ActionRefused(_("Only a manager at the person's site can do this."))
    return request


@transaction.atomic
def refuse(
    request: RectificationRequest, *, by, reason: str, told_on: datetime.date | None
) -> RectificationRequest:
    """Refuse the correction asked for, with the reason (kept with the request, never in the
    audit line) and the date the person was told, if they have been."""
    request = _locked(request, by)
    if not request.is_open:
        raise ActionRefused(_("This request has already been answered."))
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("Say why the correction is refused"), field="reason")
    if told_on is not None and told_on > timezone.localdate():
        raise ActionRefused(_("The date must be today or in the past"), field="told_on")
    request.status = RectificationStatus.REFUSED
    request.refusal_reason = reason
    request.person_told_on = told_on
    request.decided_at, request.decided_by = timezone.now(), by
    request.save(
        update_fields=["status", "refusal_reason", "person_told_on", "decided_at", "decided_by"]
    )
    record(
        by=by,
        action=AuditAction.CHANGE,
        obj=request,
        person_id=request.person_id,
        fields=["status", "refusal_reason", "person_told_on"],
        detail="rectification request answered: refused",
    )
    return request


@transaction.atomic
def mark_corrected(request: RectificationRequest, *, by) -> RectificationRequest:
    """Close an open request as corrected, for a correction made elsewhere (a record kept by
    another part of the service, say), or by changes already made."""
    request = _locked(request, by)
    if not request.is_open:
        raise ActionRefused(_("This request has already been answered."))
    return _answered(request.referral, by=by, request=request, received_on=None, asked_for="")


@transaction.atomic
def record_statement(
    request: RectificationRequest, *, by, statement: str, told_on: datetime.date | None = None
) -> RectificationRequest:
    """Keep the person's statement with a refused request (they may add one about the
    information they say is wrong), and when they were told of the refusal if not yet known."""
    request = _locked(request, by)
    if request.status != RectificationStatus.REFUSED:
        raise ActionRefused(_("A statement is kept with a refused request."))
    if request.statement:
        raise ActionRefused(_("The person's statement is already kept with this request."))
    statement = statement.strip()
    if not statement:
        raise ActionRefused(_("Enter the person's statement"), field="statement")
    request.statement = statement
    request.statement_recorded_at, request.statement_recorded_by = timezone.now(), by
    fields = ["statement", "statement_recorded_at", "statement_recorded_by"]
    if told_on is not None and request.person_told_on is None:
        request.person_told_on = told_on
        fields.append("person_told_on")
    request.save(update_fields=fields)
    record(
        by=by,
        action=AuditAction.CHANGE,
        obj=request,
        person_id=request.person_id,
        fields=fields,
        detail="rectification request: the person's statement",
    )
    return request


# --- Retention (decision 0027) -------------------------------------------------------------------


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

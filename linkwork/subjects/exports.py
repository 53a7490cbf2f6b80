"""Making a subject access export in the worker (`tasks.make_subject_access_export`): the JSON
from `collect.export`, and a PDF of the same (WeasyPrint, in the person's language when the
service speaks it, otherwise the language of the manager who asked), with a "Review before
release" band on every section a person must check first. Nothing is written to disk.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation

from linkwork.audit.models import AuditAction
from linkwork.audit.service import record
from linkwork.core import pdf

from .collect import export
from .models import ExportStatus, SubjectAccessRequest

logger = logging.getLogger(__name__)


def render_pdf(document: dict, request: SubjectAccessRequest) -> bytes:
    sections = []
    for section in document["sections"]:
        labels = section["fields"]
        rows = [
            [(labels.get(name, name), _text(value)) for name, value in row.items() if name != "id"]
            for row in section["records"]
        ]
        sections.append({**section, "rows": rows})
    context = {
        "export": document["export"],
        "sections": sections,
        "request": request,
        "made_at": timezone.localtime(),
    }
    return pdf.render_pdf(
        "subjects/export.html", context, stylesheets=(pdf.DOCUMENT_CSS, "subjects/export.css")
    )


def _text(value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, bool):
        return translation.gettext("Yes") if value else translation.gettext("No")
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


def build(request: SubjectAccessRequest) -> tuple[bytes, bytes, int]:
    document = export(request.person, request=request)
    data = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    pdf = render_pdf(document, request)
    to_review = sum(1 for s in document["sections"] if s["review_before_release"] and s["records"])
    return data.encode(), pdf, to_review


def make(request_id: int) -> str:
    """Make a queued export; answers its status. One already claimed, or finished, is left
    alone. A failure is recorded by its kind only. The export is audited as made for the
    manager who asked, in the transaction that keeps its files."""
    claimed = SubjectAccessRequest.objects.filter(pk=request_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), error=""
    )
    if not claimed:
        return (
            SubjectAccessRequest.objects.filter(pk=request_id)
            .values_list("status", flat=True)
            .first()
        )
    request = (
        SubjectAccessRequest.objects.defer("json", "pdf")
        .select_related("person", "requested_by")
        .get(pk=request_id)
    )
    try:
        with translation.override(request.language or settings.LANGUAGE_CODE):
            data, pdf, to_review = build(request)
    except Exception as error:  # any failure: record its kind, never its text
        logger.error("Subject access export %s failed: %s", request_id, type(error).__name__)
        SubjectAccessRequest.objects.filter(pk=request_id).update(
            status=ExportStatus.FAILED,
            error=type(error).__name__[:200],
            finished_at=timezone.now(),
        )
        return ExportStatus.FAILED.value
    with transaction.atomic():
        SubjectAccessRequest.objects.filter(pk=request_id, status=ExportStatus.RUNNING).update(
            status=ExportStatus.DONE,
            json=data,
            pdf=pdf,
            sections_to_review=to_review,
            finished_at=timezone.now(),
        )
        record(
            by=request.requested_by,
            action=AuditAction.CHANGE,
            obj=request,
            person_id=request.person_id,
            fields=["json", "pdf", "status"],
            detail="subject access export made",
        )
    return ExportStatus.DONE.value

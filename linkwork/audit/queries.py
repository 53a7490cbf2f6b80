"""Reading the audit log (administrators only: the view checks VIEW_AUDIT_LOG)."""

import datetime

from django.db.models import QuerySet

from linkwork.core.days import start_of_day

from .models import AuditEvent


def audit_events(
    *,
    person_id: int | None = None,
    user=None,
    action: str = "",
    part: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events with who did each, narrowed by whichever of these are given (dates
    inclusive), in the log's own order."""
    events = AuditEvent.objects.select_related("user")
    if person_id:
        events = events.filter(person_id=person_id)
    if user:
        events = events.filter(user=user)
    if action:
        events = events.filter(action=action)
    if part:
        events = events.filter(part=part)
    # As ranges of time (local days), so the index on `at` serves them.
    if date_from:
        events = events.filter(at__gte=start_of_day(date_from))
    if date_to:
        events = events.filter(at__lt=start_of_day(date_to + datetime.timedelta(days=1)))
    return events

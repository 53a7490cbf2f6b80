"""Recording, correcting and removing the service timeline's own events. Each change is audited
with the fields it touched; an event holds no personal data."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linkwork.accounts.permissions import Permission, has_permission
from linkwork.audit.models import AuditAction
from linkwork.audit.service import record
from linkwork.core.errors import ActionRefused

from .models import ServiceEvent


def _check_sites(by, sites) -> None:
    if not sites:
        raise ActionRefused(_("Select at least one site"), field="sites")
    mine = {site.pk for site in by.sites.all()}
    if any(site.pk not in mine for site in sites):
        raise ActionRefused(_("You can only record events for the sites you manage"), field="sites")


@transaction.atomic
def record_event(*, by, on, title: str, description: str, sites) -> ServiceEvent:
    if not has_permission(by, Permission.RECORD_SERVICE_EVENT):
        raise ActionRefused(_("Only service managers record events on the timeline"))
    _check_sites(by, sites)
    event = ServiceEvent.objects.create(
        on=on, title=title.strip(), description=description.strip(), created_by=by
    )
    event.sites.set(sites)
    record(
        by=by, action=AuditAction.CREATE, obj=event, fields=["on", "title", "description", "sites"]
    )
    return event


@transaction.atomic
def change_event(event: ServiceEvent, *, by, on, title: str, description: str, sites) -> None:
    if not has_permission(by, Permission.RECORD_SERVICE_EVENT, event):
        raise ActionRefused(_("You can only change events recorded for the sites you manage"))
    _check_sites(by, sites)
    changed = [
        name
        for name, value in (
            ("on", on),
            ("title", title.strip()),
            ("description", description.strip()),
        )
        if getattr(event, name) != value
    ]
    before = {site.pk for site in event.sites.all()}
    if before != {site.pk for site in sites}:
        changed.append("sites")
    if not changed:
        return
    event.on, event.title, event.description = on, title.strip(), description.strip()
    event.changed_at = timezone.now()
    event.save()
    event.sites.set(sites)
    record(by=by, action=AuditAction.CHANGE, obj=event, fields=changed)


@transaction.atomic
def remove_event(event: ServiceEvent, *, by) -> None:
    if not has_permission(by, Permission.RECORD_SERVICE_EVENT, event):
        raise ActionRefused(_("You can only remove events recorded for the sites you manage"))
    record(by=by, action=AuditAction.DELETE, obj=event, detail=event.title)
    event.sites.clear()
    event.delete()

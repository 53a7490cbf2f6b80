"""Reads for the reports pages that are not figures: a timeline event, the sites a manager may
record one for."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from linkwork.accounts.permissions import Permission, require
from linkwork.accounts.queries import sites_for

from .models import ServiceEvent


def event_for(user, pk: int, permission: Permission) -> ServiceEvent:
    """A recorded timeline event at one of the user's sites; 404 otherwise (and when the user
    may not do `permission` to it)."""
    event = get_object_or_404(
        ServiceEvent.objects.filter(sites__in=sites_for(user)).distinct().prefetch_related("sites"),
        pk=pk,
    )
    require(user, permission, event)
    return event


def sites_to_record_for(user):
    return sites_for(user).order_by("name")

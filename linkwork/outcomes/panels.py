"""Outcome measures as a section of the person's record (see `linkwork.core.panels`)."""

from django.template.loader import render_to_string
from django.utils import timezone

from linkwork.accounts.permissions import Permission

from . import queries
from .models import Timepoint
from .presenters import COLUMNS, describe, format_difference, may


def measures_section(referral, request) -> str:
    """The record's outcome measures: the schedule (done, due, overdue, missed), what other
    parts of the service ask for besides (a trial's time points, under the grid, so that it
    stays readable on a phone), and the scores so far, with what the user may do about them."""
    user = request.user
    slots = queries.slots_for([referral]).get(referral.pk, [])
    links_out = {
        (link.instrument, link.timepoint): link
        for link in referral.measure_links.filter(
            used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).order_by("created_at")
    }
    rows = {}
    extra = []  # asked for by another part of the service (a trial), listed under the grid
    for slot in slots:
        if slot.measure is not None:
            slot.summary = describe(slot.measure)
        slot.link_out = links_out.get((slot.instrument.code, slot.timepoint))
        if slot.is_extra:
            extra.append(slot)
            continue
        row = rows.setdefault(
            slot.instrument.code, {"instrument": slot.instrument, "cells": dict.fromkeys(COLUMNS)}
        )
        if slot.timepoint in row["cells"]:
            row["cells"][slot.timepoint] = slot
    schedule = [
        {"instrument": row["instrument"], "cells": [row["cells"][t] for t in COLUMNS]}
        for row in rows.values()
    ]
    scores = []
    for history in queries.history_for(referral):
        latest = history.measures[-1]
        scores.append(
            {
                "instrument": history.instrument,
                "latest": latest.measure,
                "summary": describe(latest.measure),
                "difference": format_difference(history.instrument.code, latest.difference),
                "change": latest.change,
                "count": len(history.measures),
            }
        )
    context = {
        "referral": referral,
        "schedule": schedule,
        "extra": extra,
        "columns": [Timepoint(t).label for t in COLUMNS],
        "scores": scores,
        "can_record": may(user, Permission.RECORD_OUTCOME_MEASURE, referral),
        "can_schedule": may(user, Permission.CONFIGURE_MEASURE_SCHEDULE, referral),
        "first_name": referral.person.given_name,
        "can_text": referral.person.can_be_texted(),
    }
    return render_to_string("outcomes/includes/measures_panel.html", context, request=request)

"""`{% measures_panel referral %}` on the person's record: which measures the site's schedule
asks for and where each stands, and a short summary of the scores so far. A fixed number of
queries, however many measures the person has.

Also the helpers that describe one measure in words (score, band, flags), shared with the pages.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkwork.accounts.permissions import Permission, has_permission

from .. import queries
from ..instruments import InstrumentError
from ..models import Timepoint

register = template.Library()

SUBSCORE_LABELS = {
    "life_satisfaction": _("Life satisfaction"),
    "worthwhile": _("Worthwhile"),
    "happy": _("Happiness yesterday"),
    "anxious": _("Anxiety yesterday"),
}
FLAG_LABELS = {
    "phq9_item9": _(
        "Item 9 answered above “not at all”: thoughts of being better off dead or of self-harm"
    ),
    "lonely": _("Lonely"),
}
DIRECTION_TAGS = {
    "improved": "govuk-tag--green",
    "deteriorated": "govuk-tag--red",
    "no_reliable_change": "govuk-tag--grey",
}
COLUMNS = (Timepoint.BASELINE, Timepoint.END, Timepoint.FOLLOW_UP)


def format_score(code: str, value) -> str:
    """A score as reported: SWEMWBS metric scores with two decimals, others whole numbers."""
    if value is None:
        return ""
    if code == "swemwbs":
        return f"{Decimal(value):.2f}"
    return str(int(value))


def format_difference(code: str, value) -> str:
    if value is None:
        return ""
    if code == "swemwbs":
        return f"{Decimal(value):+.2f}"
    return f"{int(value):+d}"


@dataclass
class MeasureSummary:
    """One measure in words: what the pages show about it."""

    score: str = ""
    raw: int | None = None
    band_label: object = None
    subscores: list = field(default_factory=list)  # (label, value, band label)
    flags: list = field(default_factory=list)

    @property
    def text(self) -> str:
        if self.score:
            return self.score
        return ", ".join(f"{label} {value}" for label, value, _band in self.subscores)


def describe(measure) -> MeasureSummary:
    instrument = measure.definition
    summary = MeasureSummary(score=format_score(instrument.code, measure.total))
    if instrument.code == "swemwbs":
        summary.raw = measure.raw
    try:
        scored = instrument.score(list(measure.answers))
    except InstrumentError:
        scored = None
    if scored is not None:
        summary.band_label = scored.band_label
        summary.subscores = [
            (SUBSCORE_LABELS.get(code, code), sub.value, sub.band_label)
            for code, sub in scored.subscores.items()
        ]
    summary.flags = [FLAG_LABELS.get(flag, flag) for flag, on in measure.flags.items() if on]
    return summary


@register.filter
def measure_summary(measure) -> MeasureSummary:
    return describe(measure)


@register.filter
def direction_tag(change) -> str:
    return DIRECTION_TAGS.get(getattr(change, "direction", ""), "govuk-tag--grey")


@register.simple_tag
def score_change(code, difference) -> str:
    return format_difference(code, difference)


@register.filter
def rci(change) -> str:
    return f"{change.rci:+.2f}" if change is not None else ""


def _may(user, perm, referral) -> bool:
    return user is not None and has_permission(user, perm, referral)


@register.inclusion_tag("outcomes/includes/measures_panel.html", takes_context=True)
def measures_panel(context, referral):
    request = context.get("request")
    user = request.user if request is not None else None
    slots = queries.slots_for([referral]).get(referral.pk, [])
    links_out = {
        (link.instrument, link.timepoint): link
        for link in referral.measure_links.filter(
            used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).order_by("created_at")
    }
    rows = {}
    for slot in slots:
        row = rows.setdefault(
            slot.instrument.code, {"instrument": slot.instrument, "cells": dict.fromkeys(COLUMNS)}
        )
        if slot.timepoint in row["cells"]:
            if slot.measure is not None:
                slot.summary = describe(slot.measure)
            slot.link_out = links_out.get((slot.instrument.code, slot.timepoint))
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
    return {
        "referral": referral,
        "schedule": schedule,
        "columns": [Timepoint(t).label for t in COLUMNS],
        "scores": scores,
        "can_record": _may(user, Permission.RECORD_OUTCOME_MEASURE, referral),
        "can_schedule": _may(user, Permission.CONFIGURE_MEASURE_SCHEDULE, referral),
        "first_name": referral.person.given_name,
        "csrf_token": context.get("csrf_token"),
    }

"""Outcome measures on the person's timeline (see `linkwork.casework.timeline`).

Scores are on the record's measures panel; the timeline says what was collected, when and how.
"""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from linkwork.casework.timeline import TimelineEntry, register_timeline_source

from .models import CollectedBy, Measure


def _who(user) -> str:
    return user.display_name if user is not None else ""


@register_timeline_source
def measures(referral) -> Iterable[TimelineEntry]:
    for measure in Measure.objects.filter(referral=referral).select_related("by"):
        if measure.collected_by == CollectedBy.LINK:
            title = _("Completed %(instrument)s through their link (%(when)s)")
        else:
            title = _("%(instrument)s completed with the link coordinator (%(when)s)")
        title %= {
            "instrument": measure.definition.name,
            "when": measure.get_timepoint_display().lower(),
        }
        detail = ""
        if measure.withdrawn_at is not None:
            detail = _("Withdrawn: %(reason)s") % {"reason": measure.withdrawn_reason}
        yield TimelineEntry(
            when=measure.completed_on,
            kind="measure",
            title=title,
            detail=detail,
            who=_who(measure.by),
        )

"""Unmet needs recorded for a person, on their timeline (see `linkwork.casework.timeline`)."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from linkwork.casework.timeline import TimelineEntry, register_timeline_source

from .models import UnmetNeed


@register_timeline_source
def unmet_needs(referral) -> Iterable[TimelineEntry]:
    needs = (
        UnmetNeed.objects.filter(referral=referral)
        .select_related("category", "recorded_by")
        .order_by("recorded_at", "pk")
    )
    for need in needs:
        yield TimelineEntry(
            when=need.recorded_at,
            kind="unmet_need",
            title=_("Nothing found for a need: %(category)s in %(area)s")
            % {"category": need.category.label, "area": need.area},
            detail=need.note,
            who=need.recorded_by.display_name,
        )

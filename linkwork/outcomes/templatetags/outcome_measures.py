"""Filters the outcome pages use to show a measure in words (see `outcomes.presenters`)."""

from django import template

from ..presenters import DIRECTION_TAGS, MeasureSummary, describe, format_difference

register = template.Library()


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

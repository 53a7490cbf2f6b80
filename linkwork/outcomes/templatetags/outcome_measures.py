"""TEMPORARY stub: `{% measures_panel referral %}` on the person's record."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def measures_panel(context, referral):
    return ""

"""TEMPORARY stub: `{% safeguarding_panel referral %}` on the record and the referral page."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def safeguarding_panel(context, referral):
    return ""

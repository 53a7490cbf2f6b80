"""`{% escalation_state escalation %}`: where an escalation stands, as a tag."""

from django import template
from django.utils import timezone

register = template.Library()


@register.inclusion_tag("safeguarding/escalation_state.html")
def escalation_state(escalation):
    """ "Awaiting response – overdue by N days" (red), "Awaiting response", or "Responded …"."""
    today = timezone.localdate()
    return {
        "escalation": escalation,
        "overdue": escalation.is_overdue(today),
        "overdue_days": (today - escalation.response_due).days,
    }

"""`{% submission_key %}`: the hidden single-use key of a form that creates something, so sending
it twice saves it once (`linkwork.core.idempotency`). Put it beside `{% csrf_token %}`; give the
address the form is sent to when that is not the page's own: `{% submission_key action_url %}`.
"""

from django import template
from django.utils.html import format_html

from ..idempotency import FIELD, key_to_render

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_key(context, action: str = "") -> str:
    request = context.get("request")
    if request is None:
        return ""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', FIELD, key_to_render(request, action or None)
    )

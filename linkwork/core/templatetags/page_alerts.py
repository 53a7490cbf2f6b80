"""`{% page_alerts %}`: alerts other parts of the service show at the top of every page (base.html
calls it), without the platform knowing what they are.

An alert is a function `(context) -> str`: the rendered HTML to show, or "" (most pages show
nothing). Safeguarding, for instance, shows a person's risk flags on every page about them.
Register one from the app's `AppConfig.ready()` with `register_page_alert`.
"""

from collections.abc import Callable

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

Alert = Callable[[template.Context], str]

_alerts: dict[str, Alert] = {}


def register_page_alert(name: str, alert: Alert) -> None:
    """Add an alert to every page. Registering the same name again replaces it."""
    _alerts[name] = alert


@register.simple_tag(takes_context=True)
def page_alerts(context) -> str:
    # Each alert renders through a template, which escapes what it shows.
    return mark_safe("".join(alert(context) for alert in _alerts.values()))  # noqa: S308

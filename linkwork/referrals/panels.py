"""Sections other parts of the service add to a referral's page, without the referrals app
importing them (the same pattern as the person's timeline in `linkwork.casework.timeline`).

A panel is a function `(referral, request) -> str`: the rendered HTML of its section, or "" to
show nothing. The referral page calls each panel only after checking that the user may see the
referral. Register one from the app's `AppConfig.ready()`:

    from linkwork.referrals.panels import register_referral_panel

    register_referral_panel("messaging.messages", referral_messages_panel)
"""

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import mark_safe

Panel = Callable[[object, HttpRequest], str]

_panels: dict[str, Panel] = {}


def register_referral_panel(name: str, panel: Panel) -> None:
    """Add a section to the referral page. Registering the same name again replaces it."""
    _panels[name] = panel


class _Section:
    """One panel, rendered only when the page's template prints it (so after the page's own
    template has started, and not at all if the template leaves it out)."""

    def __init__(self, panel: Panel, referral, request: HttpRequest):
        self.panel, self.referral, self.request = panel, referral, request

    def __html__(self) -> str:
        return self.panel(self.referral, self.request)

    def __str__(self) -> str:
        # Each panel renders through a template, which escapes what it shows.
        return mark_safe(self.__html__())  # noqa: S308


def render_referral_panels(referral, request: HttpRequest) -> list[_Section]:
    """The referral page's extra sections, in the order they were registered."""
    return [_Section(panel, referral, request) for panel in _panels.values()]

"""Sections that higher parts of the service add to a lower part's page, without the lower app
importing them (the same idea as the person's timeline in `linkwork.casework.timeline`).

A page owns a `Panels` registry. A panel is a function `(obj, request) -> str`: the rendered HTML
of its section (through a template, which escapes what it shows), or "" to show nothing. The page
calls each panel only after checking that the user may see `obj`. An app registers its panels in
its `AppConfig.ready()`:

    from linkwork.referrals.panels import referral_panels

    referral_panels.register("messaging.messages", referral_messages)
"""

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import mark_safe

Panel = Callable[[object, HttpRequest], str]


class Section:
    """One panel for one page, rendered only when the page's template prints it (so inside the
    page's own rendering, and not at all if the template leaves it out)."""

    def __init__(self, panel: Panel, obj, request: HttpRequest):
        self.panel, self.obj, self.request = panel, obj, request

    def __html__(self) -> str:
        return self.panel(self.obj, self.request)

    def __str__(self) -> str:
        return mark_safe(self.__html__())  # noqa: S308  (rendered through an escaping template)


class Panels:
    """The sections other apps add to one kind of page, in the order they were registered
    (which follows INSTALLED_APPS). A page with more than one place for them names each place
    (`slot`): the main column, say, and the side."""

    def __init__(self) -> None:
        self._panels: dict[str, tuple[str, Panel]] = {}

    def register(self, name: str, panel: Panel, *, slot: str = "main") -> None:
        """Add a section. Registering the same name again replaces it."""
        self._panels[name] = (slot, panel)

    def for_page(self, obj, request: HttpRequest, *, slot: str = "main") -> list[Section]:
        return [
            Section(panel, obj, request)
            for panel_slot, panel in self._panels.values()
            if panel_slot == slot
        ]

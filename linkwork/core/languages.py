"""Text that people write in both languages (a pathway's name, a directory category): shown in
the reader's language when it has been written in it, otherwise in English.

Text the system writes is never stored in a language: it is a code and its parameters,
rendered with `gettext` when read (see `safeguarding.models.RiskFlag.note_text`)."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def reading_welsh() -> bool:
    return (get_language() or "").startswith("cy")


def in_language(english: str, *, cy: str = "") -> str:
    """`cy` for a reader using Welsh when it is filled in; `english` otherwise."""
    if cy.strip() and reading_welsh():
        return cy
    return english


def welsh_name_field(max_length: int) -> models.CharField:
    """`name_cy` beside a model's `name`: what Welsh readers see (`in_language`)."""
    return models.CharField(
        _("name in Welsh"),
        max_length=max_length,
        blank=True,
        help_text=_("Shown to people using Linkwork in Welsh. Leave empty to use the name."),
    )

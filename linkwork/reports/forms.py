"""The form for a service-timeline event."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linkwork.core.forms import GovUKDateField, GovUKForm, text_area


class ServiceEventForm(GovUKForm):
    on = GovUKDateField(
        label=_("Date"),
        help_text=_("The day the change took effect. For example, 23 3 2026"),
        error_messages={"required": _("Enter the date the change took effect")},
    )
    title = forms.CharField(
        label=_("What changed"),
        max_length=120,
        help_text=_(
            "A few words, as it should appear on the charts. For example, Lockdown: telephone "
            "support only"
        ),
        error_messages={
            "required": _("Enter what changed"),
            "max_length": _("Keep what changed to %(limit_value)d characters or fewer"),
        },
    )
    description = text_area(
        _("Description (optional)"),
        rows=4,
        hint=_("What changed and why. Do not name anyone who uses the service."),
        max_length=2000,
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Select every site the change applied to."),
        error_messages={
            "required": _("Select at least one site"),
            "invalid_choice": _("Choose sites from the list"),
        },
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = sites

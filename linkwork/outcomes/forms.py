"""Forms for outcome measures: the questionnaire itself (built from the instrument's items), the
choice of instrument, withdrawing a measure, and the settings (instruments in use, site
schedules). Each keeps what was typed when it fails; the actions have the last word."""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkwork.core.forms import GovUKDateField, GovUKForm

from .instruments import Instrument
from .models import Timepoint

#: The timepoints a site schedule sets (a measure "during support" is never scheduled).
SCHEDULED_TIMEPOINTS = (Timepoint.BASELINE, Timepoint.END, Timepoint.FOLLOW_UP)


def _anchors(instrument: Instrument) -> str:
    """For scales that label only their ends (ONS4): "0 = not at all, 10 = completely"."""
    parts = []
    for option in instrument.response_options:
        match = re.fullmatch(r"\s*(\d+)\s*\((.*)\)\s*", option)
        parts.append(f"{match.group(1)} = {match.group(2)}" if match else option)
    return ", ".join(parts)


def item_field_name(number: int) -> str:
    return f"item_{number}"


class QuestionnaireForm(GovUKForm):
    """One set of radios per item of the instrument. With `coordinator=True`, also the date it
    was completed and the timepoint (the person's own link fixes both)."""

    def __init__(self, *args, instrument: Instrument, coordinator: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        labelled_ends = len(instrument.choices) != len(instrument.response_options)
        hint = _anchors(instrument) if labelled_ends else None
        attrs = {"class": "govuk-radios--inline"} if labelled_ends else {}
        for number, text in enumerate(instrument.items, start=1):
            self.fields[item_field_name(number)] = forms.TypedChoiceField(
                label=text,
                choices=[(str(value), label) for value, label in instrument.choices],
                coerce=int,
                widget=forms.RadioSelect(attrs=attrs),
                help_text=hint,
                error_messages={
                    "required": _("Answer question %(number)s") % {"number": number},
                    "invalid_choice": _("Answer question %(number)s") % {"number": number},
                },
            )
        if coordinator:
            self.fields["completed_on"] = GovUKDateField(
                label=_("Date completed"),
                help_text=_("For example, 27 3 2026"),
                initial=timezone.localdate(),
                error_messages={"required": _("Enter the date the questionnaire was completed")},
            )
            self.fields["timepoint"] = forms.ChoiceField(
                label=_("When in support was it completed?"),
                choices=Timepoint.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose when this measure was taken"),
                    "invalid_choice": _("Choose when this measure was taken"),
                },
            )

    def item_fields(self):
        return [self[item_field_name(n)] for n in range(1, self.instrument.item_count + 1)]

    def other_fields(self):
        return [self[name] for name in ("completed_on", "timepoint") if name in self.fields]

    def answers(self) -> list[int]:
        return [
            self.cleaned_data[item_field_name(n)] for n in range(1, self.instrument.item_count + 1)
        ]


class ChooseInstrumentForm(GovUKForm):
    """Which questionnaire to fill in, and for when (sent as a GET: nothing is saved)."""

    def __init__(self, *args, instruments: list[Instrument], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"] = forms.ChoiceField(
            label=_("Questionnaire"),
            choices=[(i.code, i.name) for i in instruments],
            widget=forms.RadioSelect,
            error_messages={
                "required": _("Choose a questionnaire"),
                "invalid_choice": _("Choose one of the questionnaires in use"),
            },
        )
        self.fields["timepoint"] = forms.ChoiceField(
            label=_("When in support is it being completed?"),
            choices=Timepoint.choices,
            widget=forms.RadioSelect,
            error_messages={
                "required": _("Choose when this measure is being taken"),
                "invalid_choice": _("Choose when this measure is being taken"),
            },
        )


class WithdrawMeasureForm(GovUKForm):
    reason = forms.CharField(
        label=_("Why is this measure being withdrawn?"),
        help_text=_("For example, entered for the wrong person. The measure stays on record."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the measure is being withdrawn")},
    )


def _decimal(label, help_text, *, max_digits, decimal_places, invalid):
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=False,
        max_digits=max_digits,
        decimal_places=decimal_places,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-5", "step": "any"}),
        error_messages={
            "invalid": invalid,
            "max_digits": invalid,
            "max_decimal_places": invalid,
            "max_whole_digits": invalid,
        },
    )


class InstrumentSettingForm(GovUKForm):
    enabled = forms.BooleanField(label=_("In use in this service"), required=False)
    registration_confirmed = forms.BooleanField(
        label=_("We have registered to use this instrument"), required=False
    )
    registration_reference = forms.CharField(
        label=_("Registration reference (optional)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )
    reliability = _decimal(
        _("Reliability (Cronbach's alpha) (optional)"),
        _("Between 0 and 1, for example 0.89. Leave empty to use the published value."),
        max_digits=4,
        decimal_places=3,
        invalid=_("Enter the reliability as a number between 0 and 1, like 0.89"),
    )
    sd = _decimal(
        _("Standard deviation (optional)"),
        _("Leave empty to use the published value."),
        max_digits=6,
        decimal_places=2,
        invalid=_("Enter the standard deviation as a number, like 6.5"),
    )

    def __init__(self, *args, instrument: Instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        if instrument.requires_registration:
            self.fields["registration_confirmed"].help_text = instrument.licence_note
        else:
            del self.fields["registration_confirmed"]
            del self.fields["registration_reference"]


def schedule_field_name(code: str, timepoint: str) -> str:
    return f"{code}__{timepoint}"


class SiteScheduleForm(GovUKForm):
    """A checkbox for each instrument in use at each scheduled timepoint, and when follow-up
    falls."""

    follow_up_months = forms.IntegerField(
        label=_("Follow-up, in months after support ends"),
        help_text=_("From 1 to 24. Usually 3."),
        min_value=1,
        max_value=24,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-2"}),
        error_messages={
            "required": _("Enter the number of months after support ends"),
            "invalid": _("Enter the number of months as a whole number, like 3"),
            "min_value": _("Follow-up must be between 1 and 24 months after support ends"),
            "max_value": _("Follow-up must be between 1 and 24 months after support ends"),
        },
    )

    def __init__(self, *args, instruments: list[Instrument], **kwargs):
        super().__init__(*args, **kwargs)
        self.instruments = instruments
        for instrument in instruments:
            for timepoint in SCHEDULED_TIMEPOINTS:
                self.fields[schedule_field_name(instrument.code, timepoint)] = forms.BooleanField(
                    label=f"{instrument.name}: {Timepoint(timepoint).label}", required=False
                )

    def rows(self):
        return [
            (
                instrument,
                [self[schedule_field_name(instrument.code, t)] for t in SCHEDULED_TIMEPOINTS],
            )
            for instrument in self.instruments
        ]

    def due(self) -> dict[str, set[str]]:
        return {
            instrument.code: {
                t
                for t in SCHEDULED_TIMEPOINTS
                if self.cleaned_data.get(schedule_field_name(instrument.code, t))
            }
            for instrument in self.instruments
        }

"""Forms for risk flags, safeguarding concerns, escalations and the PHQ-9 item 9 prompt.

Each keeps what was typed when it fails; the actions in `safeguarding.actions` have the last
word (an `ActionRefused` is shown on the form, next to the field it names: the field names here
match the actions' keyword arguments).
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkwork.core.forms import GovUKDateField, GovUKForm, text_area

from .models import EscalatedTo, EscalationMethod, PromptAction, RiskKind

#: The response-due date suggested for a new escalation.
DEFAULT_RESPONSE_DAYS = 3


def _time(label, required_message):
    return forms.TimeField(
        label=label,
        help_text=_("Use the 24-hour clock, for example 14:30"),
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"class": "govuk-input--width-5"}, format="%H:%M"),
        error_messages={"required": required_message, "invalid": _("Enter a time like 14:30")},
    )


def _when(date: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(date, time))


def now_initial() -> dict:
    """Today's date and the time now (to the minute), for a date and time pair."""
    now = timezone.localtime()
    return {"date": now.date(), "time": now.strftime("%H:%M")}


class RiskFlagForm(GovUKForm):
    kind = forms.ChoiceField(
        label=_("What is the risk?"),
        choices=RiskKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of risk")},
    )
    note = text_area(
        _("Details"),
        hint=_("What is known and who told you. Required if you chose Other."),
    )


class EndFlagForm(GovUKForm):
    reason = text_area(
        _("Why is the flag no longer needed?"),
        required=True,
        required_message=_("Say why the flag is no longer needed"),
    )


class ConcernForm(GovUKForm):
    kind = forms.ChoiceField(
        label=_("What is the concern about?"),
        choices=RiskKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the concern is about")},
    )
    summary = text_area(
        _("What happened"),
        required=True,
        rows=6,
        hint=_("What you saw or were told, when, and why you are concerned."),
        required_message=_("Say what happened and why you are concerned"),
    )
    flag = forms.BooleanField(
        label=_("Also add a risk flag"),
        required=False,
        initial=True,
        help_text=_("The flag shows on every page about the person until it is removed."),
    )


class EscalationForm(GovUKForm):
    to = forms.ChoiceField(
        label=_("Who was it escalated to?"),
        choices=EscalatedTo.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who it was escalated to")},
    )
    to_detail = forms.CharField(
        label=_("Team or person"),
        required=False,
        max_length=200,
        help_text=_("For example, the adult safeguarding team. Required if you chose Other."),
    )
    at = GovUKDateField(
        label=_("Date escalated"), error_messages={"required": _("Enter the date it was escalated")}
    )
    at_time = _time(_("Time escalated"), _("Enter the time it was escalated"))
    method = forms.ChoiceField(
        label=_("How was it escalated?"),
        choices=EscalationMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how it was escalated")},
    )
    reference = forms.CharField(
        label=_("Their reference number (optional)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )
    response_due = GovUKDateField(
        label=_("Response due by"),
        help_text=_("When they should have answered by. You will be reminded if they have not."),
        error_messages={"required": _("Enter the date a response is due by")},
    )

    @classmethod
    def initial_values(cls) -> dict:
        now = now_initial()
        return {
            "at": now["date"],
            "at_time": now["time"],
            "response_due": now["date"] + datetime.timedelta(days=DEFAULT_RESPONSE_DAYS),
        }

    def escalated_at(self) -> datetime.datetime:
        return _when(self.cleaned_data["at"], self.cleaned_data["at_time"])


class ChaseForm(GovUKForm):
    method = forms.ChoiceField(
        label=_("How did you chase it?"),
        choices=EscalationMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you chased it")},
    )
    note = text_area(
        _("What was said"),
        required=True,
        rows=4,
        hint=_("Who you spoke to and what they said."),
        required_message=_("Say who you spoke to and what they said"),
    )
    next_due = GovUKDateField(
        label=_("New response due date (optional)"),
        required=False,
        help_text=_("If they gave a new date, it replaces the response due date."),
    )


class ResponseForm(GovUKForm):
    responded_at = GovUKDateField(
        label=_("Date the response was received"),
        error_messages={"required": _("Enter the date the response was received")},
    )
    responded_time = _time(_("Time received"), _("Enter the time the response was received"))
    response = text_area(
        _("What they said or did"),
        required=True,
        rows=5,
        required_message=_("Say what they said or did"),
    )

    @classmethod
    def initial_values(cls) -> dict:
        now = now_initial()
        return {"responded_at": now["date"], "responded_time": now["time"]}

    def received_at(self) -> datetime.datetime:
        return _when(self.cleaned_data["responded_at"], self.cleaned_data["responded_time"])


class CloseConcernForm(GovUKForm):
    outcome = text_area(
        _("How was the concern resolved?"),
        required=True,
        rows=5,
        hint=_("What was done, by whom, and how the person is now."),
        required_message=_("Say how the concern was resolved"),
    )


class PromptForm(GovUKForm):
    action = forms.ChoiceField(
        label=_("What did you do?"),
        choices=PromptAction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you did")},
    )
    note = text_area(
        _("Details"),
        required=True,
        rows=6,
        hint=_("What the person said about thoughts and plans, what you did and what was agreed."),
        required_message=_("Say what you did and what was agreed"),
    )
    raise_concern = forms.BooleanField(
        label=_("Also raise a safeguarding concern"),
        required=False,
        help_text=_(
            "The details above become the concern; you can then record who it was escalated "
            "to. Choosing “Raised a safeguarding concern” above raises one too."
        ),
    )
    add_flag = forms.BooleanField(
        label=_("Add a “Suicidal thoughts” risk flag"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, has_flag: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if has_flag:
            # They already have an active one: nothing to add.
            del self.fields["add_flag"]

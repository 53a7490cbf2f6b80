from django import forms
from django.utils.translation import gettext_lazy as _

from linkwork.core.forms import GovUKDateField, GovUKForm, text_area

from .models import ErasureDecision


class SubjectAccessForm(GovUKForm):
    received_on = GovUKDateField(
        label=_("Date the request was received"),
        help_text=_("The month to respond starts from this day. For example, 27 3 2026."),
        error_messages={"required": _("Enter the date the request was received")},
    )
    note = text_area(
        _("Who asked, and how their identity was checked"),
        required=True,
        rows=4,
        hint=_(
            "For example: the person, by letter; identity checked against photo ID at the "
            "Newtown office. Or: their solicitor, with the person's signed authority."
        ),
        required_message=_("Say who asked and how their identity was checked"),
        max_length=2000,
    )


class ErasureRequestForm(GovUKForm):
    received_on = GovUKDateField(
        label=_("Date the request was received"),
        help_text=_("The month to respond starts from this day. For example, 27 3 2026."),
        error_messages={"required": _("Enter the date the request was received")},
    )
    note = text_area(
        _("Who asked, and how their identity was checked"),
        required=True,
        rows=4,
        hint=_(
            "For example: the person, by letter; identity checked against photo ID at the "
            "Newtown office. This is blanked if the record is erased."
        ),
        required_message=_("Say who asked and how their identity was checked"),
        max_length=2000,
    )


class ErasureDecisionForm(GovUKForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ErasureDecision.ERASED, _("Erase: anonymise the record now")),
            (ErasureDecision.REFUSED, _("Refuse")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to erase or refuse")},
    )
    reason = text_area(
        _("Reason for the decision"),
        required=True,
        rows=4,
        hint=_(
            "For a refusal, the ground (for example article 17(3)(b) or (c): records of care "
            "kept for 8 years) and what the person was told. Do not name the person: this is "
            "kept after the record is erased."
        ),
        required_message=_("Give the reason for the decision"),
        max_length=2000,
    )


class DryRunForm(GovUKForm):
    """Nothing to fill in: the button asks for a dry run."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from linkwork.core.forms import GovUKDateField, GovUKForm, GovUKModelForm, text_area

from .models import ProcessingRecord


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


class ProcessingRecordForm(GovUKModelForm):
    """The controller's part of the record of processing. Saving it counts as a review."""

    class Meta:
        model = ProcessingRecord
        fields = [
            "controller_name",
            "controller_address",
            "controller_contact",
            "ico_registration",
            "dpo_name",
            "dpo_contact",
            "processors",
            "transfers",
            "lawful_basis_notes",
            "dpia",
        ]
        help_texts = {
            "controller_contact": _("An email address or phone number for data protection."),
            "ico_registration": _(
                "From the Information Commissioner's register of fee payers. For example, ZA123456."
            ),
            "processors": _(
                "Who hosts Linkwork, sends its emails and texts, and keeps its backups, with "
                "where the contract with each is kept. One on each line."
            ),
            "transfers": _("Say “None” if no data leaves the UK."),
            "lawful_basis_notes": _(
                "Where your purposes or lawful bases differ from those Linkwork suggests below, "
                "say so here."
            ),
            "dpia": _("Where it is kept, and when it was last reviewed."),
        }
        widgets = {
            "controller_address": forms.Textarea(attrs={"rows": 3}),
            "processors": forms.Textarea(attrs={"rows": 5}),
            "transfers": forms.Textarea(attrs={"rows": 2}),
            "lawful_basis_notes": forms.Textarea(attrs={"rows": 5}),
        }

    def clean_ico_registration(self):
        number = self.cleaned_data["ico_registration"].strip().upper().replace(" ", "")
        if number and not re.fullmatch(r"Z[A-Z0-9]{7}", number):
            raise forms.ValidationError(
                _("Enter the ICO registration number as it is on the register, like ZA123456")
            )
        return number

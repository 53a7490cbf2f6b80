import re

from django import forms
from django.utils.translation import gettext_lazy as _

from linkwork.accounts.models import User
from linkwork.core.forms import GovUKForm

from .models import AuditAction, RecordPart


class UserChoiceField(forms.ModelChoiceField):
    """Users by their full names (and username, which tells two of the same name apart)."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name} ({obj.username})"


class AuditSearchForm(GovUKForm):
    person = forms.CharField(
        label=_("Person reference"),
        required=False,
        help_text=_("As shown on their record, for example P000123"),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    user = UserChoiceField(
        label=_("User"),
        queryset=User.objects.order_by("first_name", "last_name", "username"),
        required=False,
        empty_label=_("Anyone"),
    )
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", _("Any")), *AuditAction.choices], required=False
    )
    part = forms.ChoiceField(
        label=_("What was viewed"),
        help_text=_("The part of a person's record a page showed"),
        choices=[("", _("Any")), *RecordPart.choices],
        required=False,
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_person(self) -> int | None:
        value = self.cleaned_data["person"].strip().upper()
        if not value:
            return None
        match = re.fullmatch(r"P?0*(\d+)", value)
        if not match:
            raise forms.ValidationError(_("Enter a person reference like P000123"))
        return int(match.group(1))

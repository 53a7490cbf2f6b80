"""Forms for partners: a contact, an engagement activity, and when a referrer has gone quiet.
Each keeps what was typed when it fails; the action has the last word (an `ActionRefused` is
shown next to the field it concerns)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linkwork.core.forms import YES_NO, GovUKDateField, GovUKForm, text_area

from .actions import SUMMARY_LENGTH
from .models import MAX_QUIET_AFTER_DAYS, MIN_QUIET_AFTER_DAYS, ActivityKind, PartnerContact


def _length(model_field: str) -> int:
    return PartnerContact._meta.get_field(model_field).max_length


class ContactForm(GovUKForm):
    """A named person at a partner. Changing one also asks whether they are still current."""

    name = forms.CharField(
        label=_("Name"),
        max_length=_length("name"),
        error_messages={
            "required": _("Enter the contact's name"),
            "max_length": _("Keep the name to %(limit_value)d characters or fewer"),
        },
    )
    role = forms.CharField(
        label=_("Role or job title (optional)"),
        required=False,
        max_length=_length("role"),
        help_text=_("For example, practice manager or GP lead for mental health."),
        error_messages={
            "max_length": _("Keep the role to %(limit_value)d characters or fewer"),
        },
    )
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        max_length=_length("email"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={
            "invalid": _("Enter an email address in the correct format, like name@example.org"),
            "max_length": _("Keep the email address to %(limit_value)d characters or fewer"),
        },
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        required=False,
        max_length=_length("phone"),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "off"}),
        error_messages={
            "max_length": _("Keep the phone number to %(limit_value)d characters or fewer"),
        },
    )
    notes = text_area(
        _("Notes (optional)"),
        hint=_("For example, the best day to visit, or who chairs their MDT meetings."),
    )
    is_current = forms.TypedChoiceField(
        label=_("Is this still a current contact?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
        error_messages={"required": _("Say whether this is still a current contact")},
    )

    def __init__(self, *args, changing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not changing:
            del self.fields["is_current"]


class ActivityForm(GovUKForm):
    """One engagement activity: what was done, when, for which site, and a short summary."""

    kind = forms.ChoiceField(
        label=_("What was done?"),
        choices=ActivityKind.choices,
        help_text=_("An MDT meeting is a practice's multi-disciplinary team meeting."),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what was done"),
            "invalid_choice": _("Choose what was done"),
        },
    )
    happened_on = GovUKDateField(label=_("Date"), help_text=_("For example, 27 3 2026"))
    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=None,
        empty_label=None,
        help_text=_("The site the engagement was for."),
        error_messages={
            "required": _("Choose the site"),
            "invalid_choice": _("Choose one of the sites this organisation is a partner of"),
        },
    )
    summary = text_area(
        _("Summary"),
        required=True,
        rows=3,
        hint=_(
            "What happened, in a sentence or two. For example, who you met and what was agreed. "
            "Do not name anyone referred to the service."
        ),
        required_message=_("Enter a short summary"),
        max_length=SUMMARY_LENGTH,
    )

    def __init__(self, *args, sites, **kwargs):
        """`sites`: a queryset of the sites the user may record it for."""
        super().__init__(*args, **kwargs)
        self.fields["summary"].error_messages["max_length"] = _(
            "Keep the summary to %(limit_value)d characters or fewer"
        )
        # Asked only of someone who works at more than one of the organisation's sites.
        self.ask_site = len(sites) > 1
        if self.ask_site:
            self.fields["site"].queryset = sites
        else:
            del self.fields["site"]


class QuietAfterForm(GovUKForm):
    quiet_after_days = forms.IntegerField(
        label=_("Days without a referral"),
        min_value=MIN_QUIET_AFTER_DAYS,
        max_value=MAX_QUIET_AFTER_DAYS,
        help_text=_(
            "A referring organisation that has referred before has gone quiet when its last "
            "referral to this site was longer ago than this. For example, 60."
        ),
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "required": _("Enter a number of days"),
            "invalid": _("Enter the number of days as a whole number, like 60"),
            "min_value": _("Enter %(limit_value)s days or more"),
            "max_value": _("Enter %(limit_value)s days or fewer"),
        },
    )

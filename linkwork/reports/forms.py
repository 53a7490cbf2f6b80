"""The form for a service-timeline event."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linkwork.core.forms import GovUKDateField, GovUKForm, text_area
from linkwork.core.months import FromToNames, MonthField, add_months, month_choices, month_value


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


class CaseStudyForm(GovUKForm):
    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=None,
        empty_label=None,
        error_messages={
            "required": _("Select the site"),
            "invalid_choice": _("Choose a site from the list"),
        },
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        help_text=_("For example, Back to the allotment"),
        error_messages={
            "required": _("Enter a title"),
            "max_length": _("Keep the title to %(limit_value)d characters or fewer"),
        },
    )
    text = text_area(
        _("The case study"),
        required=True,
        rows=12,
        hint=_(
            "What the person's life was like, what the support did and what changed. Call them "
            "Person A or a made-up name. Linkwork will not save a case study with a name of "
            "anyone referred, a date, an NHS number, a postcode or a phone number in it."
        ),
        required_message=_("Enter the case study"),
        max_length=10000,
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        if sites.count() == 1:
            self.fields["site"].initial = sites.first()


class FunderReportForm(FromToNames, GovUKForm):
    from_month = MonthField(
        label=_("From"), error_messages={"required": _("Choose the first month")}
    )
    to_month = MonthField(label=_("To"), error_messages={"required": _("Choose the last month")})
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Select at least one site"),
            "invalid_choice": _("Choose sites from the list"),
        },
    )
    case_studies = forms.ModelMultipleChoiceField(
        label=_("Case studies (optional)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose the case studies to include, from the sites the report is about."),
        error_messages={"invalid_choice": _("Choose case studies from the list")},
    )

    def __init__(self, *args, sites, case_studies, this_month, **kwargs):
        quarter_end = add_months(this_month, -((this_month.month - 1) % 3) - 1)
        kwargs.setdefault(
            "initial",
            {
                "from_month": month_value(add_months(quarter_end, -2)),
                "to_month": month_value(quarter_end),
                "sites": list(sites),
            },
        )
        super().__init__(*args, **kwargs)
        for name in ("from_month", "to_month"):
            self.fields[name].widget.choices = month_choices(this_month, 60)
        self.fields["sites"].queryset = sites
        self.fields["case_studies"].queryset = case_studies
        if not case_studies.exists():
            del self.fields["case_studies"]


class CapacityForm(GovUKForm):
    """The site and the what-if question, read from the address."""

    site = forms.ChoiceField(
        label=_("Site"), error_messages={"invalid_choice": _("Choose a site from the list")}
    )
    borrow = forms.ChoiceField(
        label=_("Open a pathway another site has"),
        required=False,
        help_text=_("Adds the referrals a month that site receives through it."),
        error_messages={"invalid_choice": _("Choose a pathway from the list")},
    )
    extra_per_month = forms.DecimalField(
        label=_("Or add referrals a month"),
        required=False,
        min_value=0,
        max_value=1000,
        decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-4"}),
        error_messages={
            "invalid": _("Enter referrals a month as a number, like 4 or 2.5"),
            "min_value": _("Referrals a month must be 0 or more"),
            "max_value": _("Referrals a month must be 1,000 or fewer"),
        },
    )
    add_coordinators = forms.IntegerField(
        label=_("Add link coordinators"),
        required=False,
        min_value=0,
        max_value=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
        error_messages={
            "invalid": _("Enter how many link coordinators to add, like 1"),
            "min_value": _("Add 0 or more link coordinators"),
            "max_value": _("Add 20 link coordinators or fewer"),
        },
    )
    cap_each = forms.IntegerField(
        label=_("Caseload cap of each new coordinator"),
        required=False,
        min_value=1,
        max_value=100,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "invalid": _("Enter the cap as a number, like 15"),
            "min_value": _("The cap must be at least 1"),
            "max_value": _("The cap must be 100 or fewer"),
        },
    )
    support_weeks = forms.IntegerField(
        label=_("Support lasts (weeks)"),
        required=False,
        min_value=1,
        max_value=104,
        help_text=_("Leave empty to use the lengths of support seen in the last six months."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "invalid": _("Enter the weeks of support as a number, like 16"),
            "min_value": _("Support must last at least 1 week"),
            "max_value": _("Support must last 104 weeks or fewer"),
        },
    )

    def __init__(self, data, *, sites, borrowable, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["site"].choices = [(str(s.pk), s.name) for s in sites]
        self.fields["borrow"].choices = [("", _("None"))] + [
            (key, label) for key, (label, _rate) in borrowable.items()
        ]

"""Forms for setting a trial up, enrolling someone, and what happens after the allocation.

Each keeps what was typed when it fails; `trials.actions` has the last word (an `ActionRefused`
is shown beside the field it names: the field names here match the actions' keyword arguments).
"""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkwork.core.forms import YES_NO, GovUKDateField, GovUKForm, text_area
from linkwork.outcomes.instruments import all_instruments
from linkwork.partners.models import Organisation, SourceType

from .models import (
    AttendancePeriod,
    DataKept,
    DeclineReason,
    DocumentKind,
    ExportFormat,
    IneligibleOther,
    NoteKind,
    StratificationFactor,
    WithdrawalReason,
    isrctn,
)


def _yes_no(label, *, hint=None, required_message=None):
    return forms.ChoiceField(
        label=label,
        choices=YES_NO,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
        help_text=hint,
        error_messages={"required": required_message or _("Choose yes or no")},
    )


def _date(label, required_message, **kwargs):
    return GovUKDateField(
        label=label,
        help_text=kwargs.pop("help_text", _("For example, 3 11 2026")),
        error_messages={"required": required_message},
        **kwargs,
    )


def lines_of(text: str) -> list[str]:
    """The non-empty lines of a text area, trimmed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


# --- Set-up ---------------------------------------------------------------------------------------


class TrialForm(GovUKForm):
    name = forms.CharField(
        label=_("Trial name"),
        max_length=200,
        error_messages={"required": _("Enter the trial's name")},
    )
    registration = forms.CharField(
        label=_("Registration number (ISRCTN)"),
        required=False,
        max_length=20,
        help_text=_("For example, ISRCTN12345678. You can add it before the trial opens."),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one site")},
    )
    pathways = forms.ModelMultipleChoiceField(
        label=_("Participating pathways"),
        help_text=_(
            "People accepted on these pathways, at the trial's sites, are offered the trial "
            "before they are allocated."
        ),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one pathway")},
    )
    starts_on = _date(_("Recruitment starts"), _("Enter the date recruitment starts"))
    ends_on = _date(_("Recruitment is planned to end"), _("Enter the planned end of recruitment"))
    immediate_name = forms.CharField(
        label=_("Name of the immediate support arm"),
        max_length=100,
        initial=_("Immediate support"),
        error_messages={"required": _("Enter the arm's name")},
    )
    waitlist_name = forms.CharField(
        label=_("Name of the waitlist arm"),
        max_length=100,
        initial=_("Waitlist"),
        help_text=_("The comparison arm in the analysis."),
        error_messages={"required": _("Enter the arm's name")},
    )
    delay_weeks = forms.IntegerField(
        label=_("Weeks the waitlist arm waits before support starts"),
        min_value=1,
        max_value=52,
        initial=4,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={"required": _("Enter the number of weeks")},
    )
    immediate_ratio = forms.IntegerField(
        label=_("Allocation ratio: immediate support"),
        min_value=1,
        max_value=10,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-2"}),
    )
    waitlist_ratio = forms.IntegerField(
        label=_("Allocation ratio: waitlist"),
        min_value=1,
        max_value=10,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-2"}),
    )
    stratify_by = forms.MultipleChoiceField(
        label=_("Stratify by, besides the site"),
        help_text=_("Randomisation is always stratified by site. Optional."),
        choices=StratificationFactor.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    block_multiples = forms.TypedMultipleChoiceField(
        label=_("Block sizes"),
        help_text=_(
            "Each block's size is chosen at random among these multiples of the ratio: for "
            "1:1, 1, 2 and 3 give blocks of 2, 4 and 6."
        ),
        choices=[(m, f"{m} ×") for m in range(1, 5)],
        coerce=int,
        initial=[1, 2, 3],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one block size")},
    )
    instruments = forms.MultipleChoiceField(
        label=_("Outcome instruments"),
        help_text=_("Collected at baseline, before randomisation, and at each time point."),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one instrument")},
    )
    primary_instrument = forms.ChoiceField(
        label=_("Primary outcome"),
        choices=[],
        error_messages={"required": _("Choose the primary outcome")},
    )
    timepoints = forms.CharField(
        label=_("Time points, in weeks after randomisation"),
        help_text=_("Separated by commas, for example 4, 12"),
        initial="4, 12",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
        error_messages={"required": _("Enter the time points")},
    )
    primary_weeks = forms.IntegerField(
        label=_("Primary time point, weeks after randomisation"),
        min_value=1,
        max_value=104,
        initial=12,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={"required": _("Enter the primary time point")},
    )
    criteria = text_area(
        _("Eligibility criteria"),
        required=True,
        rows=5,
        hint=_("One per line. Each is a question at enrolment: all must be met."),
        required_message=_("Enter the eligibility criteria"),
    )
    required_items = text_area(
        _("Consent statements required to take part"),
        required=True,
        rows=4,
        hint=_("One per line, as on the consent form."),
        required_message=_("Enter the consent form's statements"),
    )
    optional_items = text_area(
        _("Optional consent statements"),
        rows=2,
        hint=_("One per line. Recorded yes or no."),
    )
    gp_attendance_item = forms.CharField(
        label=_("Optional statement for GP attendance data"),
        required=False,
        max_length=400,
        initial=_("I agree that my GP practice may tell the research team how often I attended."),
        help_text=_("Leave empty if the trial does not collect GP attendance."),
    )
    information_sheet_version = forms.CharField(
        label=_("Participant information sheet: version"),
        max_length=30,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={"required": _("Enter the information sheet's version")},
    )
    information_sheet_dated = _date(
        _("Participant information sheet: dated"), _("Enter the information sheet's date")
    )
    consent_form_version = forms.CharField(
        label=_("Consent form: version"),
        max_length=30,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={"required": _("Enter the consent form's version")},
    )
    consent_form_dated = _date(_("Consent form: dated"), _("Enter the consent form's date"))

    def __init__(self, *args, sites, pathways, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = sites
        self.fields["pathways"].queryset = pathways
        self.fields["pathways"].label_from_instance = lambda p: f"{p.site} – {p.name}"
        choices = [(i.code, i.name) for i in all_instruments()]
        self.fields["instruments"].choices = choices
        self.fields["primary_instrument"].choices = [("", _("Choose")), *choices]

    def clean_registration(self):
        value = self.cleaned_data["registration"].strip().upper().replace(" ", "")
        if value:
            isrctn(value)
        return value

    def clean_timepoints(self):
        raw = self.cleaned_data["timepoints"]
        parts = [p for p in re.split(r"[,\s]+", raw) if p]
        if not parts or not all(p.isdigit() and 1 <= int(p) <= 104 for p in parts):
            raise forms.ValidationError(
                _("Enter whole numbers of weeks from 1 to 104, separated by commas")
            )
        return sorted({int(p) for p in parts})

    def clean(self):
        data = super().clean()
        sites, pathways = data.get("sites"), data.get("pathways")
        if sites and pathways:
            site_ids = {s.pk for s in sites}
            if any(p.site_id not in site_ids for p in pathways):
                self.add_error("pathways", _("Choose pathways at the trial's sites only"))
        return data


class DocumentForm(GovUKForm):
    kind = forms.ChoiceField(
        label=_("Which document?"),
        choices=DocumentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the document")},
    )
    version = forms.CharField(
        label=_("Version"),
        max_length=30,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={"required": _("Enter the version")},
    )
    dated = _date(_("Dated"), _("Enter the document's date"))


class CloseTrialForm(GovUKForm):
    closed_on = _date(_("Closed on"), _("Enter the date the trial closed"))
    reason = text_area(
        _("Why is the trial closing?"),
        required=True,
        hint=_("For example: all non-COVID-19 research was stopped."),
        required_message=_("Say why the trial is closing"),
    )


# --- Enrolment ------------------------------------------------------------------------------------


class ScreenForm(GovUKForm):
    """The eligibility checklist: a yes or no for every criterion, and any other reason."""

    other = forms.ChoiceField(
        label=_("Is there another reason they cannot take part?"),
        choices=[("", _("No")), *IneligibleOther.choices],
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.pk}"] = _yes_no(
                criterion.text, required_message=_("Say whether this criterion is met")
            )
        self.order_fields([f"criterion_{c.pk}" for c in self.criteria] + ["other"])

    def unmet(self) -> list:
        return [c for c in self.criteria if self.cleaned_data[f"criterion_{c.pk}"] == "no"]


class ConsentForm(GovUKForm):
    consented_on = _date(_("Date consent was given"), _("Enter the date consent was given"))
    information_sheet = forms.ModelChoiceField(
        label=_("Version of the participant information sheet given"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the version given")},
    )
    consent_form = forms.ModelChoiceField(
        label=_("Version of the consent form signed"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the version signed")},
    )

    def __init__(self, *args, trial, **kwargs):
        super().__init__(*args, **kwargs)
        documents = trial.documents.all()
        for name, kind in (
            ("information_sheet", DocumentKind.INFORMATION_SHEET),
            ("consent_form", DocumentKind.CONSENT_FORM),
        ):
            field = self.fields[name]
            field.queryset = documents.filter(kind=kind)
            field.label_from_instance = lambda d: (
                _("Version %(version)s, dated %(date)s")
                % {
                    "version": d.version,
                    "date": d.dated.strftime("%d/%m/%Y"),
                }
            )
            current = documents.filter(kind=kind, in_use=True).first()
            if current is not None:
                self.initial.setdefault(name, current.pk)
        self.items = list(trial.consent_items.all())
        for item in self.items:
            self.fields[f"item_{item.pk}"] = _yes_no(
                item.text,
                hint=_("Required to take part") if item.required else _("Optional"),
                required_message=_("Say whether the person agreed to this statement"),
            )
        self.initial.setdefault("consented_on", timezone.localdate())

    def answers(self) -> dict[int, bool]:
        return {item.pk: self.cleaned_data[f"item_{item.pk}"] == "yes" for item in self.items}


class DeclineForm(GovUKForm):
    reason = forms.ChoiceField(
        label=_("Why did they decide not to take part?"),
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the reason")},
    )


class ConfirmForm(GovUKForm):
    """A button and nothing else (the CSRF token is in the template)."""


class NoteForm(GovUKForm):
    kind = forms.ChoiceField(
        label=_("What kind of note is it?"),
        choices=[
            (NoteKind.NOTE, NoteKind.NOTE.label),
            (NoteKind.DEVIATION, NoteKind.DEVIATION.label),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of note")},
    )
    text = text_area(_("Note"), required=True, required_message=_("Enter the note"))


class ReasonForm(GovUKForm):
    text = text_area(_("Reason"), required=True, rows=4, required_message=_("Give the reason"))


class WithdrawForm(GovUKForm):
    on = _date(_("Date they withdrew"), _("Enter the date they withdrew"))
    reason = forms.ChoiceField(
        label=_("Why did they withdraw?"),
        choices=WithdrawalReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the reason")},
    )
    data_kept = forms.ChoiceField(
        label=_("How much of their data may be kept?"),
        choices=DataKept.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say what of their data may be kept")},
    )


class AttendanceForm(GovUKForm):
    practice = forms.ModelChoiceField(
        label=_("GP practice that sent the count"),
        queryset=Organisation.objects.filter(source_type=SourceType.GP_PRACTICE),
        error_messages={"required": _("Choose the practice")},
    )
    period = forms.ChoiceField(
        label=_("Period"),
        choices=AttendancePeriod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the period")},
    )
    starts_on = _date(_("Period from"), _("Enter the start of the period"))
    ends_on = _date(_("Period to"), _("Enter the end of the period"))
    attendances = forms.IntegerField(
        label=_("Number of attendances"),
        min_value=0,
        max_value=500,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={"required": _("Enter the number of attendances")},
    )
    sent_by = forms.CharField(
        label=_("Sent by"),
        max_length=200,
        help_text=_("Who at the practice sent it, for example the practice manager."),
        error_messages={"required": _("Say who sent the count")},
    )
    received_on = _date(_("Received on"), _("Enter the date it was received"))


# --- Exports --------------------------------------------------------------------------------------


class ExportForm(GovUKForm):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=ExportFormat.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "CSV files open in any statistics package. The Excel workbook has the data, the "
            "data dictionary and the README as three sheets."
        ),
        error_messages={"required": _("Choose the format")},
    )


class TeamMemberForm(GovUKForm):
    member = forms.ModelChoiceField(
        label=_("Add to the team"),
        help_text=_("Trial managers and researchers see the trial by pseudonym only."),
        queryset=None,
        error_messages={"required": _("Choose someone to add")},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = candidates
        self.fields["member"].label_from_instance = lambda u: f"{u} ({u.get_role_display()})"

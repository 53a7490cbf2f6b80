"""Forms for the referral pathway. Each re-displays what was typed when it fails validation."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from linkwork.core.forms import (
    TOO_LONG,
    YES_NO,
    GovUKDateField,
    GovUKForm,
    GovUKModelForm,
    LineField,
    RevealingRadioSelect,
    TextAreaField,
)
from linkwork.core.validators import phone_number, uk_postcode
from linkwork.partners.models import Organisation, SourceType

from .eligibility import eligibility_problems
from .models import InterimContact, Language, Need, Pathway, Person, ReceivedVia
from .status import DeclineReason, Priority, WithdrawalReason
from .validators import normalise_nhs_number, validate_date_of_birth, validate_nhs_number

#: The most a free-text answer about the person's needs or risks may hold, in characters.
DETAIL_LENGTH = 2000


def _yes_no(value: str) -> bool:
    return value == "yes"


class PersonFieldsMixin(GovUKForm):
    """The person's details, shared by every way a referral comes in."""

    given_name = LineField(
        label=_("First name"),
        max_length=100,
        error_messages={"required": _("Enter the person's first name")},
    )
    family_name = LineField(
        label=_("Last name"),
        max_length=100,
        error_messages={"required": _("Enter the person's last name")},
    )
    date_of_birth = GovUKDateField(
        label=_("Date of birth"),
        help_text=_("For example, 27 3 1980"),
        error_messages={"required": _("Enter the person's date of birth")},
    )
    nhs_number = LineField(
        label=_("NHS number (optional)"),
        required=False,
        max_length=14,
        help_text=_("A 10 digit number, like 943 476 5919"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-10"}),
    )
    phone = LineField(label=_("Phone number"), required=False, max_length=30)
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        max_length=254,
        error_messages={
            "invalid": _("Enter an email address like name@example.com"),
            "max_length": TOO_LONG,
        },
    )
    address = TextAreaField(
        label=_("Address (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    postcode = LineField(label=_("Postcode (optional)"), required=False, max_length=10)
    best_time_to_call = LineField(
        label=_("Best time to call"),
        required=False,
        max_length=200,
        help_text=_("For example, weekday mornings"),
    )
    texts_agreed = forms.BooleanField(
        label=_("They agree to be sent text messages by the service"),
        help_text=_("For example, a reminder of a visit or a link to a short questionnaire"),
        required=False,
    )
    preferred_language = forms.ChoiceField(
        label=_("Which language would they like to be supported in?"),
        choices=Language.choices,
        initial=Language.ENGLISH,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Someone using the Welsh pages most likely wants to be supported in Welsh.
        if get_language() == "cy":
            self.fields["preferred_language"].initial = Language.WELSH

    def clean_nhs_number(self) -> str:
        value = normalise_nhs_number(self.cleaned_data.get("nhs_number", ""))
        if value:
            validate_nhs_number(value)
        return value

    def clean_date_of_birth(self) -> datetime.date:
        value = self.cleaned_data["date_of_birth"]
        validate_date_of_birth(
            value, today=timezone.localdate(), label=self.fields["date_of_birth"].label
        )
        return value

    def clean_phone(self) -> str:
        return phone_number(self.cleaned_data.get("phone", ""))

    def clean_postcode(self) -> str:
        return uk_postcode(self.cleaned_data.get("postcode", ""))

    def require_contact_route(self, cleaned: dict) -> None:
        if (
            not cleaned.get("phone")
            and not cleaned.get("email")
            and "phone" not in self.errors
            and "email" not in self.errors
        ):
            self.add_error("phone", _("Enter a phone number or an email address"))

    def person_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in PERSON_FIELDS}


PERSON_FIELDS = [
    "given_name",
    "family_name",
    "date_of_birth",
    "nhs_number",
    "phone",
    "email",
    "address",
    "postcode",
    "best_time_to_call",
    "texts_agreed",
    "preferred_language",
]
assert set(PERSON_FIELDS) <= {f.name for f in Person._meta.fields}


class NeedsFieldsMixin(GovUKForm):
    needs = forms.MultipleChoiceField(
        label=_("What does the person need help with?"),
        help_text=_("Select all that apply."),
        choices=Need.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Select what the person needs help with")},
    )
    needs_detail = TextAreaField(
        label=_("Tell us more about what they need help with"),
        required=False,
        max_length=DETAIL_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    known_risks = TextAreaField(
        label=_("Known risks"),
        required=False,
        help_text=_(
            "Anything a link coordinator should know to keep the person and themselves safe, "
            "for example self-harm, suicidal thoughts, or risks from other people."
        ),
        max_length=DETAIL_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    frequent_attender = forms.TypedChoiceField(
        label=_("Does the person frequently attend their GP or emergency services?"),
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select yes if the person is a frequent attender")},
    )
    consent_to_referral = forms.BooleanField(
        label=_("The person agrees to being referred to the service"),
        error_messages={"required": _("The person must agree to being referred")},
    )
    consent_to_share_feedback = forms.BooleanField(
        label=_("The person agrees that the service can tell the referrer how they are getting on"),
        required=False,
    )

    def referral_details(self) -> dict:
        return {name: self.cleaned_data[name] for name in DETAIL_FIELDS}


DETAIL_FIELDS = [
    "needs",
    "needs_detail",
    "known_risks",
    "frequent_attender",
    "consent_to_referral",
    "consent_to_share_feedback",
]


class PathwayChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Pathway) -> str:
        label = f"{obj.site.name}: {obj.name}"
        if not obj.is_open:
            label = _("%(pathway)s (closed)") % {"pathway": label}
        return label


class ReferralForm(PersonFieldsMixin, NeedsFieldsMixin):
    """The brief referral form for a signed-in referrer."""

    pathway = PathwayChoiceField(
        label=_("Which site is the person referred to?"),
        queryset=Pathway.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Select the site the person is referred to")},
    )

    field_order = ["pathway", *PERSON_FIELDS, *DETAIL_FIELDS]

    def __init__(self, *args, pathways, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pathway"].queryset = pathways
        only = list(pathways[:2])
        if len(only) == 1:
            self.fields["pathway"].initial = only[0].pk

    def referral_date(self) -> datetime.date:
        return timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        self.require_contact_route(cleaned)
        pathway = cleaned.get("pathway")
        dob = cleaned.get("date_of_birth")
        if pathway and dob and "frequent_attender" in cleaned:
            problems = eligibility_problems(
                pathway,
                date_of_birth=dob,
                frequent_attender=cleaned["frequent_attender"],
                on=self.referral_date(),
            )
            for field, message in problems.items():
                self.add_error(field, message)
        return cleaned


class StaffReferralForm(ReferralForm):
    """A referral that arrived by phone, email or on paper, typed in by staff."""

    received_via = forms.ChoiceField(
        label=_("How did the referral arrive?"),
        choices=[
            (ReceivedVia.PHONE, ReceivedVia.PHONE.label),
            (ReceivedVia.EMAIL, ReceivedVia.EMAIL.label),
            (ReceivedVia.PAPER, ReceivedVia.PAPER.label),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how the referral arrived")},
    )
    received_on = GovUKDateField(
        label=_("Date received"),
        help_text=_("For example, 3 11 2026"),
        error_messages={"required": _("Enter the date the referral was received")},
    )
    referring_organisation = forms.ModelChoiceField(
        label=_("Referring organisation"),
        queryset=Organisation.objects.all(),
        required=False,
        help_text=_("Leave empty for a self-referral."),
    )
    referrer_name = LineField(label=_("Referrer's name"), required=False, max_length=200)
    referrer_contact = LineField(
        label=_("Referrer's phone number or email address"), required=False, max_length=200
    )

    field_order = [
        "pathway",
        "received_via",
        "received_on",
        "referring_organisation",
        "referrer_name",
        "referrer_contact",
        *PERSON_FIELDS,
        *DETAIL_FIELDS,
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pathway"].label = _("Pathway")
        self.fields["pathway"].widget = forms.Select()
        self.fields["pathway"].empty_label = ""

    def clean_received_on(self) -> datetime.date:
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date received must be today or in the past"))
        return day

    def referral_date(self) -> datetime.date:  # type: ignore[override]
        return self.cleaned_data.get("received_on") or timezone.localdate()

    def received_at(self) -> datetime.datetime:
        """Now for a referral received today; otherwise the start of the day it arrived."""
        day = self.referral_date()
        if day == timezone.localdate():
            return timezone.now()
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))

    def clean(self):
        cleaned = super().clean()
        pathway, organisation = cleaned.get("pathway"), cleaned.get("referring_organisation")
        day = cleaned.get("received_on")
        if pathway and day and not pathway.is_open_on(day):
            self.add_error("pathway", _("This pathway was not open on the date received"))
        if (
            pathway
            and "referring_organisation" in cleaned
            and not pathway.accepts_organisation(organisation)
        ):
            self.add_error(
                "referring_organisation",
                _("This organisation cannot refer through the pathway chosen")
                if organisation
                else _("Choose the organisation that referred the person"),
            )
        return cleaned


class SelfReferralForm(PersonFieldsMixin):
    """The public form. Plain language, written to the person themselves."""

    needs = forms.MultipleChoiceField(
        label=_("What would you like help with?"),
        help_text=_("Tick all that apply."),
        choices=Need.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one thing you would like help with")},
    )
    needs_detail = TextAreaField(
        label=_("Tell us a bit more (optional)"),
        required=False,
        max_length=DETAIL_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    consent_to_referral = forms.BooleanField(
        label=_("I agree that the service can keep these details and contact me"),
        error_messages={"required": _("Tick the box to say you agree, so we can contact you")},
    )
    # A field people never see: anything typed here came from a bot.
    website = forms.CharField(required=False, label=_("Leave this empty"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain = {
            "given_name": (_("Your first name"), _("Enter your first name")),
            "family_name": (_("Your last name"), _("Enter your last name")),
            "date_of_birth": (_("Your date of birth"), _("Enter your date of birth")),
        }
        for name, (label, required) in plain.items():
            self.fields[name].label = label
            self.fields[name].error_messages["required"] = required
        self.fields["nhs_number"].label = _("Your NHS number (optional)")
        self.fields["phone"].label = _("Your phone number")
        self.fields["email"].label = _("Your email address")
        self.fields["address"].label = _("Your address (optional)")
        self.fields["best_time_to_call"].label = _("When is a good time to call you?")
        self.fields["texts_agreed"].label = _("You can send me text messages")
        self.fields["preferred_language"].label = _("Which language would you like us to use?")

    def clean(self):
        cleaned = super().clean()
        self.require_contact_route(cleaned)
        return cleaned

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def referral_details(self) -> dict:
        return {
            "needs": self.cleaned_data["needs"],
            "needs_detail": self.cleaned_data["needs_detail"],
            "consent_to_referral": True,
            "consent_to_share_feedback": False,
        }


class TriageForm(GovUKForm):
    ACCEPT, REQUEST_INFORMATION, DECLINE = "accept", "request_information", "decline"

    decision = forms.ChoiceField(
        label=_("What is your decision?"),
        choices=[
            (ACCEPT, _("Accept and add to the waiting list")),
            (REQUEST_INFORMATION, _("Ask the referrer for more information")),
            (DECLINE, _("Decline or redirect")),
        ],
        # Each decision shows only its own questions (the triage template's sections).
        widget=RevealingRadioSelect(
            reveals={
                ACCEPT: "if-accept",
                REQUEST_INFORMATION: "if-request-information",
                DECLINE: "if-decline",
            }
        ),
        error_messages={"required": _("Select a decision")},
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        initial=Priority.ROUTINE,
        required=False,
        widget=forms.RadioSelect,
    )
    information_request = forms.CharField(
        label=_("What information do you need?"),
        required=False,
        help_text=_("The referrer sees this."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decline_reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", ""), *DeclineReason.choices],
        required=False,
    )
    duplicate_of = forms.TypedChoiceField(
        label=_("Which referral does it duplicate?"),
        help_text=_(
            "Only for a duplicate. The two are linked: what this referral says stays readable "
            "from the other."
        ),
        choices=[],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    redirected_to = forms.CharField(
        label=_("Service the person was redirected to"),
        required=False,
        max_length=200,
        help_text=_("For example, the community mental health team."),
    )
    note = forms.CharField(
        label=_("Note for the team (optional)"),
        required=False,
        help_text=_("Not shown to the referrer."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    message = forms.CharField(
        label=_("Message to the referrer (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, duplicates=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The possible duplicates the user may see (`queries.possible_duplicates`).
        self.fields["duplicate_of"].choices = [
            (
                other.pk,
                _("%(reference)s: %(name)s, received %(received)s (%(status)s)")
                % {
                    "reference": other.reference,
                    "name": other.person.full_name,
                    "received": date_format(other.received_at, "j M Y"),
                    "status": other.get_status_display(),
                },
            )
            for other in duplicates
        ]

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == self.ACCEPT and not cleaned.get("priority"):
            self.add_error("priority", _("Select a priority"))
        if decision == self.REQUEST_INFORMATION and not cleaned.get("information_request"):
            self.add_error("information_request", _("Enter the information you need"))
        if decision == self.DECLINE:
            reason = cleaned.get("decline_reason")
            if not reason:
                self.add_error("decline_reason", _("Select a reason"))
            if reason == DeclineReason.NEEDS_ABOVE_REMIT and not cleaned.get("redirected_to"):
                self.add_error("redirected_to", _("Enter the service the person was redirected to"))
            if reason == DeclineReason.OTHER and not cleaned.get("note"):
                self.add_error("note", _("Explain the reason in the note"))
            if reason == DeclineReason.DUPLICATE and not cleaned.get("duplicate_of"):
                self.add_error(
                    "duplicate_of",
                    _("Select the referral this one duplicates")
                    if self.fields["duplicate_of"].choices
                    else _(
                        "There is no other referral for this person to link it to. "
                        "Choose another reason."
                    ),
                )
        return cleaned


class ProvideInformationForm(GovUKForm):
    response = TextAreaField(
        label=_("Your answer"),
        max_length=DETAIL_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Enter the information the service asked for")},
    )


class CoordinatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _("%(name)s (%(caseload)s of %(cap)s)") % {
            "name": obj.display_name,
            "caseload": getattr(obj, "caseload", "?"),
            "cap": obj.caseload_cap,
        }


class AllocationForm(GovUKForm):
    coordinator = CoordinatorChoiceField(
        label=_("Link coordinator"),
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Select a link coordinator")},
    )
    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # The allocation the manager saw: a second manager's change in between is not overwritten.
    replacing = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, coordinators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = coordinators


class CaseloadCapForm(GovUKForm):
    cap = forms.IntegerField(
        label=_("Caseload cap"),
        min_value=1,
        max_value=100,
        help_text=_("The most people this link coordinator can support at once."),
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "required": _("Enter a caseload cap"),
            "invalid": _("Enter the cap as a whole number, like 15"),
            "min_value": _("The cap must be at least 1"),
            "max_value": _("The cap must be 100 or fewer"),
        },
    )


class InterimContactForm(GovUKForm):
    contact_date = GovUKDateField(
        label=_("Date of contact"),
        error_messages={"required": _("Enter the date of the contact")},
    )
    contact_time = forms.TimeField(
        label=_("Time (optional)"),
        required=False,
        help_text=_("For example, 14:30"),
        widget=forms.TimeInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={"invalid": _("Enter a time like 14:30")},
    )
    mode = forms.ChoiceField(
        label=_("How was the contact made?"),
        choices=InterimContact.Mode.choices,
        initial=InterimContact.Mode.TELEPHONE,
        widget=forms.RadioSelect,
    )
    minutes = forms.IntegerField(
        label=_("Length in minutes (optional)"),
        required=False,
        min_value=1,
        max_value=600,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )
    by_volunteer = forms.BooleanField(label=_("Given by a volunteer"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def contact_at(self) -> datetime.datetime:
        time = self.cleaned_data.get("contact_time") or datetime.time(12, 0)
        return timezone.make_aware(
            datetime.datetime.combine(self.cleaned_data["contact_date"], time)
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("contact_date") and self.contact_at() > timezone.now():
            self.add_error("contact_date", _("The date of the contact must be in the past"))
        return cleaned


class OpenWithReasonForm(GovUKForm):
    reason = forms.CharField(
        label=_("Why do you need to open this record?"),
        help_text=_(
            "For example: they phoned while their link coordinator is on leave, or a "
            "safeguarding concern. The site's managers read every reason given."
        ),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why you need to open this record")},
    )


class WithdrawForm(GovUKForm):
    reason = forms.ChoiceField(
        label=_("Why is the person leaving the waiting list?"),
        choices=WithdrawalReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select a reason")},
    )
    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PathwayForm(GovUKModelForm):
    opens_on = GovUKDateField(
        label=_("Opens on"), error_messages={"required": _("Enter the date the pathway opens")}
    )
    closes_on = GovUKDateField(
        label=_("Closes on (optional)"),
        required=False,
        help_text=_("No new referrals are taken through this pathway from this date."),
    )

    change_reason = forms.CharField(
        label=_("Why are the rules changing?"),
        required=False,
        help_text=_(
            "Needed when you change who may refer or who is eligible after referrals have come "
            "through the pathway. Kept with the new version."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Pathway
        fields = [
            "site",
            "name",
            "name_cy",
            "source_type",
            "organisations",
            "opens_on",
            "closes_on",
            "minimum_age",
            "frequent_attender_required",
        ]
        widgets = {
            "organisations": forms.CheckboxSelectMultiple,
            "source_type": forms.RadioSelect,
        }

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].empty_label = None
        self.fields["source_type"].choices = SourceType.choices

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes <= opens:
            self.add_error("closes_on", _("The closing date must be after the opening date"))
        source, organisations = cleaned.get("source_type"), cleaned.get("organisations")
        if source and organisations:
            wrong = [o.name for o in organisations if o.source_type != source]
            if wrong:
                self.add_error(
                    "organisations",
                    _("These organisations are not of the pathway's type: %(names)s")
                    % {"names": ", ".join(wrong)},
                )
        if source == SourceType.SELF_REFERRAL and cleaned.get("frequent_attender_required"):
            self.add_error(
                "frequent_attender_required",
                _("A self-referral pathway cannot require frequent attendance"),
            )
        return cleaned

"""Forms for letters. Each keeps what was typed when it fails; the actions have the last word
(an `ActionRefused` is shown next to the field it concerns)."""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from linkwork.core.forms import GovUKForm, text_area
from linkwork.referrals.models import Language

from .actions import MAX_BODY, MAX_RECIPIENT_NAME, MAX_SUBJECT, placeholder_problem
from .models import LetterKind


def contact_label(contact) -> str:
    at = timezone.localtime(contact.at)
    return f"{date_format(at, 'l j F Y, H:i')}: {contact.get_mode_display()}"


class LetterForm(GovUKForm):
    """What the coordinator decides about a letter: its language, the appointment (for an
    appointment letter), and where it goes. The rest comes from the template and the record."""

    language = forms.ChoiceField(
        label=_("Language of the letter"),
        choices=Language.choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
        help_text=_("The person's preferred language is chosen to start with."),
        error_messages={"required": _("Choose the language of the letter")},
    )
    contact = forms.TypedChoiceField(
        label=_("Which appointment is the letter about?"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the appointment the letter is about"),
            "invalid_choice": _("Choose one of the booked appointments"),
        },
    )
    place = forms.CharField(
        label=_("Where (optional)"),
        required=False,
        max_length=200,
        help_text=_(
            "For a meeting away from their home: the place's name and address. Leave empty "
            "and the letter says where by how the contact happens (at your home, we will ring "
            "you…)."
        ),
        error_messages={"max_length": _("Keep the place to 200 characters or fewer")},
    )
    recipient_name = forms.CharField(
        label=_("Addressed to"),
        max_length=MAX_RECIPIENT_NAME,
        error_messages={
            "required": _("Enter the name the letter is addressed to"),
            "max_length": _("Keep the name to 200 characters or fewer"),
        },
    )
    recipient_address = text_area(
        _("Postal address"),
        required=True,
        rows=5,
        hint=_("One line each, the postcode last. It shows through the envelope's window."),
        required_message=_("Enter the postal address the letter goes to"),
    )

    def __init__(self, *args, kind: str, contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == LetterKind.APPOINTMENT:
            self.fields["contact"].choices = [(c.pk, contact_label(c)) for c in contacts]
            self.contacts = {c.pk: c for c in contacts}
        else:
            del self.fields["contact"]
            del self.fields["place"]
            self.contacts = {}
        if kind == LetterKind.REFERRER:
            self.fields["recipient_address"].help_text = _(
                "The referrer's postal address: add it under the organisation's name. One line "
                "each, the postcode last."
            )

    def chosen_contact(self):
        return self.contacts.get(self.cleaned_data.get("contact"))


class TemplateForm(GovUKForm):
    """The wording of one kind of letter in one language. Placeholders are checked here, so both
    fields show their problems at once (and again by the action, which has the last word)."""

    subject = forms.CharField(
        label=_("Heading"),
        max_length=MAX_SUBJECT,
        help_text=_("In bold above the wording. It may hold placeholders."),
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
        error_messages={
            "required": _("Enter the letter's heading"),
            "max_length": _("Keep the heading to 200 characters or fewer"),
        },
    )
    body = text_area(
        _("Wording"),
        required=True,
        rows=20,
        max_length=MAX_BODY,
        hint=_(
            "From the greeting to the sign-off. Leave a blank line between paragraphs. The "
            "signer's name and role are added below it."
        ),
        required_message=_("Enter the letter's wording"),
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def _placeholders_checked(self, name: str) -> str:
        text = self.cleaned_data[name]
        if problem := placeholder_problem(text, self.kind):
            raise forms.ValidationError(problem)
        return text

    def clean_subject(self) -> str:
        return self._placeholders_checked("subject")

    def clean_body(self) -> str:
        return self._placeholders_checked("body")


class LetterheadForm(GovUKForm):
    service_name = forms.CharField(
        label=_("Service name"),
        max_length=120,
        help_text=_("At the top of every letter, as people know the service."),
        error_messages={
            "required": _("Enter the service's name"),
            "max_length": _("Keep the name to 120 characters or fewer"),
        },
    )
    address = text_area(
        _("Postal address"),
        required=True,
        rows=5,
        hint=_("One line each, the postcode last."),
        required_message=_("Enter the site's postal address"),
    )
    phone = forms.CharField(
        label=_("Phone number (optional)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "off"}),
        error_messages={"max_length": _("Keep the phone number to 30 characters or fewer")},
    )
    email = forms.EmailField(
        label=_("Email address (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={
            "invalid": _("Enter an email address in the correct format, like name@example.org")
        },
    )

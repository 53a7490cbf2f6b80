import re

from django import forms
from django.utils.translation import gettext_lazy as _

from linkwork.core.forms import (
    GovUKDateField,
    GovUKForm,
    GovUKModelForm,
    RevealingRadioSelect,
    text_area,
)
from linkwork.core.validators import NotInTheFuture
from linkwork.referrals.forms import PERSON_FIELDS, PersonFieldsMixin
from linkwork.referrals.models import CorrectionReason, NoteCorrection

from .models import ErasureDecision, ProcessingRecord


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


PAST = _("The date must be today or in the past")


# --- Rectification (decision 0026) ---------------------------------------------------------------


class ReasonFields(GovUKForm):
    """Why something held about the person is changed: required, with the date the person asked
    when they did (unless the change answers a request already recorded), and more words when
    the reason is "Other"."""

    REASONS = CorrectionReason.choices
    reason = forms.ChoiceField(
        label=_("Why is it changing?"),
        choices=[],
        widget=RevealingRadioSelect(reveals={CorrectionReason.PERSON_ASKED: "if-person-asked"}),
        error_messages={"required": _("Select why it is changing")},
    )
    received_on = GovUKDateField(
        label=_("Date the person asked"),
        required=False,
        validators=[NotInTheFuture(_("The date the person asked must be today or earlier"))],
        help_text=_(
            "The service has one calendar month from this day to answer. For example, 27 3 2026."
        ),
    )
    reason_detail = text_area(
        _("More about why (needed for Other)"),
        rows=3,
        hint=_("Kept with the change. Not shown to the person's referrer."),
        max_length=1000,
    )

    def __init__(self, *args, answering=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = self.REASONS
        # A change made for a request already recorded takes its date from the request.
        self.answering = answering
        if answering is not None:
            del self.fields["received_on"]
            self.fields["reason"].initial = CorrectionReason.PERSON_ASKED

    def check_reason(self, cleaned: dict) -> None:
        reason = cleaned.get("reason")
        if (
            reason == CorrectionReason.PERSON_ASKED
            and self.answering is None
            and not cleaned.get("received_on")
            and "received_on" not in self.errors
        ):
            self.add_error("received_on", _("Enter the date the person asked"))
        if reason == CorrectionReason.OTHER and not cleaned.get("reason_detail"):
            self.add_error("reason_detail", _("Say why it is changing"))

    def reason_data(self) -> dict:
        return {
            "reason": self.cleaned_data["reason"],
            "reason_detail": self.cleaned_data["reason_detail"],
            "received_on": self.cleaned_data.get("received_on"),
            "request": self.answering,
        }


class ChangeDetailsForm(PersonFieldsMixin, ReasonFields):
    """The person's details, showing what is held now, checked as every referral form checks
    them, and why they are changing."""

    field_order = [*PERSON_FIELDS, "reason", "received_on", "reason_detail"]

    def __init__(self, *args, person, **kwargs):
        kwargs.setdefault("initial", {name: getattr(person, name) for name in PERSON_FIELDS})
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("Why are the details changing?")

    def clean(self):
        cleaned = super().clean()
        self.require_contact_route(cleaned)
        self.check_reason(cleaned)
        return cleaned


class CorrectNoteForm(ReasonFields):
    """A note (of a contact, or of interim support) corrected: the text as it should read, and
    why."""

    REASONS = [(reason.value, reason.label) for reason in NoteCorrection.REASONS]
    note = text_area(
        _("The note as it should read"),
        rows=6,
        hint=_("The note as it was is kept, for managers and for the person if they ask."),
        max_length=10000,
    )

    field_order = ["note", "reason", "received_on", "reason_detail"]

    def __init__(self, *args, entry, **kwargs):
        kwargs.setdefault("initial", {"note": entry.note})
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("Why is the note being corrected?")

    def clean(self):
        cleaned = super().clean()
        self.check_reason(cleaned)
        return cleaned


class RectificationRequestForm(GovUKForm):
    received_on = GovUKDateField(
        label=_("Date the request was received"),
        help_text=_("The month to answer starts from this day. For example, 27 3 2026."),
        error_messages={"required": _("Enter the date the request was received")},
        validators=[NotInTheFuture(_("The date received must be today or in the past"))],
    )
    asked_for = text_area(
        _("What does the person say is wrong, and what should it say?"),
        required=True,
        rows=4,
        required_message=_("Say what the person asked to be corrected"),
        max_length=2000,
    )


class RefuseForm(GovUKForm):
    reason = text_area(
        _("Why is the correction refused?"),
        required=True,
        rows=4,
        hint=_(
            "For example: the record is an accurate account of what was said at the time. The "
            "person must be told why, and that they can add a statement, complain to the "
            "Information Commissioner's Office or go to court."
        ),
        required_message=_("Say why the correction is refused"),
        max_length=2000,
    )
    told_on = GovUKDateField(
        label=_("Date the person was told (optional)"),
        required=False,
        validators=[NotInTheFuture(PAST)],
    )


class StatementForm(GovUKForm):
    statement = text_area(
        _("The person's statement"),
        required=True,
        rows=6,
        hint=_("In their own words: what they say is wrong about the record. Kept with it."),
        required_message=_("Enter the person's statement"),
        max_length=5000,
    )
    told_on = GovUKDateField(
        label=_("Date the person was told of the refusal (if not recorded yet)"),
        required=False,
        validators=[NotInTheFuture(PAST)],
    )


# --- Erasure and retention (decision 0027) --------------------------------------------------------


class ErasureRequestForm(SubjectAccessForm):
    """A request to erase: recorded as a subject access request is, with a word that the note
    itself goes if the record is erased."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].help_text = _(
            "For example: the person, by letter; identity checked against photo ID at the "
            "Newtown office. This is blanked if the record is erased."
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

"""Forms for social prescriptions, for staff and for services answering through a link. Each
re-displays what was typed when it fails validation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linkwork.core.forms import YES_NO, GovUKForm, TextAreaField
from linkwork.directory.models import Service

from .status import TRANSITIONS, PrescriptionStatus

P = PrescriptionStatus


def _yes_no(value: str) -> bool:
    return value == "yes"


class PrescriptionForm(GovUKForm):
    """A social prescription to one service, chosen in the directory beforehand.

    Whether that service can be chosen (not closed for good; limited or temporarily closed only
    when confirmed) is the action's rule, `actions._check_service`; the view shows its refusal
    on this form, which keeps what was typed."""

    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose a service in the directory"),
            "invalid_choice": _("Choose a service in the directory"),
        },
    )
    availability_confirmed = forms.BooleanField(
        label=_("I have told the person, and still want to refer them to this service"),
        required=False,
    )
    asked_for = forms.CharField(
        label=_("What are you asking the service for?"),
        help_text=_(
            "The service sees this. Only name the person or give their details here if they "
            "agreed to share them."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Enter what you are asking the service for")},
    )
    accompany_first_visit = forms.TypedChoiceField(
        label=_("Will you go with the person to their first visit?"),
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
        error_messages={"required": _("Select yes if you will go with them to the first visit")},
    )
    share_contact_details = forms.BooleanField(
        label=_(
            "The person agrees that the service may be told their first name and how to "
            "contact them"
        ),
        help_text=_("Without this, the service is told that you will contact them to arrange."),
        required=False,
    )
    send = forms.TypedChoiceField(
        label=_("Send it to the service now?"),
        choices=[
            ("yes", _("Yes, send it now")),
            ("no", _("No, save it as suggested and send it later")),
        ],
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select whether to send it now")},
    )

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class StatusForm(GovUKForm):
    """What the coordinator knows has happened (sent, accepted by phone, completed...)."""

    status = forms.ChoiceField(
        label=_("What has happened?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Select what has happened")},
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        help_text=_("For example, what the service said, or the outcome."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    availability_confirmed = forms.BooleanField(
        label=_("I have told the person, and still want to send it to this service"),
        required=False,
    )

    def __init__(self, *args, current: str, service: Service, **kwargs):
        super().__init__(*args, **kwargs)
        moves = TRANSITIONS.get(current, frozenset())
        self.fields["status"].choices = [(s.value, s.label) for s in P if s in moves]
        if P.SENT not in moves or not service.needs_warning:
            del self.fields["availability_confirmed"]


class RespondForm(GovUKForm):
    """A receiving organisation accepts or declines, through a link."""

    decision = forms.ChoiceField(
        label=_("Can you accept this referral?"),
        choices=[
            ("accept", _("Yes, we can accept it")),
            ("decline", _("No, we cannot accept it")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select whether you can accept the referral")},
    )
    reason = TextAreaField(
        label=_("If you cannot accept it, tell us why"),
        required=False,
        max_length=2000,
        help_text=_("For example, no places until March, or outside the area we cover."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "decline" and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Tell the link coordinator why you cannot accept"))
        return cleaned


OUTCOME_CHOICES = [
    (P.ATTENDING.value, _("They are attending")),
    (P.COMPLETED.value, _("They have finished (completed)")),
    (P.DECLINED_BY_PERSON.value, _("They did not attend, or stopped coming")),
    (P.UNAVAILABLE.value, _("We can no longer offer this")),
]


class OutcomeForm(GovUKForm):
    """A receiving organisation says how it went, through a link."""

    outcome = forms.ChoiceField(
        label=_("How is it going?"),
        choices=OUTCOME_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how it is going")},
    )
    note = TextAreaField(
        label=_("Anything the link coordinator should know (optional)"),
        required=False,
        max_length=2000,
        help_text=_("For example, attended 4 sessions, or debt write-off agreed."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

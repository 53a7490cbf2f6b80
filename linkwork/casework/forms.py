"""Forms for the person's record. Each keeps what was typed when it fails; the actions have the
last word (an `ActionRefused` is shown on the form next to the field it concerns)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkwork.core.forms import GovUKDateField, GovUKForm, text_area
from linkwork.referrals.status import ClosureReason

from .models import Agreement, ContactMode, ContactOutcome, GoalStatus, LifeDomain, PreferredMode


class WhatMattersForm(GovUKForm):
    what_matters = text_area(
        _("What matters to them"),
        required=True,
        rows=4,
        hint=_("In their own words."),
        required_message=_("Enter what matters to the person"),
    )
    strengths = text_area(_("Their strengths and what they enjoy (optional)"))
    getting_in_the_way = text_area(_("What is getting in the way (optional)"))
    people_around = text_area(_("Who is around them (optional)"))
    next_steps = text_area(_("Agreed next steps (optional)"))


class SupportPlanForm(GovUKForm):
    starts_on = GovUKDateField(
        label=_("Support starts on"),
        error_messages={"required": _("Enter the date support starts")},
    )
    ends_on = GovUKDateField(
        label=_("Planned end (optional)"),
        required=False,
        help_text=_("Leave empty for the site's usual length of support."),
    )
    planned_sessions = forms.IntegerField(
        label=_("Planned number of sessions"),
        min_value=1,
        max_value=100,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "required": _("Enter the planned number of sessions"),
            "invalid": _("Enter the number of sessions as a whole number, like 6"),
            "min_value": _("Plan at least 1 session"),
            "max_value": _("Plan 100 sessions or fewer"),
        },
    )


class ExtendSupportForm(GovUKForm):
    new_end = GovUKDateField(
        label=_("New planned end"), error_messages={"required": _("Enter the new planned end")}
    )
    reason = text_area(
        _("Why is support being extended?"),
        hint=_("For example, the person has no other source of support yet."),
    )


class GoalForm(GovUKForm):
    description = text_area(
        _("The goal, in the person's own words"),
        required=True,
        rows=2,
        required_message=_("Enter the goal"),
    )
    domain = forms.ChoiceField(
        label=_("Life domain"),
        choices=LifeDomain.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select a life domain")},
    )
    steps = text_area(
        _("Steps towards it (optional)"),
        rows=4,
        hint=_("A graded approach: one step per line, in order."),
    )

    def step_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["steps"].splitlines() if line.strip()]


class RateGoalForm(GovUKForm):
    score = forms.IntegerField(
        label=_("Progress, from 0 to 10"),
        min_value=0,
        max_value=10,
        help_text=_("0 is no progress, 10 is the goal achieved."),
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-2"}),
        error_messages={
            "required": _("Enter a progress rating from 0 to 10"),
            "invalid": _("Enter the rating as a whole number from 0 to 10"),
            "min_value": _("Rate progress from 0 to 10"),
            "max_value": _("Rate progress from 0 to 10"),
        },
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=500)


class GoalStepForm(GovUKForm):
    description = forms.CharField(
        label=_("Next step"),
        max_length=300,
        error_messages={"required": _("Enter the step")},
    )


class EndGoalForm(GovUKForm):
    outcome = forms.ChoiceField(
        label=_("How did the goal end?"),
        choices=[(s.value, s.label) for s in GoalStatus if s != GoalStatus.ACTIVE],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the goal ended")},
    )
    new_description = text_area(
        _("The new goal, in the person's own words"),
        rows=2,
        hint=_("Only if the goal changed: the new goal replaces it and keeps the link."),
    )
    new_domain = forms.ChoiceField(
        label=_("Life domain of the new goal"),
        choices=[("", _("The same as before")), *LifeDomain.choices],
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == GoalStatus.CHANGED and not cleaned.get("new_description"):
            self.add_error("new_description", _("Enter the new goal"))
        return cleaned


class ContactForm(GovUKForm):
    contact_date = GovUKDateField(
        label=_("Date of contact"),
        error_messages={"required": _("Enter the date of the contact")},
    )
    contact_time = forms.TimeField(
        label=_("Time"),
        help_text=_("For example, 14:30"),
        widget=forms.TimeInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={
            "required": _("Enter the time of the contact"),
            "invalid": _("Enter a time like 14:30"),
        },
    )
    mode = forms.ChoiceField(
        label=_("How was the contact made?"),
        choices=ContactMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how the contact was made")},
    )
    outcome = forms.ChoiceField(
        label=_("What happened?"),
        choices=ContactOutcome.choices,
        initial=ContactOutcome.ATTENDED,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select what happened")},
    )
    minutes = forms.IntegerField(
        label=_("Length in minutes (optional)"),
        required=False,
        min_value=1,
        max_value=600,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "invalid": _("Enter the length as a whole number of minutes"),
            "min_value": _("The length must be at least 1 minute"),
            "max_value": _("The length must be 600 minutes or fewer"),
        },
    )
    volunteer_present = forms.BooleanField(label=_("A volunteer was there"), required=False)
    note = text_area(_("Note (optional)"), rows=4)

    def contact_at(self) -> datetime.datetime:
        return timezone.make_aware(
            datetime.datetime.combine(
                self.cleaned_data["contact_date"], self.cleaned_data["contact_time"]
            )
        )

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("contact_date") and cleaned.get("contact_time")):
            return cleaned
        booked = cleaned.get("outcome") == ContactOutcome.BOOKED
        if booked and self.contact_at() <= timezone.now():
            self.add_error("contact_date", _("A booked contact must be in the future"))
        elif not booked and self.contact_at() > timezone.now():
            self.add_error("contact_date", _("The contact must be in the past"))
        return cleaned


class ContactOutcomeForm(GovUKForm):
    outcome = forms.ChoiceField(
        label=_("What happened?"),
        choices=[c for c in ContactOutcome.choices if c[0] != ContactOutcome.BOOKED],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select what happened")},
    )
    note = text_area(_("Note (optional)"), rows=3)


class CloseCaseForm(GovUKForm):
    """Closing asks how each goal still active ended, so no outcome is left open."""

    reason = forms.ChoiceField(
        label=_("Why is support ending?"),
        choices=ClosureReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select a reason")},
    )
    summary = text_area(
        _("Summary of the support"),
        required=True,
        required_message=_("Enter a short summary of the support"),
        rows=5,
        hint=_("What happened and how the person is now. The referrer may be told the outcome."),
    )

    ENDINGS = [
        (GoalStatus.ACHIEVED, GoalStatus.ACHIEVED.label),
        (GoalStatus.PARTLY_ACHIEVED, GoalStatus.PARTLY_ACHIEVED.label),
        (GoalStatus.NOT_ACHIEVED, GoalStatus.NOT_ACHIEVED.label),
    ]

    def __init__(self, *args, active_goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.active_goals = list(active_goals)
        for goal in self.active_goals:
            self.fields[f"goal_{goal.pk}"] = forms.ChoiceField(
                label=goal.description,
                help_text=_("How did this goal end?"),
                choices=self.ENDINGS,
                widget=forms.RadioSelect,
                error_messages={"required": _("Select how the goal ended")},
            )

    def goal_outcomes(self) -> dict[int, str]:
        return {goal.pk: self.cleaned_data[f"goal_{goal.pk}"] for goal in self.active_goals}


class ReopenCaseForm(GovUKForm):
    reason = text_area(_("Why is the case being reopened?"), rows=3)


class ClientFeedbackForm(GovUKForm):
    """The questionnaire at closure. Rendered in the person's preferred language."""

    helpful = forms.TypedChoiceField(
        label=_("The support was helpful"),
        choices=Agreement.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how much you agree")},
    )
    listened_to = forms.TypedChoiceField(
        label=_("I felt listened to"),
        choices=Agreement.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how much you agree")},
    )
    involved_in_decisions = forms.TypedChoiceField(
        label=_("I felt involved in decisions about my support"),
        choices=Agreement.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how much you agree")},
    )
    preferred_mode = forms.ChoiceField(
        label=_("How would you prefer to get support?"),
        choices=PreferredMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how you would prefer to get support")},
    )
    # Public (a one-time link): limited like every public answer.
    what_helped = text_area(_("What helped? (optional)"), rows=4, max_length=2000)
    what_could_be_better = text_area(
        _("What could have been better? (optional)"), rows=4, max_length=2000
    )

"""Forms for the directory: the search filters, a service's availability, local notes, and a
whole entry. Each keeps what was typed when it fails; the actions have the last word (an
`ActionRefused` is shown next to the field it concerns)."""

import datetime
import re
from decimal import Decimal

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkwork.core.forms import YES_NO, GovUKDateField, GovUKForm
from linkwork.core.validators import uk_postcode

from .models import (
    Availability,
    Organization,
    ReferralMethod,
    ServiceAttribute,
    TaxonomyTerm,
)
from .queries import DAYS

MAX_AGE = 120


def _yes_no(value) -> bool:
    return value == "yes"


# --- Search ------------------------------------------------------------------------------------

ANY_SITE = "any"


class SearchForm(GovUKForm):
    """The directory's filters, read from the query string. Any field that does not make sense
    is reported and left out of the search; the rest still apply."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("For example, walking group, debt advice or Men's Shed."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=TaxonomyTerm.objects.none(),
        required=False,
        empty_label=_("Any category"),
        error_messages={"invalid_choice": _("Choose a category from the list")},
    )
    area = forms.CharField(
        label=_("Area, town or postcode"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    age = forms.IntegerField(
        label=_("Age of the person"),
        required=False,
        min_value=0,
        max_value=MAX_AGE,
        help_text=_("Services open to someone of this age."),
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "invalid": _("Enter the age as a whole number, like 42"),
            "min_value": _("Enter an age of 0 or more"),
            "max_value": _("Enter an age of %(limit_value)s or less"),
        },
    )
    free = forms.BooleanField(label=_("Free only"), required=False)
    day = forms.ChoiceField(
        label=_("Day of the week"),
        required=False,
        choices=[("", _("Any day")), *DAYS],
        error_messages={"invalid_choice": _("Choose a day from the list")},
    )
    welsh = forms.BooleanField(label=_("Available in Welsh"), required=False)
    unchecked = forms.BooleanField(label=_("Not checked for 6 months"), required=False)
    availability = forms.MultipleChoiceField(
        label=_("Availability"),
        required=False,
        choices=Availability.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"}),
        help_text=_("Services closed permanently are left out unless you tick them."),
        error_messages={"invalid_choice": _("Choose availability from the list")},
    )
    site = forms.ChoiceField(
        label=_("Serving"),
        required=False,
        error_messages={"invalid_choice": _("Choose a site from the list")},
    )

    def __init__(self, *args, sites=(), terms=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = terms if terms is not None else TaxonomyTerm.objects
        sites = list(sites)
        self.sites = {str(site.pk): site for site in sites}
        if len(sites) == 1:
            mine = [("", sites[0].name)]
        elif sites:
            mine = [("", _("All my sites")), *((str(s.pk), s.name) for s in sites)]
        else:
            mine = [("", _("Services for every site"))]
        self.fields["site"].choices = [*mine, (ANY_SITE, _("Any site"))]

    def cleaned(self) -> dict:
        """The valid filters (an invalid one is dropped, and shown as an error)."""
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    def chosen_site(self):
        """The site chosen in the select, or None for all the user's sites or any site."""
        return self.sites.get(self.cleaned().get("site") or "")


# --- Availability and notes --------------------------------------------------------------------


class AvailabilityForm(GovUKForm):
    availability = forms.ChoiceField(
        label=_("Availability"),
        choices=Availability.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the service's availability")},
    )
    availability_note = forms.CharField(
        label=_("What is limited or closed"),
        required=False,
        max_length=300,
        help_text=_("For example, no new members until January, or a waiting list of 6 weeks."),
        error_messages={"max_length": _("Keep it to %(limit_value)d characters or fewer")},
    )
    expected_reopening = GovUKDateField(
        label=_("Expected to reopen"),
        required=False,
        help_text=_("Needed if it is temporarily closed. For example, 27 3 2027."),
    )
    effective_on = GovUKDateField(
        label=_("From"),
        help_text=_("The day the change took effect. Today, or a day in the past."),
        error_messages={"required": _("Enter the day the change took effect")},
    )

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        self.today = today or timezone.localdate()
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("effective_on", self.today)
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        state = cleaned.get("availability")
        reopening = cleaned.get("expected_reopening")
        if state == Availability.LIMITED and not cleaned.get("availability_note", "").strip():
            self.add_error("availability_note", _("Say what is limited"))
        if state == Availability.TEMPORARILY_CLOSED:
            if reopening is None and "expected_reopening" not in self.errors:
                self.add_error(
                    "expected_reopening",
                    _("Enter the date it is expected to reopen"),
                )
            elif reopening is not None and reopening <= self.today:
                self.add_error(
                    "expected_reopening", _("The expected reopening date must be in the future")
                )
        effective = cleaned.get("effective_on")
        if effective is not None and effective > self.today:
            self.add_error("effective_on", _("The date of the change must be today or in the past"))
        return cleaned


class CategoryForm(GovUKForm):
    """A category's names: the Welsh one always, the English one for local categories."""

    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        error_messages={"required": _("Enter the category's name")},
    )
    name_cy = forms.CharField(
        label=_("Name in Welsh"),
        max_length=200,
        required=False,
        help_text=_("Shown to people using Linkwork in Welsh. Leave empty to use the name."),
    )

    def __init__(self, *args, term, **kwargs):
        kwargs.setdefault("initial", {"name": term.name, "name_cy": term.name_cy})
        super().__init__(*args, **kwargs)
        if not term.is_local:
            # An imported taxonomy's English names come from its feed.
            del self.fields["name"]


class LocalNoteForm(GovUKForm):
    text = forms.CharField(
        label=_("Add a note for staff"),
        max_length=2000,
        help_text=_(
            "What other link coordinators should know, for example who to ask for. Do not "
            "name or describe anyone you support."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Enter the note"),
            "max_length": _("Keep the note to %(limit_value)d characters or fewer"),
        },
    )


# --- A whole entry ------------------------------------------------------------------------------

_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE)


class TimeOfDayField(forms.Field):
    """A time typed as 10:00, 14:30, 2.30pm or 10am."""

    default_error_messages = {"invalid": _("Enter a time like 10:00, 14:30 or 2pm")}

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"class": "govuk-input--width-5", "maxlength": 10})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, datetime.time):
            return value.strftime("%H:%M")
        return value

    def to_python(self, value):
        if isinstance(value, datetime.time):
            return value
        text = str(value or "").strip()
        if not text:
            return None
        match = _TIME.match(text)
        if not match:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        suffix = (match.group(3) or "").lower().replace(".", "")
        if suffix:
            if not 1 <= hour <= 12:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            hour = hour % 12 + (12 if suffix == "pm" else 0)
        if hour > 23 or minute > 59:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return datetime.time(hour, minute)


def category_choices(service=None):
    """Categories offered on the form: those in use, those at the top of a taxonomy, local
    ones (no taxonomy) and the service's own. A big imported taxonomy's leaves appear once a
    service uses them."""
    in_use = Exists(ServiceAttribute.objects.filter(taxonomy_term=OuterRef("pk")))
    mine = Q(pk__in=service.attributes.values("taxonomy_term_id")) if service else Q(pk=None)
    return TaxonomyTerm.objects.filter(
        in_use | Q(parent__isnull=True) | Q(taxonomy__isnull=True) | mine
    ).order_by("name", "pk")


class ServiceForm(GovUKForm):
    """A directory entry: the service, its organisation, where and when it runs, how to refer.

    One page. Related records (a phone, a place, a weekly schedule, a cost, Welsh) are the first
    of each; others that came from an import are left as they are.
    """

    organization = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organization.objects.order_by("name", "pk"),
        required=False,
        empty_label=_("Choose an organisation"),
        help_text=_("Choose one already in the directory, or type the name of a new one below."),
        error_messages={"invalid_choice": _("Choose an organisation from the list")},
    )
    new_organisation = forms.CharField(
        label=_("Or a new organisation's name"), required=False, max_length=200
    )
    name = forms.CharField(
        label=_("Name of the service"),
        max_length=200,
        error_messages={"required": _("Enter the name of the service")},
    )
    description = forms.CharField(
        label=_("What it offers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=TaxonomyTerm.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"}),
        error_messages={"invalid_choice": _("Choose categories from the list")},
    )
    new_category = forms.CharField(
        label=_("Add a new category (optional)"),
        required=False,
        max_length=200,
        help_text=_("Only if none of the categories above fits."),
    )
    eligibility_description = forms.CharField(
        label=_("Who it is for (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    minimum_age = forms.IntegerField(
        label=_("Minimum age (optional)"),
        required=False,
        min_value=0,
        max_value=MAX_AGE,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "invalid": _("Enter the minimum age as a whole number, like 18"),
            "min_value": _("Enter a minimum age of 0 or more"),
            "max_value": _("Enter a minimum age of %(limit_value)s or less"),
        },
    )
    maximum_age = forms.IntegerField(
        label=_("Maximum age (optional)"),
        required=False,
        min_value=0,
        max_value=MAX_AGE,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "invalid": _("Enter the maximum age as a whole number, like 65"),
            "min_value": _("Enter a maximum age of 0 or more"),
            "max_value": _("Enter a maximum age of %(limit_value)s or less"),
        },
    )
    free = forms.TypedChoiceField(
        label=_("Is it free?"),
        choices=[("yes", _("Yes, it is free")), ("no", _("No, there is a cost"))],
        coerce=_yes_no,
        initial="yes",
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
        error_messages={"required": _("Select whether the service is free")},
    )
    cost_amount = forms.DecimalField(
        label=_("Cost in pounds, if there is one"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=8,
        decimal_places=2,
        help_text=_("The usual cost, for example 3.50 for each session."),
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-5", "step": "0.01"}),
        error_messages={
            "invalid": _("Enter the cost in pounds, like 3.50"),
            "min_value": _("Enter a cost of more than 0, or say that it is free"),
            "max_digits": _("Enter a smaller cost"),
            "max_decimal_places": _("Enter the cost in pounds and pence, like 3.50"),
            "max_whole_digits": _("Enter a smaller cost"),
        },
    )
    fees_description = forms.CharField(
        label=_("About the cost (optional)"),
        required=False,
        help_text=_("For example, first session free, or help with costs for those who need it."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    url = forms.URLField(
        label=_("Website (optional)"),
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": _("Enter a website address, like https://example.org")},
    )
    email = forms.EmailField(
        label=_("Email for the public (optional)"),
        required=False,
        error_messages={"invalid": _("Enter an email address, like name@example.org")},
    )
    phone = forms.CharField(label=_("Phone (optional)"), required=False, max_length=40)
    address_1 = forms.CharField(label=_("Address line 1"), required=False, max_length=200)
    town = forms.CharField(label=_("Town"), required=False, max_length=100)
    postcode = forms.CharField(
        label=_("Postcode"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off"}),
    )
    days = forms.MultipleChoiceField(
        label=_("Days it runs (optional)"),
        required=False,
        choices=DAYS,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"}),
        error_messages={"invalid_choice": _("Choose days from the list")},
    )
    opens_at = TimeOfDayField(label=_("Starts at (optional)"), required=False)
    closes_at = TimeOfDayField(label=_("Finishes at (optional)"), required=False)
    schedule_description = forms.CharField(
        label=_("When it runs, in words (optional)"),
        required=False,
        help_text=_("For example, every other Tuesday, or drop in: no need to book."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    welsh = forms.BooleanField(label=_("Available in Welsh"), required=False)
    referral_method = forms.ChoiceField(
        label=_("How do people get a place?"),
        choices=ReferralMethod.choices,
        initial=ReferralMethod.DIRECT,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how people get a place")},
    )
    referral_contact = forms.CharField(
        label=_("Who to refer to, and how (optional)"), required=False, max_length=300
    )
    referral_email = forms.EmailField(
        label=_("Email for referrals (optional)"),
        required=False,
        help_text=_("Secure links to accept referrals and report outcomes are sent here."),
        error_messages={"invalid": _("Enter an email address, like name@example.org")},
    )
    response_time = forms.CharField(
        label=_("Typical response time (optional)"),
        required=False,
        max_length=100,
        help_text=_("For example, within a week."),
    )
    accepts_service_referrals = forms.TypedChoiceField(
        label=_("Does it take people referred by link coordinators?"),
        choices=YES_NO,
        coerce=_yes_no,
        initial="yes",
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
        error_messages={
            "required": _("Select whether it takes people referred by link coordinators")
        },
    )
    maintained_by = forms.CharField(
        label=_("Who keeps this entry up to date (optional)"),
        required=False,
        max_length=200,
        help_text=_("A person or team, for example the Powys link coordinators."),
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites it serves"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked if it serves every site."),
        error_messages={"invalid_choice": _("Choose sites from the list")},
    )

    def __init__(self, *args, sites, service=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        self.fields["sites"].queryset = sites
        self.fields["categories"].queryset = category_choices(service)

    @classmethod
    def initial_for(cls, service, *, sites) -> dict:
        """What the form shows for an existing entry."""
        from . import queries

        schedule = service.schedules.order_by("pk").first()
        at = service.service_at_locations.select_related("location").order_by("pk").first()
        address = at.location.addresses.order_by("pk").first() if at else None
        paid = queries.paid_costs(service)
        return {
            "organization": service.organization_id,
            "name": service.name,
            "description": service.description,
            "categories": [a.taxonomy_term_id for a in service.attributes.all()],
            "eligibility_description": service.eligibility_description,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "free": "no" if paid else "yes",
            "cost_amount": min(c.amount for c in paid) if paid else None,
            "fees_description": service.fees_description,
            "url": service.url,
            "email": service.email,
            "phone": service.phone,
            "address_1": address.address_1 if address else "",
            "town": address.city if address else "",
            "postcode": address.postal_code if address else "",
            "days": queries.days_in(schedule.byday) if schedule else [],
            "opens_at": schedule.opens_at if schedule else None,
            "closes_at": schedule.closes_at if schedule else None,
            "schedule_description": schedule.description if schedule else "",
            "welsh": queries.has_welsh(service),
            "referral_method": service.referral_method,
            "referral_contact": service.referral_contact,
            "referral_email": service.referral_email,
            "response_time": service.response_time,
            "accepts_service_referrals": "yes" if service.accepts_service_referrals else "no",
            "maintained_by": service.maintained_by,
            "sites": [site.pk for site in service.sites.all() if site in sites],
        }

    def clean_postcode(self) -> str:
        return uk_postcode(self.cleaned_data["postcode"])

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organization")
        new_name = cleaned.get("new_organisation", "").strip()
        if "organization" not in self.errors:
            if organisation is None and not new_name:
                self.add_error(
                    "organization",
                    _("Choose an organisation, or enter the name of a new one"),
                )
            elif organisation is not None and new_name:
                self.add_error(
                    "new_organisation",
                    _("Choose an organisation or enter a new one, not both"),
                )
        low, high = cleaned.get("minimum_age"), cleaned.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error(
                "maximum_age", _("The maximum age must be the same as or more than the minimum age")
            )
        no_cost = cleaned.get("free") is False and cleaned.get("cost_amount") is None
        if no_cost and "cost_amount" not in self.errors:
            self.add_error("cost_amount", _("Enter the cost in pounds, like 3.50"))
        address = [cleaned.get("address_1", "").strip(), cleaned.get("town", "").strip()]
        address.append(cleaned.get("postcode", ""))
        if any(address) and "postcode" not in self.errors:
            for name, part, message in (
                ("address_1", address[0], _("Enter the first line of the address")),
                ("town", address[1], _("Enter the town")),
                ("postcode", address[2], _("Enter the postcode")),
            ):
                if not part:
                    self.add_error(name, message)
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The finishing time must be after the starting time"))
        if (opens or closes) and not cleaned.get("days") and "days" not in self.errors:
            self.add_error("days", _("Select the days it runs at these times"))
        return cleaned

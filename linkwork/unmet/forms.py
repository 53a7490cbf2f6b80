"""Forms for unmet needs: recording one, and the filters of the managers' report. Each keeps what
was typed when it fails; the action has the last word (an `ActionRefused` is shown next to the
field it concerns)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from linkwork.core.forms import GovUKForm
from linkwork.core.months import (
    FromToNames,
    MonthField,
    add_months,
    month_choices,
    month_value,
    months_between,
    parse_month,
)
from linkwork.directory.models import TaxonomyTerm

from .areas import MAX_AREA_LENGTH, MAX_NOTE_LENGTH, term_label

AREAS_LIST_ID = "unmet-need-areas"
# The report's month selects go back this far; a longer period is refused.
MONTHS_OFFERED = 60
DEFAULT_MONTHS = 12


class CategoryField(forms.ModelChoiceField):
    """A taxonomy term, named with its broader category ("Physical activity: Walking")."""

    def label_from_instance(self, obj: TaxonomyTerm) -> str:
        return term_label(obj)


def _area_widget() -> forms.TextInput:
    return forms.TextInput(
        attrs={"list": AREAS_LIST_ID, "autocomplete": "off", "spellcheck": "false"}
    )


# --- Recording a need ----------------------------------------------------------------------------


class UnmetNeedForm(GovUKForm):
    """What was needed, and where. The site is asked only of someone who works at several
    (and never when the need is recorded for a person: it is their site)."""

    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=None,
        empty_label=None,
        error_messages={
            "required": _("Select the site"),
            "invalid_choice": _("Choose a site from the list"),
        },
    )
    category = CategoryField(
        label=_("Kind of need"),
        queryset=TaxonomyTerm.objects.none(),
        empty_label=_("Choose a kind of need"),
        help_text=_("The kind of service you were looking for."),
        error_messages={
            "required": _("Select the kind of need"),
            "invalid_choice": _("Choose a kind of need from the list"),
        },
    )
    area = forms.CharField(
        label=_("Area"),
        max_length=MAX_AREA_LENGTH,
        help_text=_("The town, village or area where it was needed. For example, Rhayader."),
        widget=_area_widget(),
        error_messages={
            "required": _("Enter the area"),
            "max_length": _("Keep the area to %(limit_value)d characters or fewer"),
        },
    )
    note = forms.CharField(
        label=_("What was needed (optional)"),
        required=False,
        max_length=MAX_NOTE_LENGTH,
        help_text=_(
            "What the person was looking for and why nothing in the directory fitted. Do not "
            "write their name, or anything else that could identify them: service managers read "
            "these notes."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": _("Keep what was needed to %(limit_value)d characters or fewer"),
        },
    )

    def __init__(self, *args, sites, categories, ask_site: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        if ask_site:
            self.fields["site"].queryset = sites
        else:
            del self.fields["site"]


# --- The report's filters ------------------------------------------------------------------------


class UnmetNeedsFilterForm(FromToNames, GovUKForm):
    """The report's filters, read from the query string. A filter that does not make sense is
    reported and the default used instead; the rest still apply."""

    site = forms.ChoiceField(
        label=_("Site"),
        required=False,
        error_messages={"invalid_choice": _("Choose a site from the list")},
    )
    from_month = MonthField(
        label=_("From"),
        required=False,
        error_messages={"invalid": _("Choose the first month from the list")},
    )
    to_month = MonthField(
        label=_("To"),
        required=False,
        error_messages={"invalid": _("Choose the last month from the list")},
    )
    category = CategoryField(
        label=_("Kind of need"),
        queryset=TaxonomyTerm.objects.none(),
        required=False,
        empty_label=_("All kinds of need"),
        error_messages={"invalid_choice": _("Choose a kind of need from the list")},
    )
    area = forms.CharField(
        label=_("Area"),
        required=False,
        max_length=MAX_AREA_LENGTH,
        widget=_area_widget(),
        error_messages={"max_length": _("Keep the area to %(limit_value)d characters or fewer")},
    )

    def __init__(self, data=None, *, sites, categories, this_month: datetime.date, **kwargs):
        self.default_to = this_month
        self.default_from = add_months(this_month, -(DEFAULT_MONTHS - 1))
        defaults = {"from": month_value(self.default_from), "to": month_value(self.default_to)}
        if data is not None:
            # Missing months are the defaults, shown as chosen in the selects.
            data = data.copy()
            for name, value in defaults.items():
                if not data.get(name):
                    data[name] = value
        super().__init__(
            data, initial={"from_month": defaults["from"], "to_month": defaults["to"]}, **kwargs
        )
        self.sites = {str(site.pk): site for site in sites}
        if len(self.sites) > 1:
            self.fields["site"].choices = [
                ("", _("All your sites")),
                *((pk, site.name) for pk, site in self.sites.items()),
            ]
        else:
            del self.fields["site"]
        self.fields["category"].queryset = categories
        for name in ("from_month", "to_month"):
            typed = parse_month((data or {}).get(self.add_prefix(name), ""))
            self.fields[name].widget.choices = month_choices(this_month, MONTHS_OFFERED, typed)

    def clean(self):
        cleaned = super().clean()
        if "from_month" in cleaned and "to_month" in cleaned:
            first = cleaned["from_month"] or self.default_from
            last = cleaned["to_month"] or self.default_to
            if first > last:
                self.add_error(
                    "to_month", _("The last month must be the same as or after the first month")
                )
            elif len(months_between(first, last)) > MONTHS_OFFERED:
                self.add_error(
                    "to_month",
                    _("Choose a period of %(count)d months or fewer") % {"count": MONTHS_OFFERED},
                )
        return cleaned

    def filters(self) -> dict:
        """The filters to apply: the valid ones, and the defaults for the rest (both months if
        either is wrong)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        first, last = self.default_from, self.default_to
        if not (self.has_error("from_month") or self.has_error("to_month")):
            first = cleaned.get("from_month") or first
            last = cleaned.get("to_month") or last
        return {
            "site": self.sites.get(cleaned.get("site") or ""),
            "first_month": first,
            "last_month": last,
            "category": cleaned.get("category"),
            "area": cleaned.get("area") or "",
        }

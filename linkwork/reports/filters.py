"""The filters every dashboard takes from its address: the period (from one month to another),
site, pathway, referring organisation and link coordinator, and up to two dates at which to
split the period for a before-and-after comparison (usually the dates of timeline events).

A filter that makes no sense (a site outside the reader's scope, a month typed wrong) is reported
on the form and left out; the rest still apply. The same query string gives the same figures on
the page and in its CSV and JSON twins.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from linkwork.accounts.models import Role, User
from linkwork.core.forms import GovUKForm
from linkwork.core.months import (
    FromToNames,
    MonthField,
    add_months,
    month_choices,
    month_value,
    months_between,
    parse_month,
    start_of,
)
from linkwork.partners.models import Organisation
from linkwork.referrals.models import Pathway

from .scope import Scope

DEFAULT_MONTHS = 12
MONTHS_OFFERED = 120  # the selects go back ten years


@dataclass(frozen=True)
class Split:
    """A date at which the period is split for a comparison, and what happened then."""

    on: datetime.date
    label: str


@dataclass(frozen=True)
class Filters:
    first_month: datetime.date
    last_month: datetime.date
    site: object | None = None
    pathway: Pathway | None = None
    organisation: Organisation | None = None
    coordinator: User | None = None
    splits: tuple[Split, ...] = field(default_factory=tuple)

    @property
    def start(self) -> datetime.datetime:
        return start_of(self.first_month)

    @property
    def end(self) -> datetime.datetime:
        """The first moment after the period."""
        return start_of(add_months(self.last_month, 1))

    @property
    def end_date(self) -> datetime.date:
        """The period's last day."""
        return add_months(self.last_month, 1) - datetime.timedelta(days=1)

    @property
    def months(self) -> list[datetime.date]:
        return months_between(self.first_month, self.last_month)

    def params(self) -> dict[str, str]:
        """The query string that gives these filters."""
        params = {"from": month_value(self.first_month), "to": month_value(self.last_month)}
        for name in ("site", "pathway", "organisation", "coordinator"):
            value = getattr(self, name)
            if value is not None:
                params[name] = str(value.pk)
        for number, split in enumerate(self.splits, start=1):
            params[f"split{number}"] = split.on.isoformat()
        return params

    def query(self, **extra) -> str:
        params = self.params() | {k: str(v) for k, v in extra.items() if v not in (None, "")}
        return urlencode(params)

    def described(self) -> dict[str, str]:
        """The filters in words, for a report's heading and the twins."""
        words = {
            "period": _("%(first)s to %(last)s")
            % {
                "first": formats.date_format(self.first_month, "F Y"),
                "last": formats.date_format(self.last_month, "F Y"),
            }
        }
        if self.site is not None:
            words["site"] = self.site.name
        if self.pathway is not None:
            words["pathway"] = self.pathway.label
        if self.organisation is not None:
            words["organisation"] = self.organisation.name
        if self.coordinator is not None:
            words["coordinator"] = str(self.coordinator)
        return {str(k): str(v) for k, v in words.items()}

    def periods(self) -> list[tuple[str, datetime.datetime, datetime.datetime, int]]:
        """The period cut at the split dates: (name, start, end, length in days) for each part."""
        cuts = sorted({s.on for s in self.splits if self.first_month < s.on <= self.end_date})
        edges = [self.first_month, *cuts, self.end_date + datetime.timedelta(days=1)]
        parts = []
        for index, (first, after) in enumerate(zip(edges, edges[1:], strict=False)):
            last = after - datetime.timedelta(days=1)
            if index == 0:
                name = _("Before %(date)s") % {"date": formats.date_format(after, "j M Y")}
            elif index == len(edges) - 2:
                name = _("From %(date)s") % {"date": formats.date_format(first, "j M Y")}
            else:
                name = _("%(first)s to %(last)s") % {
                    "first": formats.date_format(first, "j M Y"),
                    "last": formats.date_format(last, "j M Y"),
                }
            parts.append((str(name), _aware(first), _aware(after), (after - first).days))
        return parts if len(parts) > 1 else []


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def pathway_label(pathway: Pathway, several_sites: bool) -> str:
    return f"{pathway.label} ({pathway.site.name})" if several_sites else pathway.label


class FiltersForm(FromToNames, GovUKForm):
    from_month = MonthField(
        label=_("From"), required=False, error_messages={"invalid": _("Choose a month")}
    )
    to_month = MonthField(
        label=_("To"), required=False, error_messages={"invalid": _("Choose a month")}
    )
    site = forms.ChoiceField(
        label=_("Site"),
        required=False,
        error_messages={"invalid_choice": _("Choose a site from the list")},
    )
    pathway = forms.ChoiceField(
        label=_("Pathway"),
        required=False,
        error_messages={"invalid_choice": _("Choose a pathway from the list")},
    )
    organisation = forms.ChoiceField(
        label=_("Referring organisation"),
        required=False,
        error_messages={"invalid_choice": _("Choose an organisation from the list")},
    )
    coordinator = forms.ChoiceField(
        label=_("Link coordinator"),
        required=False,
        error_messages={"invalid_choice": _("Choose a link coordinator from the list")},
    )
    split1 = forms.ChoiceField(
        label=_("Compare before and after"),
        required=False,
        error_messages={"invalid_choice": _("Choose an event from the list")},
    )
    split2 = forms.ChoiceField(
        label=_("And after"),
        required=False,
        error_messages={"invalid_choice": _("Choose an event from the list")},
    )

    def __init__(self, data, *, scope: Scope, events, this_month: datetime.date, **kwargs):
        self.scope = scope
        self.default_to = this_month
        self.default_from = add_months(this_month, -(DEFAULT_MONTHS - 1))
        data = data.copy() if data is not None else {}
        for name, value in (("from", self.default_from), ("to", self.default_to)):
            if not data.get(name):
                data[name] = month_value(value)
        super().__init__(data, **kwargs)
        for name in ("from_month", "to_month"):
            typed = parse_month(data.get(self.add_prefix(name), ""))
            self.fields[name].widget.choices = month_choices(this_month, MONTHS_OFFERED, typed)
        several = len(scope.sites) > 1
        self.sites = {str(s.pk): s for s in scope.sites}
        self.pathways = {
            str(p.pk): p
            for p in Pathway.objects.filter(site__in=scope.site_ids)
            .select_related("site")
            .order_by("site__name", "name")
        }
        self.organisations = {
            str(o.pk): o
            for o in Organisation.objects.filter(pathways__site__in=scope.site_ids)
            .distinct()
            .order_by("name")
        }
        self.coordinators = {}
        if scope.coordinator is None and scope.names:
            self.coordinators = {
                str(u.pk): u
                for u in User.objects.filter(role=Role.COORDINATOR, sites__in=scope.site_ids)
                .distinct()
                .order_by("first_name", "last_name")
            }
        self._choices("site", self.sites, _("All sites"), lambda s: s.name)
        self._choices(
            "pathway", self.pathways, _("All pathways"), lambda p: pathway_label(p, several)
        )
        self._choices("organisation", self.organisations, _("All organisations"), str)
        self._choices("coordinator", self.coordinators, _("All link coordinators"), str)
        if not self.coordinators:
            del self.fields["coordinator"]
        if len(self.sites) < 2:
            del self.fields["site"]
        self.events = {event.on.isoformat(): event for event in events}
        event_choices = [
            (key, f"{formats.date_format(event.on, 'j M Y')}: {event.title}")
            for key, event in self.events.items()
        ]
        self.fields["split1"].choices = [("", _("No comparison")), *event_choices]
        self.fields["split2"].choices = [("", _("No second event")), *event_choices]

    def _choices(self, name, options, everything, label):
        self.fields[name].choices = [("", everything)] + [
            (key, label(value)) for key, value in options.items()
        ]

    def clean(self):
        data = super().clean()
        first, last = data.get("from_month"), data.get("to_month")
        if first and last and last < first:
            self.add_error("to_month", _("The last month must be the same as or after the first"))
        return data

    def filters(self) -> Filters:
        """The filters that are valid; the defaults for those that are not."""
        data = self.cleaned_data if self.is_bound else {}
        errors = self.errors
        first = data.get("from_month") or self.default_from
        last = data.get("to_month") or self.default_to
        if "to_month" in errors or "from_month" in errors or last < first:
            first, last = self.default_from, self.default_to
        pick = {
            "site": self.sites,
            "pathway": self.pathways,
            "organisation": self.organisations,
            "coordinator": self.coordinators,
        }
        chosen = {
            name: options.get(data.get(name) or "")
            for name, options in pick.items()
            if name not in errors
        }
        splits = tuple(
            Split(self.events[key].on, self.events[key].title)
            for key in dict.fromkeys(data.get(n) for n in ("split1", "split2") if n not in errors)
            if key
        )
        return Filters(first, last, splits=splits, **chosen)

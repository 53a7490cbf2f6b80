"""Reading the directory: the service page's data, open alternatives to a service, and the plain
words the pages use for schedules, days and costs.

The directory is not personal data, so these read `Service.objects` directly; the one thing
about people here, how many social prescriptions went to a service, is counted only within the
user's sites (`referrals.queries.sites_for`) and never names anyone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import (
    Availability,
    AvailabilityChange,
    Contact,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    TaxonomyTerm,
)

# Two-letter iCalendar days, in the order of the week, with their names.
DAYS = [
    ("MO", gettext_lazy("Monday")),
    ("TU", gettext_lazy("Tuesday")),
    ("WE", gettext_lazy("Wednesday")),
    ("TH", gettext_lazy("Thursday")),
    ("FR", gettext_lazy("Friday")),
    ("SA", gettext_lazy("Saturday")),
    ("SU", gettext_lazy("Sunday")),
]
DAY_CODES = [code for code, _name in DAYS]
DAY_NAMES = dict(DAYS)

# How a Welsh-language offer is recorded: ISO 639-1 "cy", 639-2 "cym"/"wel", or by name.
WELSH_CODES = ("cy", "cym", "wel")
WELSH_NAMES = ("welsh", "cymraeg")


def welsh_q(prefix: str = "") -> Q:
    """Languages that are Welsh (`prefix` reaches them from another model)."""
    q = Q()
    for code in WELSH_CODES:
        q |= Q(**{f"{prefix}code__iexact": code}) | Q(**{f"{prefix}code__istartswith": f"{code}-"})
    for name in WELSH_NAMES:
        q |= Q(**{f"{prefix}name__iexact": name})
    return q


def availability_rank():
    """Open first, then limited, temporarily closed, closed: for `order_by`."""
    return Case(
        When(availability=Availability.OPEN, then=Value(0)),
        When(availability=Availability.LIMITED, then=Value(1)),
        When(availability=Availability.TEMPORARILY_CLOSED, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )


def services_serving_any(sites) -> QuerySet[Service]:
    """Services serving any of these sites, including those serving every site."""
    return Service.objects.serving_any(sites)


# --- Alternatives -----------------------------------------------------------------------------


def open_alternatives(service: Service, site, limit: int = 5) -> list[Service]:
    """Open (or open with limits) services serving the site that share a category with
    `service`, best first: open before limited, then the most categories in common, then name.
    """
    terms = ServiceAttribute.objects.filter(service=service).values("taxonomy_term_id")
    shared = (
        ServiceAttribute.objects.filter(service=OuterRef("pk"), taxonomy_term_id__in=terms)
        .order_by()
        .values("service_id")
        .annotate(n=Count("taxonomy_term_id", distinct=True))
        .values("n")
    )
    return list(
        Service.objects.serving(site)
        .open()
        .exclude(pk=service.pk)
        .filter(
            Exists(
                ServiceAttribute.objects.filter(service=OuterRef("pk"), taxonomy_term_id__in=terms)
            )
        )
        .annotate(
            shared_terms=Coalesce(Subquery(shared, output_field=IntegerField()), 0),
            rank=availability_rank(),
        )
        .select_related("organization")
        .order_by("rank", "-shared_terms", "name", "pk")[:limit]
    )


# --- The service page ----------------------------------------------------------------------------


def service_for_page(pk: int) -> Service | None:
    """A service with everything its page shows, in a fixed number of queries."""
    return (
        Service.objects.select_related("organization", "last_checked_by", "imported_by")
        .prefetch_related(
            "sites",
            "phones",
            "languages",
            "cost_options",
            "service_areas",
            "schedules",
            Prefetch(
                "attributes",
                queryset=ServiceAttribute.objects.select_related("taxonomy_term"),
            ),
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                    "location__addresses",
                    "location__accessibility",
                    "location__schedules",
                    "location__phones",
                    "location__languages",
                ),
            ),
            Prefetch("contacts", queryset=Contact.objects.prefetch_related("phones")),
        )
        .filter(pk=pk)
        .first()
    )


def availability_history(service: Service) -> QuerySet[AvailabilityChange]:
    """Every availability change of the service, newest first, with who or what recorded it."""
    return (
        AvailabilityChange.objects.filter(service=service)
        .select_related("recorded_by", "via_import")
        .order_by("-effective_on", "-recorded_at", "-pk")
    )


def local_notes(service: Service):
    """Staff notes on the service, newest first, with their authors."""
    return service.local_notes.select_related("author").order_by("-created_at", "-pk")


def days_in(byday: str) -> list[str]:
    """The week's days in an iCalendar BYDAY value ("MO,WE", "1MO", "-1FR"), in week order."""
    found = set()
    for part in (byday or "").upper().split(","):
        code = part.strip()[-2:]
        if code in DAY_NAMES:
            found.add(code)
    return [code for code in DAY_CODES if code in found]


def join_words(words: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    words = [str(w) for w in words if w]
    if len(words) <= 1:
        return "".join(words)
    return _("%(first)s and %(last)s") % {"first": ", ".join(words[:-1]), "last": words[-1]}


def _time(value: datetime.time) -> str:
    return time_format(value, "TIME_FORMAT")


def schedule_in_words(schedule) -> str:
    """ "Monday and Wednesday, 10 a.m. to noon. Drop in, no need to book." """
    days = join_words([str(DAY_NAMES[code]) for code in days_in(schedule.byday)])
    if schedule.opens_at and schedule.closes_at:
        times = _("%(opens)s to %(closes)s") % {
            "opens": _time(schedule.opens_at),
            "closes": _time(schedule.closes_at),
        }
    elif schedule.opens_at:
        times = _("from %(opens)s") % {"opens": _time(schedule.opens_at)}
    elif schedule.closes_at:
        times = _("until %(closes)s") % {"closes": _time(schedule.closes_at)}
    else:
        times = ""
    when = ", ".join(part for part in (days, times) if part)
    if when:
        when = when[:1].upper() + when[1:]
    description = (schedule.description or "").strip()
    if when and description:
        # "2 p.m." already ends a sentence.
        return f"{when} {description}" if when.endswith(".") else f"{when}. {description}"
    return when or description


def service_schedules(service: Service) -> list:
    """The service's own schedules and those of the places it runs (prefetched)."""
    schedules = list(service.schedules.all())
    for at in service.service_at_locations.all():
        schedules.extend(at.location.schedules.all())
    return schedules


def service_days(service: Service) -> list[str]:
    """Names of the days the service runs on, in week order (prefetched schedules)."""
    found = set()
    for schedule in service_schedules(service):
        found.update(days_in(schedule.byday))
    return [str(DAY_NAMES[code]) for code in DAY_CODES if code in found]


def has_welsh(service: Service) -> bool:
    """Whether the service is offered in Welsh (prefetched languages)."""
    for language in service.languages.all():
        code = (language.code or "").strip().lower()
        name = (language.name or "").strip().lower()
        if code in WELSH_CODES or code.split("-")[0] in WELSH_CODES or name in WELSH_NAMES:
            return True
    return False


def paid_costs(service: Service) -> list:
    """Cost options with an amount above nothing (prefetched)."""
    return [c for c in service.cost_options.all() if c.amount is not None and c.amount > 0]


def cost_in_words(service: Service) -> str:
    """ "Free", or what it costs: the lowest amount, or the fees description."""
    paid = paid_costs(service)
    if paid:
        cheapest = min(paid, key=lambda c: c.amount)
        amount = f"£{cheapest.amount:.2f}"
        if cheapest.option:
            amount = f"{amount} ({cheapest.option})"
        if len(paid) > 1:
            return _("From %(amount)s") % {"amount": amount}
        return amount
    if service.fees_description.strip():
        return service.fees_description.strip()
    return _("Free")


def is_free(service: Service) -> bool:
    return not paid_costs(service)


def towns(service: Service) -> list[str]:
    """Towns of the places the service runs (prefetched), each once, in order."""
    seen: dict[str, None] = {}
    for at in service.service_at_locations.all():
        for address in at.location.addresses.all():
            if address.city:
                seen.setdefault(address.city, None)
    return list(seen)


def categories(service: Service) -> list:
    """The service's taxonomy terms (prefetched attributes), each once, in order."""
    seen: dict[int, object] = {}
    for attribute in service.attributes.all():
        seen.setdefault(attribute.taxonomy_term_id, attribute.taxonomy_term)
    return list(seen.values())


def languages_in_words(service: Service) -> list[str]:
    return [str(language) for language in service.languages.all() if str(language)]


def ages_in_words(service: Service) -> str:
    low, high = service.minimum_age, service.maximum_age
    if low is not None and high is not None:
        return _("%(low)s to %(high)s") % {"low": low, "high": high}
    if low is not None:
        return _("%(low)s and over") % {"low": low}
    if high is not None:
        return _("Up to %(high)s") % {"high": high}
    return ""


@dataclass
class DirectorySummary:
    """What a manager should know about the directory serving their sites."""

    limited: int
    temporarily_closed: int
    needs_check: int


def directory_summary(sites, today=None) -> DirectorySummary:
    today = today or timezone.localdate()
    services = Service.objects.serving_any(sites)
    counts = dict(
        services.order_by()
        .values_list("availability")
        .annotate(n=Count("pk", distinct=True))
        .values_list("availability", "n")
    )
    return DirectorySummary(
        limited=counts.get(Availability.LIMITED, 0),
        temporarily_closed=counts.get(Availability.TEMPORARILY_CLOSED, 0),
        needs_check=services.exclude(availability=Availability.CLOSED).due_a_check(today).count(),
    )


def all_categories(*, untranslated_only: bool = False) -> QuerySet[TaxonomyTerm]:
    """Every directory category, in order of name, with its broader category, taxonomy and how
    many services it lists (`service_count`); only those with no Welsh name yet if asked."""
    terms = TaxonomyTerm.objects.select_related("parent", "taxonomy").annotate(
        service_count=Count("attributes__service", distinct=True)
    )
    if untranslated_only:
        terms = terms.filter(name_cy="")
    return terms.order_by("name", "pk")

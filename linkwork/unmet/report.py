"""Unmet needs: what link coordinators looked for in the directory and could find nothing for.

Two sources count as an unmet need:

- a need recorded by hand (`UnmetNeed`), with its kind (a taxonomy term), its area and a note;
- a social prescription that ended "service unavailable". Its kind is each of the service's
  categories (a service listed under several is counted under each of them), and its area is the
  service's first service area, else the town of its first location, else "Area not known".

`record_unmet_need` is the one way to record one. `unmet_needs_report` counts both sources, for a
set of sites and a range of months, in aggregate queries: the Python here only loops over the
aggregated rows (a few per category, month and area), never over every need.

Months are the user's local months (`TruncMonth` in the current time zone). Areas are grouped by
their normalised form (`area_key`: case and spaces ignored) and shown in their most used
spelling.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from linkwork.core.months import add_months, month_of, months_between, start_of
from linkwork.directory.models import (
    Address,
    ServiceArea,
    ServiceAttribute,
    TaxonomyTerm,
)
from linkwork.prescriptions.models import SocialPrescription
from linkwork.prescriptions.status import PrescriptionStatus

from .areas import area_key, area_not_known, term_and_below, term_label, tidy_area
from .models import UnmetNeed

# --- The report ----------------------------------------------------------------------------------


@dataclass
class Tally:
    """A count from each source, and both together."""

    recorded: int = 0
    unavailable: int = 0

    @property
    def total(self) -> int:
        return self.recorded + self.unavailable

    def __bool__(self) -> bool:
        return bool(self.total)


@dataclass
class CategoryRow:
    term_id: int | None
    label: str
    months: list[Tally]
    total: Tally


@dataclass
class AreaRow:
    key: str
    label: str
    categories: list[Tally]  # in the order of `Report.categories`
    total: Tally


@dataclass
class Report:
    months: list[datetime.date]  # the 1st of each month, oldest first
    categories: list[CategoryRow]
    month_totals: list[Tally]  # each need once, whatever its categories
    total: Tally
    areas: list[AreaRow]
    # Some prescription was counted under more than one category (rows add up to more).
    counted_twice: bool
    # Each area's spellings, exactly as recorded (the list of needs is filtered by these).
    recorded_areas: dict[str, set[str]] = field(default_factory=dict)

    @property
    def area_needs(self) -> list[tuple[AreaRow, list[tuple[str, int]]]]:
        """Each area with its kinds of need that have any, most first: a table of areas by
        every kind of need would be too wide to read."""
        rows = []
        for area in self.areas:
            needs = [
                (category.label, cell.total)
                for category, cell in zip(self.categories, area.categories, strict=True)
                if cell.total
            ]
            rows.append((area, sorted(needs, key=lambda need: (-need[1], need[0]))))
        return rows


def recorded_needs(
    sites, first_month: datetime.date, last_month: datetime.date, *, tz=None, category=None
) -> QuerySet[UnmetNeed]:
    """Needs recorded at the sites in the months (a category includes those under it)."""
    tz = tz or timezone.get_current_timezone()
    needs = UnmetNeed.objects.filter(
        site__in=sites,
        recorded_at__gte=start_of(first_month, tz),
        recorded_at__lt=start_of(add_months(last_month, 1), tz),
    )
    if category is not None:
        needs = needs.filter(category_id__in=term_and_below(category))
    return needs


def ended_unavailable(
    sites, first_month: datetime.date, last_month: datetime.date, *, tz=None, category=None
) -> QuerySet[SocialPrescription]:
    """Social prescriptions at the sites that ended "service unavailable" in the months."""
    tz = tz or timezone.get_current_timezone()
    prescriptions = SocialPrescription.objects.filter(
        status=PrescriptionStatus.UNAVAILABLE,
        referral__site__in=sites,
        status_changed_at__gte=start_of(first_month, tz),
        status_changed_at__lt=start_of(add_months(last_month, 1), tz),
    )
    if category is not None:
        prescriptions = prescriptions.filter(
            Exists(
                ServiceAttribute.objects.filter(
                    service=OuterRef("service"), taxonomy_term_id__in=term_and_below(category)
                )
            )
        )
    return prescriptions


def service_areas(service_ids: Iterable[int]) -> dict[int, str]:
    """Each service's area: its first service area's name, else its first location's town
    ("" if neither)."""
    service_ids = set(service_ids)
    found: dict[int, str] = {}
    for service_id, name in (
        ServiceArea.objects.filter(service_id__in=service_ids)
        .order_by("service_id", "pk")
        .values_list("service_id", "name")
    ):
        if tidy_area(name):
            found.setdefault(service_id, tidy_area(name))
    towns = (
        Address.objects.filter(
            location__service_at_locations__service_id__in=service_ids - set(found)
        )
        .order_by(
            "location__service_at_locations__service_id", "location__service_at_locations__pk", "pk"
        )
        .values_list("location__service_at_locations__service_id", "city")
    )
    for service_id, town in towns:
        if tidy_area(town):
            found.setdefault(service_id, tidy_area(town))
    return found


def service_categories(service_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each service's categories (term ids), each once, in order."""
    found: dict[int, list[int]] = defaultdict(list)
    for service_id, term_id in (
        ServiceAttribute.objects.filter(service_id__in=set(service_ids))
        .order_by("service_id", "pk")
        .values_list("service_id", "taxonomy_term_id")
    ):
        if term_id not in found[service_id]:
            found[service_id].append(term_id)
    return found


def unmet_needs_report(
    *,
    sites,
    first_month: datetime.date,
    last_month: datetime.date,
    category: TaxonomyTerm | None = None,
    area: str = "",
    tz=None,
) -> Report:
    """Unmet needs at the sites from `first_month` to `last_month` (inclusive), by category and
    month and by area, from recorded needs and prescriptions that ended "service unavailable".

    `category` keeps that category and those under it; `area` keeps needs in that area
    (ignoring case and spaces; "Area not known" finds prescriptions with no area).
    """
    tz = tz or timezone.get_current_timezone()
    months = months_between(first_month, last_month)
    month_index = {month: i for i, month in enumerate(months)}
    wanted_terms = term_and_below(category) if category is not None else None
    wanted_area = area_key(area)
    unknown_wanted = bool(wanted_area) and wanted_area == area_key(area_not_known())

    def keep_area(key: str) -> bool:
        if unknown_wanted:
            return key == ""
        return not wanted_area or key == wanted_area

    # (term id, month, area key) -> Tally; and the distinct counts by (month, area key).
    by_term: dict[tuple, Tally] = defaultdict(Tally)
    by_place: dict[tuple, Tally] = defaultdict(Tally)
    spellings: dict[str, Counter] = defaultdict(Counter)
    recorded_areas: dict[str, set[str]] = defaultdict(set)

    need_rows = (
        recorded_needs(sites, first_month, last_month, tz=tz, category=category)
        .annotate(month=TruncMonth("recorded_at", tzinfo=tz))
        .values("category_id", "month", "area")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in need_rows:
        month = month_of(row["month"], tz)
        key = area_key(row["area"])
        if month not in month_index or not keep_area(key):
            continue
        spellings[key][tidy_area(row["area"])] += row["count"]
        recorded_areas[key].add(row["area"])
        by_term[(row["category_id"], month, key)].recorded += row["count"]
        by_place[(month, key)].recorded += row["count"]

    prescription_rows = list(
        ended_unavailable(sites, first_month, last_month, tz=tz, category=category)
        .annotate(month=TruncMonth("status_changed_at", tzinfo=tz))
        .values("service_id", "month")
        .annotate(count=Count("pk"))
        .order_by()
    )
    service_ids = {row["service_id"] for row in prescription_rows}
    places = service_areas(service_ids)
    categories_of = service_categories(service_ids)
    counted_twice = False
    for row in prescription_rows:
        month = month_of(row["month"], tz)
        place = places.get(row["service_id"], "")
        key = area_key(place)
        if month not in month_index or not keep_area(key):
            continue
        if place:
            spellings[key][place] += row["count"]
        terms = categories_of.get(row["service_id"]) or [None]
        if wanted_terms is not None:
            terms = [term for term in terms if term in wanted_terms]
        if len(terms) > 1:
            counted_twice = True
        for term in terms:
            by_term[(term, month, key)].unavailable += row["count"]
        by_place[(month, key)].unavailable += row["count"]

    # The categories, named and in order (the ones with no category last).
    term_ids = {term for term, _month, _key in by_term}
    terms = {
        term.pk: term
        for term in TaxonomyTerm.objects.filter(pk__in=term_ids - {None}).select_related("parent")
    }
    ordered_terms = sorted(
        term_ids,
        key=lambda pk: (pk is None, term_label(terms.get(pk)).casefold() if pk else "", pk or 0),
    )
    labels = {pk: term_label(terms.get(pk)) for pk in ordered_terms}

    category_rows = []
    for term_id in ordered_terms:
        cells = [Tally() for _month in months]
        for (term, month, _key), tally in by_term.items():
            if term == term_id:
                cell = cells[month_index[month]]
                cell.recorded += tally.recorded
                cell.unavailable += tally.unavailable
        category_rows.append(CategoryRow(term_id, labels[term_id], cells, _sum(cells)))

    month_totals = [Tally() for _month in months]
    for (month, _key), tally in by_place.items():
        cell = month_totals[month_index[month]]
        cell.recorded += tally.recorded
        cell.unavailable += tally.unavailable

    # By area: the most used spelling names it; "Area not known" comes last.
    area_keys = {key for _month, key in by_place}
    column = {term_id: i for i, term_id in enumerate(ordered_terms)}
    area_rows = []
    for key in area_keys:
        label = _spelling(spellings.get(key)) if key else area_not_known()
        cells = [Tally() for _term in ordered_terms]
        for (term, _month, term_key), tally in by_term.items():
            if term_key == key:
                cell = cells[column[term]]
                cell.recorded += tally.recorded
                cell.unavailable += tally.unavailable
        total = _sum(tally for (_month, place_key), tally in by_place.items() if place_key == key)
        area_rows.append(AreaRow(key, label or key, cells, total))
    area_rows.sort(key=lambda row: (row.key == "", -row.total.total, row.label.casefold()))

    return Report(
        months=months,
        categories=category_rows,
        month_totals=month_totals,
        total=_sum(month_totals),
        areas=area_rows,
        counted_twice=counted_twice,
        recorded_areas=dict(recorded_areas),
    )


def _sum(tallies: Iterable[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        total.recorded += tally.recorded
        total.unavailable += tally.unavailable
    return total


def _spelling(counts: Counter | None) -> str:
    """The most used spelling of an area (alphabetically first of equals)."""
    if not counts:
        return ""
    return min(counts, key=lambda spelling: (-counts[spelling], spelling))


def needs_in_area(needs: QuerySet[UnmetNeed], area: str, report: Report) -> QuerySet[UnmetNeed]:
    """The recorded needs in an area, matched as the report matches it (the spellings the
    report found for it), so the list and the tables agree."""
    key = area_key(area)
    if not key:
        return needs
    if key == area_key(area_not_known()):
        return needs.none()  # Every recorded need has an area.
    return needs.filter(area__in=report.recorded_areas.get(key, set()) | {tidy_area(area)})

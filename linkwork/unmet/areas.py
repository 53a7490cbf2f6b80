"""The words unmet needs are recorded and counted in: areas (tidied, and grouped case- and
space-blind) and kinds of need (directory taxonomy terms)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from linkwork.directory.models import (
    Address,
    Service,
    ServiceArea,
    ServiceAttribute,
    TaxonomyTerm,
)

from .models import UnmetNeed

MAX_AREA_LENGTH = UnmetNeed._meta.get_field("area").max_length
MAX_NOTE_LENGTH = 2000
# How far down the taxonomy a broad category reaches (as in the directory's search).
TERM_LEVELS = 3


# --- Areas and categories ------------------------------------------------------------------------


def tidy_area(text: str | None) -> str:
    """The area as typed, without surrounding or repeated spaces."""
    return " ".join((text or "").split())


def area_key(text: str | None) -> str:
    """What areas are grouped by: case and spaces do not matter ("" is "Area not known")."""
    return tidy_area(text).casefold()


def area_not_known() -> str:
    return _("Area not known")


def no_category() -> str:
    return _("No category")


def term_label(term: TaxonomyTerm | None) -> str:
    """A category's name, with its broader category: "Physical activity: Walking"."""
    if term is None:
        return no_category()
    if term.parent_id is not None and term.parent is not None:
        return _("%(parent)s: %(term)s") % {"parent": term.parent.label, "term": term.label}
    return term.label


def _in_use_q() -> Q:
    """A service is listed under the term, or under a term below it; or a need was recorded."""
    used = Q(Exists(UnmetNeed.objects.filter(category=OuterRef("pk"))))
    for depth in range(TERM_LEVELS + 1):
        path = "__".join(["taxonomy_term", *(["parent"] * depth)])
        used |= Q(Exists(ServiceAttribute.objects.filter(**{path: OuterRef("pk")})))
    return used


def need_categories() -> QuerySet[TaxonomyTerm]:
    """The kinds of need to choose from: top-level categories, and the categories in use (a
    service or a recorded need is under them, or under a category below them). Each broad
    category comes before the categories under it."""
    return (
        TaxonomyTerm.objects.filter(Q(parent__isnull=True) | _in_use_q())
        .select_related("parent")
        .annotate(group=Coalesce(F("parent__name"), F("name")))
        .order_by("group", F("parent").asc(nulls_first=True), "name", "pk")
    )


def term_and_below(term: TaxonomyTerm) -> set[int]:
    """The category and those under it (a broad category finds the narrower ones)."""
    below = Q(pk=term.pk)
    for depth in range(1, TERM_LEVELS + 1):
        below |= Q(**{"__".join(["parent"] * depth): term})
    return set(TaxonomyTerm.objects.filter(below).values_list("pk", flat=True))


def known_areas(sites: Iterable) -> list[str]:
    """Areas to suggest: the areas and towns of the services serving the sites, and the areas
    already recorded at them, each once (ignoring case and spaces), in alphabetical order."""
    services = Service.objects.serving_any(sites).values("pk")
    names = [
        *ServiceArea.objects.filter(service__in=services).values_list("name", flat=True),
        *Address.objects.filter(location__service_at_locations__service__in=services).values_list(
            "city", flat=True
        ),
        *UnmetNeed.objects.filter(site__in=sites).values_list("area", flat=True).distinct(),
    ]
    seen: dict[str, str] = {}
    for name in names:
        key = area_key(name)
        if key:
            seen.setdefault(key, tidy_area(name))
    return sorted(seen.values(), key=str.casefold)

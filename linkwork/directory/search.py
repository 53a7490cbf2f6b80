"""Finding a service: filters, relevance and the results' related rows.

`search(criteria)` answers a queryset of services, filtered and ordered: by relevance when there
are words, otherwise open services first, then by name. Every filter on a related table is an
`EXISTS` subquery, and relevance is built from `Case`/`When`, so the query needs no `DISTINCT`
beyond the site filter's, never repeats a service, and runs the same on SQLite and PostgreSQL.

Relevance, for each word (a service must match every word somewhere):

    in the service's name (or other name)                    8
    in a category's name, or the organisation's name         4
    in the name of an area it serves                         2
    in its description                                       1

Only the best place each word is found counts. The whole phrase in the name adds 8, the name
being exactly the phrase adds 16.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Length, Replace, Upper

from linkwork.partners.models import Site

from .models import (
    Address,
    Availability,
    CostOption,
    Language,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceAttribute,
    TaxonomyTerm,
)
from .queries import availability_rank, welsh_q

# Everything but "closed permanently" unless the user ticks otherwise.
DEFAULT_AVAILABILITY = (
    Availability.OPEN,
    Availability.LIMITED,
    Availability.TEMPORARILY_CLOSED,
)

MAX_WORDS = 8
NAME, TERM_OR_ORGANISATION, AREA, DESCRIPTION = 8, 4, 2, 1
PHRASE_IN_NAME, EXACT_NAME = 8, 16

# Words that say nothing about a service, in English and Welsh. Dropped unless they are all
# there is.
STOP_WORDS = frozenset(
    ("a", "an", "and", "at", "for", "in", "of", "on", "or", "the", "to", "with")
    + ("y", "yr", "ac", "ar", "am", "gyda", "i", "o")
)

_OUTWARD_CODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")
_POSTCODE_AREA = re.compile(r"[A-Z]{1,2}")
_POSTCODE_START = re.compile(r"[A-Z]{1,2}([0-9][A-Z0-9]?([0-9][A-Z]{0,2})?)?")


@dataclass
class Criteria:
    """What the user asked for. Blank fields do not filter."""

    words: str = ""
    category: TaxonomyTerm | None = None
    area: str = ""
    age: int | None = None
    free_only: bool = False
    day: str = ""
    welsh: bool = False
    # Only entries nobody has checked for six months (or ever): for managers keeping it current.
    needs_check: bool = False
    availability: Sequence[str] = field(default_factory=lambda: list(DEFAULT_AVAILABILITY))
    # One site: services serving it. Otherwise any of `sites`; both None: anywhere.
    site: Site | None = None
    sites: QuerySet[Site] | Sequence[Site] | None = None


def words_of(text: str) -> list[str]:
    """The words to look for: lower case, without punctuation round them, each once, stop
    words dropped (unless nothing else is left), a plural "s" taken off longer words (so
    "groups" finds "group" and "groups", "walks" finds "walking")."""
    words: list[str] = []
    for raw in (text or "").lower().split():
        word = raw.strip(".,;:!?\"'()[]{}<>")
        if word and word not in words:
            words.append(word)
    meaningful = [w for w in words if w not in STOP_WORDS] or words
    stems = []
    for word in meaningful:
        if "'" in word or len(word) <= 4:
            pass
        elif word.endswith("sses"):
            word = word[:-2]  # classes: class
        elif word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]  # groups: group
        if word not in stems:
            stems.append(word)
    return stems[:MAX_WORDS]


def _term_named(word: str) -> Exists:
    """A category of the service is named with the word, in English or in Welsh."""
    return Exists(
        ServiceAttribute.objects.filter(service=OuterRef("pk")).filter(
            Q(taxonomy_term__name__icontains=word) | Q(taxonomy_term__name_cy__icontains=word)
        )
    )


def _area_named(word: str) -> Exists:
    return Exists(ServiceArea.objects.filter(service=OuterRef("pk"), name__icontains=word))


def word_score(word: str) -> Case:
    """How well one word matches a service: the weight of the best place it is found, or 0."""
    return Case(
        When(Q(name__icontains=word) | Q(alternate_name__icontains=word), then=Value(NAME)),
        When(
            Q(organization__name__icontains=word)
            | Q(organization__alternate_name__icontains=word)
            | _term_named(word),
            then=Value(TERM_OR_ORGANISATION),
        ),
        When(_area_named(word), then=Value(AREA)),
        When(description__icontains=word, then=Value(DESCRIPTION)),
        default=Value(0),
        output_field=IntegerField(),
    )


def _with_words(services: QuerySet[Service], text: str) -> QuerySet[Service]:
    words = words_of(text)
    if not words:
        return services.annotate(relevance=Value(0, output_field=IntegerField()))
    names = []
    for index, word in enumerate(words):
        name = f"word_{index}"
        services = services.annotate(**{name: word_score(word)}).filter(**{f"{name}__gt": 0})
        names.append(name)
    relevance = F(names[0])
    for name in names[1:]:
        relevance = relevance + F(name)
    phrase = " ".join((text or "").split())
    if len(words) > 1:
        relevance = relevance + Case(
            When(name__icontains=phrase, then=Value(PHRASE_IN_NAME)),
            default=Value(0),
            output_field=IntegerField(),
        )
    relevance = relevance + Case(
        When(name__iexact=phrase, then=Value(EXACT_NAME)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return services.annotate(relevance=relevance)


def term_and_descendants(term: TaxonomyTerm) -> list[int]:
    """The term and every term under it (a category includes its sub-categories)."""
    found = {term.pk}
    frontier = [term.pk]
    while frontier:
        children = list(
            TaxonomyTerm.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=found)
            .values_list("pk", flat=True)
        )
        found.update(children)
        frontier = children
    return sorted(found)


def _normalised_postcode():
    return Replace(Upper("postal_code"), Value(" "), Value(""))


def postcode_q(text: str) -> Q | None:
    """Addresses whose postcode starts with the text, or None if it cannot begin a postcode.

    "SY" is the SY area (SY1, SY18...), "SY18" the SY18 district only (not "SY1 8.."), and
    "SY18 6" or "SY186" the start of a full postcode.
    """
    parts = text.upper().split()
    typed = "".join(parts)
    if not _POSTCODE_START.fullmatch(typed):
        return None
    if _POSTCODE_AREA.fullmatch(typed):
        return Q(postcode__regex=rf"^{typed}[0-9]")
    outward = parts[0] if len(parts) > 1 else typed
    if _OUTWARD_CODE.fullmatch(outward) and (len(parts) > 1 or outward == typed):
        # Without the space a full postcode has its outward code and 3 more characters.
        return Q(postcode=outward) | Q(postcode__startswith=typed, postcode_length=len(outward) + 3)
    return Q(postcode__startswith=typed)


def area_q(text: str) -> Q:
    """Services for an area: a service area's name, or a town, containing the text; or a
    postcode starting with it (see `postcode_q`)."""
    text = " ".join(text.split())
    addresses = Address.objects.filter(location__service_at_locations__service=OuterRef("pk"))
    q = Q(Exists(ServiceArea.objects.filter(service=OuterRef("pk"), name__icontains=text))) | Q(
        Exists(addresses.filter(city__icontains=text))
    )
    postcode = postcode_q(text)
    if postcode is not None:
        q |= Q(
            Exists(
                addresses.annotate(postcode=_normalised_postcode())
                .annotate(postcode_length=Length("postcode"))
                .filter(postcode)
            )
        )
    return q


def search(criteria: Criteria, services: QuerySet[Service] | None = None) -> QuerySet[Service]:
    """The services matching the criteria, best first, ready to list (see `for_listing`)."""
    services = Service.objects.all() if services is None else services
    if criteria.site is not None:
        services = services.serving(criteria.site)
    elif criteria.sites is not None:
        services = services.serving_any(criteria.sites)

    if criteria.availability:
        services = services.filter(availability__in=list(criteria.availability))
    if criteria.category is not None:
        services = services.filter(
            Exists(
                ServiceAttribute.objects.filter(
                    service=OuterRef("pk"),
                    taxonomy_term_id__in=term_and_descendants(criteria.category),
                )
            )
        )
    if criteria.area and criteria.area.strip():
        services = services.filter(area_q(criteria.area))
    if criteria.age is not None:
        services = services.filter(
            Q(minimum_age__isnull=True) | Q(minimum_age__lte=criteria.age),
            Q(maximum_age__isnull=True) | Q(maximum_age__gte=criteria.age),
        )
    if criteria.free_only:
        services = services.exclude(
            Exists(CostOption.objects.filter(service=OuterRef("pk"), amount__gt=0))
        )
    if criteria.day:
        # Two EXISTS, not one with an OR inside: PostgreSQL cannot use an index for the OR
        # and ran the inner subquery once per schedule per service (seconds, see bench/).
        on_the_day = Schedule.objects.filter(byday__icontains=criteria.day)
        at_its_places = ServiceAtLocation.objects.filter(service=OuterRef(OuterRef("pk")))
        services = services.filter(
            Exists(on_the_day.filter(service=OuterRef("pk")))
            | Exists(on_the_day.filter(location_id__in=at_its_places.values("location_id")))
        )
    if criteria.welsh:
        services = services.filter(
            Exists(Language.objects.filter(welsh_q(), service=OuterRef("pk")))
        )

    if criteria.needs_check:
        services = services.due_a_check()

    services = _with_words(services, criteria.words).annotate(rank=availability_rank())
    if words_of(criteria.words):
        return services.order_by("-relevance", "rank", "name", "pk")
    return services.order_by("rank", "name", "pk")


def for_listing(services: QuerySet[Service]) -> QuerySet[Service]:
    """What each result shows, fetched for the whole page in a fixed number of queries."""
    return services.select_related("organization").prefetch_related(
        Prefetch(
            "attributes",
            queryset=ServiceAttribute.objects.select_related("taxonomy_term"),
        ),
        "service_areas",
        "schedules",
        "languages",
        "cost_options",
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                "location__addresses", "location__schedules"
            ),
        ),
    )


def terms_in_use(levels: int = 3) -> QuerySet[TaxonomyTerm]:
    """Categories at least one service is listed under, and the broader categories above them
    (up to `levels` up), for the category filter."""
    used = Q(Exists(ServiceAttribute.objects.filter(taxonomy_term=OuterRef("pk"))))
    for depth in range(1, levels + 1):
        below = "__".join(["parent"] * depth)
        used |= Q(
            Exists(ServiceAttribute.objects.filter(**{f"taxonomy_term__{below}": OuterRef("pk")}))
        )
    return TaxonomyTerm.objects.filter(used).order_by("name", "pk")

"""Scoped querysets: the only place views get personal data from.

A view never starts from `Referral.objects`; it asks for what the signed-in user may see:
`referrals_for(user)` for a list, `referral_for(user, pk, permission)` for one referral.
"""

import datetime
from collections.abc import Callable

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Lower, RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone

from linkwork.accounts.models import Role, User
from linkwork.accounts.permissions import Permission, site_access_of
from linkwork.accounts.queries import sites_for
from linkwork.audit.refusals import require_or_refuse, visible_or_404
from linkwork.partners.models import Site, SourceType

from .models import (
    Allocation,
    InterimContact,
    InterimContactCorrection,
    OpenedWithReason,
    Pathway,
    Person,
    Referral,
    waiting_order,
)
from .search import Kind, Terms
from .status import OPEN_STATUSES, ReferralStatus

DUPLICATE_WINDOW = datetime.timedelta(days=90)
WAITING_PAGE_SIZE = 50


def referrals_for(user) -> QuerySet[Referral]:
    """Referrals the user may see: their sites' for staff, their organisation's for referrers."""
    base = Referral.objects.select_related("person", "site", "pathway", "referring_organisation")
    if not user.is_authenticated:
        return base.none()
    if user.role == Role.MANAGER:
        return base.filter(site__in=user.sites.all())
    if user.role == Role.COORDINATOR:
        # At a site that keeps each coordinator to their caseload and the waiting list (decision
        # 0023), anyone else's referral is not theirs to find: it answers 404, like another
        # site's. Where a reason
        # opens it, it is listed and found, and its page asks for the reason.
        # Where no site of theirs is caseload-only (the usual case), the query is the plain
        # site filter: the rule costs one small read of their sites, not a condition on every
        # referral (bench/README.md, issue 15). Their sites are read once per request, with the
        # permission checks (`site_access_of`).
        access = site_access_of(user)
        caseload = {pk for pk, rule in access.items() if rule == Site.CoordinatorAccess.CASELOAD}
        if not caseload:
            return base.filter(site__in=list(access))
        theirs = Allocation.objects.filter(coordinator=user).values("referral_id")
        return base.filter(
            Q(site__in=list(access.keys() - caseload))
            | Q(site__in=caseload) & (Q(status=ReferralStatus.WAITING) | Q(pk__in=theirs))
        )
    if user.role == Role.REFERRER and user.organisation_id:
        return base.filter(referring_organisation_id=user.organisation_id)
    return base.none()


def referral_for(
    user,
    pk: int,
    permission: Permission,
    *,
    scope: Callable[..., QuerySet[Referral]] = referrals_for,
) -> Referral:
    """The referral `pk`, for a page about it that needs `permission`: the one place a view
    fetches a single referral.

    Looked up among `scope(user)`: `referrals_for` unless the page narrows it (casework's
    `people_in_support_for`, say), so anyone outside that scope answers 404. Then the
    permission on the referral, which also answers 404 (with an object it never says 403), so a
    page does not reveal whether someone it will not show exists. Each such 404 is a refusal,
    in the audit log with whose referral it was (`audit.refusals`).
    """
    referral = visible_or_404(
        scope(user).select_related("pathway_version"), pk=pk, person="person_id"
    )
    require_or_refuse(user, permission, referral, person_id=referral.person_id)
    return referral


def interim_contacts_of(referral: Referral) -> QuerySet[InterimContact]:
    """Interim support given while the person waited, newest first, each with its note's
    corrections (oldest first)."""
    return referral.interim_contacts.select_related("by").prefetch_related(
        Prefetch(
            "corrections",
            queryset=InterimContactCorrection.objects.select_related("by").order_by("at", "pk"),
        )
    )


def reasons_given_for(user, *, site: int | None = None) -> QuerySet[OpenedWithReason]:
    """Referrals opened with a reason at the manager's sites (at one of them, with `site`),
    newest first, with the person, the site and who opened it."""
    opened = OpenedWithReason.objects.filter(referral__site__in=sites_for(user)).select_related(
        "referral__person", "referral__site", "by"
    )
    return opened if site is None else opened.filter(referral__site_id=site)


def pathways_for(user) -> QuerySet[Pathway]:
    return Pathway.objects.filter(site__in=sites_for(user)).select_related("site")


def pathways_usable_by(organisation) -> QuerySet[Pathway]:
    """Open pathways a referrer's organisation may refer through today, with their site."""
    return Pathway.objects.usable_by(organisation).select_related("site")


# --- The public self-referral pages (no account; sites and pathways are not personal data) ------


def open_self_referral_pathways() -> QuerySet[Pathway]:
    """Pathways open today to people referring themselves, with their site."""
    return (
        Pathway.objects.open_on(timezone.localdate())
        .filter(source_type=SourceType.SELF_REFERRAL)
        .select_related("site")
    )


def public_site(slug: str) -> Site:
    """The site a self-referral page's address names; 404 if there is none."""
    return get_object_or_404(Site, slug=slug)


def _with_caseload(coordinators: QuerySet[User]) -> QuerySet[User]:
    """Annotate each coordinator's current caseload (and places free under their cap).

    Counted in a correlated subquery on the (coordinator, ended_at) index, rather than by joining
    every allocation each coordinator ever had and grouping on all the user's columns.
    """
    current = (
        Allocation.objects.filter(coordinator=OuterRef("pk"), ended_at__isnull=True)
        .order_by()
        .values("coordinator")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return coordinators.annotate(
        caseload=Coalesce(Subquery(current, output_field=IntegerField()), 0)
    ).annotate(places_free=F("caseload_cap") - F("caseload"))


def coordinators_for_site(site: Site) -> QuerySet[User]:
    """Active link coordinators at a site, with their current caseload size."""
    return _with_caseload(
        User.objects.filter(role=Role.COORDINATOR, is_active=True, sites=site)
    ).order_by("first_name", "last_name")


def coordinators_for(user) -> QuerySet[User]:
    """Active link coordinators at any of the user's sites, each once, with their caseload."""
    at_users_sites = User.sites.through.objects.filter(site__in=sites_for(user)).values("user_id")
    return (
        _with_caseload(
            User.objects.filter(role=Role.COORDINATOR, is_active=True, pk__in=at_users_sites)
        )
        .prefetch_related("sites")
        .order_by("first_name", "last_name")
    )


def caseload_of(coordinator) -> QuerySet[Referral]:
    return (
        Referral.objects.filter(
            allocations__coordinator=coordinator, allocations__ended_at__isnull=True
        )
        .select_related("person", "site")
        .order_by("allocations__started_at")
    )


def current_allocation(referral: Referral) -> Allocation | None:
    return referral.allocations.filter(ended_at__isnull=True).select_related("coordinator").first()


def pathway_versions(pathway: Pathway) -> list:
    """The versions of a pathway's rules, newest first, each with how many referrals came
    through it and the date the next one replaced it (`valid_to`, None for the one in force)."""
    versions = list(
        pathway.versions.select_related("created_by")
        .annotate(referral_count=Count("referrals"))
        .order_by("-number")
    )
    next_from = None
    for version in versions:
        version.valid_to = next_from
        next_from = version.valid_from
    return versions


def possible_duplicates(referral: Referral, *, within: QuerySet[Referral]) -> QuerySet[Referral]:
    """Other referrals, among those the user may see, that may be for the same person.

    Same NHS number, or same name and date of birth, where the other referral is still open or
    arrived in the last 90 days. Referrals already linked to this one as duplicates, either
    way, are not "possible" any more: `linked_referrals` shows them.
    """
    person = referral.person
    same_person = Q(
        date_of_birth=person.date_of_birth,
        given_name__iexact=person.given_name.strip(),
        family_name__iexact=person.family_name.strip(),
    )
    if person.nhs_number:
        same_person |= Q(nhs_number=person.nhs_number)
    people = Person.objects.filter(same_person)
    recent = Q(status__in=OPEN_STATUSES) | Q(received_at__gte=timezone.now() - DUPLICATE_WINDOW)
    return (
        # The matching people first, in a query of their own (a handful of ids), then their
        # referrals through the person index. As one query, with the people as a subquery or a
        # join, SQLite walks every referral at the user's sites instead.
        within.filter(person__in=list(people.values_list("pk", flat=True)))
        .filter(recent)
        .exclude(pk=referral.pk)
        .exclude(pk=referral.duplicate_of_id)
        .exclude(duplicate_of=referral)
        .order_by(Lower("person__family_name"), "-received_at")
    )


def linked_referrals(referral: Referral, *, within: QuerySet[Referral]) -> dict:
    """The referrals linked to this one as duplicates, among those the user may see: the one
    it was declined as a duplicate of (`kept`), and those declined as duplicates of it."""
    kept = None
    if referral.duplicate_of_id is not None:
        kept = (
            within.filter(pk=referral.duplicate_of_id).select_related("person", "pathway").first()
        )
    # Through the duplicate_of index, with only what the list shows.
    repeats = (
        Referral.objects.filter(duplicate_of=referral, pk__in=within.values("pk"))
        .select_related("referring_organisation")
        .order_by("received_at")
    )
    return {"kept": kept, "repeats": list(repeats)}


# --- search -------------------------------------------------------------------------------------

SEARCH_LIMIT = 50


def search_referrals(user, terms: Terms) -> list[Referral]:
    """Referrals the user may see whose person matches the search (`referrals.search`), the
    closest first: for a name, those where each word typed starts a word of the name, then open
    referrals, then the newest. At most `SEARCH_LIMIT + 1` (one more says there are more).
    Each comes with `in_support_here`: the user may open the person's casework record (a
    coordinator who supports or supported them; a manager at the site once allocated)."""
    if terms.kind is None:
        return []
    found = referrals_for(user)
    rank = [Case(When(status__in=OPEN_STATUSES, then=0), default=1)]
    match terms.kind:
        case Kind.REFERENCE if terms.referral_id is not None:
            found = found.filter(pk=terms.referral_id)
        case Kind.REFERENCE:
            found = found.filter(person_id=terms.person_id)
        case Kind.NHS_NUMBER:
            found = found.filter(
                Q(person__nhs_number=terms.digits) | Q(person__search_phone__contains=terms.digits)
            )
        case Kind.PHONE:
            found = found.filter(person__search_phone__contains=terms.digits)
        case Kind.NAME:
            word_starts = Q()
            for word in terms.words:
                found = found.filter(person__search_name__contains=word)
                word_starts &= Q(person__search_name__startswith=word) | Q(
                    person__search_name__contains=f" {word}"
                )
            if terms.born_on is not None:
                found = found.filter(person__date_of_birth=terms.born_on)
            if terms.words:
                rank.insert(0, Case(When(word_starts, then=0), default=1))
    supported = Allocation.objects.filter(referral=OuterRef("pk"))
    if user.role == Role.COORDINATOR:
        supported = supported.filter(coordinator=user)
    return list(
        found.annotate(in_support_here=Exists(supported)).order_by(*rank, "-received_at", "-pk")[
            : SEARCH_LIMIT + 1
        ]
    )


# --- the waiting list ---------------------------------------------------------------------------
#
# However long the list, a page reads only the rows it shows: the places are numbered in the
# database (ROW_NUMBER over each site's list, from the referrals table alone), then only the
# referrals shown are fetched, with their interim support counted by subqueries.


def _waiting(user, sites) -> QuerySet[Referral]:
    """The people waiting at these sites whom the user may see, in list order, each with
    `place`, their position in their own site's list (1: the next to be allocated)."""
    return (
        referrals_for(user)
        .filter(site__in=sites)
        .waiting_list()
        .annotate(place=Window(RowNumber(), partition_by=[F("site_id")], order_by=waiting_order()))
    )


def waiting_totals(user, sites) -> dict[int, int]:
    """How many people are waiting at each of these sites (sites with none are left out)."""
    return dict(
        referrals_for(user)
        .filter(site__in=sites, status=ReferralStatus.WAITING)
        .order_by()
        .values("site_id")
        .annotate(n=Count("pk"))
        .values_list("site_id", "n")
    )


def waiting_places(user, sites, *, first: int) -> list[tuple[int, int]]:
    """(referral pk, place) of the first `first` people on each site's waiting list."""
    return list(_waiting(user, sites).filter(place__lte=first).values_list("pk", "place"))


def waiting_page(user, site, number) -> Page:
    """One page of a site's waiting list, as (referral pk, place) pairs; `number` as typed
    (a page that does not exist gives the nearest one)."""
    return Paginator(_waiting(user, [site]).values_list("pk", "place"), WAITING_PAGE_SIZE).get_page(
        number
    )


def waiting_entries(user, places) -> list[Referral]:
    """The referrals at these (pk, place) pairs, in list order, each with `place`,
    `contact_count` and `last_contact_at` (interim support while waiting)."""
    places = dict(places)
    contacts = InterimContact.objects.filter(referral=OuterRef("pk")).order_by().values("referral")
    entries = list(
        referrals_for(user)
        .filter(pk__in=places)
        .annotate(
            contact_count=Coalesce(Subquery(contacts.annotate(n=Count("pk")).values("n")), 0),
            last_contact_at=Subquery(contacts.annotate(last=Max("at")).values("last")),
        )
    )
    for entry in entries:
        entry.place = places[entry.pk]
    return sorted(entries, key=lambda entry: (entry.site_id, entry.place))

"""Scoped querysets: the only place views get personal data from.

A view never starts from `Referral.objects`; it asks for what the signed-in user may see.
"""

import datetime

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from linkwork.accounts.models import Role, User
from linkwork.partners.models import Site

from .models import Allocation, Pathway, Referral
from .status import OPEN_STATUSES

DUPLICATE_WINDOW = datetime.timedelta(days=90)


def sites_for(user) -> QuerySet[Site]:
    if user.role in (Role.COORDINATOR, Role.MANAGER):
        return user.sites.all()
    if user.role == Role.ADMINISTRATOR:
        return Site.objects.all()
    return Site.objects.none()


def referrals_for(user) -> QuerySet[Referral]:
    """Referrals the user may see: their sites' for staff, their organisation's for referrers."""
    base = Referral.objects.select_related("person", "site", "pathway", "referring_organisation")
    if not user.is_authenticated:
        return base.none()
    if user.role in (Role.COORDINATOR, Role.MANAGER):
        return base.filter(site__in=user.sites.all())
    if user.role == Role.REFERRER and user.organisation_id:
        return base.filter(referring_organisation_id=user.organisation_id)
    return base.none()


def pathways_for(user) -> QuerySet[Pathway]:
    return Pathway.objects.filter(site__in=sites_for(user)).select_related("site")


def coordinators_for_site(site: Site) -> QuerySet[User]:
    """Active link coordinators at a site, with their current caseload size."""
    return (
        User.objects.filter(role=Role.COORDINATOR, is_active=True, sites=site)
        .annotate(
            caseload=Count("allocations", filter=Q(allocations__ended_at__isnull=True)),
        )
        .annotate(places_free=F("caseload_cap") - F("caseload"))
        .order_by("first_name", "last_name")
    )


def coordinators_for(user) -> QuerySet[User]:
    return (
        User.objects.filter(role=Role.COORDINATOR, is_active=True, sites__in=sites_for(user))
        .distinct()
        .annotate(
            caseload=Count(
                "allocations", filter=Q(allocations__ended_at__isnull=True), distinct=True
            ),
        )
        .annotate(places_free=F("caseload_cap") - F("caseload"))
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


def possible_duplicates(referral: Referral, *, within: QuerySet[Referral]) -> QuerySet[Referral]:
    """Other referrals, among those the user may see, that may be for the same person.

    Same NHS number, or same name and date of birth, where the other referral is still open or
    arrived in the last 90 days.
    """
    person = referral.person
    same_person = Q(
        person__date_of_birth=person.date_of_birth,
        person__given_name__iexact=person.given_name.strip(),
        person__family_name__iexact=person.family_name.strip(),
    )
    if person.nhs_number:
        same_person |= Q(person__nhs_number=person.nhs_number)
    recent = Q(status__in=OPEN_STATUSES) | Q(received_at__gte=timezone.now() - DUPLICATE_WINDOW)
    return (
        within.filter(same_person)
        .filter(recent)
        .exclude(pk=referral.pk)
        .order_by(Lower("person__family_name"), "-received_at")
    )

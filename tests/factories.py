"""Test factories. Referrals that have moved along the pathway are made through the real
actions (`make_referral`), so their status history and audit trail are what the service writes.
"""

import datetime
import itertools

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from linkwork.accounts.models import Role, User
from linkwork.partners.models import Organisation, Site, SourceType
from linkwork.referrals import actions
from linkwork.referrals.models import (
    Allocation,
    Need,
    Pathway,
    Person,
    ReceivedVia,
    Referral,
)
from linkwork.referrals.status import DeclineReason, Priority, ReferralStatus, WithdrawalReason

PASSWORD = "correct horse battery staple"

_people = itertools.count(1)
_nhs_numbers = itertools.count(1)


def nhs_number() -> str:
    """A valid NHS number in the 999 range (reserved for testing), different on each call."""
    while True:
        first_nine = f"999{next(_nhs_numbers) % 1_000_000:06d}"
        total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        if check != 10:  # no valid number has these nine digits
            return first_nine + str(check)


def person_details(**overrides) -> dict:
    """What a referral form says about the person, as `submit_referral` takes it."""
    n = next(_people)
    details = {
        "given_name": f"Person{n}",
        "family_name": "Example",
        "date_of_birth": datetime.date(1980, 1, 1) + datetime.timedelta(days=n),
        "nhs_number": nhs_number(),
        "phone": f"07700 900{n % 1000:03d}",
        "email": "",
        "address": f"{n} Heol y Test\nLlanidloes",
        "postcode": "SY18 6AA",
        "best_time_to_call": "Mornings",
    }
    details.update(overrides)
    return details


def referral_details(pathway: Pathway | None = None, **overrides) -> dict:
    """The rest of the referral form, as `submit_referral` takes it."""
    details = {
        "needs": [Need.LONELINESS, Need.LOW_MOOD],
        "needs_detail": "Lives alone and would like to get out more.",
        "known_risks": "",
        "frequent_attender": bool(pathway and pathway.frequent_attender_required),
        "consent_to_referral": True,
        "consent_to_share_feedback": True,
    }
    details.update(overrides)
    return details


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Site {n}")
    slug = factory.Sequence(lambda n: f"site-{n}")
    health_board = "Powys Teaching Health Board"
    setting = Site.Setting.RURAL


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Practice {n}")
    source_type = SourceType.GP_PRACTICE
    code = factory.Sequence(lambda n: f"W{n:05d}")


class UserFactory(DjangoModelFactory):
    """An active user. Pass `sites=[...]` to place staff at sites."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "User"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)
    role = Role.COORDINATOR
    is_active = True

    @factory.post_generation
    def sites(self, create, extracted, **kwargs):
        if create and extracted:
            self.sites.set(extracted)


class CoordinatorFactory(UserFactory):
    role = Role.COORDINATOR


class ManagerFactory(UserFactory):
    role = Role.MANAGER


class ReferrerFactory(UserFactory):
    role = Role.REFERRER
    organisation = factory.SubFactory(OrganisationFactory)


class ResearcherFactory(UserFactory):
    role = Role.RESEARCHER


class AdministratorFactory(UserFactory):
    role = Role.ADMINISTRATOR


class PathwayFactory(DjangoModelFactory):
    """An open pathway. Pass `organisations=[...]` to restrict who may use it."""

    class Meta:
        model = Pathway
        skip_postgeneration_save = True

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Pathway {n}")
    source_type = SourceType.GP_PRACTICE
    opens_on = datetime.date(2024, 1, 1)
    closes_on = None
    minimum_age = 18
    frequent_attender_required = False

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisations.set(extracted)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    given_name = factory.Sequence(lambda n: f"Factory{n}")
    family_name = "Example"
    date_of_birth = datetime.date(1970, 6, 15)
    nhs_number = factory.LazyFunction(nhs_number)
    phone = factory.Sequence(lambda n: f"07700 900{n % 1000:03d}")
    postcode = "SY18 6AA"


class ReferralFactory(DjangoModelFactory):
    """A bare referral row, just received, with no status history: for tests that only need
    something to point at. Use `make_referral` for anything that has moved along the pathway."""

    class Meta:
        model = Referral

    person = factory.SubFactory(PersonFactory)
    pathway = factory.SubFactory(PathwayFactory)
    site = factory.SelfAttribute("pathway.site")
    referring_organisation = factory.SubFactory(OrganisationFactory)
    received_via = ReceivedVia.ONLINE
    needs = factory.LazyFunction(lambda: [Need.LOW_MOOD])
    needs_detail = "Low mood since losing her job."
    consent_to_referral = True
    consent_to_share_feedback = True
    status = ReferralStatus.RECEIVED


# --- Through the actions ---------------------------------------------------------------------


def staff_at(site: Site) -> User:
    """An active manager at the site, made if there is none, to act in the steps of a test."""
    manager = User.objects.filter(role=Role.MANAGER, is_active=True, sites=site).first()
    return manager or ManagerFactory(sites=[site])


def pathway_for(site: Site, organisation: Organisation | None) -> Pathway:
    """An open pathway at the site the organisation may use, made if there is none."""
    source_type = organisation.source_type if organisation else SourceType.SELF_REFERRAL
    today = timezone.localdate()
    for pathway in Pathway.objects.filter(site=site, source_type=source_type).open_on(today):
        if pathway.accepts_organisation(organisation):
            return pathway
    return PathwayFactory(site=site, source_type=source_type)


def make_referral(
    status: ReferralStatus = ReferralStatus.RECEIVED,
    *,
    site: Site | None = None,
    pathway: Pathway | None = None,
    organisation: Organisation | None = None,
    self_referral: bool = False,
    by: User | None = None,
    staff: User | None = None,
    coordinator: User | None = None,
    priority: Priority = Priority.ROUTINE,
    decline_reason: DeclineReason = DeclineReason.OUTSIDE_CRITERIA,
    redirected_to: str = "",
    received_via: ReceivedVia = ReceivedVia.ONLINE,
    received_at: datetime.datetime | None = None,
    person: dict | None = None,
    **details,
) -> Referral:
    """Submit a referral and walk it through the real actions to `status`.

    `by` submits it (a referrer, or None for the public form); `staff` triages and allocates
    (by default a manager at the site); `coordinator` is who it is allocated to (by default a
    new one at the site). `person` and `details` override the form's contents.
    """
    if organisation is None and by is not None and by.organisation_id:
        organisation = by.organisation
    if pathway is None:
        if organisation is None and not self_referral:
            organisation = OrganisationFactory()
        pathway = pathway_for(site or SiteFactory(), organisation)
    elif organisation is None and pathway.source_type != SourceType.SELF_REFERRAL:
        organisation = pathway.organisations.first() or OrganisationFactory(
            source_type=pathway.source_type
        )
    if pathway.source_type == SourceType.SELF_REFERRAL:
        received_via = ReceivedVia.SELF_REFERRAL

    referral = actions.submit_referral(
        pathway=pathway,
        person=person_details(**(person or {})),
        details=referral_details(pathway, **details),
        by=by,
        organisation=organisation,
        received_via=received_via,
        received_at=received_at,
        referrer_name=str(by) if by else "",
    )
    return advance(
        referral,
        status,
        staff=staff,
        coordinator=coordinator,
        priority=priority,
        decline_reason=decline_reason,
        redirected_to=redirected_to,
    )


def advance(
    referral: Referral,
    status: ReferralStatus,
    *,
    staff: User | None = None,
    coordinator: User | None = None,
    priority: Priority = Priority.ROUTINE,
    decline_reason: DeclineReason = DeclineReason.OUTSIDE_CRITERIA,
    redirected_to: str = "",
) -> Referral:
    """Move a just-received referral on to `status` through the actions."""
    staff = staff or staff_at(referral.site)
    match status:
        case ReferralStatus.RECEIVED:
            pass
        case ReferralStatus.INFORMATION_REQUESTED:
            actions.request_information(
                referral, by=staff, request="Please confirm the person's phone number."
            )
        case ReferralStatus.DECLINED:
            if decline_reason == DeclineReason.NEEDS_ABOVE_REMIT and not redirected_to:
                redirected_to = "Community Mental Health Team"
            actions.decline_referral(
                referral,
                by=staff,
                reason=decline_reason,
                note="Declined in a test.",
                redirected_to=redirected_to,
            )
        case ReferralStatus.WAITING:
            actions.accept_referral(referral, by=staff, priority=priority)
        case ReferralStatus.ALLOCATED:
            actions.accept_referral(referral, by=staff, priority=priority)
            allocate(referral, coordinator=coordinator, by=staff)
        case ReferralStatus.WITHDRAWN:
            actions.accept_referral(referral, by=staff, priority=priority)
            actions.withdraw_referral(
                referral, by=staff, reason=WithdrawalReason.PERSON_DECLINED, note="In a test."
            )
        case _:
            # "Accepted" is never a resting state: acceptance puts the person on the list.
            raise ValueError(f"make_referral cannot stop at {status!r}")
    referral.refresh_from_db()
    return referral


def allocate(
    referral: Referral,
    *,
    coordinator: User | None = None,
    by: User | None = None,
    replacing: Allocation | None = None,
) -> Allocation:
    """Allocate (or re-allocate) a waiting referral through the action."""
    coordinator = coordinator or CoordinatorFactory(sites=[referral.site])
    by = by or staff_at(referral.site)
    allocation = actions.allocate_referral(
        referral, coordinator=coordinator, by=by, replacing=replacing
    )
    referral.refresh_from_db()
    return allocation


def make_service(
    *,
    name: str,
    organisation_name: str = "",
    phone: str = "",
    sites=(),
    availability: str = "open",
    terms=(),
    **fields,
):
    """A directory service (and its organisation), open unless told otherwise.

    `terms` are taxonomy terms (or names of terms, made on the fly) the service is listed under.
    """
    from linkwork.directory.models import (
        AvailabilityChange,
        Organization,
        Phone,
        Service,
        ServiceAttribute,
        TaxonomyTerm,
    )

    organization, _ = Organization.objects.get_or_create(name=organisation_name or name)
    service = Service.objects.create(
        organization=organization, name=name, availability=availability, **fields
    )
    service.sites.set(sites)
    if phone:
        Phone.objects.create(service=service, number=phone)
    AvailabilityChange.objects.create(
        service=service,
        availability=availability,
        note=fields.get("availability_note", ""),
        expected_reopening=fields.get("expected_reopening"),
    )
    for term in terms:
        if isinstance(term, str):
            term, _ = TaxonomyTerm.objects.get_or_create(name=term)
        ServiceAttribute.objects.create(service=service, taxonomy_term=term)
    return service

"""Every change staff make to the directory by hand: availability, checks, local notes, and
whole entries. (Imports have their own module.)

Each action is one transaction that makes the change and writes the audit log (names of the
fields touched, never their values). Changes the published ORUK feed can see bump the service's
`last_modified`. Permission checks are the views' job; the rules of the directory itself (a
temporarily closed service needs a reopening date, ages in order...) are checked here too, so
no caller can skip them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linkwork.audit import service as audit
from linkwork.audit.models import AuditAction
from linkwork.core.errors import ActionRefused

from .models import (
    Address,
    Availability,
    AvailabilityChange,
    CostOption,
    Language,
    LocalNote,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    TaxonomyTerm,
)
from .queries import DAY_CODES, WELSH_CODES, WELSH_NAMES

MAX_NOTE_LENGTH = 2000


# --- Availability, checks and notes -------------------------------------------------------------


def change_availability(
    service: Service,
    *,
    by,
    availability: str,
    note: str = "",
    expected_reopening: datetime.date | None = None,
    effective_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> AvailabilityChange:
    """Say the service's availability changed on `effective_on` (default today): updates the
    service and appends to its history, together."""
    today = today or timezone.localdate()
    effective_on = effective_on or today
    note = (note or "").strip()
    if availability not in Availability.values:
        raise ActionRefused(_("Select the service's availability"), field="availability")
    if availability == Availability.LIMITED and not note:
        raise ActionRefused(_("Say what is limited"), field="availability_note")
    if availability == Availability.TEMPORARILY_CLOSED:
        if expected_reopening is None:
            raise ActionRefused(
                _("Enter the date it is expected to reopen"), field="expected_reopening"
            )
        if expected_reopening <= today:
            raise ActionRefused(
                _("The expected reopening date must be in the future"),
                field="expected_reopening",
            )
    else:
        expected_reopening = None
    if effective_on > today:
        raise ActionRefused(
            _("The date of the change must be today or in the past"), field="effective_on"
        )

    with transaction.atomic():
        locked = Service.objects.select_for_update().get(pk=service.pk)
        latest = (
            AvailabilityChange.objects.filter(service=locked)
            .order_by("-effective_on", "-recorded_at", "-pk")
            .first()
        )
        if latest is not None and effective_on < latest.effective_on:
            raise ActionRefused(
                _(
                    "The current availability was recorded from %(day)s. Enter that day or a "
                    "later one."
                )
                % {"day": latest.effective_on.strftime("%d/%m/%Y")},
                field="effective_on",
            )
        before = {
            "availability": locked.availability,
            "availability_note": locked.availability_note,
            "expected_reopening": locked.expected_reopening,
        }
        after = {
            "availability": availability,
            "availability_note": note,
            "expected_reopening": expected_reopening,
        }
        changed = [name for name in after if before[name] != after[name]]
        if not changed:
            raise ActionRefused(_("The availability is already recorded like this"))
        for name, value in after.items():
            setattr(locked, name, value)
        locked.last_modified = timezone.now()
        locked.save(update_fields=[*after, "last_modified"])
        change = AvailabilityChange.objects.create(
            service=locked,
            availability=availability,
            note=note,
            expected_reopening=expected_reopening,
            effective_on=effective_on,
            recorded_by=by,
        )
        audit.record(
            by=by,
            action=AuditAction.CHANGE,
            obj=locked,
            fields=changed,
            detail=f"{before['availability']} -> {availability} from {effective_on.isoformat()}",
        )
        audit.record(by=by, action=AuditAction.CREATE, obj=change)
    for name, value in after.items():
        setattr(service, name, value)
    service.last_modified = locked.last_modified
    return change


def mark_checked(service: Service, *, by, today: datetime.date | None = None) -> Service:
    """Record that the entry was checked today and is right."""
    today = today or timezone.localdate()
    with transaction.atomic():
        service.last_checked_on = today
        service.last_checked_by = by
        service.save(update_fields=["last_checked_on", "last_checked_by"])
        audit.record(
            by=by,
            action=AuditAction.CHANGE,
            obj=service,
            fields=["last_checked_on", "last_checked_by"],
        )
    return service


def add_local_note(service: Service, *, by, text: str) -> LocalNote:
    """A note for staff about the service. Never published, never sent to the service."""
    text = (text or "").strip()
    if not text:
        raise ActionRefused(_("Enter the note"), field="text")
    if len(text) > MAX_NOTE_LENGTH:
        raise ActionRefused(
            _("Keep the note to %(limit)d characters or fewer") % {"limit": MAX_NOTE_LENGTH},
            field="text",
        )
    with transaction.atomic():
        note = LocalNote.objects.create(service=service, text=text, author=by)
        audit.record(by=by, action=AuditAction.CREATE, obj=note)
    return note


# --- Categories ---------------------------------------------------------------------------------


def name_category(term: TaxonomyTerm, *, by, name_cy: str, name: str | None = None) -> TaxonomyTerm:
    """Give a category its Welsh name (and, for a category made here rather than imported, its
    English one: an imported taxonomy's names belong to its feed)."""
    changed = []
    name_cy = (name_cy or "").strip()
    if name_cy != term.name_cy:
        term.name_cy = name_cy
        changed.append("name_cy")
    if name is not None and term.is_local:
        name = name.strip()
        if not name:
            raise ActionRefused(_("Enter the category's name"), field="name")
        if name != term.name:
            term.name = name
            changed.append("name")
    if changed:
        with transaction.atomic():
            term.save(update_fields=changed)
            audit.record(by=by, action=AuditAction.CHANGE, obj=term, fields=changed)
    return term


# --- Whole entries ------------------------------------------------------------------------------

# Service fields a `ServiceForm` sets directly.
SERVICE_FIELDS = (
    "name",
    "description",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "fees_description",
    "url",
    "email",
    "referral_method",
    "referral_contact",
    "referral_email",
    "response_time",
    "accepts_service_referrals",
    "maintained_by",
)


def create_service(*, by, details: dict, sites_in_reach: Iterable) -> Service:
    """A new entry, open from today, checked today by whoever made it.

    `details` are a `ServiceForm`'s cleaned data; `sites_in_reach` the sites the user may say
    it serves.
    """
    _check_details(details)
    today = timezone.localdate()
    with transaction.atomic():
        organisation = _organisation(details, by=by)
        service = Service(
            organization=organisation,
            availability=Availability.OPEN,
            last_checked_on=today,
            last_checked_by=by,
            last_modified=timezone.now(),
        )
        for name in SERVICE_FIELDS:
            setattr(service, name, _value(details, name))
        service.save()
        related = _save_related(service, details, sites_in_reach=sites_in_reach, by=by)
        change = AvailabilityChange.objects.create(
            service=service,
            availability=Availability.OPEN,
            effective_on=today,
            recorded_by=by,
        )
        audit.record(
            by=by,
            action=AuditAction.CREATE,
            obj=service,
            fields=[*(n for n in SERVICE_FIELDS if _value(details, n) not in ("", None)), *related],
        )
        audit.record(by=by, action=AuditAction.CREATE, obj=change)
    return service


def edit_service(service: Service, *, by, details: dict, sites_in_reach: Iterable) -> Service:
    """Change an entry. Sites outside the user's reach stay as they were."""
    _check_details(details)
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        changed = []
        organisation = _organisation(details, by=by)
        if organisation.pk != service.organization_id:
            service.organization = organisation
            changed.append("organization")
        for name in SERVICE_FIELDS:
            value = _value(details, name)
            if getattr(service, name) != value:
                setattr(service, name, value)
                changed.append(name)
        changed += _save_related(service, details, sites_in_reach=sites_in_reach, by=by)
        service.last_modified = timezone.now()
        service.save()
        audit.record(by=by, action=AuditAction.CHANGE, obj=service, fields=changed)
    return service


def _value(details: dict, name: str):
    value = details.get(name)
    if isinstance(value, str):
        return value.strip()
    if value is None and name not in ("minimum_age", "maximum_age"):
        default = Service._meta.get_field(name).get_default()
        return default if default is not None else ""
    return value


def _check_details(details: dict) -> None:
    if not (details.get("name") or "").strip():
        raise ActionRefused(_("Enter the name of the service"), field="name")
    low, high = details.get("minimum_age"), details.get("maximum_age")
    if low is not None and high is not None and low > high:
        raise ActionRefused(
            _("The maximum age must be the same as or more than the minimum age"),
            field="maximum_age",
        )
    if details.get("organization") is None and not (details.get("new_organisation") or "").strip():
        raise ActionRefused(
            _("Choose an organisation, or enter the name of a new one"), field="organization"
        )


def _organisation(details: dict, *, by) -> Organization:
    chosen = details.get("organization")
    if chosen is not None:
        return chosen
    name = details["new_organisation"].strip()
    existing = Organization.objects.filter(name__iexact=name).order_by("pk").first()
    if existing is not None:
        return existing
    organisation = Organization.objects.create(name=name)
    audit.record(by=by, action=AuditAction.CREATE, obj=organisation, fields=["name"])
    return organisation


def _save_related(service: Service, details: dict, *, sites_in_reach, by) -> list[str]:
    """Categories, phone, place, schedule, cost, Welsh and sites. Answers what changed."""
    changed = []
    for name, save in (
        ("categories", _save_categories),
        ("phone", _save_phone),
        ("address", _save_address),
        ("schedule", _save_schedule),
        ("cost_options", _save_cost),
        ("languages", _save_welsh),
    ):
        if save(service, details, by=by):
            changed.append(name)
    if _save_sites(service, details.get("sites") or [], sites_in_reach):
        changed.append("sites")
    return changed


def _save_categories(service: Service, details: dict, *, by) -> bool:
    wanted = {term.pk for term in details.get("categories") or []}
    new_name = (details.get("new_category") or "").strip()
    if new_name:
        term = TaxonomyTerm.objects.filter(name__iexact=new_name).order_by("pk").first()
        if term is None:
            term = TaxonomyTerm.objects.create(name=new_name)
            audit.record(by=by, action=AuditAction.CREATE, obj=term, fields=["name"])
        wanted.add(term.pk)
    current = set(service.attributes.values_list("taxonomy_term_id", flat=True))
    if wanted == current:
        return False
    service.attributes.exclude(taxonomy_term_id__in=wanted).delete()
    ServiceAttribute.objects.bulk_create(
        ServiceAttribute(service=service, taxonomy_term_id=pk) for pk in sorted(wanted - current)
    )
    return True


def _save_phone(service: Service, details: dict, *, by) -> bool:
    number = (details.get("phone") or "").strip()
    first = service.phones.order_by("pk").first()
    if first is None:
        if number:
            Phone.objects.create(service=service, number=number)
            return True
        return False
    if not number:
        first.delete()
        return True
    if first.number != number:
        first.number = number
        first.save(update_fields=["number"])
        return True
    return False


def _save_address(service: Service, details: dict, *, by) -> bool:
    address_1 = (details.get("address_1") or "").strip()
    town = (details.get("town") or "").strip()
    postcode = (details.get("postcode") or "").strip()
    at = service.service_at_locations.select_related("location").order_by("pk").first()
    address = at.location.addresses.order_by("pk").first() if at else None
    if not (address_1 or town or postcode):
        if at is None:
            return False
        at.delete()  # The place stays, for any other service that runs there.
        return True
    if address is not None and (address.address_1, address.city, address.postal_code) == (
        address_1,
        town,
        postcode,
    ):
        return False
    shared = at is not None and at.location.service_at_locations.exclude(pk=at.pk).exists()
    if at is None or shared:
        # A new place for this service; another service at the old one keeps it.
        location = Location.objects.create(organization=service.organization)
        if at is None:
            ServiceAtLocation.objects.create(service=service, location=location)
        else:
            at.location = location
            at.save(update_fields=["location"])
        address = None
    else:
        location = at.location
    if address is None:
        Address.objects.create(
            location=location, address_1=address_1, city=town, postal_code=postcode
        )
    else:
        address.address_1, address.city, address.postal_code = address_1, town, postcode
        address.save(update_fields=["address_1", "city", "postal_code"])
    return True


def _save_schedule(service: Service, details: dict, *, by) -> bool:
    days = [code for code in DAY_CODES if code in (details.get("days") or [])]
    byday = ",".join(days)
    opens, closes = details.get("opens_at"), details.get("closes_at")
    description = (details.get("schedule_description") or "").strip()
    schedule = service.schedules.order_by("pk").first()
    if not (days or opens or closes or description):
        if schedule is None:
            return False
        schedule.delete()
        return True
    if schedule is None:
        Schedule.objects.create(
            service=service,
            freq="WEEKLY",
            byday=byday,
            opens_at=opens,
            closes_at=closes,
            description=description,
        )
        return True
    wanted = {"byday": byday, "opens_at": opens, "closes_at": closes, "description": description}
    if all(getattr(schedule, name) == value for name, value in wanted.items()):
        return False
    for name, value in wanted.items():
        setattr(schedule, name, value)
    if byday and not schedule.freq:
        schedule.freq = "WEEKLY"
    schedule.save()
    return True


def _save_cost(service: Service, details: dict, *, by) -> bool:
    paid = service.cost_options.filter(amount__gt=0).order_by("amount", "pk")
    if details.get("free", True):
        if not paid.exists():
            return False
        paid.delete()
        return True
    amount = Decimal(details["cost_amount"])
    cheapest = paid.first()
    if cheapest is None:
        CostOption.objects.create(service=service, amount=amount, currency="GBP")
        return True
    if cheapest.amount == amount:
        return False
    cheapest.amount = amount
    cheapest.currency = cheapest.currency or "GBP"
    cheapest.save(update_fields=["amount", "currency"])
    return True


def _save_welsh(service: Service, details: dict, *, by) -> bool:
    welsh = [
        language
        for language in service.languages.all()
        if (language.code or "").strip().lower().split("-")[0] in WELSH_CODES
        or (language.name or "").strip().lower() in WELSH_NAMES
    ]
    if details.get("welsh"):
        if welsh:
            return False
        Language.objects.create(service=service, name="Welsh", code="cy")
        return True
    if not welsh:
        return False
    Language.objects.filter(pk__in=[language.pk for language in welsh]).delete()
    return True


def _save_sites(service: Service, chosen, sites_in_reach) -> bool:
    reach = {site.pk for site in sites_in_reach}
    current = set(service.sites.values_list("pk", flat=True))
    wanted = {site.pk for site in chosen if site.pk in reach} | (current - reach)
    if wanted == current:
        return False
    service.sites.set(sorted(wanted))
    return True

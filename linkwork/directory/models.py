"""The community directory: the services link coordinators refer people on to.

The shape follows the Open Referral UK (ORUK) profile of HSDS 3.0, so a directory can be
imported from, and published to, any ORUK feed (the `oruk` app, which sits above this one, does
both). Every ORUK record keeps its feed id in `uuid`; `pk` is Linkwork's own.

On top of the standard, what a social prescribing service needs (these never leave Linkwork
through the published API unless the ORUK profile has a field for them):
- availability (open, limited, temporarily closed, closed) with an append-only history;
- how to refer, and whether the service takes people referred by the link service;
- local notes from staff;
- who keeps the entry up to date and when it was last checked.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkwork.audit.append_only import AppendOnlyModel
from linkwork.core.languages import in_language, welsh_name_field

# An entry not checked for this long is flagged to staff.
CHECK_EVERY = datetime.timedelta(days=183)


class OrukRecord(models.Model):
    """Fields every ORUK record has: its id in the feed."""

    uuid = models.UUIDField(_("ORUK id"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


# ---------------------------------------------------------------------------------------------
# Taxonomies


class Taxonomy(OrukRecord):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    uri = models.URLField(_("URI"), max_length=500, blank=True)
    version = models.CharField(_("version"), max_length=50, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(OrukRecord):
    """A category in a taxonomy: what a service offers ("Walking groups"), or a kind of need."""

    code = models.CharField(_("code"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200)
    # Not in ORUK: kept here, so a new import of the taxonomy leaves it alone.
    name_cy = welsh_name_field(200)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent term"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    taxonomy = models.ForeignKey(
        Taxonomy,
        verbose_name=_("taxonomy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="terms",
    )
    # ORUK's free-text "taxonomy" field: the taxonomy's name when there is no taxonomy record.
    taxonomy_name = models.CharField(_("taxonomy name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=20, blank=True)
    term_uri = models.URLField(_("term URI"), max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("taxonomy term")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language (`name_cy` in Welsh, when there is one)."""
        return in_language(self.name, cy=self.name_cy)

    @property
    def is_local(self) -> bool:
        """Made in Linkwork (a service's "new category"), not imported with a taxonomy."""
        return self.taxonomy_id is None and not self.taxonomy_name


# ---------------------------------------------------------------------------------------------
# Organisations, services and where they run


class Organization(OrukRecord):
    name = models.CharField(_("name"), max_length=200)
    alternate_name = models.CharField(_("other name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    logo = models.URLField(_("logo"), max_length=500, blank=True)
    uri = models.URLField(_("URI"), max_length=500, blank=True)
    legal_status = models.CharField(_("legal status"), max_length=200, blank=True)
    parent_uuid = models.UUIDField(_("parent organisation id"), null=True, blank=True)
    last_modified = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")

    def __str__(self) -> str:
        return self.name


class OrganizationIdentifier(OrukRecord):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="identifiers"
    )
    identifier_scheme = models.CharField(max_length=100, blank=True)
    identifier_type = models.CharField(max_length=100)
    identifier = models.CharField(max_length=200)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.identifier_type}: {self.identifier}"


class Availability(models.TextChoices):
    OPEN = "open", _("Open")
    LIMITED = "limited", _("Limited")
    TEMPORARILY_CLOSED = "temporarily_closed", _("Temporarily closed")
    CLOSED = "closed", _("Closed permanently")


AVAILABILITY_COLOURS = {
    Availability.OPEN: "green",
    Availability.LIMITED: "yellow",
    Availability.TEMPORARILY_CLOSED: "orange",
    Availability.CLOSED: "grey",
}

# ORUK service status <-> availability. ORUK has no "limited": a limited service is "active".
ORUK_STATUS_FOR = {
    Availability.OPEN: "active",
    Availability.LIMITED: "active",
    Availability.TEMPORARILY_CLOSED: "temporarily closed",
    Availability.CLOSED: "defunct",
}
AVAILABILITY_FOR_ORUK_STATUS = {
    "active": Availability.OPEN,
    "inactive": Availability.TEMPORARILY_CLOSED,
    "temporarily closed": Availability.TEMPORARILY_CLOSED,
    "defunct": Availability.CLOSED,
}


class ReferralMethod(models.TextChoices):
    SIGNPOST = "signpost", _("Signpost only: the person contacts them")
    DIRECT = "direct", _("Direct referral")


class ServiceQuerySet(models.QuerySet):
    def serving(self, site):
        """Services that serve the site: those listing it, and those listing no site (all)."""
        return self.serving_any([site])

    def serving_any(self, sites):
        """Services serving any of these sites, or every site. An EXISTS rather than a join,
        so no DISTINCT over every column is needed."""
        links = Service.sites.through.objects
        return self.filter(
            serves_every_site_q() | Exists(links.filter(service_id=OuterRef("pk"), site__in=sites))
        )

    def can_be_chosen(self):
        return self.exclude(availability=Availability.CLOSED)

    def open(self):
        return self.filter(availability__in=[Availability.OPEN, Availability.LIMITED])

    def due_a_check(self, today=None):
        today = today or timezone.localdate()
        return self.filter(
            Q(last_checked_on__isnull=True) | Q(last_checked_on__lt=today - CHECK_EVERY)
        )


def serves_every_site_q() -> Q:
    return ~Q(pk__in=Service.sites.through.objects.values("service_id"))


class Service(OrukRecord):
    """A community or third-sector service that link coordinators refer people on to."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="services",
    )
    name = models.CharField(_("name"), max_length=200)
    alternate_name = models.CharField(_("other name"), max_length=200, blank=True)
    description = models.TextField(_("what it offers"), blank=True)
    url = models.URLField(_("website"), max_length=500, blank=True)
    email = models.EmailField(_("public email"), blank=True)
    interpretation_services = models.TextField(_("interpretation"), blank=True)
    application_process = models.TextField(_("how to apply"), blank=True)
    fees_description = models.TextField(_("fees"), blank=True)
    wait_time = models.CharField(_("wait time"), max_length=200, blank=True)
    accreditations = models.TextField(_("accreditations"), blank=True)
    eligibility_description = models.TextField(_("who it is for"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    assured_date = models.DateField(_("assured on"), null=True, blank=True)
    assurer_email = models.EmailField(_("assurer email"), blank=True)
    alert = models.TextField(_("alert"), blank=True)
    last_modified = models.DateTimeField(_("last modified"), default=timezone.now, db_index=True)

    # Availability: the current state; every change is also an `AvailabilityChange`.
    availability = models.CharField(
        _("availability"),
        max_length=32,
        choices=Availability.choices,
        default=Availability.OPEN,
    )
    availability_note = models.CharField(
        _("what is limited or closed"),
        max_length=300,
        blank=True,
        help_text=_("For example, no new members until January, or waiting list of 6 weeks."),
    )
    expected_reopening = models.DateField(_("expected to reopen"), null=True, blank=True)

    # How to refer.
    referral_method = models.CharField(
        _("how to refer"),
        max_length=20,
        choices=ReferralMethod.choices,
        default=ReferralMethod.DIRECT,
    )
    referral_contact = models.CharField(_("who to refer to, and how"), max_length=300, blank=True)
    referral_email = models.EmailField(
        _("email for referrals"),
        blank=True,
        help_text=_("Secure links to accept referrals and report outcomes are sent here."),
    )
    response_time = models.CharField(_("typical response time"), max_length=100, blank=True)
    accepts_service_referrals = models.BooleanField(
        _("accepts people referred by link coordinators"), default=True
    )

    # Keeping the entry up to date.
    maintained_by = models.CharField(_("kept up to date by"), max_length=200, blank=True)
    last_checked_on = models.DateField(_("last checked"), null=True, blank=True)
    last_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    sites = models.ManyToManyField(
        "partners.Site",
        verbose_name=_("sites it serves"),
        blank=True,
        related_name="community_services",
        help_text=_("Leave empty if it serves every site."),
    )
    imported_by = models.ForeignKey(
        "DirectoryImport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The import that last created or changed the entry.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("community service")
        constraints = [
            models.CheckConstraint(
                condition=Q(availability__in=Availability.values),
                name="service_availability_known",
            ),
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(minimum_age__lte=models.F("maximum_age")),
                name="service_age_range_in_order",
            ),
        ]

    def __str__(self) -> str:
        org = self.organization.name if self.organization_id else ""
        if org and org != self.name:
            return f"{self.name} ({org})"
        return self.name

    @property
    def is_open(self) -> bool:
        """Open, or open with limits: a referral can go ahead as normal."""
        return self.availability in (Availability.OPEN, Availability.LIMITED)

    @property
    def can_be_chosen(self) -> bool:
        return self.availability != Availability.CLOSED

    @property
    def needs_warning(self) -> bool:
        """Limited or temporarily closed: the coordinator is told before referring."""
        return self.availability in (Availability.LIMITED, Availability.TEMPORARILY_CLOSED)

    @property
    def availability_colour(self) -> str:
        return AVAILABILITY_COLOURS.get(self.availability, "grey")

    @property
    def oruk_status(self) -> str:
        return ORUK_STATUS_FOR[self.availability]

    @property
    def phone(self) -> str:
        """The service's first phone number (uses prefetched phones when there are some)."""
        phones = list(self.phones.all())
        return phones[0].number if phones else ""

    def check_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.last_checked_on is None or self.last_checked_on < today - CHECK_EVERY


class AvailabilityChange(AppendOnlyModel):
    """One change of a service's availability, with the day it took effect. Append-only, so
    reports can say what was available on any day."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="availability_changes"
    )
    availability = models.CharField(_("availability"), max_length=32, choices=Availability.choices)
    note = models.CharField(_("what is limited or closed"), max_length=300, blank=True)
    expected_reopening = models.DateField(_("expected to reopen"), null=True, blank=True)
    effective_on = models.DateField(_("from"), default=timezone.localdate, db_index=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    via_import = models.ForeignKey(
        "DirectoryImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["effective_on", "recorded_at", "pk"]
        verbose_name = _("availability change")

    def __str__(self) -> str:
        return f"{self.service_id}: {self.availability} from {self.effective_on}"

    @property
    def colour(self) -> str:
        return AVAILABILITY_COLOURS.get(self.availability, "grey")


class LocalNote(models.Model):
    """What staff know about a service that the public directory does not say. Staff only:
    never published, never sent to the service."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="local_notes")
    text = models.TextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("local note")

    def __str__(self) -> str:
        return f"Note {self.pk} on service {self.service_id}"


class ServiceAttribute(OrukRecord):
    """ORUK "attribute": links a service to a taxonomy term (its categories)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="attributes")
    taxonomy_term = models.ForeignKey(
        TaxonomyTerm, on_delete=models.PROTECT, related_name="attributes"
    )
    link_type = models.CharField(max_length=100, blank=True)
    value = models.CharField(max_length=200, blank=True)
    label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.service_id} -> {self.taxonomy_term_id}"


class LocationType(models.TextChoices):
    PHYSICAL = "physical", _("Physical")
    POSTAL = "postal", _("Postal")
    VIRTUAL = "virtual", _("Virtual")


class Location(OrukRecord):
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="locations"
    )
    location_type = models.CharField(
        _("type"), max_length=20, choices=LocationType.choices, default=LocationType.PHYSICAL
    )
    url = models.URLField(max_length=500, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    alternate_name = models.CharField(max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    transportation = models.TextField(_("getting there"), blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    external_identifier = models.CharField(max_length=100, blank=True)
    external_identifier_type = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("location")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="location_latitude_possible",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="location_longitude_possible",
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(self.uuid)


class Address(OrukRecord):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(max_length=200, blank=True)
    address_1 = models.CharField(_("address"), max_length=200)
    address_2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(_("town"), max_length=100)
    region = models.CharField(max_length=100, blank=True)
    state_province = models.CharField(_("county"), max_length=100, blank=True)
    postal_code = models.CharField(_("postcode"), max_length=20)
    country = models.CharField(max_length=2, default="GB")
    address_type = models.CharField(max_length=20, default="physical")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return ", ".join(
            p for p in [self.address_1, self.address_2, self.city, self.postal_code] if p
        )


class Accessibility(OrukRecord):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="accessibility")
    description = models.TextField(blank=True)
    details = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description[:50]


class ServiceAtLocation(OrukRecord):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.service_id} at {self.location_id}"


class Contact(OrukRecord):
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    title = models.CharField(_("job title"), max_length=200, blank=True)
    department = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name or self.title or str(self.uuid)


class Phone(OrukRecord):
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(_("number"), max_length=40)
    extension = models.CharField(max_length=20, blank=True)
    type = models.CharField(max_length=20, blank=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.number


class Schedule(OrukRecord):
    """When a service runs, in the HSDS calendar-rule (iCalendar RRULE) fields."""

    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dtstart = models.DateField(null=True, blank=True)
    timezone = models.CharField(max_length=50, blank=True)
    until = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    wkst = models.CharField(max_length=2, blank=True)
    freq = models.CharField(max_length=10, blank=True)
    interval = models.PositiveIntegerField(null=True, blank=True)
    # Comma-separated two-letter days ("MO,WE"); searched by day of the week.
    byday = models.CharField(max_length=100, blank=True)
    byweekno = models.CharField(max_length=100, blank=True)
    bymonthday = models.CharField(max_length=100, blank=True)
    byyearday = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    schedule_link = models.URLField(max_length=500, blank=True)
    attending_type = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description[:50] or f"{self.freq} {self.byday}"


class ServiceArea(OrukRecord):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(_("area"), max_length=300)
    description = models.TextField(blank=True)
    extent = models.TextField(blank=True)
    extent_type = models.CharField(max_length=20, blank=True)
    uri = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Language(OrukRecord):
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="languages"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="languages"
    )
    name = models.CharField(_("language"), max_length=100, blank=True)
    # ISO 639 code: "cy" for Welsh.
    code = models.CharField(max_length=10, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name or self.code


class CostOption(OrukRecord):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    option = models.CharField(max_length=300, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    amount_description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.option or str(self.amount)


# ---------------------------------------------------------------------------------------------
# Imports


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    SUCCEEDED = "succeeded", _("Imported")
    FAILED = "failed", _("Failed: nothing changed")


class DirectoryImport(models.Model):
    """One import of an ORUK feed, with its per-record report.

    Run and shown by the `oruk` app; it stays here because the catalogue keeps which import
    last changed an entry (`Service.imported_by`, `AvailabilityChange.via_import`), and the
    directory must not depend on the app above it (docs/decisions/0008-oruk-app.md)."""

    source = models.CharField(_("source"), max_length=500)
    # The feed itself for an uploaded file (a URL is fetched when the import runs).
    payload = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    # [{"kind": "service", "id": "...", "name": "...", "result": "created", "messages": [...]}]
    report = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("directory import")

    def __str__(self) -> str:
        return f"Import {self.pk} of {self.source}"

    @property
    def percent_done(self) -> int:
        if not self.total:
            return 100 if self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED) else 0
        return min(100, round(100 * self.processed / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED)

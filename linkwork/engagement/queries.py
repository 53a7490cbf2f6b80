"""Scoped reads of partners, their contacts and the engagement with them, and the figures that
set engagement beside the referrals each partner sends (or the social prescriptions it
receives).

A partner's page reaches its organisation only through `partner_for(user, kind, pk,
permission)`, which works out the sites the organisation is a partner of and checks the
permission against them: an organisation that is no partner of the user's sites answers 404.

An organisation is a partner of a site when

- referring: a pathway at the site names it, it has sent a referral to the site, or engagement
  with it has been recorded there. It may also be opened, to record the first engagement with
  it, while an open pathway at the site takes referrals from every organisation of its type
  (`others_that_may_refer`); it is listed once something is recorded;
- receiving: one of its services serves the site (a service that names no site serves every
  site), someone at the site was referred on to it, or engagement with it has been recorded
  there.

Referrals count from the day they were received, whatever became of them; social prescriptions
from the day they were sent to the service. Days and months are counted in local time.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linkwork.accounts.permissions import Permission, require
from linkwork.accounts.queries import sites_for
from linkwork.core.days import start_of_day
from linkwork.core.months import add_months
from linkwork.directory.models import Organization, Service, serves_every_site_q
from linkwork.partners.models import Organisation, Site, SourceType
from linkwork.prescriptions.models import PrescriptionUpdate, SocialPrescription
from linkwork.prescriptions.status import PrescriptionStatus
from linkwork.referrals.models import Pathway, Referral

from .models import (
    DEFAULT_QUIET_AFTER_DAYS,
    ActivityKind,
    EngagementActivity,
    PartnerContact,
    PartnerKind,
    SiteEngagementSettings,
)

#: The partner page's chart covers this many calendar months, this one included.
CHART_MONTHS = 12
RECENT_DAYS = 90

# Referring organisations are listed by kind, in the order the service opened to them.
SOURCE_ORDER = {value: index for index, value in enumerate(SourceType.values)}


# --- Days and months --------------------------------------------------------------------------


def chart_months(today: datetime.date) -> list[datetime.date]:
    """The 1st of each month the chart covers, oldest first, ending with this month."""
    return [add_months(today, -i) for i in range(CHART_MONTHS - 1, -1, -1)]


def year_before(today: datetime.date) -> datetime.date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def start_of(day: datetime.date) -> datetime.datetime:
    """The first moment of the day, in local time."""
    return start_of_day(day)


def days_since(moment: datetime.datetime | None, today: datetime.date) -> int | None:
    if moment is None:
        return None
    return (today - timezone.localdate(moment)).days


def has_gone_quiet(days: int | None, quiet_after_days: int, *, may_refer: bool = True) -> bool:
    """A referrer has gone quiet when it has referred before, may still refer (an open pathway
    takes its referrals: one whose pathways all closed has not gone quiet), and its last
    referral was more than `quiet_after_days` days ago."""
    return may_refer and days is not None and days > quiet_after_days


# --- Partners and their sites -----------------------------------------------------------------


@dataclass(frozen=True)
class Partner:
    """A partner organisation as a page shows it: a referring `partners.Organisation` or a
    receiving `directory.Organization`, with every site it is a partner of (the permission
    rules compare these with the user's)."""

    kind: str
    organisation: Organisation | Organization
    site_ids: frozenset[int]
    # The sites it is on the partners list of: all of `site_ids` but those it may only refer
    # to, through a pathway open to every organisation of its type.
    listed_at: frozenset[int] = frozenset()

    @property
    def pk(self) -> int:
        return self.organisation.pk

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def is_referring(self) -> bool:
        return self.kind == PartnerKind.REFERRING

    @property
    def kind_label(self) -> str:
        return PartnerKind(self.kind).label

    @property
    def type_label(self) -> str:
        if self.is_referring:
            return self.organisation.get_source_type_display()
        return _("Community organisation")

    @property
    def key(self) -> dict:
        """How contacts and activities point at it."""
        if self.is_referring:
            return {"referring_organisation": self.organisation}
        return {"receiving_organisation": self.organisation}

    @property
    def url(self) -> str:
        return partner_url(self.kind, self.pk)


def partner_url(kind: str, pk: int, site: Site | int | None = None) -> str:
    url = reverse("engagement:partner", args=[kind, pk])
    if site is not None:
        url += f"?site={getattr(site, 'pk', site)}"
    return url


def _open_to_every_organisation(today: datetime.date) -> QuerySet[Pathway]:
    """Open pathways that name no organisation: every organisation of their type may use them."""
    return Pathway.objects.open_on(today).filter(organisations__isnull=True)


def _sites(listed, *, may_refer=None) -> tuple[frozenset[int], frozenset[int]]:
    """Every site the organisation is a partner of, and those it is listed at (see the module's
    docstring): one query."""
    eligible = Exists(may_refer) if may_refer is not None else Value(False)
    rows = list(
        Site.objects.annotate(listed=listed, eligible=eligible)
        .filter(Q(listed=True) | Q(eligible=True))
        .values_list("pk", "listed")
    )
    return frozenset(pk for pk, _listed in rows), frozenset(pk for pk, listed in rows if listed)


def _referring_sites(organisation: Organisation, today: datetime.date):
    named = Pathway.organisations.through.objects.filter(
        pathway__site=OuterRef("pk"), organisation=organisation
    )
    referred = Referral.objects.filter(site=OuterRef("pk"), referring_organisation=organisation)
    engaged = EngagementActivity.objects.filter(
        site=OuterRef("pk"), referring_organisation=organisation
    )
    may_refer = _open_to_every_organisation(today).filter(
        site=OuterRef("pk"), source_type=organisation.source_type
    )
    return _sites(Exists(named) | Exists(referred) | Exists(engaged), may_refer=may_refer)


def _receiving_sites(organisation: Organization):
    serving = Service.objects.filter(organization=organisation).filter(
        Q(sites=OuterRef("pk")) | serves_every_site_q()
    )
    prescribed = SocialPrescription.objects.filter(
        referral__site=OuterRef("pk"), service__organization=organisation
    )
    engaged = EngagementActivity.objects.filter(
        site=OuterRef("pk"), receiving_organisation=organisation
    )
    return _sites(Exists(serving) | Exists(prescribed) | Exists(engaged))


def partner_for(user, kind: str, pk: int, permission: Permission) -> Partner:
    """The organisation `pk` as a partner of the user's sites, for a page that needs
    `permission` on it: 404 if there is none, or it is no partner of their sites, or they lack
    the permission (`require` with an object never says 403)."""
    today = timezone.localdate()
    if kind == PartnerKind.REFERRING:
        organisation = get_object_or_404(Organisation, pk=pk)
        site_ids, listed_at = _referring_sites(organisation, today)
    elif kind == PartnerKind.RECEIVING:
        organisation = get_object_or_404(Organization, pk=pk)
        site_ids, listed_at = _receiving_sites(organisation)
    else:
        raise ValueError(kind)  # the URL converter admits only the two kinds
    partner = Partner(kind, organisation, site_ids, listed_at)
    require(user, permission, partner)
    return partner


def partner_sites_for(user, partner: Partner) -> QuerySet[Site]:
    """The user's sites the organisation is a partner of, by name: where engagement with it may
    be recorded, and its page may be narrowed to."""
    return sites_for(user).filter(pk__in=partner.site_ids).order_by("name", "pk")


def listed_sites(partner: Partner, sites: list[Site]) -> list[Site]:
    """Of `sites` (the user's where it is a partner), those it is listed at; all of them if
    none (an organisation that may refer but has not yet been engaged)."""
    return [site for site in sites if site.pk in partner.listed_at] or list(sites)


# --- Contacts and activities ------------------------------------------------------------------


def contacts_of(partner: Partner) -> QuerySet[PartnerContact]:
    return PartnerContact.objects.filter(**partner.key)


def contact_of(partner: Partner, pk: int) -> PartnerContact:
    """One of the partner's contacts (the page has checked the user may keep them), or 404."""
    return get_object_or_404(contacts_of(partner), pk=pk)


def activities_of(partner: Partner, sites) -> QuerySet[EngagementActivity]:
    """Engagement with the partner recorded at these sites, newest first."""
    return EngagementActivity.objects.filter(**partner.key, site__in=sites).select_related(
        "site", "recorded_by", "corrected_by"
    )


def activity_of(user, partner: Partner, pk: int, permission: Permission) -> EngagementActivity:
    """An engagement activity with the partner at one of the user's sites, for a page that
    needs `permission` on it: 404 otherwise."""
    activity = get_object_or_404(activities_of(partner, sites_for(user)), pk=pk)
    require(user, permission, activity)
    return activity


class OpenRoutes:
    """Who may refer to each of some sites today: the organisations named on their open
    pathways, and the kinds of organisation an open pathway takes from every one of. One query."""

    def __init__(self, site_ids, today: datetime.date):
        self.named: dict[int, set[int]] = defaultdict(set)
        self.every: dict[int, set[str]] = defaultdict(set)
        rows = (
            Pathway.objects.open_on(today)
            .filter(site__in=site_ids)
            .values_list("site_id", "source_type", "organisations")
        )
        for site_id, source_type, organisation_id in rows:
            if organisation_id is None:
                self.every[site_id].add(source_type)
            else:
                self.named[site_id].add(organisation_id)

    def may_refer(self, site_id: int, organisation_pk: int, source_type: str) -> bool:
        return organisation_pk in self.named[site_id] or source_type in self.every[site_id]


# --- Gone quiet: each site's own number of days -----------------------------------------------


def quiet_after_days_at(site_ids) -> dict[int, int]:
    """Each site's number of days after which a referrer has gone quiet (the default where a
    site has not chosen)."""
    chosen = dict(
        SiteEngagementSettings.objects.filter(site__in=site_ids).values_list(
            "site_id", "quiet_after_days"
        )
    )
    return {pk: chosen.get(pk, DEFAULT_QUIET_AFTER_DAYS) for pk in site_ids}


def quiet_after_days(site: Site) -> int:
    return quiet_after_days_at([site.pk])[site.pk]


# --- A partner's figures ------------------------------------------------------------------------


@dataclass
class Figures:
    """What a partner sent (referring) or received (receiving), at the sites asked about."""

    months: list[datetime.date]
    per_month: dict[datetime.date, int]
    last_at: datetime.datetime | None
    days_since_last: int | None
    in_recent_days: int
    in_12_months: int
    # Referring only: per site, the days since its last referral there and whether that is
    # gone quiet by the site's own number of days.
    quiet: list[dict] = field(default_factory=list)

    @property
    def total_charted(self) -> int:
        return sum(self.per_month.values())


def _sent(partner: Partner, sites) -> tuple[QuerySet, str]:
    """The rows counted for the partner (referrals, or social prescriptions sent to it) and the
    name of the moment each is counted at."""
    if partner.is_referring:
        rows = Referral.objects.filter(referring_organisation=partner.organisation, site__in=sites)
        return rows, "received_at"
    rows = PrescriptionUpdate.objects.filter(
        to_status=PrescriptionStatus.SENT,
        prescription__service__organization=partner.organisation,
        prescription__referral__site__in=sites,
    )
    return rows, "at"


def figures_for(partner: Partner, sites: list[Site], today: datetime.date) -> Figures:
    """The partner's referrals (or social prescriptions) at these sites: per month over the
    chart's months, the last one, and how many in the last 90 days and 12 months."""
    rows, moment = _sent(partner, sites)
    months = chart_months(today)
    totals = rows.order_by().aggregate(
        last=Max(moment),
        recent=Count("pk", filter=Q(**{f"{moment}__gte": start_of(today) - _days(RECENT_DAYS)})),
        year=Count("pk", filter=Q(**{f"{moment}__gte": start_of(year_before(today))})),
    )
    per_month = dict.fromkeys(months, 0)
    monthly = (
        rows.filter(**{f"{moment}__gte": start_of(months[0])})
        .order_by()
        .annotate(month=TruncMonth(moment))
        .values("month")
        .annotate(n=Count("pk"))
    )
    for row in monthly:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = timezone.localtime(month).date() if timezone.is_aware(month) else month.date()
        month = month.replace(day=1)
        if month in per_month:
            per_month[month] += row["n"]
    figures = Figures(
        months=months,
        per_month=per_month,
        last_at=totals["last"],
        days_since_last=days_since(totals["last"], today),
        in_recent_days=totals["recent"],
        in_12_months=totals["year"],
    )
    if partner.is_referring:
        figures.quiet = _quiet_at_each_site(partner, rows, sites, today)
    return figures


def _days(count: int) -> datetime.timedelta:
    return datetime.timedelta(days=count)


def _quiet_at_each_site(partner, referrals: QuerySet, sites: list[Site], today) -> list[dict]:
    last_at = dict(
        referrals.order_by()
        .values("site_id")
        .annotate(last=Max("received_at"))
        .values_list("site_id", "last")
    )
    limits = quiet_after_days_at([site.pk for site in sites])
    routes = OpenRoutes([site.pk for site in sites], today)
    organisation = partner.organisation
    rows = []
    for site in sites:
        days = days_since(last_at.get(site.pk), today)
        may_refer = routes.may_refer(site.pk, organisation.pk, organisation.source_type)
        rows.append(
            {
                "site": site,
                "days": days,
                "last_at": last_at.get(site.pk),
                "quiet_after_days": limits[site.pk],
                "gone_quiet": has_gone_quiet(days, limits[site.pk], may_refer=may_refer),
            }
        )
    return rows


# --- The partners list (one site) -------------------------------------------------------------


@dataclass
class PartnerRow:
    kind: str
    organisation: Organisation | Organization
    site: Site
    last_at: datetime.datetime | None
    in_12_months: int
    last_activity_on: datetime.date | None
    last_activity_kind: str
    days_since_last: int | None = None
    gone_quiet: bool = False

    @property
    def url(self) -> str:
        return partner_url(self.kind, self.organisation.pk, self.site)

    @property
    def type_label(self) -> str:
        if self.kind == PartnerKind.REFERRING:
            return self.organisation.get_source_type_display()
        return _("Community organisation")

    @property
    def last_activity_label(self) -> str:
        return ActivityKind(self.last_activity_kind).label if self.last_activity_kind else ""


def _count(rows: QuerySet, group_by: str):
    """The number of `rows` (already narrowed to one outer row by an OuterRef) as a subquery."""
    counted = rows.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _latest(rows: QuerySet, field_name: str, order: str):
    return Subquery(rows.order_by(f"-{order}", "-pk").values(field_name)[:1])


def _activity_annotations(key: str, site: Site) -> dict:
    activities = EngagementActivity.objects.filter(**{key: OuterRef("pk")}, site=site)
    return {
        "last_activity_on": _latest(activities, "happened_on", "happened_on"),
        "last_activity_kind": _latest(activities, "kind", "happened_on"),
    }


def referring_partners(site: Site, today: datetime.date) -> list[PartnerRow]:
    """The organisations that refer to the site (see the module's docstring), each with its
    last referral there, how many in the last 12 months, the last engagement there, and whether
    it has gone quiet. One query, however many there are."""
    named = Pathway.organisations.through.objects.filter(
        organisation=OuterRef("pk"), pathway__site=site
    )
    referrals = Referral.objects.filter(referring_organisation=OuterRef("pk"), site=site)
    engaged = EngagementActivity.objects.filter(referring_organisation=OuterRef("pk"), site=site)
    year_ago = start_of(year_before(today))
    organisations = Organisation.objects.filter(
        Exists(named) | Exists(referrals) | Exists(engaged)
    ).annotate(
        last_at=_latest(referrals, "received_at", "received_at"),
        in_12_months=_count(referrals.filter(received_at__gte=year_ago), "referring_organisation"),
        **_activity_annotations("referring_organisation", site),
    )
    limit = quiet_after_days(site)
    routes = OpenRoutes([site.pk], today)
    rows = []
    for organisation in organisations:
        row = PartnerRow(
            kind=PartnerKind.REFERRING,
            organisation=organisation,
            site=site,
            last_at=organisation.last_at,
            in_12_months=organisation.in_12_months,
            last_activity_on=organisation.last_activity_on,
            last_activity_kind=organisation.last_activity_kind or "",
            days_since_last=days_since(organisation.last_at, today),
        )
        row.gone_quiet = has_gone_quiet(
            row.days_since_last,
            limit,
            may_refer=routes.may_refer(site.pk, organisation.pk, organisation.source_type),
        )
        rows.append(row)
    rows.sort(key=lambda r: (SOURCE_ORDER.get(r.organisation.source_type, 99), r.organisation.name))
    return rows


def others_that_may_refer(site: Site, listed: list[PartnerRow], today) -> QuerySet[Organisation]:
    """Organisations not (yet) listed that may refer to the site, through an open pathway that
    takes every organisation of their type: their pages are where engagement with them starts."""
    types = _open_to_every_organisation(today).filter(site=site).values("source_type")
    return Organisation.objects.filter(source_type__in=types).exclude(
        pk__in=[row.organisation.pk for row in listed]
    )


def receiving_partners(site: Site, today: datetime.date) -> list[PartnerRow]:
    """The community organisations people at the site are referred on to (see the module's
    docstring), each with its last social prescription from the site, how many in the last 12
    months, and the last engagement there. One query, however many there are."""
    serving = Service.objects.serving(site).filter(organization=OuterRef("pk"))
    prescribed = SocialPrescription.objects.filter(
        service__organization=OuterRef("pk"), referral__site=site
    )
    engaged = EngagementActivity.objects.filter(receiving_organisation=OuterRef("pk"), site=site)
    sent = PrescriptionUpdate.objects.filter(
        to_status=PrescriptionStatus.SENT,
        prescription__service__organization=OuterRef("pk"),
        prescription__referral__site=site,
    )
    year_ago = start_of(year_before(today))
    organisations = (
        Organization.objects.filter(Exists(serving) | Exists(prescribed) | Exists(engaged))
        .annotate(
            last_at=_latest(sent, "at", "at"),
            in_12_months=_count(
                sent.filter(at__gte=year_ago), "prescription__service__organization"
            ),
            **_activity_annotations("receiving_organisation", site),
        )
        .order_by("name", "pk")
    )
    return [
        PartnerRow(
            kind=PartnerKind.RECEIVING,
            organisation=organisation,
            site=site,
            last_at=organisation.last_at,
            in_12_months=organisation.in_12_months,
            last_activity_on=organisation.last_activity_on,
            last_activity_kind=organisation.last_activity_kind or "",
            days_since_last=days_since(organisation.last_at, today),
        )
        for organisation in organisations
    ]


# --- The manager's home page: gone quiet, and how concentrated GP referrals are ---------------


@dataclass
class QuietReferrer:
    site: Site
    organisation_pk: int
    name: str
    source_type: str
    days: int
    last_on: datetime.date

    @property
    def url(self) -> str:
        return partner_url(PartnerKind.REFERRING, self.organisation_pk, self.site)

    @property
    def type_label(self) -> str:
        return SourceType(self.source_type).label


@dataclass
class GPConcentration:
    """At one site, over the last 12 months: the practice that sent the most GP referrals, its
    share of them, and how many of the site's practices sent none."""

    site: Site
    total: int
    practices: int
    silent: int
    top_pk: int | None = None
    top_name: str = ""
    top_count: int = 0

    @property
    def share(self) -> int:
        return round(100 * self.top_count / self.total) if self.total else 0

    @property
    def top_url(self) -> str:
        return partner_url(PartnerKind.REFERRING, self.top_pk, self.site) if self.top_pk else ""


@dataclass
class ReferrerSummary:
    quiet: list[QuietReferrer]
    concentration: list[GPConcentration]


def referrer_summary(sites: list[Site], today: datetime.date) -> ReferrerSummary:
    """For the manager's home page, at each of their sites: the referring organisations that
    have gone quiet (longest quiet first), and how concentrated GP referrals were over the last
    12 months. A fixed number of aggregate queries, however many organisations and sites."""
    site_ids = [site.pk for site in sites]
    by_pk = {site.pk: site for site in sites}
    limits = quiet_after_days_at(site_ids)
    routes = OpenRoutes(site_ids, today)
    sent = _sent_by_organisation(site_ids, today)
    quiet = []
    gp_sent: dict[int, dict[int, tuple[str, int]]] = defaultdict(dict)
    for row in sent:
        site_id, pk = row["site_id"], row["referring_organisation_id"]
        name = row["referring_organisation__name"]
        source_type = row["referring_organisation__source_type"]
        days = days_since(row["last"], today)
        may_refer = routes.may_refer(site_id, pk, source_type)
        if has_gone_quiet(days, limits[site_id], may_refer=may_refer):
            quiet.append(
                QuietReferrer(
                    by_pk[site_id], pk, name, source_type, days, timezone.localdate(row["last"])
                )
            )
        if source_type == SourceType.GP_PRACTICE:
            gp_sent[site_id][pk] = (name, row["year"])
    practices = _gp_practices_at(site_ids)
    for site_id, sent_by in gp_sent.items():
        practices[site_id] |= set(sent_by)
    concentration = []
    for site in sites:
        sent_by = gp_sent.get(site.pk, {})
        counted = {pk: count for pk, (_name, count) in sent_by.items() if count}
        row = GPConcentration(
            site=site,
            total=sum(counted.values()),
            practices=len(practices[site.pk]),
            silent=len(practices[site.pk]) - len(counted),
        )
        if counted:
            top = min(counted, key=lambda pk: (-counted[pk], sent_by[pk][0], pk))
            row.top_pk, row.top_name, row.top_count = top, sent_by[top][0], counted[top]
        if row.practices:
            concentration.append(row)
    quiet.sort(key=lambda q: (-q.days, q.name, q.site.name))
    return ReferrerSummary(quiet=quiet, concentration=concentration)


# How long the referrals each organisation sent are kept in the cache: the key changes with the
# day and with each new referral at the sites, so this only bounds how long an entry nobody
# asks for again takes space.
SENT_CACHE_SECONDS = 60 * 60


def _sent_by_organisation(site_ids: list[int], today: datetime.date) -> list[dict]:
    """For each site and organisation that referred there: its name and kind, its latest
    referral and how many it sent in the last 12 months. An aggregate over every referral at
    the sites (half a second at 500,000 referrals), so it is cached, keyed by the sites, the day
    and the newest referral there: a new referral is counted at once. Organisation names and
    counts only, no one's personal data."""
    newest = Referral.objects.filter(site__in=site_ids).aggregate(newest=Max("pk"))["newest"]
    key = "engagement:sent:" + ",".join(map(str, sorted(site_ids))) + f":{today}:{newest}"
    rows = cache.get(key)
    if rows is None:
        year_ago = start_of(year_before(today))
        rows = list(
            Referral.objects.filter(site__in=site_ids, referring_organisation__isnull=False)
            .order_by()
            .values(
                "site_id",
                "referring_organisation_id",
                "referring_organisation__name",
                "referring_organisation__source_type",
            )
            .annotate(
                last=Max("received_at"), year=Count("pk", filter=Q(received_at__gte=year_ago))
            )
        )
        cache.set(key, rows, SENT_CACHE_SECONDS)
    return rows


def _gp_practices_at(site_ids) -> dict[int, set[int]]:
    """The GP practices each site counts as partners apart from those that referred: named on
    one of its pathways, or engaged there."""
    practices: dict[int, set[int]] = defaultdict(set)
    named = Pathway.organisations.through.objects.filter(
        pathway__site__in=site_ids, organisation__source_type=SourceType.GP_PRACTICE
    ).values_list("pathway__site_id", "organisation_id")
    engaged = EngagementActivity.objects.filter(
        site__in=site_ids, referring_organisation__source_type=SourceType.GP_PRACTICE
    ).values_list("site_id", "referring_organisation_id")
    for site_id, pk in [*named, *engaged]:
        practices[site_id].add(pk)
    return practices

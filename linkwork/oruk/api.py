"""The published ORUK API (read-only): the community directory as Open Referral UK, the UK
profile of HSDS 3.0, for partner directories and web pages. Mounted at /api/oruk/.

Public directory data only, for anyone: no sign-in, no session, no cookies; GET (and HEAD and a
CORS preflight OPTIONS) only, rate-limited per client address. Every answer is JSON, errors too:
`{"error": "..."}` with 400 for a bad parameter, 404 for an unknown id or path, 405 for any other
method and 429 past the rate limit. What each record carries, and what it never carries, is in
`serialisers.py`; the parameters and paging are described in docs/developer/oruk-api.md.
"""

import datetime
import functools
import math
import re
import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.decorators import ratelimit

from linkwork.directory.models import (
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    Taxonomy,
    TaxonomyTerm,
)

from . import serialisers

HSDS_VERSION = "3.0"
# Where the UK profile is described, and the OpenAPI description this API follows. A deployment
# that publishes its own OpenAPI file can point to it with ORUK_OPENAPI_URL.
DEFAULT_PROFILE_URL = "https://docs.openreferraluk.org/en/latest/"
DEFAULT_OPENAPI_URL = "https://openreferraluk.org/specifications/3.0/openapi.json"
# Generous: a partner's web page or a nightly harvest should never meet it.
DEFAULT_RATE = "600/m"

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_AGE = 200
MAX_SEARCH_LENGTH = 200
READ_METHODS = ("GET", "HEAD")
ALLOW = "GET, HEAD, OPTIONS"

DAYS = {
    "MO": ("MON", "MONDAY"),
    "TU": ("TUE", "TUESDAY"),
    "WE": ("WED", "WEDNESDAY"),
    "TH": ("THU", "THURSDAY"),
    "FR": ("FRI", "FRIDAY"),
    "SA": ("SAT", "SATURDAY"),
    "SU": ("SUN", "SUNDAY"),
}
DAY_CODES = {name: code for code, names in DAYS.items() for name in (code, *names)}

_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")
_AGE = re.compile(r"[0-9]{1,6}(\.[0-9]{1,6})?")
_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?")


class ApiError(Exception):
    """Answered as `{"error": message}` (with the parameter's name when it is one)."""

    def __init__(self, status: int, message: str, parameter: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter

    def response(self) -> JsonResponse:
        body = {"error": self.message}
        if self.parameter:
            body["parameter"] = self.parameter
        return JsonResponse(body, status=self.status)


def bad_parameter(name: str, message: str) -> ApiError:
    return ApiError(400, message, parameter=name)


# --- Every endpoint -------------------------------------------------------------------------


def _rate(group, request) -> str:
    return getattr(settings, "ORUK_API_RATE", DEFAULT_RATE)


def endpoint(view):
    """A public, read-only JSON endpoint: `view` returns the body as a dict or raises ApiError.

    No sign-in (`login_not_required`) and no CSRF check: nothing here changes anything, and a
    POST must reach the view to be told 405 in JSON rather than 403 in HTML.
    """

    @functools.wraps(view)
    def answer(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = ALLOW
            response["Access-Control-Allow-Methods"] = ALLOW
            response["Access-Control-Allow-Headers"] = "Accept, Accept-Language, Content-Type"
            response["Access-Control-Max-Age"] = "86400"
        elif request.method not in READ_METHODS:
            response = ApiError(405, "This API is read-only: use GET.").response()
            response["Allow"] = ALLOW
        elif getattr(request, "limited", False):
            response = ApiError(429, "Too many requests: try again in a minute.").response()
            response["Retry-After"] = "60"
        else:
            try:
                _check_query_string(request)
                response = JsonResponse(view(request, *args, **kwargs))
            except ApiError as error:
                response = error.response()
        response["Access-Control-Allow-Origin"] = "*"
        return response

    limited = ratelimit(key="ip", group="oruk-api", rate=_rate, block=False)(answer)
    return login_not_required(csrf_exempt(limited))


def _check_query_string(request: HttpRequest) -> None:
    try:
        pairs = list(request.GET.lists())
    except SuspiciousOperation as error:  # too many fields
        raise ApiError(400, "The query string is too long.") from error
    for name, values in pairs:
        if "\x00" in name or any("\x00" in value for value in values):
            raise bad_parameter(name.replace("\x00", ""), "Parameters may not contain NUL.")


# --- Parameters -----------------------------------------------------------------------------


def _text(request: HttpRequest, name: str) -> str | None:
    """The parameter's value (the last, if repeated), or None when absent or blank."""
    value = request.GET.get(name)
    if value is None:
        return None
    return value.strip() or None


def _whole_number(
    request: HttpRequest, name: str, *, default: int, maximum: int | None = None
) -> int:
    value = _text(request, name)
    if value is None:
        return default
    limit = f" from 1 to {maximum}" if maximum else " of 1 or more"
    if not _WHOLE_NUMBER.fullmatch(value) or int(value) < 1:
        raise bad_parameter(name, f"{name} must be a whole number{limit}.")
    if maximum is not None and int(value) > maximum:
        raise bad_parameter(name, f"{name} must be a whole number{limit}.")
    return int(value)


def _uuid(value: str, name: str) -> uuid.UUID:
    try:
        if len(value) > 64:
            raise ValueError
        return uuid.UUID(value)
    except ValueError as error:
        raise bad_parameter(name, f"{name} must be an id (a UUID).") from error


def _uuid_param(request: HttpRequest, name: str) -> uuid.UUID | None:
    value = _text(request, name)
    return None if value is None else _uuid(value, name)


def _age(request: HttpRequest, name: str) -> Decimal | None:
    value = _text(request, name)
    if value is None:
        return None
    if not _AGE.fullmatch(value) or Decimal(value) > MAX_AGE:
        raise bad_parameter(name, f"{name} must be an age in years, from 0 to {MAX_AGE}.")
    return Decimal(value)


def _moment(request: HttpRequest, name: str) -> datetime.datetime | None:
    """An ISO 8601 date or date and time; without an offset, it is taken as UTC."""
    value = _text(request, name)
    if value is None:
        return None
    message = f"{name} must be an ISO 8601 date or date and time, such as 2025-04-01T09:00:00Z."
    try:
        if len(value) > 64:
            raise ValueError
        moment = datetime.datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        return moment.astimezone(datetime.UTC)
    except (ValueError, OverflowError) as error:
        raise bad_parameter(name, message) from error


def _time(request: HttpRequest, name: str) -> datetime.time | None:
    value = _text(request, name)
    if value is None:
        return None
    if not _TIME.fullmatch(value):
        raise bad_parameter(name, f"{name} must be a time of day as HH:MM or HH:MM:SS.")
    return datetime.time.fromisoformat(value)


def _day(request: HttpRequest) -> str | None:
    value = _text(request, "day")
    if value is None:
        return None
    code = DAY_CODES.get(value.upper())
    if code is None:
        raise bad_parameter(
            "day", "day must be a day of the week: MO, TU, WE, TH, FR, SA, SU or its name."
        )
    return code


# --- Filters and paging ---------------------------------------------------------------------


def filter_services(request: HttpRequest, services: QuerySet) -> QuerySet:
    """The `/services` (and `/service_at_locations`) filters, all of which must hold (AND)."""
    search = _text(request, "search")
    if search is not None and len(search) > MAX_SEARCH_LENGTH:
        raise bad_parameter("search", f"search must be at most {MAX_SEARCH_LENGTH} characters.")
    term_id = _uuid_param(request, "taxonomy_term_id")
    taxonomy_id = _uuid_param(request, "taxonomy_id")
    organization_id = _uuid_param(request, "organization_id")
    minimum_age = _age(request, "minimum_age")
    maximum_age = _age(request, "maximum_age")
    modified_after = _moment(request, "modified_after")
    day = _day(request)
    start_time = _time(request, "start_time")
    end_time = _time(request, "end_time")

    for word in (search or "").split():
        # Every word somewhere: the name, the description, the organisation or a category.
        services = services.filter(
            Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(organization__name__icontains=word)
            | Q(
                pk__in=ServiceAttribute.objects.filter(taxonomy_term__name__icontains=word).values(
                    "service_id"
                )
            )
        )
    if term_id is not None:
        services = services.filter(
            pk__in=ServiceAttribute.objects.filter(taxonomy_term__uuid=term_id).values("service_id")
        )
    if taxonomy_id is not None:
        services = services.filter(
            pk__in=ServiceAttribute.objects.filter(
                taxonomy_term__taxonomy__uuid=taxonomy_id
            ).values("service_id")
        )
    if organization_id is not None:
        services = services.filter(organization__uuid=organization_id)
    # As the ORUK OpenAPI description defines them: a minimum age of at least the value, a
    # maximum age of at most the value. A service with no minimum (maximum) age set is left out.
    if minimum_age is not None:
        services = services.filter(minimum_age__gte=math.ceil(minimum_age))
    if maximum_age is not None:
        services = services.filter(maximum_age__lte=math.floor(maximum_age))
    if modified_after is not None:
        # HSDS: "modified on or after this datetime".
        services = services.filter(last_modified__gte=modified_after)

    # Day and times: one of the service's own schedules must match them all.
    when = Q()
    if day is not None:
        when &= Q(byday__icontains=day) | (Q(freq__iexact="DAILY") & Q(byday=""))
    if start_time is not None:
        when &= Q(opens_at__gte=start_time)
    if end_time is not None:
        when &= Q(closes_at__lte=end_time)
    if when:
        services = services.filter(
            pk__in=Schedule.objects.filter(when, service__isnull=False).values("service_id")
        )
    return services


def page_of(request: HttpRequest, queryset: QuerySet, serialise) -> dict:
    """One page of `queryset` in the profile's paging wrapper.

    `size` is the number of items on this page (the profile's "number of entities in the
    current page"). A page past the end answers 200 with empty `contents`.
    """
    page = _whole_number(request, "page", default=1)
    per_page = _whole_number(request, "per_page", default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)
    total = queryset.count()
    total_pages = math.ceil(total / per_page)
    start = (page - 1) * per_page
    items = list(queryset[start : start + per_page]) if start < total else []
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(items),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not items,
        "contents": [serialise(item) for item in items],
    }


def _one(queryset: QuerySet, record_id: str, kind: str):
    key = _uuid(record_id, "id")
    try:
        return queryset.get(uuid=key)
    except queryset.model.DoesNotExist as error:
        raise ApiError(404, f"There is no {kind} with the id {key}.") from error


def _services() -> QuerySet:
    return Service.objects.order_by("name", "pk")


# --- Endpoints ------------------------------------------------------------------------------


@endpoint
def root(request: HttpRequest) -> dict:
    return {
        "version": HSDS_VERSION,
        "profile": getattr(settings, "ORUK_PROFILE_URL", DEFAULT_PROFILE_URL),
        "openapi_url": getattr(settings, "ORUK_OPENAPI_URL", DEFAULT_OPENAPI_URL),
    }


@endpoint
def services(request: HttpRequest) -> dict:
    found = filter_services(request, _services().select_related("organization"))
    return page_of(request, found, serialisers.service_summary)


@endpoint
def service(request: HttpRequest, record_id: str) -> dict:
    item = _one(serialisers.prefetch_full(Service.objects.all()), record_id, "service")
    return serialisers.service_full(item)


@endpoint
def service_at_locations(request: HttpRequest) -> dict:
    for unsupported in ("postcode", "proximity"):
        if _text(request, unsupported) is not None:
            raise bad_parameter(unsupported, f"This directory cannot search by {unsupported}.")
    found = ServiceAtLocation.objects.filter(
        service__in=filter_services(request, Service.objects.all()).values("pk")
    )
    found = found.select_related("location", "service__organization").order_by(
        "service__name", "service__pk", "location__name", "pk"
    )
    return page_of(request, found, serialisers.service_at_location_summary)


@endpoint
def service_at_location(request: HttpRequest, record_id: str) -> dict:
    queryset = serialisers.prefetch_service_at_location_full(ServiceAtLocation.objects.all())
    item = _one(queryset, record_id, "service at location")
    return serialisers.service_at_location_full(item)


@endpoint
def location(request: HttpRequest, record_id: str) -> dict:
    item = _one(serialisers.prefetch_location(Location.objects.all()), record_id, "location")
    return serialisers.location_full(item)


@endpoint
def organizations(request: HttpRequest) -> dict:
    found = Organization.objects.order_by("name", "pk")
    return page_of(request, found, serialisers.organization)


@endpoint
def organization(request: HttpRequest, record_id: str) -> dict:
    queryset = serialisers.prefetch_organization_full(Organization.objects.all())
    return serialisers.organization_full(_one(queryset, record_id, "organization"))


@endpoint
def taxonomies(request: HttpRequest) -> dict:
    return page_of(request, Taxonomy.objects.order_by("name", "pk"), serialisers.taxonomy)


@endpoint
def taxonomy(request: HttpRequest, record_id: str) -> dict:
    terms = serialisers.prefetch_taxonomy_terms(TaxonomyTerm.objects.order_by("name", "pk"))
    queryset = Taxonomy.objects.prefetch_related(Prefetch("terms", queryset=terms))
    item = _one(queryset, record_id, "taxonomy")
    return serialisers.taxonomy(item, with_terms=True)


@endpoint
def taxonomy_terms(request: HttpRequest) -> dict:
    found = serialisers.prefetch_taxonomy_terms(TaxonomyTerm.objects.order_by("name", "pk"))
    taxonomy_id = _uuid_param(request, "taxonomy_id")
    if taxonomy_id is not None:
        found = found.filter(taxonomy__uuid=taxonomy_id)
    return page_of(request, found, serialisers.taxonomy_term)


@endpoint
def taxonomy_term(request: HttpRequest, record_id: str) -> dict:
    queryset = serialisers.prefetch_taxonomy_terms(TaxonomyTerm.objects.all())
    return serialisers.taxonomy_term(_one(queryset, record_id, "taxonomy term"))


@endpoint
def not_found(request: HttpRequest) -> dict:
    raise ApiError(404, "There is nothing at this address. The API starts at /api/oruk/.")


def _route(path: str, view, name: str):
    """`path` with or without a trailing slash: API clients are not redirected."""
    return re_path(rf"^{path}/?$", view, name=name)


_ID = r"(?P<record_id>[^/]+)"

urlpatterns = [
    re_path(r"^$", root, name="root"),
    _route("services", services, "services"),
    _route(f"services/{_ID}", service, "service"),
    _route("service_at_locations", service_at_locations, "service_at_locations"),
    _route(f"service_at_locations/{_ID}", service_at_location, "service_at_location"),
    _route(f"locations/{_ID}", location, "location"),
    _route("organizations", organizations, "organizations"),
    _route(f"organizations/{_ID}", organization, "organization"),
    _route("taxonomies", taxonomies, "taxonomies"),
    _route(f"taxonomies/{_ID}", taxonomy, "taxonomy"),
    _route("taxonomy_terms", taxonomy_terms, "taxonomy_terms"),
    _route(f"taxonomy_terms/{_ID}", taxonomy_term, "taxonomy_term"),
    # Anything else under /api/oruk/ is a JSON 404, not the site's HTML page.
    re_path(r"^[\s\S]*$", not_found, name="not_found"),
]

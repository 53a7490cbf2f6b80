"""Import a feed in the Open Referral UK (ORUK) profile of HSDS 3.0 into the directory.

What it takes: one service, organisation (with its `services`), location, service at location,
taxonomy (with its `taxonomy_terms`) or taxonomy term; a page of a list (`contents`,
`total_pages`, `page_number`), or, from a URL, every page of it; a JSON list of records; or a
whole dataset, an object of lists (`organizations`, `services`, `locations`,
`service_at_locations`, `taxonomies`, `taxonomy_terms`, and details such as `phones`,
`schedules`, `addresses`) that refer to each other by `organization_id`, `service_id`,
`location_id`, `taxonomy_term_id`, `parent_id` and so on. A record nested in another (a service's
`organization`, a service at location's `location`, an attribute's `taxonomy_term`) is a
record of its own.

Three steps:

1. **Collect** (`_Feed.collect`): walk the feed and gather each record by kind and id. A record
   met more than once (the same organisation nested in every service of a list) is merged; if
   two copies disagree on a field, the record is rejected as a duplicate id.
2. **Check** (`_Feed.check`): every record is checked against what Linkwork needs, without
   writing. A record that cannot stand is rejected with its reasons; a bad optional value is
   dropped with a warning. Progress is reported record by record.
3. **Apply** (`_Feed.apply`): one transaction creates or updates each record by its id and
   writes the audit line. A record whose fields and details all match is not written at all,
   so a second run of the same feed changes nothing. Any exception rolls the whole import back.
   The records' details are read all at once beforehand, compared in memory and written in
   bulk (`_DetailStore`), so an unchanged feed costs a few queries per 500 records.

Fields the feed leaves out are left as they are; a field given empty is cleared. A detail
collection the feed gives (`phones`, `schedules`, ..., even `[]`) replaces the record's own;
one it leaves out is left alone. Nothing is ever deleted but details and services' places
(service at location) of records in the feed. Linkwork's own fields (how to refer, local notes,
sites, who keeps the entry up to date, checks) are never touched.

Report messages are stored as (English text, parameters) and translated when shown
(`render_message`), so a Welsh-speaking manager reads the report in Welsh.
"""

from __future__ import annotations

import datetime
import decimal
import ipaddress
import json
import logging
import re
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop

from linkwork.audit import service as audit
from linkwork.audit.models import AuditAction
from linkwork.directory.models import (
    AVAILABILITY_FOR_ORUK_STATUS,
    Accessibility,
    Address,
    Availability,
    AvailabilityChange,
    Contact,
    CostOption,
    DirectoryImport,
    ImportStatus,
    Language,
    Location,
    Organization,
    OrganizationIdentifier,
    Phone,
    ReferralMethod,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceAttribute,
    Taxonomy,
    TaxonomyTerm,
)

logger = logging.getLogger(__name__)

# Limits on what is read.
MAX_FEED_BYTES = 20 * 1024 * 1024  # all the pages of a URL together
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # an uploaded file
MAX_PAGES = 1000
FETCH_TIMEOUT = 30.0  # seconds, for each page

# A progress callback: progress(stage, done, total), stage one of STAGES.
STAGES = ("fetching", "checking", "saving")
Progress = Callable[[str, int, int], None]

CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"
RESULTS = (CREATED, UPDATED, UNCHANGED, REJECTED)
ERROR, WARNING, INFO = "error", "warning", "info"

# --- Messages ---------------------------------------------------------------------------------
# English text with %(name)s parameters, translated when shown. "kind" parameters are record
# kinds (KIND_NOUNS); "reason" parameters are messages themselves.

M_MISSING = gettext_noop("required field '%(field)s' is missing")
M_NOT_UUID = gettext_noop("its id %(value)s is not a UUID")
M_DUPLICATE = gettext_noop(
    "its id is used more than once in the feed, with different details ('%(field)s' differs)"
)
M_CHILD_DUPLICATE = gettext_noop("its id is used more than once in the feed")
M_NOT_OBJECT = gettext_noop("it is not a JSON object")
M_UNKNOWN_KIND = gettext_noop("Linkwork cannot tell what kind of ORUK record this is")
M_BAD_STATUS = gettext_noop(
    "status %(value)s is not one of: active, inactive, defunct, temporarily closed"
)
M_NO_ORGANISATION = gettext_noop(
    "it has no organisation: the feed must give 'organization' or 'organization_id'"
)
M_UNKNOWN_REF = gettext_noop(
    "'%(field)s' refers to %(kind)s %(id)s, which is neither in the feed nor in the directory"
)
M_REJECTED_REF = gettext_noop("'%(field)s' refers to %(kind)s %(id)s, which was rejected")
M_REF_LEFT_OUT = gettext_noop(
    "'%(field)s' refers to %(kind)s %(id)s, which is neither in the feed nor in the directory: "
    "left out"
)
M_REJECTED_REF_LEFT_OUT = gettext_noop(
    "'%(field)s' refers to %(kind)s %(id)s, which was rejected: left out"
)
M_OWN_PARENT = gettext_noop("'%(field)s' is the term's own id: left out")
M_OWNER_NOT_IN_FEED = gettext_noop(
    "'%(field)s' refers to %(kind)s %(id)s, which is not in this feed (details are imported "
    "with the record they belong to)"
)
M_NO_OWNER = gettext_noop("it does not say which record it belongs to")
M_NOT_SERVICE_ATTRIBUTE = gettext_noop("Linkwork imports the attributes of services only")
M_WANTED = gettext_noop("the standard requires '%(field)s', which is missing")
M_NOT_TEXT = gettext_noop("'%(field)s' is not text")
M_NOT_LIST = gettext_noop("'%(field)s' is not a list: left out")
M_TOO_LONG = gettext_noop("'%(field)s' is longer than %(limit)s characters: shortened")
M_BAD_URL = gettext_noop(
    "'%(field)s' %(value)s is not a web address starting with http:// or https://"
)
M_BAD_EMAIL = gettext_noop("'%(field)s' %(value)s is not an email address")
M_BAD_PHONE = gettext_noop("'%(field)s' %(value)s is not a phone number")
M_BAD_COORDINATE = gettext_noop(
    "'%(field)s' %(value)s is impossible (it must be between %(low)s and %(high)s)"
)
M_COORDINATE_ALONE = gettext_noop(
    "'%(field)s' %(value)s left out: a place needs both a latitude and a longitude"
)
M_BAD_AGE = gettext_noop("'%(field)s' %(value)s is not an age in whole years from 0 to 150")
M_AGES_REVERSED = gettext_noop(
    "the minimum age (%(low)s) is above the maximum age (%(high)s): both left out"
)
M_BAD_NUMBER = gettext_noop("'%(field)s' %(value)s is not a whole number of 0 or more")
M_BAD_AMOUNT = gettext_noop("'%(field)s' %(value)s is not an amount of 0 or more")
M_BAD_DATE = gettext_noop("'%(field)s' %(value)s is not a date (YYYY-MM-DD)")
M_BAD_TIME = gettext_noop("'%(field)s' %(value)s is not a time (HH:MM)")
M_BAD_CHOICE = gettext_noop("'%(field)s' %(value)s is not one of: %(choices)s")
M_BAD_CODE = gettext_noop("'%(field)s' %(value)s is not a %(length)s-letter code")
M_BAD_UUID_FIELD = gettext_noop("'%(field)s' %(value)s is not a UUID")
M_DROPPED = gettext_noop("%(reason)s: left out")
M_CHILD_LEFT_OUT = gettext_noop("%(kind)s (id %(id)s) left out: %(reason)s")
M_CHILD_WARNING = gettext_noop("%(kind)s (id %(id)s): %(reason)s")
M_CHANGED = gettext_noop("changed: %(fields)s")
M_AVAILABILITY = gettext_noop("availability changed from %(before)s to %(after)s")
M_PAGE_ONLY = gettext_noop(
    "this is page %(page)s of %(pages)s: only the records on this page were imported"
)
M_EMPTY = gettext_noop("the feed has no records")
M_SAL_DETAILS_IGNORED = gettext_noop(
    "details given for the service at one location only ('%(field)s') are not imported"
)

# Whole-feed failures (FeedError).
E_NOT_JSON = gettext_noop("The feed is not valid JSON (line %(line)s, column %(column)s).")
E_NOT_TEXT = gettext_noop("The feed is not text in UTF-8.")
E_NOT_A_FEED = gettext_noop(
    "The feed is not in a shape Linkwork can import: expected an ORUK service, organisation, "
    "location, taxonomy, a page of a list (with 'contents') or a dataset of lists."
)
E_URL_SCHEME = gettext_noop("The address must start with http:// or https://.")
E_HTTP_STATUS = gettext_noop(
    "Page %(page)s of the feed could not be fetched: the server answered %(status)s."
)
E_TIMEOUT = gettext_noop(
    "Page %(page)s of the feed could not be fetched: the server took too long to answer."
)
E_CONNECT = gettext_noop("Page %(page)s of the feed could not be fetched: %(problem)s.")
E_TOO_BIG = gettext_noop("The feed is larger than %(limit)s MB, the most Linkwork imports at once.")
E_PAGE_NOT_JSON = gettext_noop("Page %(page)s of the feed is not valid JSON.")
E_TOO_MANY_PAGES = gettext_noop(
    "The feed has more than %(limit)s pages, the most Linkwork imports at once."
)
E_UNEXPECTED = gettext_noop(
    "The import stopped because of an unexpected error (%(error)s). Nothing was changed."
)
P_CANNOT_CONNECT = gettext_noop("the server could not be reached")
E_ABANDONED = gettext_noop(
    "The import stopped before it finished (the background worker was restarted or stopped). "
    "Nothing was changed: start it again."
)
E_PRIVATE_HOST = gettext_noop(
    "Linkwork does not fetch feeds from addresses inside its own network. Download the feed "
    "and upload the file instead."
)

KIND_NOUNS = {
    "organization": gettext_noop("organisation"),
    "service": gettext_noop("service"),
    "location": gettext_noop("location"),
    "service_at_location": gettext_noop("service at location"),
    "taxonomy": gettext_noop("taxonomy"),
    "taxonomy_term": gettext_noop("taxonomy term"),
    "organization_identifier": gettext_noop("organisation identifier"),
    "phone": gettext_noop("phone"),
    "contact": gettext_noop("contact"),
    "schedule": gettext_noop("schedule"),
    "service_area": gettext_noop("service area"),
    "language": gettext_noop("language"),
    "cost_option": gettext_noop("cost option"),
    "attribute": gettext_noop("attribute"),
    "address": gettext_noop("address"),
    "accessibility": gettext_noop("accessibility"),
    "record": gettext_noop("record"),
    "feed": gettext_noop("feed"),
}


def message(level: str, text: str, **params) -> dict:
    return {"level": level, "text": text, "params": params}


def render_message(msg: dict) -> str:
    """A report message in the active language."""
    text = gettext(msg.get("text", ""))
    params = {}
    for name, value in (msg.get("params") or {}).items():
        if isinstance(value, dict) and "text" in value:
            params[name] = render_message(value)
        elif name == "kind" and value in KIND_NOUNS:
            params[name] = gettext(KIND_NOUNS[value])
        elif name in ("before", "after") and value in Availability.values:
            params[name] = str(Availability(value).label).lower()
        else:
            params[name] = value
    try:
        rendered = text % params
    except (KeyError, TypeError, ValueError):
        rendered = msg.get("text", "") % params if params else msg.get("text", "")
    return capfirst(rendered)


def kind_label(kind: str) -> str:
    return capfirst(gettext(KIND_NOUNS.get(kind, kind)))


class FeedError(Exception):
    """The feed as a whole cannot be imported. `message` is a report message (no personal
    data: the words are Linkwork's own)."""

    def __init__(self, text: str, **params):
        self.message = message(ERROR, text, **params)
        super().__init__(render_message(self.message))


def _show(value: Any) -> str:
    """A value from the feed, quoted and cut short, for a message."""
    try:
        shown = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        shown = repr(value)
    return shown if len(shown) <= 60 else shown[:59] + "…"


# --- The report -------------------------------------------------------------------------------


@dataclass
class Report:
    """What an import did, record by record. `entries` are dicts: kind, id, name, result and
    messages (see `DirectoryImport.report`)."""

    entries: list[dict] = field(default_factory=list)
    dry_run: bool = False
    error: dict | None = None  # the message of a failed import

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(RESULTS, 0)
        counts["warnings"] = 0
        for entry in self.entries:
            if entry["result"] in counts:
                counts[entry["result"]] += 1
            counts["warnings"] += sum(1 for m in entry["messages"] if m["level"] == WARNING)
        return counts

    def lines(self, *, with_unchanged: bool = True) -> Iterator[str]:
        """The report as text, one record (and one line per message) at a time."""
        for entry in self.entries:
            if entry["result"] == UNCHANGED and not entry["messages"] and not with_unchanged:
                continue
            if entry["kind"] == "feed":
                yield kind_label("feed") + ":"
            else:
                yield entry_heading(entry) + ": " + result_label(entry["result"])
            for msg in entry["messages"]:
                yield "    " + level_label(msg["level"]) + ": " + render_message(msg)


def entry_heading(entry: dict) -> str:
    heading = kind_label(entry["kind"])
    if entry.get("name"):
        heading += f" '{entry['name']}'"
    if entry.get("id"):
        heading += f" (id {entry['id']})"
    return heading


def result_label(result: str) -> str:
    labels = {
        CREATED: gettext_noop("created"),
        UPDATED: gettext_noop("updated"),
        UNCHANGED: gettext_noop("unchanged"),
        REJECTED: gettext_noop("rejected"),
        "failed": gettext_noop("failed"),
    }
    return gettext(labels.get(result, result))


def level_label(level: str) -> str:
    labels = {
        ERROR: gettext_noop("rejected because"),
        WARNING: gettext_noop("warning"),
        INFO: gettext_noop("note"),
    }
    return gettext(labels.get(level, level))


def totals_line(counts: dict[str, int]) -> str:
    return gettext(
        "%(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
        "%(rejected)s rejected, %(warnings)s warnings"
    ) % {name: counts.get(name, 0) for name in (*RESULTS, "warnings")}


# --- Reading the feed -------------------------------------------------------------------------


class FeedPages(list):
    """The pages of a paginated feed fetched from a URL, in order."""


def load_json(text: str | bytes) -> Any:
    """Parse a feed. Raises FeedError with the line and column of the first mistake."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise FeedError(E_NOT_TEXT) from error
    text = text.lstrip("\ufeff")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise FeedError(E_NOT_JSON, line=error.lineno, column=error.colno) from error
    except RecursionError as error:
        raise FeedError(E_NOT_A_FEED) from error


def check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise FeedError(E_URL_SCHEME)
    return url


def page_url(url: str, page: int) -> str:
    """The URL with its `page` query parameter set."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    query.append(("page", str(page)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def fetch(
    url: str,
    *,
    progress: Progress | None = None,
    timeout: float = FETCH_TIMEOUT,
    max_bytes: int = MAX_FEED_BYTES,
    transport: httpx.BaseTransport | None = None,
) -> Any:
    """Fetch a feed from an http(s) URL. A page of a list is followed by its other pages
    (`?page=N`, up to `total_pages`). Raises FeedError, with words for the user."""
    url = check_url(url)
    budget = [max_bytes]
    with httpx.Client(
        timeout=timeout,
        follow_redirects=True,
        max_redirects=5,
        headers={"Accept": "application/json", "User-Agent": "Linkwork ORUK import"},
        transport=transport,
        # Every request, redirects included, is checked before it is sent.
        event_hooks={"request": [_refuse_internal_hosts]},
    ) as client:
        first = _get_json(client, url, 1, budget)
        if not _is_page(first):
            return first
        pages = FeedPages([first])
        total = _int_or(first.get("total_pages"), 1)
        number = _int_or(first.get("page_number"), 1)
        if total > MAX_PAGES:
            raise FeedError(E_TOO_MANY_PAGES, limit=MAX_PAGES)
        if progress:
            progress("fetching", 1, max(total, 1))
        done = 1
        while number < total and not _is_last(pages[-1]):
            number += 1
            pages.append(_get_json(client, page_url(url, number), number, budget))
            done += 1
            if progress:
                progress("fetching", done, total)
        return pages


def _refuse_internal_hosts(request: httpx.Request) -> None:
    """A manager types the URL and the server fetches it: don't let that reach the server's own
    network (loopback, private, link-local addresses, such as a cloud metadata service), unless
    `DIRECTORY_IMPORT_ALLOW_INTERNAL_HOSTS` says so (tests, or a feed on the same network)."""
    if settings.DIRECTORY_IMPORT_ALLOW_INTERNAL_HOSTS:
        return
    host = request.url.host
    try:
        infos = socket.getaddrinfo(host, request.url.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise FeedError(E_CONNECT, page=1, problem=message(INFO, P_CANNOT_CONNECT)) from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise FeedError(E_PRIVATE_HOST)


def _get_json(client: httpx.Client, url: str, page: int, budget: list[int]) -> Any:
    try:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise FeedError(E_HTTP_STATUS, page=page, status=response.status_code)
            chunks = []
            for chunk in response.iter_bytes():
                budget[0] -= len(chunk)
                if budget[0] < 0:
                    raise FeedError(E_TOO_BIG, limit=MAX_FEED_BYTES // (1024 * 1024))
                chunks.append(chunk)
    except httpx.TimeoutException as error:
        raise FeedError(E_TIMEOUT, page=page) from error
    except httpx.HTTPError as error:
        raise FeedError(E_CONNECT, page=page, problem=message(INFO, P_CANNOT_CONNECT)) from error
    try:
        return load_json(b"".join(chunks))
    except FeedError as error:
        raise FeedError(E_PAGE_NOT_JSON, page=page) from error


def _is_page(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("contents"), list)


def _is_last(page: Any) -> bool:
    return not page.get("contents") or page.get("last_page") is True


def _int_or(value: Any, default: int) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return default


def kind_hint(source: str) -> str | None:
    """The kind of record a feed's address or file name suggests (/services, taxonomy.json)."""
    name = urlsplit(source or "").path.rsplit("/", 1)[-1].lower()
    for word, kind in (
        ("service_at_location", "service_at_location"),
        ("taxonomy_term", "taxonomy_term"),
        ("taxonom", "taxonomy"),
        ("organi", "organization"),
        ("location", "location"),
        ("service", "service"),
    ):
        if word in name:
            return kind
    return None


# --- Fields -----------------------------------------------------------------------------------

TEXT_TYPES = ("text", "long", "url", "email", "phone", "choice", "code")


@dataclass(frozen=True)
class F:
    """How one model field is read from the feed."""

    name: str
    type: str = "text"
    limit: int | None = None
    keys: tuple[str, ...] = ()
    required: bool = False  # the record cannot stand without it
    wanted: bool = False  # the standard requires it, Linkwork does not: a warning
    choices: tuple[str, ...] = ()
    low: int = 0
    high: int = 0
    default: Any = None  # what an empty or dropped value becomes

    @property
    def feed_keys(self) -> tuple[str, ...]:
        return self.keys or (self.name,)

    @property
    def empty(self) -> Any:
        if self.default is not None:
            return self.default
        return "" if self.type in TEXT_TYPES else None


LOCATION_TYPES = ("physical", "postal", "virtual")

ORGANIZATION_FIELDS = (
    F("name", limit=200, required=True),
    F("alternate_name", limit=200),
    F("description", "long", wanted=True),
    F("email", "email", 254),
    F("website", "url", 500),
    F("logo", "url", 500),
    F("uri", "url", 500),
    F("legal_status", limit=200),
    F("parent_uuid", "uuid", keys=("parent_organization_id",)),
)
SERVICE_FIELDS = (
    F("name", limit=200, required=True),
    F("alternate_name", limit=200),
    F("description", "long"),
    F("url", "url", 500, wanted=True),
    F("email", "email", 254),
    F("interpretation_services", "long"),
    F("application_process", "long"),
    F("fees_description", "long", keys=("fees_description", "fees")),
    F("wait_time", limit=200),
    F("accreditations", "long"),
    F("eligibility_description", "long"),
    F("minimum_age", "age"),
    F("maximum_age", "age"),
    F("assured_date", "date"),
    F("assurer_email", "email", 254),
    F("alert", "long"),
)
LOCATION_FIELDS = (
    F("location_type", "choice", choices=LOCATION_TYPES, default="physical"),
    F("url", "url", 500),
    F("name", limit=200),
    F("alternate_name", limit=200),
    F("description", "long"),
    F("transportation", "long"),
    F("latitude", "coordinate", low=-90, high=90),
    F("longitude", "coordinate", low=-180, high=180),
    F("external_identifier", limit=100),
    F("external_identifier_type", limit=50),
)
SERVICE_AT_LOCATION_FIELDS = (F("description", "long"),)
TAXONOMY_FIELDS = (
    F("name", limit=200, required=True),
    F("description", "long", wanted=True),
    F("uri", "url", 500),
    F("version", limit=50),
)
TAXONOMY_TERM_FIELDS = (
    F("code", limit=100),
    F("name", limit=200, keys=("name", "term"), required=True),
    F("description", "long", wanted=True),
    F("taxonomy_name", limit=200, keys=("taxonomy",)),
    F("language", limit=20),
    F("term_uri", "url", 500),
)
ORGANIZATION_IDENTIFIER_FIELDS = (
    F("identifier_scheme", limit=100),
    F("identifier_type", limit=100, required=True),
    F("identifier", limit=200, required=True),
)
PHONE_FIELDS = (
    F("number", "phone", 40, required=True),
    F("extension", limit=20),
    F("type", limit=20),
    F("description", limit=300),
)
CONTACT_FIELDS = (
    F("name", limit=200),
    F("title", limit=200),
    F("department", limit=200),
    F("email", "email", 254),
)
SCHEDULE_FIELDS = (
    F("valid_from", "date"),
    F("valid_to", "date"),
    F("dtstart", "date"),
    F("timezone", limit=50),
    F("until", "date"),
    F("count", "count"),
    F("wkst", "choice", choices=("MO", "TU", "WE", "TH", "FR", "SA", "SU")),
    F(
        "freq",
        "choice",
        choices=("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"),
    ),
    F("interval", "count"),
    F("byday", limit=100),
    F("byweekno", limit=100),
    F("bymonthday", limit=100),
    F("byyearday", limit=100),
    F("description", "long"),
    F("opens_at", "time"),
    F("closes_at", "time"),
    F("schedule_link", "url", 500),
    F("attending_type", limit=300),
    F("notes", "long"),
)
SERVICE_AREA_FIELDS = (
    F("name", limit=300, keys=("name", "service_area")),
    F("description", "long"),
    F("extent", "long"),
    F("extent_type", limit=20),
    F("uri", "url", 500),
)
LANGUAGE_FIELDS = (F("name", limit=100), F("code", limit=10), F("note", limit=300))
COST_OPTION_FIELDS = (
    F("valid_from", "date"),
    F("valid_to", "date"),
    F("option", limit=300),
    F("currency", "code", 3),
    F("amount", "amount"),
    F("amount_description", limit=300),
)
ATTRIBUTE_FIELDS = (F("link_type", limit=100), F("value", limit=200), F("label", limit=200))
ADDRESS_FIELDS = (
    F("attention", limit=200),
    F("address_1", limit=200, required=True),
    F("address_2", limit=200),
    F("city", limit=100, required=True),
    F("region", limit=100),
    F("state_province", limit=100),
    F("postal_code", limit=20, required=True),
    F("country", "code", 2, default="GB"),
    F("address_type", "choice", choices=LOCATION_TYPES, default="physical"),
)
ACCESSIBILITY_FIELDS = (F("description", "long"), F("details", "long"), F("url", "url", 500))

_url_validator = URLValidator(schemes=["http", "https"])
_email_validator = EmailValidator()
_PHONE = re.compile(r"^\+?[0-9 ()\-./]+$")
_SIX_PLACES = decimal.Decimal("0.000001")
_TWO_PLACES = decimal.Decimal("0.01")


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return None


def _as_number(value: Any) -> decimal.Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | str):
        try:
            number = decimal.Decimal(str(value).strip())
        except decimal.InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _whole(number: decimal.Decimal | None, high: int) -> int | None:
    if number is None or number != number.to_integral_value() or not 0 <= number <= high:
        return None
    return int(number)


def clean_value(spec: F, key: str, value: Any, warn: Callable[..., None]) -> Any:
    """The value for the model, or the field's empty value (with a warning) if it is bad."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return spec.empty
    kind = spec.type
    shown = _show(value)

    if kind in TEXT_TYPES:
        text = _as_text(value)
        if text is None:
            warn(M_NOT_TEXT, field=key)
            return spec.empty
        if kind == "url":
            try:
                if len(text) > (spec.limit or 500):
                    raise ValidationError("too long")
                _url_validator(text)
            except ValidationError:
                warn(M_BAD_URL, field=key, value=shown)
                return spec.empty
            return text
        if kind == "email":
            try:
                if len(text) > (spec.limit or 254):
                    raise ValidationError("too long")
                _email_validator(text)
            except ValidationError:
                warn(M_BAD_EMAIL, field=key, value=shown)
                return spec.empty
            return text
        if kind == "phone":
            digits = sum(c.isdigit() for c in text)
            if not _PHONE.match(text) or not 3 <= digits <= 15 or len(text) > (spec.limit or 40):
                warn(M_BAD_PHONE, field=key, value=shown)
                return spec.empty
            return text
        if kind == "choice":
            by_lower = {choice.lower(): choice for choice in spec.choices}
            chosen = by_lower.get(text.lower())
            if chosen is None:
                warn(M_BAD_CHOICE, field=key, value=shown, choices=", ".join(spec.choices))
                return spec.empty
            return chosen
        if kind == "code":
            code = text.upper()
            if not re.fullmatch(rf"[A-Z]{{{spec.limit}}}", code):
                warn(M_BAD_CODE, field=key, value=shown, length=spec.limit)
                return spec.empty
            return code
        if spec.limit and len(text) > spec.limit:
            warn(M_TOO_LONG, field=key, limit=spec.limit)
            return text[: spec.limit]
        return text

    if kind == "age":
        age = _whole(_as_number(value), 150)
        if age is None:
            warn(M_BAD_AGE, field=key, value=shown)
        return age
    if kind == "count":
        count = _whole(_as_number(value), 2**31 - 1)
        if count is None:
            warn(M_BAD_NUMBER, field=key, value=shown)
        return count
    if kind == "coordinate":
        number = _as_number(value)
        if number is None or not spec.low <= number <= spec.high:
            warn(M_BAD_COORDINATE, field=key, value=shown, low=spec.low, high=spec.high)
            return None
        return number.quantize(_SIX_PLACES)
    if kind == "amount":
        number = _as_number(value)
        if number is None or not 0 <= number < 10**8:
            warn(M_BAD_AMOUNT, field=key, value=shown)
            return None
        return number.quantize(_TWO_PLACES)
    if kind == "date":
        day = _parse_date(value)
        if day is None:
            warn(M_BAD_DATE, field=key, value=shown)
        return day
    if kind == "time":
        moment = _parse_time(value)
        if moment is None:
            warn(M_BAD_TIME, field=key, value=shown)
        return moment
    if kind == "uuid":
        parsed = _uuid(value)
        if parsed is None:
            warn(M_BAD_UUID_FIELD, field=key, value=shown)
        return parsed
    raise ValueError(f"unknown field type {kind}")


def _parse_date(value: Any) -> datetime.date | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _parse_time(value: Any) -> datetime.time | None:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9:.+\-Z ]+", value.strip()):
        return None
    try:
        return datetime.time.fromisoformat(value.strip()).replace(tzinfo=None)
    except ValueError:
        return None


def _uuid(value: Any) -> uuid.UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


def _collector(problems: list[dict]) -> Callable[..., None]:
    def collect(text: str, **params) -> None:
        problems.append(message(WARNING, text, **params))

    return collect


def clean_fields(
    data: dict, specs: Iterable[F], warn: Callable[..., None]
) -> tuple[dict[str, Any], list[dict]]:
    """The model values for the fields the feed gives, and the reasons a required field is
    missing or bad. A bad optional value is dropped with a warning (`warn(text, **params)`)."""
    values: dict[str, Any] = {}
    missing: list[dict] = []
    for spec in specs:
        key = next((k for k in spec.feed_keys if k in data and data[k] is not None), None)
        if key is None:
            key = next((k for k in spec.feed_keys if k in data), None)
        if key is None:
            if spec.required:
                missing.append(message(ERROR, M_MISSING, field=spec.feed_keys[0]))
            elif spec.wanted:
                warn(M_WANTED, field=spec.feed_keys[0])
            continue
        problems: list[dict] = []
        value = clean_value(spec, key, data[key], _collector(problems))
        if spec.required and value in ("", None):
            missing.append(
                {**problems[0], "level": ERROR}
                if problems
                else message(ERROR, M_MISSING, field=key)
            )
            continue
        for problem in problems:
            if problem["text"] == M_TOO_LONG:
                warn(problem["text"], **problem["params"])
            else:
                warn(M_DROPPED, reason=problem)
        if spec.wanted and value in ("", None) and not problems:
            warn(M_WANTED, field=key)
        values[spec.name] = value
    return values, missing


# --- Records and their details ----------------------------------------------------------------

MAIN_MODELS: dict[str, type[models.Model]] = {
    "taxonomy": Taxonomy,
    "taxonomy_term": TaxonomyTerm,
    "organization": Organization,
    "location": Location,
    "service": Service,
    "service_at_location": ServiceAtLocation,
}
MAIN_FIELDS = {
    "taxonomy": TAXONOMY_FIELDS,
    "taxonomy_term": TAXONOMY_TERM_FIELDS,
    "organization": ORGANIZATION_FIELDS,
    "location": LOCATION_FIELDS,
    "service": SERVICE_FIELDS,
    "service_at_location": SERVICE_AT_LOCATION_FIELDS,
}
KIND_ORDER = tuple(MAIN_MODELS)  # the order records are checked and saved in
REPORT_ORDER = (
    "organization",
    "service",
    "location",
    "service_at_location",
    "taxonomy",
    "taxonomy_term",
)

# Keys holding records of their own, kept out of a record's data (see _Feed.walk).
NESTED_RECORD_KEYS = {
    "organization": ("services", "locations"),
    "service": ("organization", "service_at_locations"),
    "service_at_location": ("location", "service"),
    "taxonomy": ("taxonomy_terms",),
    "taxonomy_term": ("taxonomy_detail",),
    "location": (),
}

# A reference a record makes: (name, kind of record it points to, required).
REFERENCES = {
    "service": (("organization", "organization", True),),
    "service_at_location": (("service", "service", True), ("location", "location", True)),
    "location": (("organization", "organization", False),),
    "taxonomy_term": (("taxonomy", "taxonomy", False), ("parent", "taxonomy_term", False)),
}


@dataclass(frozen=True)
class DetailKind:
    model: type[models.Model]
    fields: tuple[F, ...]
    owners: tuple[str, ...]  # the model's foreign keys to the records it can belong to
    collections: tuple[tuple[str, str], ...] = ()


DETAILS = {
    "organization_identifier": DetailKind(
        OrganizationIdentifier, ORGANIZATION_IDENTIFIER_FIELDS, ("organization",)
    ),
    "phone": DetailKind(Phone, PHONE_FIELDS, ("organization", "service", "location", "contact")),
    "contact": DetailKind(
        Contact, CONTACT_FIELDS, ("organization", "service", "location"), (("phones", "phone"),)
    ),
    "schedule": DetailKind(Schedule, SCHEDULE_FIELDS, ("service", "location")),
    "service_area": DetailKind(ServiceArea, SERVICE_AREA_FIELDS, ("service",)),
    "language": DetailKind(Language, LANGUAGE_FIELDS, ("service", "location")),
    "cost_option": DetailKind(CostOption, COST_OPTION_FIELDS, ("service",)),
    "attribute": DetailKind(ServiceAttribute, ATTRIBUTE_FIELDS, ("service",)),
    "address": DetailKind(Address, ADDRESS_FIELDS, ("location",)),
    "accessibility": DetailKind(Accessibility, ACCESSIBILITY_FIELDS, ("location",)),
}

# The details each kind of record has: (key in the feed, kind of detail).
COLLECTIONS = {
    "organization": (
        ("organization_identifiers", "organization_identifier"),
        ("phones", "phone"),
        ("contacts", "contact"),
    ),
    "service": (
        ("phones", "phone"),
        ("schedules", "schedule"),
        ("service_areas", "service_area"),
        ("languages", "language"),
        ("cost_options", "cost_option"),
        ("contacts", "contact"),
        ("attributes", "attribute"),
    ),
    "location": (
        ("addresses", "address"),
        ("accessibility", "accessibility"),
        ("phones", "phone"),
        ("languages", "language"),
        ("schedules", "schedule"),
        ("contacts", "contact"),
    ),
}

# A dataset's lists of records, and of details with the fields naming their owner.
DATASET_RECORDS = {
    "organizations": "organization",
    "services": "service",
    "locations": "location",
    "service_at_locations": "service_at_location",
    "taxonomies": "taxonomy",
    "taxonomy_terms": "taxonomy_term",
}
DATASET_DETAILS = {
    "organization_identifiers": ("organization_identifier", "organization_identifiers"),
    "phones": ("phone", "phones"),
    "contacts": ("contact", "contacts"),
    "schedules": ("schedule", "schedules"),
    "service_areas": ("service_area", "service_areas"),
    "languages": ("language", "languages"),
    "cost_options": ("cost_option", "cost_options"),
    "attributes": ("attribute", "attributes"),
    "addresses": ("address", "addresses"),
    "accessibility": ("accessibility", "accessibility"),
    "accessibilities": ("accessibility", "accessibility"),
}
OWNER_FIELDS = {
    "contact_id": "contact",
    "service_id": "service",
    "location_id": "location",
    "organization_id": "organization",
}
# Keys of a service at location whose details Linkwork has nowhere to keep.
SAL_DETAIL_KEYS = ("phones", "contacts", "schedules", "service_areas", "attributes")


@dataclass
class Ref:
    """A reference from the feed: `name` is the field that made it, `key` the id it names."""

    field: str
    key: str | None
    shown: str


@dataclass
class Detail:
    kind: str
    uuid: uuid.UUID
    values: dict[str, Any]
    collections: dict[str, tuple[bool, list[Detail]]] = field(default_factory=dict)
    term: Any = None  # an attribute's taxonomy term: a Record or a pk


@dataclass
class Record:
    kind: str
    key: str
    raw_id: Any
    order: int
    data: dict = field(default_factory=dict)
    refs: dict[str, Ref] = field(default_factory=dict)
    conflict: str | None = None
    not_object: bool = False
    given_sal: bool = False
    messages: list[dict] = field(default_factory=list)
    rejected: bool = False
    values: dict[str, Any] = field(default_factory=dict)
    targets: dict[str, Any] = field(default_factory=dict)  # resolved refs: Record or pk
    collections: dict[str, tuple[bool, list[Detail]]] = field(default_factory=dict)
    status: str | None = None
    existing: bool = False
    obj: Any = None
    created: bool = False
    changes: list[str] = field(default_factory=list)

    @property
    def uuid(self) -> uuid.UUID | None:
        return _uuid(self.key)

    @property
    def name(self) -> str:
        if self.kind == "service_at_location":
            names = []
            for ref in ("service", "location"):
                target = self.targets.get(ref)
                if isinstance(target, Record):
                    names.append(target.name)
                elif self.obj is not None:
                    names.append(str(getattr(self.obj, ref)))
            return " – ".join(n for n in names if n)
        name = self.values.get("name")
        if not name:
            raw = self.data.get("name") or self.data.get("term")
            name = raw.strip() if isinstance(raw, str) else ""
        if not name and self.obj is not None:
            name = getattr(self.obj, "name", "")
        return name[:200]

    @property
    def shown_id(self) -> str:
        if self.raw_id is None:
            return ""
        return _key_of(self.raw_id) or _show(self.raw_id)

    def reject(self, text: str, **params) -> None:
        self.rejected = True
        self.messages.append(message(ERROR, text, **params))

    def warn(self, text: str, **params) -> None:
        self.messages.append(message(WARNING, text, **params))

    @property
    def result(self) -> str:
        if self.rejected:
            return REJECTED
        if self.created:
            return CREATED
        return UPDATED if self.changes else UNCHANGED

    def entry(self) -> dict:
        messages = list(self.messages)
        if self.rejected:  # what was wrong with values that were not kept is moot
            messages = [m for m in messages if m["level"] == ERROR]
        if self.changes and not self.created and not self.rejected:
            messages.insert(
                0, message(INFO, M_CHANGED, fields=", ".join(dict.fromkeys(self.changes)))
            )
        return {
            "kind": self.kind,
            "id": self.shown_id,
            "name": self.name,
            "result": self.result,
            "messages": messages,
        }


def _key_of(raw: Any) -> str | None:
    parsed = _uuid(raw)
    return str(parsed) if parsed else None


def detect_kind(obj: dict, hint: str | None = None) -> str | None:
    """What kind of ORUK record an object is, from the fields only that kind has."""
    keys = set(obj)
    if "status" in keys:
        return "service"
    if ("location" in keys or "location_id" in keys) and (
        "service" in keys or "service_id" in keys
    ):
        return "service_at_location"
    if keys & {"taxonomy_terms", "version"}:
        return "taxonomy"
    if keys & {
        "parent_id",
        "term",
        "term_uri",
        "taxonomy",
        "taxonomy_id",
        "taxonomy_detail",
        "code",
    }:
        return "taxonomy_term"
    if keys & {
        "location_type",
        "latitude",
        "longitude",
        "addresses",
        "accessibility",
        "transportation",
        "external_identifier",
    }:
        return "location"
    if keys & {
        "organization_identifiers",
        "services",
        "website",
        "logo",
        "legal_status",
        "parent_organization_id",
        "year_incorporated",
        "locations",
    }:
        return "organization"
    if keys & {
        "organization",
        "organization_id",
        "service_at_locations",
        "schedules",
        "eligibility_description",
        "fees",
        "fees_description",
        "minimum_age",
        "maximum_age",
        "cost_options",
        "service_areas",
        "attributes",
    }:
        return "service"
    return hint


class _Feed:
    """One import's records, from collection to the report."""

    def __init__(self, *, hint: str | None = None):
        self.hint = hint
        self.records: dict[tuple[str, str], Record] = {}
        self.unknown: list[Record] = []  # objects of no kind Linkwork can tell
        self.notes: list[dict] = []
        self.flat: dict[tuple[str, str, str], list[dict]] = {}
        self.flat_all: list[tuple[str, dict]] = []
        self.flat_used: set[int] = set()
        self.dataset_keys: set[str] = set()
        self.detail_ids: dict[str, set[uuid.UUID]] = {}
        self.db_pks: dict[tuple[str, str], int | None] = {}
        self._counter = 0

    # --- 1. Collect ---

    def collect(self, data: Any) -> None:
        if isinstance(data, FeedPages):
            for page in data:
                self._collect_one(page, whole=True)
        else:
            self._collect_one(data, whole=False)

    def _collect_one(self, data: Any, *, whole: bool) -> None:
        if isinstance(data, list):
            for item in data:
                self._walk_detected(item)
        elif isinstance(data, dict) and isinstance(data.get("contents"), list):
            pages = _int_or(data.get("total_pages"), 1)
            if not whole and pages > 1:
                self.notes.append(
                    message(
                        INFO, M_PAGE_ONLY, page=_int_or(data.get("page_number"), 1), pages=pages
                    )
                )
            for item in data["contents"]:
                self._walk_detected(item)
        elif isinstance(data, dict) and "id" not in data and self._is_dataset(data):
            self._collect_dataset(data)
        elif isinstance(data, dict) and detect_kind(data, self.hint):
            self._walk_detected(data)
        else:
            raise FeedError(E_NOT_A_FEED)

    @staticmethod
    def _is_dataset(data: dict) -> bool:
        return any(isinstance(data.get(key), list) for key in (*DATASET_RECORDS, *DATASET_DETAILS))

    def _collect_dataset(self, data: dict) -> None:
        for key, kind in DATASET_RECORDS.items():
            for item in _list(data.get(key)):
                self.walk(kind, item)
        if isinstance(data.get("service_at_locations"), list):
            self.dataset_keys.add("service_at_locations")
        for key, (kind, collection) in DATASET_DETAILS.items():
            items = data.get(key)
            if not isinstance(items, list):
                continue
            self.dataset_keys.add(collection)
            for item in items:
                self._add_flat(kind, collection, item)

    def _add_flat(self, kind: str, collection: str, item: Any) -> None:
        self.flat_all.append((kind, item))
        if not isinstance(item, dict):
            return
        owner = None
        if kind == "attribute":
            entity = item.get("link_entity")
            if entity in (None, "", "service"):
                owner = ("service", item.get("service_id") or item.get("link_id"))
        else:
            for owner_field, owner_kind in OWNER_FIELDS.items():
                if owner_kind in DETAILS[kind].owners and item.get(owner_field):
                    owner = (owner_kind, item[owner_field])
                    break
        if owner is None:
            return
        key = _key_of(owner[1])
        if key is not None:
            self.flat.setdefault((owner[0], key, collection), []).append(item)

    def _walk_detected(self, item: Any) -> None:
        if not isinstance(item, dict):
            self.unknown.append(self._loose("record", item, M_NOT_OBJECT))
            return
        kind = detect_kind(item, self.hint)
        if kind is None:
            self.unknown.append(self._loose("record", item, M_UNKNOWN_KIND))
            return
        self.walk(kind, item)

    def _loose(self, kind: str, item: Any, text: str) -> Record:
        self._counter += 1
        raw_id = item.get("id") if isinstance(item, dict) else None
        record = Record(kind=kind, key=f"loose:{self._counter}", raw_id=raw_id, order=self._counter)
        record.reject(text)
        return record

    def walk(self, kind: str, obj: Any, refs: Iterable[Ref] = ()) -> str:
        """Gather a record and the records nested in it. Answers the record's key."""
        refs = list(refs)
        if not isinstance(obj, dict):
            record = self._loose(kind, obj, M_NOT_OBJECT)
            self.records[(kind, record.key)] = record
            return record.key
        own_id = obj.get("id")
        if kind == "service":
            organization = obj.get("organization")
            if isinstance(organization, dict):
                refs.append(Ref("organization", self.walk("organization", organization), ""))
            elif "organization_id" in obj:
                refs.append(self._ref("organization_id", obj["organization_id"]))
        elif kind == "service_at_location":
            for name in ("location", "service"):
                nested = obj.get(name)
                if isinstance(nested, dict):
                    refs.append(Ref(name, self.walk(name, nested), ""))
                elif f"{name}_id" in obj:
                    refs.append(self._ref(f"{name}_id", obj[f"{name}_id"]))
        elif kind == "location":
            if "organization_id" in obj:
                refs.append(self._ref("organization_id", obj["organization_id"]))
        elif kind == "taxonomy_term":
            detail = obj.get("taxonomy_detail")
            if not isinstance(detail, dict) and isinstance(obj.get("taxonomy"), dict):
                detail = obj["taxonomy"]
            if isinstance(detail, dict):
                refs.append(Ref("taxonomy", self.walk("taxonomy", detail), ""))
            elif obj.get("taxonomy_id"):
                refs.append(self._ref("taxonomy_id", obj["taxonomy_id"]))
            if obj.get("parent_id"):
                refs.append(self._ref("parent_id", obj["parent_id"]))

        key = self._add(kind, obj, own_id, refs)

        if kind == "organization":
            here = Ref("organization", key, "")
            for item in _list(obj.get("services")):
                self.walk("service", item, [here])
            for item in _list(obj.get("locations")):
                self.walk("location", item, [here])
        elif kind == "service":
            if isinstance(obj.get("service_at_locations"), list):
                self.records[(kind, key)].given_sal = True
            for item in _list(obj.get("service_at_locations")):
                self.walk("service_at_location", item, [Ref("service", key, "")])
            for attribute in _list(obj.get("attributes")):
                if isinstance(attribute, dict) and isinstance(attribute.get("taxonomy_term"), dict):
                    self.walk("taxonomy_term", attribute["taxonomy_term"])
        elif kind == "taxonomy":
            for item in _list(obj.get("taxonomy_terms")):
                self.walk("taxonomy_term", item, [Ref("taxonomy", key, "")])
        return key

    @staticmethod
    def _ref(field_name: str, raw: Any) -> Ref:
        if raw is None or raw == "":
            return Ref(field_name, None, "")
        key = _key_of(raw)
        return Ref(field_name, key if key else f"bad:{_show(raw)}", key or _show(raw))

    def _add(self, kind: str, obj: dict, raw_id: Any, refs: list[Ref]) -> str:
        key = _key_of(raw_id)
        if key is None:
            self._counter += 1
            key = f"bad:{_show(raw_id)}" if raw_id is not None else f"none:{self._counter}"
        record = self.records.get((kind, key))
        if record is None:
            self._counter += 1
            record = Record(kind=kind, key=key, raw_id=raw_id, order=self._counter)
            self.records[(kind, key)] = record
        skip = set(NESTED_RECORD_KEYS.get(kind, ()))
        if kind == "taxonomy_term" and isinstance(obj.get("taxonomy"), dict):
            skip.add("taxonomy")
        for name, value in obj.items():
            if name in skip:
                continue
            if name in record.data and record.data[name] != value:
                record.conflict = record.conflict or name
            record.data.setdefault(name, value)
        for ref in refs:
            name = _ref_name(kind, ref.field)
            known = record.refs.get(name)
            if known is None:
                record.refs[name] = ref
            elif known.key != ref.key:
                record.conflict = record.conflict or ref.field
        return key

    # --- 2. Check ---

    def check(self, progress: Progress | None = None) -> None:
        records = self.ordered()
        self._load_existing(records)
        total = len(records)
        done = 0
        for kind in KIND_ORDER:
            for record in (r for r in records if r.kind == kind):
                self._check_record(record)
                done += 1
                if progress:
                    progress("checking", done, total)
        for record in (r for r in records if r.kind == "taxonomy_term"):
            self._check_parent(record)

    def ordered(self) -> list[Record]:
        return sorted(self.records.values(), key=lambda r: (KIND_ORDER.index(r.kind), r.order))

    def _load_existing(self, records: list[Record]) -> None:
        for kind, model in MAIN_MODELS.items():
            keys = [r.uuid for r in records if r.kind == kind and r.uuid]
            for chunk in _chunks(keys):
                for found in model.objects.filter(uuid__in=chunk).values_list("uuid", "pk"):
                    self.db_pks[(kind, str(found[0]))] = found[1]

    def _check_record(self, record: Record) -> None:
        if record.rejected:
            return
        if record.raw_id is None:
            record.reject(M_MISSING, field="id")
            return
        if record.uuid is None:
            record.reject(M_NOT_UUID, value=_show(record.raw_id))
            return
        if record.conflict:
            record.reject(M_DUPLICATE, field=record.conflict)
            return
        record.existing = (record.kind, record.key) in self.db_pks
        record.values, missing = clean_fields(record.data, MAIN_FIELDS[record.kind], record.warn)
        for reason in missing:
            record.rejected = True
            record.messages.append(reason)
        if record.kind == "service":
            self._check_service(record)
        elif record.kind == "location":
            self._check_coordinates(record)
        elif record.kind == "service_at_location":
            present = [key for key in SAL_DETAIL_KEYS if record.data.get(key)]
            for key in present:
                record.messages.append(message(INFO, M_SAL_DETAILS_IGNORED, field=key))
        for name, target_kind, required in REFERENCES.get(record.kind, ()):
            if name == "parent":
                continue
            ref = record.refs.get(name)
            if ref is None or ref.key is None:
                if required and not record.existing:
                    if record.kind == "service":
                        record.reject(M_NO_ORGANISATION)
                    else:
                        record.reject(M_MISSING, field=f"{name}_id")
                continue
            self._resolve(record, name, target_kind, ref, required)
        if record.kind in COLLECTIONS:
            record.collections = self._check_collections(
                record.kind, record.key, record.data, record
            )

    @staticmethod
    def _check_coordinates(record: Record) -> None:
        """A place needs both a latitude and a longitude: one without the other is left out."""
        values = record.values
        given = [name for name in ("latitude", "longitude") if name in values]
        if not given:
            return
        kept = [name for name in given if values[name] is not None]
        if len(kept) == 1:
            name = kept[0]
            record.warn(M_COORDINATE_ALONE, field=name, value=_show(record.data.get(name)))
            values[name] = None

    def _check_service(self, record: Record) -> None:
        raw = record.data.get("status")
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            record.reject(M_MISSING, field="status")
            return
        status = raw.strip().lower().replace("_", " ") if isinstance(raw, str) else None
        if status not in AVAILABILITY_FOR_ORUK_STATUS:
            record.reject(M_BAD_STATUS, value=_show(raw))
            return
        record.status = status
        low, high = record.values.get("minimum_age"), record.values.get("maximum_age")
        if low is not None and high is not None and low > high:
            record.warn(M_AGES_REVERSED, low=low, high=high)
            record.values["minimum_age"] = record.values["maximum_age"] = None

    def _resolve(self, record: Record, name: str, kind: str, ref: Ref, required: bool) -> None:
        """Find the record a reference names, in the feed or in the directory. A required
        reference that leads nowhere rejects the record; an optional one is left out."""
        target = self.records.get((kind, ref.key)) if ref.key else None
        if target is not None:
            if target.rejected:
                text = M_REJECTED_REF if required else M_REJECTED_REF_LEFT_OUT
                (record.reject if required else record.warn)(
                    text, field=ref.field, kind=kind, id=target.shown_id or ref.shown
                )
            else:
                record.targets[name] = target
            return
        pk = self._db_pk(kind, ref.key)
        if pk is not None:
            record.targets[name] = pk
            return
        shown = ref.shown or ref.key or ""
        if required:
            record.reject(M_UNKNOWN_REF, field=ref.field, kind=kind, id=shown)
        elif ref.key and ref.key.startswith("bad:"):
            reason = message(WARNING, M_BAD_UUID_FIELD, field=ref.field, value=shown)
            record.warn(M_DROPPED, reason=reason)
        else:
            record.warn(M_REF_LEFT_OUT, field=ref.field, kind=kind, id=shown)

    def _db_pk(self, kind: str, key: str | None) -> int | None:
        if not key or _uuid(key) is None:
            return None
        if (kind, key) not in self.db_pks:
            found = MAIN_MODELS[kind].objects.filter(uuid=key).values_list("pk", flat=True).first()
            self.db_pks[(kind, key)] = found
        return self.db_pks[(kind, key)]

    def _check_parent(self, record: Record) -> None:
        ref = record.refs.get("parent")
        if record.rejected or ref is None or ref.key is None:
            return
        if ref.key == record.key:
            record.warn(M_OWN_PARENT, field=ref.field)
            return
        self._resolve(record, "parent", "taxonomy_term", ref, False)

    def _check_collections(
        self, owner_kind: str, owner_key: str, data: dict, record: Record
    ) -> dict[str, tuple[bool, list[Detail]]]:
        collections = {}
        for collection, kind in COLLECTIONS[owner_kind]:
            given = collection in self.dataset_keys
            items: list[Any] = []
            if collection in data and data[collection] is not None:
                if isinstance(data[collection], list):
                    given = True
                    items.extend(data[collection])
                else:
                    record.warn(M_NOT_LIST, field=collection)
            for item in self.flat.get((owner_kind, owner_key, collection), []):
                self.flat_used.add(id(item))
                items.append(item)
            details = []
            for item in items:
                detail = self._check_detail(kind, item, record)
                if detail is not None:
                    details.append(detail)
            if given:
                collections[collection] = (True, details)
        return collections

    def _check_detail(self, kind: str, item: Any, record: Record) -> Detail | None:
        raw_id = item.get("id") if isinstance(item, dict) else None
        shown = (str(_uuid(raw_id)) if _uuid(raw_id) else _show(raw_id)) if raw_id else "?"

        def left_out(text: str, **params) -> None:
            reason = message(ERROR, text, **params)
            record.warn(M_CHILD_LEFT_OUT, kind=kind, id=shown, reason=reason)

        if not isinstance(item, dict):
            left_out(M_NOT_OBJECT)
            return None
        if raw_id is None:
            left_out(M_MISSING, field="id")
            return None
        parsed = _uuid(raw_id)
        if parsed is None:
            left_out(M_NOT_UUID, value=_show(raw_id))
            return None
        seen = self.detail_ids.setdefault(kind, set())
        if parsed in seen:
            left_out(M_CHILD_DUPLICATE)
            return None
        seen.add(parsed)

        warnings: list[dict] = []

        def warn(text: str, **params) -> None:
            warnings.append(message(WARNING, text, **params))

        spec = DETAILS[kind]
        values, missing = clean_fields(item, spec.fields, warn)
        if missing:
            record.warn(M_CHILD_LEFT_OUT, kind=kind, id=shown, reason=missing[0])
            return None
        detail = Detail(kind=kind, uuid=parsed, values=values)
        if kind == "attribute":
            term = item.get("taxonomy_term")
            raw_term = term.get("id") if isinstance(term, dict) else item.get("taxonomy_term_id")
            if raw_term is None:
                left_out(M_MISSING, field="taxonomy_term_id")
                return None
            term_key = _key_of(raw_term)
            target = self.records.get(("taxonomy_term", term_key)) if term_key else None
            if target is not None and target.rejected:
                left_out(M_REJECTED_REF, field="taxonomy_term", kind="taxonomy_term", id=term_key)
                return None
            if target is None:
                pk = self._db_pk("taxonomy_term", term_key)
                if pk is None:
                    left_out(
                        M_UNKNOWN_REF,
                        field="taxonomy_term_id",
                        kind="taxonomy_term",
                        id=term_key or _show(raw_term),
                    )
                    return None
                detail.term = pk
            else:
                detail.term = target
        for collection, sub_kind in spec.collections:
            given = collection in self.dataset_keys
            sub_items: list[Any] = []
            if isinstance(item.get(collection), list):
                given = True
                sub_items.extend(item[collection])
            for sub in self.flat.get((kind, str(parsed), collection), []):
                self.flat_used.add(id(sub))
                sub_items.append(sub)
            if given:
                subs = [self._check_detail(sub_kind, sub, record) for sub in sub_items]
                detail.collections[collection] = (True, [s for s in subs if s is not None])
        for warning in warnings:
            record.warn(M_CHILD_WARNING, kind=kind, id=shown, reason=warning)
        return detail

    def unplaced(self) -> list[Record]:
        """Details of a dataset that belong to no record in the feed: rejected."""
        loose = []
        for kind, item in self.flat_all:
            if id(item) in self.flat_used:
                continue
            self._counter += 1
            raw_id = item.get("id") if isinstance(item, dict) else None
            record = Record(kind=kind, key=f"loose:{self._counter}", raw_id=raw_id, order=0)
            if not isinstance(item, dict):
                record.reject(M_NOT_OBJECT)
            elif kind == "attribute" and item.get("link_entity") not in (None, "", "service"):
                record.reject(M_NOT_SERVICE_ATTRIBUTE)
            else:
                owner = next(
                    (
                        (name, owner_kind)
                        for name, owner_kind in (*OWNER_FIELDS.items(), ("link_id", "service"))
                        if item.get(name) and (owner_kind in DETAILS[kind].owners)
                    ),
                    None,
                )
                if owner is None:
                    record.reject(M_NO_OWNER)
                else:
                    raw = item[owner[0]]
                    record.reject(
                        M_OWNER_NOT_IN_FEED,
                        field=owner[0],
                        kind=owner[1],
                        id=_key_of(raw) or _show(raw),
                    )
            loose.append(record)
        return loose

    # --- 3. Apply ---

    def apply(self, *, by, directory_import, progress: Progress | None = None) -> None:
        self.by = by
        self.directory_import = directory_import
        self.now = timezone.now()
        self.today = timezone.localdate()
        records = [r for r in self.ordered() if not r.rejected]
        self._objects: dict[tuple[str, str], Any] = {}
        for kind, model in MAIN_MODELS.items():
            keys = [r.uuid for r in records if r.kind == kind]
            for chunk in _chunks(keys):
                for obj in model.objects.filter(uuid__in=chunk):
                    self._objects[(kind, str(obj.uuid))] = obj
        self._details = _DetailStore()
        self._availability_changes: list[AvailabilityChange] = []
        self._new_places: list[ServiceAtLocation] = []
        self._prefetch_details(records)
        total = len(records)
        sal_services: dict[int, Any] = {}
        for done, record in enumerate(records, start=1):
            getattr(self, f"_apply_{record.kind}")(record)
            if record.kind == "service_at_location" and (record.created or record.changes):
                sal_services[record.obj.service_id] = record
            if progress:
                progress("saving", done, total)
        self._details.flush()
        ServiceAtLocation.objects.bulk_create(self._new_places)
        AvailabilityChange.objects.bulk_create(self._availability_changes)
        for record in records:
            if record.kind == "taxonomy_term":
                self._apply_parent(record)
        self._remove_stale_places(records, sal_services)

    def _prefetch_details(self, records: list[Record]) -> None:
        """Read, in a few queries, the details the records in the feed have now and those with
        the ids the feed gives (which may belong to another record): `_sync` then compares in
        memory."""
        owners: dict[tuple[type[models.Model], str], list[int]] = {}
        uuids: dict[type[models.Model], list[uuid.UUID]] = {}

        def walk(details: list[Detail]) -> None:
            for detail in details:
                uuids.setdefault(DETAILS[detail.kind].model, []).append(detail.uuid)
                for _given, subs in detail.collections.values():
                    walk(subs)

        for record in records:
            obj = self._objects.get((record.kind, record.key))
            for collection, (_given, details) in record.collections.items():
                model = DETAILS[dict(COLLECTIONS[record.kind])[collection]].model
                if obj is not None:
                    owners.setdefault((model, record.kind), []).append(obj.pk)
                walk(details)
        store = self._details
        for (model, owner_name), pks in owners.items():
            store.load_owners(model, owner_name, pks)
        for model, ids in uuids.items():
            store.load_uuids(model, ids)
        contacts = [obj.pk for obj in store.by_uuid.get(Contact, {}).values()]
        if contacts:
            store.load_owners(Phone, "contact", contacts)

    def _pk(self, target: Any) -> int | None:
        if isinstance(target, Record):
            return target.obj.pk if target.obj is not None else None
        return target

    def _upsert(self, record: Record, values: dict[str, Any], **create_extra) -> list[str]:
        """Create the record, or set the fields that differ (the caller saves them). Answers
        the model fields changed."""
        model = MAIN_MODELS[record.kind]
        obj = self._objects.get((record.kind, record.key))
        if obj is None:
            obj = model(uuid=record.uuid, **values, **create_extra)
            if record.kind == "service_at_location":
                self._new_places.append(obj)  # nothing refers to it: created in bulk
            else:
                obj.save()
            self._details.fresh.add(id(obj))  # it has no details yet
            record.obj = obj
            record.created = True
            return []
        record.obj = obj
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        for name in changed:
            setattr(obj, name, values[name])
        record.changes.extend(_feed_name(record.kind, name) for name in changed)
        return changed

    def _save(self, record: Record, values: dict) -> None:
        changed = self._upsert(record, values)
        if changed:
            record.obj.save(update_fields=changed)

    def _with_target(self, record: Record, values: dict, name: str) -> None:
        """Set a reference's foreign key: the record it names, or none if that was not found."""
        if name in record.targets:
            values[f"{name}_id"] = self._pk(record.targets[name])
        elif name in record.refs and record.refs[name].key is not None:
            values[f"{name}_id"] = None

    def _apply_taxonomy(self, record: Record) -> None:
        self._save(record, dict(record.values))

    def _apply_taxonomy_term(self, record: Record) -> None:
        values = dict(record.values)
        self._with_target(record, values, "taxonomy")
        self._save(record, values)

    def _apply_parent(self, record: Record) -> None:
        if "parent" not in record.refs:
            return
        parent = self._pk(record.targets.get("parent"))
        if record.obj.parent_id != parent:
            record.obj.parent_id = parent
            record.obj.save(update_fields=["parent"])
            if not record.created:
                record.changes.append("parent_id")

    def _apply_organization(self, record: Record) -> None:
        changed = self._upsert(record, dict(record.values))
        details_changed = self._sync_collections(record)
        if changed or (details_changed and not record.created):
            record.obj.last_modified = self.now
            record.obj.save(update_fields=[*changed, "last_modified"])

    def _apply_location(self, record: Record) -> None:
        values = dict(record.values)
        self._with_target(record, values, "organization")
        self._save(record, values)
        self._sync_collections(record)

    def _apply_service_at_location(self, record: Record) -> None:
        values = dict(record.values)
        self._with_target(record, values, "service")
        self._with_target(record, values, "location")
        self._save(record, values)

    def _apply_service(self, record: Record) -> None:
        values = dict(record.values)
        if "organization" in record.targets:
            values["organization_id"] = self._pk(record.targets["organization"])
        obj = self._objects.get(("service", record.key))
        target = AVAILABILITY_FOR_ORUK_STATUS[record.status]
        if obj is None:
            self._upsert(
                record,
                values,
                availability=target,
                referral_method=ReferralMethod.SIGNPOST,
                imported_by=self.directory_import,
                last_modified=self.now,
            )
            self._sync_collections(record)
            self._record_availability(record.obj, target)
            return
        self._keep_ages_in_order(record, values, obj)
        changed = self._upsert(record, values)
        before = obj.availability
        limited_stays = target == Availability.OPEN and before == Availability.LIMITED
        if before != target and not limited_stays:
            obj.availability = target
            obj.availability_note = ""
            obj.expected_reopening = None
            changed += ["availability", "availability_note", "expected_reopening"]
            record.changes.append("status")
            record.messages.append(message(INFO, M_AVAILABILITY, before=before, after=target))
            self._record_availability(obj, target)
        if self._sync_collections(record) or changed:
            obj.last_modified = self.now
            obj.imported_by = self.directory_import
            obj.save(update_fields=[*changed, "last_modified", "imported_by"])

    def _keep_ages_in_order(self, record: Record, values: dict, obj: Service) -> None:
        """An age from the feed that would put the service's ages out of order is left out."""
        low = values.get("minimum_age", obj.minimum_age)
        high = values.get("maximum_age", obj.maximum_age)
        if low is not None and high is not None and low > high:
            record.warn(M_AGES_REVERSED, low=low, high=high)
            for name in ("minimum_age", "maximum_age"):
                if name in values:
                    values[name] = None

    def _record_availability(self, service: Service, availability: str) -> None:
        self._availability_changes.append(
            AvailabilityChange(
                service=service,
                availability=availability,
                effective_on=self.today,
                recorded_by=self.by if getattr(self.by, "is_authenticated", False) else None,
                via_import=self.directory_import,
            )
        )

    def _remove_stale_places(self, records: list[Record], touched: dict[int, Any]) -> None:
        """A service that lists its places (services at location) loses the ones it does not
        list; a service whose places changed counts as changed."""
        listed: dict[str, set[uuid.UUID]] = {}
        for record in self.records.values():
            ref = record.refs.get("service")
            if record.kind == "service_at_location" and record.uuid and ref and ref.key:
                listed.setdefault(ref.key, set()).add(record.uuid)
        services = [
            record
            for record in records
            if record.kind == "service"
            and record.obj is not None
            and (record.given_sal or "service_at_locations" in self.dataset_keys)
        ]
        places: dict[int, list[tuple[int, uuid.UUID]]] = {}
        for chunk in _chunks([record.obj.pk for record in services]):
            found = ServiceAtLocation.objects.filter(service_id__in=chunk)
            for pk, service_pk, place_uuid in found.values_list("pk", "service_id", "uuid"):
                places.setdefault(service_pk, []).append((pk, place_uuid))
        stale: list[int] = []
        for record in services:
            keep = listed.get(record.key, set())
            gone = [pk for pk, place in places.get(record.obj.pk, ()) if place not in keep]
            if gone:
                stale.extend(gone)
                touched[record.obj.pk] = record
        for chunk in _chunks(stale):
            ServiceAtLocation.objects.filter(pk__in=chunk).delete()
        by_pk = {r.obj.pk: r for r in records if r.kind == "service" and r.obj is not None}
        moved: list[int] = []
        for service_pk in touched:
            owner = by_pk.get(service_pk)
            if owner is not None and owner.created:
                continue
            moved.append(service_pk)
            if owner is not None:
                owner.changes.append("service_at_locations")
        for chunk in _chunks(moved):
            Service.objects.filter(pk__in=chunk).update(
                last_modified=self.now, imported_by=self.directory_import
            )

    def _sync_collections(self, record: Record) -> bool:
        changed = False
        for collection, (given, details) in record.collections.items():
            if self._sync(record.obj, record.kind, details, given, collection):
                record.changes.append(collection)
                changed = True
        return changed

    def _sync(self, owner, owner_kind: str, details: list[Detail], given: bool, collection: str):
        """Make the owner's details of one collection match the feed's. Answers whether
        anything changed."""
        if not given:
            return False
        kind = dict(COLLECTIONS.get(owner_kind, ()) or DETAILS[owner_kind].collections)[collection]
        spec = DETAILS[kind]
        store = self._details
        current = store.current(spec.model, owner_kind, owner)
        wanted = {d.uuid for d in details}
        changed = False
        for detail in details:
            obj = current.get(detail.uuid) or store.find(spec.model, detail.uuid)
            if obj is not None and owner.pk is None:
                store.flush()  # moving a detail to a record created in this import
            values = dict(detail.values)
            for other in spec.owners:
                values[f"{other}_id"] = owner.pk if other == owner_kind else None
            if kind == "attribute":
                values["taxonomy_term_id"] = self._pk(detail.term)
            if obj is None:
                obj = store.create(spec.model, detail.uuid, values, owner_kind, owner)
                changed = True
            else:
                diff = {name: v for name, v in values.items() if getattr(obj, name) != v}
                if diff:
                    store.update(obj, diff)
                    changed = True
            for sub_collection, (sub_given, subs) in detail.collections.items():
                if self._sync(obj, kind, subs, sub_given, sub_collection):
                    changed = True
        stale = [obj for found, obj in current.items() if found not in wanted]
        if stale:
            store.delete(spec.model, stale)
            changed = True
        return changed


class _DetailStore:
    """The detail rows (phones, schedules, ...) an import may touch, read in bulk before saving
    and then kept in step, in memory, with what the import does to them. Writes are gathered
    and made in bulk by `flush`: updates, then deletions, then creations (contacts before
    phones), which has the same outcome as making them one by one in the import's order (a
    detail's id appears once in a feed, and a row is only found in memory as it now is).
    The one write that must wait for another, moving an existing detail to a contact created
    in this import, flushes first."""

    def __init__(self):
        self.by_uuid: dict[type[models.Model], dict[uuid.UUID, models.Model]] = {}
        self.by_owner: dict[tuple[type[models.Model], str, int], dict[uuid.UUID, Any]] = {}
        self.loaded: set[tuple[type[models.Model], str, int]] = set()  # owners fully read
        self.searched: dict[type[models.Model], set[uuid.UUID]] = {}  # ids looked up
        self.gone: dict[type[models.Model], set[int]] = {}  # pks deleted (maybe not yet)
        self.fresh: set[int] = set()  # id() of objects created in this import
        self.creates: dict[type[models.Model], list[models.Model]] = {}
        self.updates: dict[int, tuple[models.Model, set[str]]] = {}
        self.deletes: dict[type[models.Model], list[int]] = {}
        self.owners = {spec.model: spec.owners for spec in DETAILS.values()}

    # Reading

    def _index(self, obj: models.Model) -> None:
        for name in self.owners[type(obj)]:
            pk = getattr(obj, f"{name}_id")
            if pk is not None:
                self.by_owner.setdefault((type(obj), name, pk), {})[obj.uuid] = obj

    def _unindex(self, obj: models.Model) -> None:
        for name in self.owners[type(obj)]:
            pk = getattr(obj, f"{name}_id")
            if pk is not None:
                self.by_owner.get((type(obj), name, pk), {}).pop(obj.uuid, None)

    def _take(self, model: type[models.Model], rows: Iterable[models.Model]) -> None:
        known = self.by_uuid.setdefault(model, {})
        gone = self.gone.get(model, set())
        for obj in rows:
            if obj.uuid in known or obj.pk in gone:
                continue  # what is in memory is newer
            known[obj.uuid] = obj
            self._index(obj)

    def load_owners(self, model: type[models.Model], owner_name: str, pks: Iterable[int]) -> None:
        pks = [pk for pk in dict.fromkeys(pks) if (model, owner_name, pk) not in self.loaded]
        for chunk in _chunks(pks):
            self._take(model, model.objects.filter(**{f"{owner_name}_id__in": chunk}))
            self.loaded.update((model, owner_name, pk) for pk in chunk)

    def load_uuids(self, model: type[models.Model], uuids: Iterable[uuid.UUID]) -> None:
        searched = self.searched.setdefault(model, set())
        wanted = [u for u in dict.fromkeys(uuids) if u not in searched]
        for chunk in _chunks(wanted):
            self._take(model, model.objects.filter(uuid__in=chunk))
            searched.update(chunk)

    def current(self, model: type[models.Model], owner_name: str, owner) -> dict[uuid.UUID, Any]:
        """The owner's details of one model, as they are now."""
        if owner.pk is None:
            return {}
        key = (model, owner_name, owner.pk)
        if key not in self.loaded and id(owner) not in self.fresh:
            self.load_owners(model, owner_name, [owner.pk])
        return dict(self.by_owner.get(key, {}))

    def find(self, model: type[models.Model], detail_uuid: uuid.UUID):
        """The detail with this id, wherever it is now, or None."""
        if detail_uuid not in self.searched.get(model, ()):
            self.load_uuids(model, [detail_uuid])
        return self.by_uuid.get(model, {}).get(detail_uuid)

    # Writing

    def create(self, model, detail_uuid, values: dict, owner_name: str, owner):
        obj = model(uuid=detail_uuid, **values)
        if owner.pk is None:  # a contact created in this import: its pk comes with the flush
            setattr(obj, owner_name, owner)
        self.by_uuid.setdefault(model, {})[detail_uuid] = obj
        self._index(obj)
        self.fresh.add(id(obj))
        self.creates.setdefault(model, []).append(obj)
        return obj

    def update(self, obj: models.Model, values: dict[str, Any]) -> None:
        self._unindex(obj)
        for name, value in values.items():
            setattr(obj, name, value)
        self._index(obj)
        if obj.pk is not None:
            _obj, fields = self.updates.setdefault(id(obj), (obj, set()))
            fields.update(values)

    def delete(self, model: type[models.Model], objs: list[models.Model]) -> None:
        for obj in objs:
            self._forget(obj)
            if obj.pk is None:
                continue
            self.deletes.setdefault(model, []).append(obj.pk)
            if model is Contact:  # its phones go with it (on_delete=CASCADE)
                phones = self.current(Phone, "contact", obj)
                for phone in phones.values():
                    self._forget(phone)

    def _forget(self, obj: models.Model) -> None:
        self._unindex(obj)
        self.by_uuid.get(type(obj), {}).pop(obj.uuid, None)
        if obj.pk is not None:
            self.gone.setdefault(type(obj), set()).add(obj.pk)
        elif obj in self.creates.get(type(obj), ()):
            self.creates[type(obj)].remove(obj)

    def flush(self) -> None:
        groups: dict[tuple[type[models.Model], tuple[str, ...]], list[models.Model]] = {}
        for obj, fields in self.updates.values():
            groups.setdefault((type(obj), tuple(sorted(fields))), []).append(obj)
        for (model, fields), objs in groups.items():
            model.objects.bulk_update(objs, fields)
        for model, pks in self.deletes.items():
            for chunk in _chunks(pks):
                model.objects.filter(pk__in=chunk).delete()
        created = []
        for model in sorted(self.creates, key=lambda m: m is Phone):  # contacts first
            objs = self.creates[model]
            if connection.features.can_return_rows_from_bulk_insert:
                model.objects.bulk_create(objs)
            else:
                for obj in objs:
                    obj.save(force_insert=True)
            created.extend(objs)
        for obj in created:  # phones of new contacts now have their contact's pk
            self._index(obj)
        self.creates, self.updates, self.deletes = {}, {}, {}


def _ref_name(kind: str, field_name: str) -> str:
    """The reference a field makes: "organization" for `organization` and `organization_id`."""
    for name, _target, _required in REFERENCES.get(kind, ()):
        if field_name in (name, f"{name}_id"):
            return name
    return field_name.removesuffix("_id")


_FEED_NAMES = {
    ("organization", "parent_uuid"): "parent_organization_id",
    ("taxonomy_term", "taxonomy_name"): "taxonomy",
    ("taxonomy_term", "taxonomy_id"): "taxonomy_id",
}


def _feed_name(kind: str, name: str) -> str:
    return _FEED_NAMES.get((kind, name), name)


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Running an import ------------------------------------------------------------------------


def describe(data: Any, *, source: str = "") -> dict[str, int]:
    """How many records of each kind a feed holds, without touching the database. Raises
    FeedError when the feed is not one Linkwork can import."""
    feed = _Feed(hint=kind_hint(source))
    feed.collect(data)
    counts: dict[str, int] = {}
    for kind, _key in feed.records:
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def _import(
    data: Any,
    *,
    by=None,
    dry_run: bool = False,
    directory_import: DirectoryImport | None = None,
    source: str = "",
    progress: Progress | None = None,
) -> Report:
    """Collect, check and apply. Raises on any failure, leaving the directory as it was."""
    feed = _Feed(hint=kind_hint(source))
    feed.collect(data)
    if progress is None and directory_import is not None:
        progress = _progress_writer(directory_import)
    feed.check(progress)
    report = Report(dry_run=dry_run)
    with transaction.atomic():
        feed.apply(by=by, directory_import=directory_import, progress=progress)
        entries = [
            record.entry()
            for record in sorted(
                feed.records.values(), key=lambda r: (REPORT_ORDER.index(r.kind), r.order)
            )
        ]
        entries += [record.entry() for record in feed.unknown + feed.unplaced()]
        notes = list(feed.notes)
        if not entries:
            notes.append(message(INFO, M_EMPTY))
        if notes:
            entries.insert(
                0, {"kind": "feed", "id": "", "name": "", "result": "", "messages": notes}
            )
        report.entries = entries
        if dry_run:
            transaction.set_rollback(True)
        elif directory_import is not None:
            counts = report.counts
            audit.record(
                by=by,
                action=AuditAction.CHANGE,
                obj=directory_import,
                fields=sorted({e["kind"] for e in entries if e["result"] in (CREATED, UPDATED)}),
                detail="ORUK import: " + _totals_detail(counts),
            )
            total = len(feed.records)
            DirectoryImport.objects.filter(pk=directory_import.pk).update(
                status=ImportStatus.SUCCEEDED,
                counts=counts,
                report=entries,
                total=total,
                processed=total,
                error="",
                finished_at=timezone.now(),
            )
    return report


def _totals_detail(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts.get(name, 0)} {name}" for name in (*RESULTS, "warnings"))


def _progress_writer(directory_import: DirectoryImport) -> Progress:
    """Writes how many records have been checked to the import's row, at most twice a second.
    Only the checking stage is written: saving happens in one transaction, which nobody else
    sees until it commits."""
    last = [0.0]

    def write(stage: str, done: int, total: int) -> None:
        if stage != "checking":
            return
        now = time.monotonic()
        if done < total and now - last[0] < 0.5:
            return
        last[0] = now
        DirectoryImport.objects.filter(pk=directory_import.pk).update(processed=done, total=total)

    return write


def run_import(
    data: Any,
    *,
    by=None,
    dry_run: bool = False,
    source: str = "",
    progress: Progress | None = None,
) -> Report:
    """Import a parsed feed (what `load_json` or `fetch` answer) now.

    With `dry_run`, everything is checked and applied, then rolled back: the report says what
    would happen, nothing is kept and no DirectoryImport is written. Otherwise a
    DirectoryImport is written for the import, as the web page's are. Never raises for a bad
    feed or a failure: `report.failed` and `report.error` say what went wrong.
    """
    if dry_run:
        try:
            return _import(data, by=by, dry_run=True, source=source, progress=progress)
        except FeedError as error:
            return Report(dry_run=True, error=error.message)
        except Exception as error:  # a dry run fails like a real one: with the class name only
            logger.error("Directory import dry run failed: %s", type(error).__name__)
            return Report(
                dry_run=True, error=message(ERROR, E_UNEXPECTED, error=type(error).__name__)
            )
    directory_import = DirectoryImport.objects.create(
        source=(source or "JSON")[:500],
        status=ImportStatus.RUNNING,
        started_by=by if getattr(by, "is_authenticated", False) else None,
    )
    return _run(directory_import, lambda: data, progress=progress)


def run_directory_import(
    directory_import: DirectoryImport | int, *, progress: Progress | None = None
) -> Report:
    """Run a queued import: its uploaded payload, or the feed at its source URL. Used by the
    background task and the `import_oruk` command."""
    if not isinstance(directory_import, DirectoryImport):
        directory_import = DirectoryImport.objects.get(pk=directory_import)

    def read() -> Any:
        if directory_import.payload:
            return load_json(directory_import.payload)
        return fetch(directory_import.source, progress=progress)

    return _run(directory_import, read, progress=progress)


def _run(directory_import: DirectoryImport, read: Callable[[], Any], *, progress) -> Report:
    DirectoryImport.objects.filter(pk=directory_import.pk).update(
        status=ImportStatus.RUNNING, processed=0, total=0, error=""
    )
    by = directory_import.started_by
    try:
        data = read()
        report = _import(
            data,
            by=by,
            directory_import=directory_import,
            source=directory_import.source,
            progress=_both(progress, _progress_writer(directory_import)),
        )
    except FeedError as error:
        return _fail(directory_import, error.message)
    except Exception as error:  # any failure leaves the directory as it was
        # The class name only: an exception's text can quote the feed.
        logger.error("Directory import %s failed: %s", directory_import.pk, type(error).__name__)
        return _fail(directory_import, message(ERROR, E_UNEXPECTED, error=type(error).__name__))
    directory_import.refresh_from_db()
    return report


def fail_abandoned_imports(older_than: datetime.timedelta) -> int:
    """Mark imports still waiting or running after `older_than` as failed. The save is one
    transaction, so an import whose worker died changed nothing; without this it would show
    "Importing" for ever. Returns how many were marked."""
    cutoff = timezone.now() - older_than
    stuck = DirectoryImport.objects.filter(
        status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING], created_at__lt=cutoff
    )
    marked = 0
    for directory_import in stuck:
        _fail(directory_import, message(ERROR, E_ABANDONED))
        marked += 1
    return marked


def _both(*progresses: Progress | None) -> Progress:
    def call(stage: str, done: int, total: int) -> None:
        for progress in progresses:
            if progress is not None:
                progress(stage, done, total)

    return call


def _fail(directory_import: DirectoryImport, error: dict) -> Report:
    entry = {"kind": "feed", "id": "", "name": "", "result": "failed", "messages": [error]}
    with transaction.atomic():
        DirectoryImport.objects.filter(pk=directory_import.pk).update(
            status=ImportStatus.FAILED,
            error=_english(error),
            report=[entry],
            counts={},
            finished_at=timezone.now(),
        )
        audit.record(
            by=directory_import.started_by,
            action=AuditAction.CHANGE,
            obj=directory_import,
            detail="ORUK import failed: nothing changed",
        )
    directory_import.refresh_from_db()
    return Report(error=error)


def _english(msg: dict) -> str:
    from django.utils import translation

    with translation.override("en-gb"):
        return render_message(msg)

"""What an import says: its messages, `FeedError` for a feed that cannot be imported at all,
and the `Report`, record by record.

Report messages are stored as (English text, parameters) and translated when shown
(`render_message`), so a Welsh-speaking manager reads the report in Welsh.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop

from linkwork.directory.models import Availability

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


def show_value(value: Any) -> str:
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

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

Three steps, on a `Feed` (feed.py):

1. **Collect** (collect.py): walk the feed and gather each record by kind and id.
2. **Check** (check.py): every record is checked against what Linkwork needs, without writing.
3. **Save** (store.py): one transaction creates or updates each record by its id and writes the
   audit line; any exception rolls the whole import back.

The modules, from the bottom up:

| module | what it holds |
|---|---|
| `report.py` | the report's messages (translated when shown), `FeedError`, `Report` |
| `fetch.py` | reading a feed: `load_json`, `fetch` from a URL (every page), the limits |
| `fields.py` | how each model field is read from the feed and cleaned (`F`, `clean_fields`) |
| `records.py` | the kinds of record and detail, how they refer to each other, `Record` |
| `collect.py`, `check.py`, `store.py` | the three steps, put together as `Feed` in `feed.py` |
| `details.py` | the detail rows (phones, schedules, ...) read and written in bulk |
| `run.py` | `run_import`, `run_directory_import`, `describe`, `fail_abandoned_imports` |

Callers import from here (`from linkwork.oruk import importer`), not from the modules.
"""

from .feed import Feed
from .fetch import (
    FETCH_TIMEOUT,
    MAX_FEED_BYTES,
    MAX_PAGES,
    MAX_UPLOAD_BYTES,
    FeedPages,
    check_url,
    fetch,
    kind_hint,
    load_json,
    page_url,
)
from .records import Record, detect_kind
from .report import (
    CREATED,
    E_NOT_TEXT,
    ERROR,
    INFO,
    KIND_NOUNS,
    REJECTED,
    RESULTS,
    STAGES,
    UNCHANGED,
    UPDATED,
    WARNING,
    FeedError,
    Progress,
    Report,
    entry_heading,
    kind_label,
    level_label,
    message,
    render_message,
    result_label,
    totals_line,
)
from .run import describe, fail_abandoned_imports, run_directory_import, run_import

__all__ = [
    "CREATED",
    "E_NOT_TEXT",
    "ERROR",
    "FETCH_TIMEOUT",
    "INFO",
    "KIND_NOUNS",
    "MAX_FEED_BYTES",
    "MAX_PAGES",
    "MAX_UPLOAD_BYTES",
    "REJECTED",
    "RESULTS",
    "STAGES",
    "UNCHANGED",
    "UPDATED",
    "WARNING",
    "Feed",
    "FeedError",
    "FeedPages",
    "Progress",
    "Record",
    "Report",
    "check_url",
    "describe",
    "detect_kind",
    "entry_heading",
    "fail_abandoned_imports",
    "fetch",
    "kind_hint",
    "kind_label",
    "level_label",
    "load_json",
    "message",
    "page_url",
    "render_message",
    "result_label",
    "run_directory_import",
    "run_import",
    "totals_line",
]

"""One-time link secrets kept out of the logs.

A one-time link (a feedback form, a questionnaire, a service link) and a calendar feed carry
their secret in the path: `/casework/feedback/<signed>/`, `/casework/diary/calendar/<token>.ics`.
Request logs print the path (Django's `django.request` "Not Found: /..." and "Internal Server
Error: /...", the development server's `django.server`, gunicorn's access log), so anyone who
reads the logs could open the link. `RedactOneTimeLinks` rewrites a log record before it is
written: the secret part of such a path becomes `[redacted]`, and so does any value that has the
shape of a signed value (`django.core.signing.dumps`) wherever it appears.

Which paths hold secrets comes from the URLconf: every route with a parameter named in
`SECRET_PARAMETERS`. A new kind of link is covered as long as its parameter is called `signed`
or `token` (`tests/core/test_log_scrubbing.py` checks that every such route is).

Wired in `LOGGING` (`config/settings/base.py`) on the console handler and the `django.request`
and `django.server` loggers, and on `gunicorn.access` by `config/gunicorn.conf.py`.
"""

import logging
import re
import threading
from collections.abc import Iterable
from numbers import Number

#: Route parameters whose values are secrets.
SECRET_PARAMETERS = frozenset({"signed", "token"})
REDACTED = "[redacted]"

# `signing.dumps`: base64 payload, base62 timestamp and base64 signature, colon-separated.
_SIGNED_VALUE = re.compile(r"[A-Za-z0-9_\-.]{6,}:[A-Za-z0-9]{4,}:[A-Za-z0-9_\-]{20,}")
_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>")
# A secret in a log line ends at a slash, a space, a query string, a fragment or a quote, and is
# at least 16 characters long (signed values are about 90, feed tokens 43): a page beside the
# links, such as /casework/feedback/thank-you/, keeps its name.
_PATH_PART = r"([^/\s?#\"']{16,})"

_routes: tuple[re.Pattern[str], ...] | None = None
_building = threading.local()


def _route_regexes(patterns: Iterable, prefix: str = "") -> Iterable[str]:
    """The full regex of each route with a secret parameter, as text."""
    for entry in patterns:
        part = entry.pattern.regex.pattern.removeprefix("^").removesuffix(r"\Z")
        if hasattr(entry, "url_patterns"):
            yield from _route_regexes(entry.url_patterns, prefix + part)
        elif SECRET_PARAMETERS & set(entry.pattern.regex.groupindex):
            yield prefix + part


def _searchable(regex: str) -> str:
    """A route's regex made to find it inside a log line: secret parameters as the only
    capturing groups (matching no further than the path goes), other parameters uncaptured."""
    pieces, position = [], 0
    for group in _NAMED_GROUP.finditer(regex):
        pieces.append(regex[position : group.start()])
        if group.group(1) in SECRET_PARAMETERS:
            # Skip the converter's own pattern: up to the group's closing bracket.
            end = _closing_bracket(regex, group.end())
            pieces.append(_PATH_PART)
            position = end + 1
        else:
            pieces.append("(?:")
            position = group.end()
    pieces.append(regex[position:])
    return "/" + "".join(pieces)


def _closing_bracket(regex: str, start: int) -> int:
    depth, index = 1, start
    while depth:
        char = regex[index]
        if char == "\\":
            index += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        index += 1
    return index - 1


def secret_routes() -> tuple[re.Pattern[str], ...]:
    """The routes with secrets in them, from the URLconf (read once, when it can be)."""
    global _routes
    if _routes is not None:
        return _routes
    if getattr(_building, "active", False):
        return ()  # Something logged while the URLconf was being read.
    _building.active = True
    try:
        from django.urls import get_resolver

        found = tuple(
            re.compile(_searchable(regex)) for regex in _route_regexes(get_resolver().url_patterns)
        )
    except Exception:  # settings or URLconf not ready: signed values only, for now
        return ()
    finally:
        _building.active = False
    _routes = found
    return found


def _blank_secrets(match: re.Match[str]) -> str:
    text, start = [], match.start()
    for index in range(1, (match.lastindex or 0) + 1):
        if match.start(index) < 0:
            continue
        text.append(match.string[start : match.start(index)])
        text.append(REDACTED)
        start = match.end(index)
    text.append(match.string[start : match.end()])
    return "".join(text)


def redact(text: str) -> str:
    """`text` with the secrets of one-time link paths, and any signed value, as `[redacted]`."""
    if "/" in text:
        for route in secret_routes():
            text = route.sub(_blank_secrets, text)
    return _SIGNED_VALUE.sub(REDACTED, text)


def _redacted(value: object) -> object:
    """A message or argument redacted: text as text; any other object (a request, an
    exception) as its text only if that held a secret, so `%d` and `%r` still work on the rest."""
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, Number):
        return value
    text = str(value)
    cleaned = redact(text)
    return value if cleaned == text else cleaned


class RedactOneTimeLinks(logging.Filter):
    """Redact one-time link secrets in a record's message, its arguments (a tuple, or the
    mapping gunicorn's access log formats from) and its traceback. Changes the record itself,
    so every handler after this filter sees it redacted; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _redacted(record.msg)
        if isinstance(record.args, dict):
            for key, value in list(record.args.items()):
                record.args[key] = _redacted(value)
        elif isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) for arg in record.args)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True

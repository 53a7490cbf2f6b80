"""Reading a feed: parsing its JSON (`load_json`), or fetching it from an http(s) address
(`fetch`), every page of a paginated list, within limits of size and pages, and never from an
address inside Linkwork's own network.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from django.conf import settings

from .report import (
    E_CONNECT,
    E_HTTP_STATUS,
    E_NOT_A_FEED,
    E_NOT_JSON,
    E_NOT_TEXT,
    E_PAGE_NOT_JSON,
    E_PRIVATE_HOST,
    E_TIMEOUT,
    E_TOO_BIG,
    E_TOO_MANY_PAGES,
    E_URL_SCHEME,
    INFO,
    P_CANNOT_CONNECT,
    FeedError,
    Progress,
    message,
)

# Limits on what is read.
MAX_FEED_BYTES = 20 * 1024 * 1024  # all the pages of a URL together
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # an uploaded file
MAX_PAGES = 1000
FETCH_TIMEOUT = 30.0  # seconds, for each page


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
        total = int_or(first.get("total_pages"), 1)
        number = int_or(first.get("page_number"), 1)
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
    `DIRECTORY_IMPORT_ALLOW_INTERNAL_HOSTS` says so (tests, or a feed on the same network).

    The request then goes to the address that was checked, not to the name: resolving the name
    again to connect would let a name that answers differently the second time (DNS rebinding)
    reach an internal address after passing the check. The name stays in the `Host` header and
    in TLS (SNI and the certificate's check), so the server sees the request as usual."""
    if settings.DIRECTORY_IMPORT_ALLOW_INTERNAL_HOSTS:
        return
    host = request.url.host
    try:
        ipaddress.ip_address(host)
        return_literal = True
    except ValueError:
        return_literal = False
    try:
        infos = socket.getaddrinfo(host, request.url.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise FeedError(E_CONNECT, page=1, problem=message(INFO, P_CANNOT_CONNECT)) from error
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses or any(not address.is_global for address in addresses):
        raise FeedError(E_PRIVATE_HOST)
    if return_literal:
        return  # an address typed as such: nothing to resolve again
    request.extensions["sni_hostname"] = host
    request.headers["Host"] = request.url.netloc.decode("ascii")
    request.url = request.url.copy_with(host=str(addresses[0]))


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


def int_or(value: Any, default: int) -> int:
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

"""Who is asking: the client's address, for rate limits and sign-in throttling.

Behind a TLS proxy every request comes from the proxy, so `REMOTE_ADDR` alone would put every
visitor in one bucket. `TRUSTED_PROXY_HEADER` (for example `HTTP_X_FORWARDED_FOR`) names the
header the installation's own proxies append to, and `TRUSTED_PROXY_COUNT` how many of them
there are: the client is the entry that many places from the right, the last one a proxy of
ours wrote. Entries to its left were written by the client and are ignored. With no header
configured (the default), only `REMOTE_ADDR` counts: a header anyone can send is never trusted.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    header = getattr(settings, "TRUSTED_PROXY_HEADER", "")
    if header:
        hops = [part for part in request.META.get(header, "").split(",") if part.strip()]
        count = max(getattr(settings, "TRUSTED_PROXY_COUNT", 1), 1)
        if len(hops) >= count and (found := _valid(hops[-count])):
            return found
    return _valid(remote) or "0.0.0.0"  # noqa: S104 (a key for the limits, not a bind address)

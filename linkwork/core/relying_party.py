"""Where passkeys (WebAuthn) may be used: the relying party id and the origins, from an address
such as SITE_URL (decision 0025). Plain Python, so the settings can use it."""

from ipaddress import ip_address
from urllib.parse import urlsplit


def relying_party(address: str) -> tuple[str, list[str]]:
    """The relying party id (the host name) and the allowed origin for `address`, or nothing
    where browsers refuse passkeys: no address, an IP address (not a domain), or plain HTTP
    anywhere but localhost (not a secure page)."""
    parts = urlsplit(address)
    host = (parts.hostname or "").lower()
    if not host:
        return "", []
    try:
        ip_address(host)
    except ValueError:
        pass
    else:
        return "", []
    if parts.scheme != "https" and host != "localhost":
        return "", []
    return host, [f"{parts.scheme}://{parts.netloc.lower()}"]

"""The secret in a service link, and how a URL is checked before the database is asked.

A link's URL carries a value signed with the project's secret key (salt
``linkwork.service-link``): the link's id and a random token. Tampering with it fails the
signature check, so nothing is looked up. The database keeps only a SHA-256 of the token and
enforces the rest: used once, expiry, withdrawal.
"""

import hashlib
import hmac
import secrets

from django.core import signing

SALT = "linkwork.service-link"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign(link_id: int, token: str) -> str:
    return signing.dumps([link_id, token], salt=SALT, compress=False)


def unsign(value: str) -> tuple[int, str] | None:
    """The link id and token in a signed value, or None if it was tampered with or garbled."""
    try:
        link_id, token = signing.loads(value, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(link_id, int) or not isinstance(token, str):
        return None
    return link_id, token


def token_matches(token: str, token_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), token_hash)

"""Links that someone without an account can use once: a signed id and secret in the URL.

The URL carries a value signed with the project's secret key (a salt per kind of link): the
link row's id and a random token. Tampering fails the signature check before the database is
asked. The database keeps only a SHA-256 of the token and enforces the rest: used once,
expiry, withdrawal.
"""

import hashlib
import hmac
import secrets

from django.core import signing


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign(link_id: int, token: str, *, salt: str) -> str:
    return signing.dumps([link_id, token], salt=salt, compress=False)


def unsign(value: str, *, salt: str) -> tuple[int, str] | None:
    """The link id and token in a signed value, or None if it was tampered with or garbled."""
    try:
        link_id, token = signing.loads(value, salt=salt)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(link_id, int) or not isinstance(token, str):
        return None
    return link_id, token


def token_matches(token: str, token_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), token_hash)


def usable_link(value: str, *, salt: str, links):
    """The link row a signed URL value stands for, from the queryset `links`, if it can still
    be used (its `is_usable()`); None if the value was tampered with, is unknown, or the link is
    used, expired or withdrawn. The signature is checked before the database is asked."""
    parsed = unsign(value, salt=salt)
    if parsed is None:
        return None
    link_id, token = parsed
    link = links.filter(pk=link_id).first()
    if link is None or not token_matches(token, link.token_hash):
        return None
    return link if link.is_usable() else None

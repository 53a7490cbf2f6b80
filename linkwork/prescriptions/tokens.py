"""The secret in a service link: `linkwork.core.signed_links` with this kind of link's salt.

Tampering with a link's URL fails the signature check, so nothing is looked up. The database
keeps only a SHA-256 of the token and enforces the rest: used once, expiry, withdrawal.
"""

from functools import partial

from linkwork.core import signed_links
from linkwork.core.signed_links import hash_token, new_token, token_matches

SALT = "linkwork.service-link"

sign = partial(signed_links.sign, salt=SALT)
unsign = partial(signed_links.unsign, salt=SALT)

__all__ = ["SALT", "hash_token", "new_token", "sign", "token_matches", "unsign"]

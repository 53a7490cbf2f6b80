"""Stable research pseudonyms: a keyed hash (HMAC-SHA256) of the trial and the participant,
with the key from the environment (`TRIAL_PSEUDONYM_KEY`). The same participant always has the
same pseudonym; without the key, nobody can work back from a pseudonym to a record, or from a
record to its pseudonym."""

import base64
import hashlib
import hmac

from django.conf import settings


class PseudonymKeyMissing(Exception):
    """The installation has no TRIAL_PSEUDONYM_KEY: no pseudonyms can be made."""


def key_is_set() -> bool:
    return bool(getattr(settings, "TRIAL_PSEUDONYM_KEY", ""))


def pseudonym(trial_id: int, participant_id: int) -> str:
    """ "P-" and ten letters and digits (50 bits), for example "P-7KQ2M4XB9D"."""
    key = getattr(settings, "TRIAL_PSEUDONYM_KEY", "")
    if not key:
        raise PseudonymKeyMissing
    message = f"linkwork-trial:{trial_id}:participant:{participant_id}".encode()
    digest = hmac.new(key.encode(), message, hashlib.sha256).digest()
    return "P-" + base64.b32encode(digest).decode()[:10]

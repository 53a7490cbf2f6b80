"""Stable research pseudonyms: a keyed hash (HMAC-SHA256) of the trial and the participant,
with the key from the environment (`TRIAL_PSEUDONYM_KEY`). The same participant always has the
same pseudonym; without the key, nobody can work back from a pseudonym to a record, or from a
record to its pseudonym."""

import hashlib
import hmac

from django.conf import settings

BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
SHIFTS = range(45, -1, -5)


class PseudonymKeyMissing(Exception):
    """The installation has no TRIAL_PSEUDONYM_KEY: no pseudonyms can be made."""


def key_is_set() -> bool:
    return bool(getattr(settings, "TRIAL_PSEUDONYM_KEY", ""))


def pseudonym(trial_id: int, participant_id: int) -> str:
    """ "P-" and ten letters and digits (50 bits), for example "P-7KQ2M4XB9D"."""
    return pseudonyms_for(trial_id)(participant_id)


def pseudonyms_for(trial_id: int):
    """`pseudonym` for one trial's participants, with the key read once: a data set makes tens
    of thousands."""
    key = getattr(settings, "TRIAL_PSEUDONYM_KEY", "")
    if not key:
        raise PseudonymKeyMissing
    keyed = hmac.new(key.encode(), digestmod=hashlib.sha256)
    prefix = f"linkwork-trial:{trial_id}:participant:"

    def pseudonym(participant_id: int) -> str:
        mac = keyed.copy()
        mac.update(f"{prefix}{participant_id}".encode())
        # The first 50 bits of the digest in base 32 (RFC 4648's alphabet): what
        # `base64.b32encode(digest)[:10]` gives, without encoding the other 206 bits.
        bits = int.from_bytes(mac.digest()[:7]) >> 6
        return "P-" + "".join(BASE32[(bits >> shift) & 31] for shift in SHIFTS)

    return pseudonym

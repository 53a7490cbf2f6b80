"""The concealed allocation list: stratified permuted blocks of random size.

When a trial opens, a 256-bit seed is drawn from the operating system's secure random source
(`secrets`) and every stratum's list is generated from it: blocks whose size is chosen at random
among the trial's multiples of the ratio (by default 2, 4 or 6 for 1:1), each holding every arm
`ratio x multiple` times in a random order. The random numbers are HMAC-SHA256 of the seed, the
stratum and a counter, so the list can be regenerated from the seed (and checked) after the
trial; without the seed, nothing about the next allocation can be inferred.

A stratum whose list runs out gets further blocks from the same stream, under the same lock.

`randomise()` takes the next unused allocation of the participant's stratum exactly once: it
locks the stratum's row (so randomisations in one stratum queue up, and those in different
strata do not wait for each other), uses the slot at its next position, and moves the position
on, all in one transaction.
"""

import hashlib
import hmac
import itertools
import secrets
from collections.abc import Iterator

from django.db import transaction

from .models import AllocationSeed, AllocationSlot, Arm, Stratum, Trial


class Stream:
    """Uniform random integers drawn from HMAC-SHA256(seed, label:counter)."""

    def __init__(self, seed: bytes, label: str, start: int = 0):
        self._seed = seed
        self._label = label.encode()
        self._counter = itertools.count(start)
        self.used = start

    def _word(self) -> int:
        n = next(self._counter)
        self.used = n + 1
        digest = hmac.new(self._seed, self._label + b":" + str(n).encode(), hashlib.sha256)
        return int.from_bytes(digest.digest()[:8], "big")

    def below(self, n: int) -> int:
        """A uniform integer in [0, n), without modulo bias (rejection sampling)."""
        if n < 1:
            raise ValueError("n must be positive")
        limit = (1 << 64) - ((1 << 64) % n)
        while True:
            word = self._word()
            if word < limit:
                return word % n

    def shuffle(self, items: list) -> list:
        """Fisher-Yates, in place."""
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]
        return items


def blocks(
    seed: bytes, stratum_key: str, arms: list[Arm], multiples: list[int], *, start_block: int = 0
) -> Iterator[list[Arm]]:
    """The stratum's blocks, from block number `start_block` on (0-based). Each block's
    randomness comes from its own stream, so block k is the same however the list was
    extended."""
    unit = [arm for arm in arms for _ in range(arm.ratio)]
    for number in itertools.count(start_block):
        stream = Stream(seed, f"{stratum_key}:block:{number}")
        multiple = multiples[stream.below(len(multiples))]
        yield stream.shuffle(unit * multiple)


def reference(seed: bytes, stratum_key: str, position: int) -> str:
    """The allocation's reference, derived from the seed like the arm (so it too can be checked
    after the trial) and shown only once the allocation is used."""
    message = f"{stratum_key}:reference:{position}".encode()
    return hmac.new(seed, message, hashlib.sha256).hexdigest()[:8].upper()


def new_seed() -> bytes:
    return secrets.token_bytes(32)


def seed_of(trial: Trial) -> bytes:
    return bytes.fromhex(AllocationSeed.objects.get(trial=trial).seed)


def extend(stratum: Stratum, *, seed: bytes, arms: list[Arm], multiples: list[int], at_least: int):
    """Generate further blocks for the stratum until it holds at least `at_least` slots.
    The caller holds the stratum's lock (or is creating it)."""
    rows = []
    position = stratum.generated
    for block in blocks(seed, stratum.key, arms, multiples, start_block=stratum.blocks):
        if position >= at_least:
            break
        stratum.blocks += 1
        for arm in block:
            position += 1
            rows.append(
                AllocationSlot(
                    stratum=stratum,
                    position=position,
                    block=stratum.blocks,
                    block_size=len(block),
                    arm=arm,
                    reference=reference(seed, stratum.key, position),
                )
            )
    AllocationSlot.objects.bulk_create(rows)
    stratum.generated = position
    stratum.save(update_fields=["generated", "blocks"])


def generate(trial: Trial, strata: list[str], *, seed: bytes) -> None:
    """Create the strata (by key) and generate each one's list. Inside the opening's
    transaction."""
    AllocationSeed.objects.create(trial=trial, seed=seed.hex())
    arms = list(trial.arms.all())
    for key in strata:
        stratum = Stratum.objects.create(trial=trial, key=key)
        extend(
            stratum,
            seed=seed,
            arms=arms,
            multiples=list(trial.block_multiples),
            at_least=trial.list_length,
        )


@transaction.atomic
def take_next(trial: Trial, key: str) -> AllocationSlot:
    """Lock the stratum and return its next unused slot, moving the position on. A stratum not
    seen when the trial opened (a factor level added later) is created now; a list that has run
    out is extended from the seed."""
    stratum = Stratum.objects.select_for_update().filter(trial=trial, key=key).first()
    arms = None
    if stratum is None:
        arms = list(trial.arms.all())
        # Two people in a new stratum at once: the unique key makes the second wait for the
        # first's row, then find it.
        stratum, _ = Stratum.objects.get_or_create(trial=trial, key=key)
        stratum = Stratum.objects.select_for_update().get(pk=stratum.pk)
    if stratum.next_position > stratum.generated:
        extend(
            stratum,
            seed=seed_of(trial),
            arms=arms or list(trial.arms.all()),
            multiples=list(trial.block_multiples),
            at_least=stratum.next_position + trial.list_length - 1,
        )
    slot = AllocationSlot.objects.select_related("arm").get(
        stratum=stratum, position=stratum.next_position
    )
    stratum.next_position += 1
    stratum.save(update_fields=["next_position"])
    return slot

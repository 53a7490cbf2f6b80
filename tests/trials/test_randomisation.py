"""The allocation list: permuted blocks of random size, balanced within every block, generated
from a secret seed so that it can be regenerated (and checked) after the trial, and different for
every seed."""

from collections import Counter
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkwork.trials.models import AllocationSeed, AllocationSlot, Stratum
from linkwork.trials.randomisation import Stream, blocks, new_seed

IMMEDIATE = SimpleNamespace(name="Immediate", ratio=1)
WAITLIST = SimpleNamespace(name="Waitlist", ratio=1)
DOUBLE = SimpleNamespace(name="Double", ratio=2)


def first_blocks(seed, arms, multiples, n=200, key="site=1"):
    generator = blocks(seed, key, arms, multiples)
    return [next(generator) for _ in range(n)]


@given(
    seed=st.binary(min_size=32, max_size=32),
    ratios=st.lists(st.integers(min_value=1, max_value=3), min_size=2, max_size=4),
    multiples=st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=3, unique=True),
)
@settings(max_examples=60, deadline=None)
def test_every_block_holds_each_arm_in_proportion_to_its_ratio(seed, ratios, multiples):
    arms = [SimpleNamespace(name=f"arm{i}", ratio=r) for i, r in enumerate(ratios)]
    unit = sum(ratios)
    for block in first_blocks(seed, arms, multiples, n=20):
        assert len(block) % unit == 0
        multiple = len(block) // unit
        assert multiple in multiples
        assert Counter(arm.name for arm in block) == {
            arm.name: arm.ratio * multiple for arm in arms
        }


def test_block_sizes_are_drawn_among_2_4_and_6_for_one_to_one():
    sizes = Counter(len(b) for b in first_blocks(new_seed(), [IMMEDIATE, WAITLIST], [1, 2, 3]))
    assert set(sizes) == {2, 4, 6}
    # Roughly a third each over 200 blocks (a wide margin: this is about the draw, not luck).
    assert all(40 <= count <= 95 for count in sizes.values()), sizes


def test_orders_within_blocks_vary():
    orders = Counter(
        tuple(arm.name for arm in b)
        for b in first_blocks(new_seed(), [IMMEDIATE, WAITLIST], [2])
        if len(b) == 4
    )
    assert len(orders) == 6  # every arrangement of two and two turns up in 200 blocks


def test_the_same_seed_and_stratum_give_the_same_list_and_another_seed_another():
    seed = new_seed()
    arms = [IMMEDIATE, WAITLIST, DOUBLE]
    names = lambda bs: [[a.name for a in b] for b in bs]  # noqa: E731
    assert names(first_blocks(seed, arms, [1, 2])) == names(first_blocks(seed, arms, [1, 2]))
    assert names(first_blocks(seed, arms, [1, 2])) != names(first_blocks(new_seed(), arms, [1, 2]))
    assert names(first_blocks(seed, arms, [1, 2], key="site=1")) != names(
        first_blocks(seed, arms, [1, 2], key="site=2")
    )


def test_a_list_extended_later_continues_exactly_as_if_generated_at_once():
    seed = new_seed()
    arms = [IMMEDIATE, WAITLIST]
    whole = first_blocks(seed, arms, [1, 2, 3], n=30)
    generator = blocks(seed, "site=1", arms, [1, 2, 3], start_block=10)
    assert [next(generator) for _ in range(20)] == whole[10:]


def test_the_stream_is_uniform_without_modulo_bias():
    stream = Stream(new_seed(), "test")
    counts = Counter(stream.below(3) for _ in range(30_000))
    assert all(9_500 <= counts[v] <= 10_500 for v in range(3)), counts
    with pytest.raises(ValueError):
        stream.below(0)


@pytest.mark.django_db
def test_opening_generates_every_stratum_from_a_stored_secret_seed(trial):
    seed = AllocationSeed.objects.get(trial=trial)
    assert len(bytes.fromhex(seed.seed)) == 32
    stratum = Stratum.objects.get(trial=trial)
    assert stratum.generated >= trial.list_length
    slots = list(AllocationSlot.objects.filter(stratum=stratum).order_by("position"))
    assert [s.position for s in slots] == list(range(1, stratum.generated + 1))
    assert all(s.participant_id is None for s in slots)
    # Regenerating from the seed gives the stored list: it can be checked after the trial.
    arms = list(trial.arms.all())
    regenerated = [
        arm.pk
        for block in first_blocks(
            bytes.fromhex(seed.seed), arms, [1, 2, 3], n=stratum.blocks, key=stratum.key
        )
        for arm in block
    ]
    assert regenerated == [s.arm_id for s in slots]

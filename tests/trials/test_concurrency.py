"""Many randomisations at once: 16 threads randomise several hundred people across four strata
at the same moment. Every person gets exactly one allocation; in each stratum the allocations
used are exactly the first ones of its list, none used twice and none skipped; and every block
the stratum has filled is balanced between the arms.

PostgreSQL only: SQLite serialises writers for the whole database, so a race there proves
nothing. Real threads, each with its own connection.
"""

import threading
from collections import Counter, defaultdict

import pytest
from django.db import connections

from linkwork.referrals.status import ReferralStatus
from linkwork.trials import actions
from linkwork.trials.models import AllocationSlot, Participant, ParticipantStatus
from tests.factories import make_referral
from tests.postgres import postgresql_only
from tests.trials.conftest import enrol, spec

THREADS = 16
PEOPLE = 320

pytestmark = postgresql_only("concurrency tests need PostgreSQL's row locks")


@pytest.fixture
def four_strata(
    site_a, site_b, pathway_a, pathway_b, trial_manager, coordinator_a, coordinator_b, gp_referrer
):
    trial = actions.create_trial(
        spec([site_a, site_b], [pathway_a, pathway_b], stratify_by=["frequent_attender"]),
        by=trial_manager,
    )
    trial = actions.open_trial(trial, by=trial_manager)
    people = []
    for i in range(PEOPLE):
        pathway = pathway_a if i % 2 else pathway_b
        referral = make_referral(
            ReferralStatus.WAITING,
            pathway=pathway,
            by=gp_referrer,
            frequent_attender=bool(i % 3 == 0),
        )
        staff = coordinator_a if pathway == pathway_a else coordinator_b
        people.append(enrol(trial, referral, staff))
    return trial, people


def test_hundreds_randomised_from_16_threads_at_once(four_strata):
    trial, people = four_strata
    shares = [people[i::THREADS] for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors = []

    def work(share):
        try:
            barrier.wait(timeout=60)
            for participant in share:
                fresh = Participant.objects.get(pk=participant.pk)
                actions.randomise(fresh, by=participant.screened_by)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
        assert not thread.is_alive(), "a thread is stuck: a lock was never released"
    assert not errors, errors[:3]

    randomised = Participant.objects.filter(trial=trial, status=ParticipantStatus.RANDOMISED)
    assert randomised.count() == PEOPLE
    used = AllocationSlot.objects.filter(stratum__trial=trial, participant__isnull=False)
    assert used.count() == PEOPLE
    assert len(set(used.values_list("participant_id", flat=True))) == PEOPLE
    by_stratum = defaultdict(list)
    for slot in used.select_related("stratum"):
        by_stratum[slot.stratum].append(slot)
    assert len(by_stratum) == 4
    for stratum, slots in by_stratum.items():
        positions = sorted(s.position for s in slots)
        assert positions == list(range(1, len(slots) + 1)), f"{stratum}: skipped or reused"
        stratum.refresh_from_db()
        assert stratum.next_position == len(slots) + 1
        # Each participant's recorded arm is their slot's.
        for slot in slots:
            assert slot.participant.arm_id == slot.arm_id
            assert slot.participant.stratum_id == stratum.pk
        # Every block the stratum has used in full holds the arms in equal numbers (1:1).
        blocks = defaultdict(list)
        for slot in AllocationSlot.objects.filter(
            stratum=stratum, block__lte=max(s.block for s in slots)
        ):
            blocks[slot.block].append(slot)
        for number, block in blocks.items():
            if all(s.participant_id for s in block):
                counts = Counter(s.arm_id for s in block)
                assert len(counts) == 2 and len(set(counts.values())) == 1, (stratum, number)

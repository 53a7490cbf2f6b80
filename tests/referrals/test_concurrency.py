"""Two managers acting at the same moment: the row locks in `allocate_referral` must make the
second one see the first one's result. Real threads, each with its own database connection.

PostgreSQL only: SQLite serialises writers for the whole database and has no row locks, so a race
there proves nothing.
"""

import threading

import pytest
from django.db import connections

from linkwork.referrals import actions
from linkwork.referrals.models import Allocation, Referral
from linkwork.referrals.status import ReferralStatus
from tests.factories import CoordinatorFactory, ManagerFactory, make_referral
from tests.postgres import postgresql_only

ROUNDS = 25

pytestmark = postgresql_only("concurrency tests need PostgreSQL's row locks")


def race(*jobs) -> list:
    """Run the jobs in threads released together; return each one's result or exception."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a thread is stuck: a lock was never released"
    return results


def allocate(referral_pk: int, coordinator, by):
    # Each thread reads the referral afresh through its own connection, as a request would.
    referral = Referral.objects.get(pk=referral_pk)
    return actions.allocate_referral(referral, coordinator=coordinator, by=by)


@pytest.fixture
def two_managers(site_a, manager, manager_both):
    return manager, manager_both


def test_two_managers_allocating_the_same_person_at_once_only_one_wins(
    site_a, two_managers, pathway_a, gp_referrer
):
    first_manager, second_manager = two_managers
    gareth = CoordinatorFactory(sites=[site_a], caseload_cap=100)
    nia = CoordinatorFactory(sites=[site_a], caseload_cap=100)

    for round_ in range(ROUNDS):
        referral = make_referral(
            ReferralStatus.WAITING, pathway=pathway_a, by=gp_referrer, staff=first_manager
        )

        results = race(
            lambda pk=referral.pk: allocate(pk, gareth, first_manager),
            lambda pk=referral.pk: allocate(pk, nia, second_manager),
        )

        won = [r for r in results if isinstance(r, Allocation)]
        refused = [r for r in results if isinstance(r, actions.ActionRefused)]
        assert len(won) == 1 and len(refused) == 1, f"round {round_}: {results!r}"
        assert "a moment ago" in refused[0].message
        current = Allocation.objects.filter(referral=referral, ended_at__isnull=True)
        assert current.count() == 1, f"round {round_}"
        assert current.get().pk == won[0].pk
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.ALLOCATED
        # One move to "allocated", not two.
        assert referral.status_changes.filter(to_status=ReferralStatus.ALLOCATED).count() == 1


def test_two_managers_filling_a_coordinators_last_place_at_once_only_one_gets_it(
    site_a, two_managers, pathway_a, gp_referrer
):
    first_manager, second_manager = two_managers
    gareth = CoordinatorFactory(sites=[site_a])

    for round_ in range(ROUNDS):
        caseload = Allocation.objects.filter(coordinator=gareth, ended_at__isnull=True).count()
        gareth.caseload_cap = caseload + 1  # one place left
        gareth.save(update_fields=["caseload_cap"])
        one, other = (
            make_referral(
                ReferralStatus.WAITING, pathway=pathway_a, by=gp_referrer, staff=first_manager
            )
            for _ in range(2)
        )

        results = race(
            lambda pk=one.pk: allocate(pk, gareth, first_manager),
            lambda pk=other.pk: allocate(pk, gareth, second_manager),
        )

        won = [r for r in results if isinstance(r, Allocation)]
        refused = [r for r in results if isinstance(r, actions.ActionRefused)]
        assert len(won) == 1 and len(refused) == 1, f"round {round_}: {results!r}"
        assert "caseload is full" in refused[0].message
        now = Allocation.objects.filter(coordinator=gareth, ended_at__isnull=True).count()
        assert now == gareth.caseload_cap == caseload + 1, f"round {round_}"
        statuses = set(Referral.objects.filter(pk__in=[one.pk, other.pk]).values_list("status"))
        assert statuses == {(ReferralStatus.ALLOCATED,), (ReferralStatus.WAITING,)}


def test_the_race_helper_really_runs_both_at_once(site_a):
    """Guards the tests above: both threads are inside their job before either finishes."""
    inside = threading.Barrier(2)

    def job():
        inside.wait(timeout=10)  # would time out if the jobs ran one after the other
        return ManagerFactory.build().role

    assert race(job, job) == ["manager", "manager"]

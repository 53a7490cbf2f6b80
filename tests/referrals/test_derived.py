"""The facts kept from the status history for the reports: when triage happened
(`Referral.triaged_at`) and each stretch on the waiting list (`WaitingSpell`). The actions keep
them as they go; `derived.rebuild` remakes them from the history, and must agree."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError
from django.utils import timezone

from linkwork.referrals import actions, derived
from linkwork.referrals.models import Referral, WaitingSpell
from linkwork.referrals.status import DeclineReason, Priority, ReferralStatus, WithdrawalReason
from tests.factories import CoordinatorFactory, make_referral

S = ReferralStatus

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))


def day(n: int) -> datetime.datetime:
    return START + datetime.timedelta(days=n)


def derived_facts() -> tuple[dict, list]:
    triaged = dict(Referral.objects.values_list("pk", "triaged_at"))
    spells = list(
        WaitingSpell.objects.order_by("referral_id", "joined_at").values_list(
            "referral_id", "joined_at", "left_at"
        )
    )
    return triaged, spells


@pytest.fixture
def histories(site_a, manager):
    """Referrals taken through the real actions on different days: asked for more information
    then accepted, allocated, re-allocated, withdrawn while waiting, declined, untouched."""
    coordinator = CoordinatorFactory(sites=[site_a])
    other = CoordinatorFactory(sites=[site_a])
    with time_machine.travel(day(0), tick=False):
        asked = make_referral(site=site_a)
        allocated = make_referral(site=site_a)
        withdrawn = make_referral(site=site_a)
        declined = make_referral(site=site_a)
        untouched = make_referral(site=site_a)
    with time_machine.travel(day(2), tick=False):
        actions.request_information(asked, by=manager, request="Which surgery?")
        actions.accept_referral(allocated, by=manager, priority=Priority.ROUTINE)
        actions.accept_referral(withdrawn, by=manager, priority=Priority.URGENT)
    with time_machine.travel(day(3), tick=False):
        actions.decline_referral(declined, by=manager, reason=DeclineReason.OUTSIDE_CRITERIA)
    with time_machine.travel(day(5), tick=False):
        actions.provide_information(asked, by=manager, response="Llanidloes")
    with time_machine.travel(day(6), tick=False):
        actions.accept_referral(asked, by=manager, priority=Priority.ROUTINE)
    with time_machine.travel(day(20), tick=False):
        first = actions.allocate_referral(allocated, coordinator=coordinator, by=manager)
        actions.withdraw_referral(withdrawn, by=manager, reason=WithdrawalReason.PERSON_DECLINED)
    with time_machine.travel(day(30), tick=False):
        actions.allocate_referral(allocated, coordinator=other, by=manager, replacing=first)
    return {
        "asked": asked,
        "allocated": allocated,
        "withdrawn": withdrawn,
        "declined": declined,
        "untouched": untouched,
    }


def test_the_actions_record_triage_and_each_stretch_on_the_waiting_list(histories):
    triaged, spells = derived_facts()

    # Triage is the first decision, asking for information included.
    assert triaged[histories["asked"].pk] == day(2)
    assert triaged[histories["allocated"].pk] == day(2)
    assert triaged[histories["declined"].pk] == day(3)
    assert triaged[histories["untouched"].pk] is None
    assert spells == sorted(
        [
            (histories["allocated"].pk, day(2), day(20)),
            (histories["withdrawn"].pk, day(2), day(20)),
            (histories["asked"].pk, day(6), None),
        ]
    )


def test_rebuilding_from_the_history_gives_what_the_actions_kept(histories):
    kept = derived_facts()
    Referral.objects.update(triaged_at=None)
    WaitingSpell.objects.all().delete()

    derived.rebuild()

    assert derived_facts() == kept


def test_rebuilding_some_referrals_leaves_the_others_alone(histories):
    kept = derived_facts()
    asked, allocated = histories["asked"], histories["allocated"]
    WaitingSpell.objects.filter(referral=allocated).update(left_at=None)
    Referral.objects.filter(pk=allocated.pk).update(triaged_at=day(99))
    WaitingSpell.objects.filter(referral=asked).delete()

    derived.rebuild(Referral.objects.filter(pk=allocated.pk).values("pk"))

    triaged, spells = derived_facts()
    assert triaged == kept[0]
    assert spells == [s for s in kept[1] if s[0] != asked.pk]


def test_each_stretch_knows_its_referrals_site_and_pathway(histories):
    def places():
        return sorted(
            (s.referral_id, s.site_id, s.pathway_id, s.referral.site_id, s.referral.pathway_id)
            for s in WaitingSpell.objects.select_related("referral")
        )

    kept = places()
    derived.rebuild()

    assert places() == kept
    assert len(kept) == 3
    assert all(spell[1:3] == spell[3:5] for spell in kept)


def test_one_open_stretch_at_a_time(histories):
    with pytest.raises(IntegrityError):
        WaitingSpell.objects.create(referral=histories["asked"], joined_at=day(7))

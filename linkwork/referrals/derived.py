"""Facts derived from a referral's status history and stored so that reports over hundreds of
thousands of referrals read a column or a range instead of replaying every history:

- `Referral.triaged_at`: the first move off "received" (accepted, declined, or more
  information asked for);
- `WaitingSpell`: each stretch on the waiting list, from the move onto it to the move off it.

`record(change)` keeps them as each status change is written (`actions.move_to` calls it);
`rebuild()` remakes them from the history for records written another way: the data migration,
the demo's bulk-loaded and back-dated history, the benchmark's `COPY`. Both follow one rule, and
a test checks that rebuilding after the actions changes nothing.
"""

from __future__ import annotations

from django.db.models import Min, OuterRef, Q, Subquery

from .models import Referral, WaitingSpell
from .status import ReferralStatus

S = ReferralStatus

BATCH = 5000


def is_triage(from_status: str, to_status: str) -> bool:
    return from_status == S.RECEIVED and to_status != S.RECEIVED


def joins_list(from_status: str, to_status: str) -> bool:
    return to_status == S.WAITING and from_status != S.WAITING


def leaves_list(from_status: str, to_status: str) -> bool:
    return from_status == S.WAITING and to_status != S.WAITING


def record(referral, change) -> None:
    """Keep the derived facts for one status change just written for `referral`."""
    if is_triage(change.from_status, change.to_status) and referral.triaged_at is None:
        Referral.objects.filter(pk=referral.pk, triaged_at__isnull=True).update(
            triaged_at=change.at
        )
        referral.triaged_at = change.at
    if leaves_list(change.from_status, change.to_status):
        WaitingSpell.objects.filter(referral=referral, left_at__isnull=True).update(
            left_at=change.at
        )
    if joins_list(change.from_status, change.to_status):
        WaitingSpell.objects.create(
            referral=referral,
            site_id=referral.site_id,
            pathway_id=referral.pathway_id,
            joined_at=change.at,
        )


def rebuild(referral_ids=None, *, apps=None) -> None:
    """Remake `triaged_at` and the waiting spells from the status history, for every referral
    or those in `referral_ids` (ids or a queryset of ids). `apps`: a migration's models."""
    if apps is None:
        from django.apps import apps as live

        apps = live
    referral_model = apps.get_model("referrals", "Referral")
    change_model = apps.get_model("referrals", "StatusChange")
    spell_model = apps.get_model("referrals", "WaitingSpell")

    referrals = referral_model.objects.all()
    changes = change_model.objects.all()
    spells = spell_model.objects.all()
    if referral_ids is not None:
        referrals = referrals.filter(pk__in=referral_ids)
        changes = changes.filter(referral_id__in=referral_ids)
        spells = spells.filter(referral_id__in=referral_ids)

    first = (
        change_model.objects.filter(referral=OuterRef("pk"), from_status=S.RECEIVED)
        .exclude(to_status=S.RECEIVED)
        .order_by()
        .values("referral")
        .annotate(first=Min("at"))
        .values("first")
    )
    referrals.order_by().update(triaged_at=Subquery(first))

    spells.order_by().delete()
    moves = (
        changes.filter(Q(to_status=S.WAITING) | Q(from_status=S.WAITING))
        .order_by("referral_id", "at", "pk")
        .values_list(
            "referral_id",
            "referral__site_id",
            "referral__pathway_id",
            "from_status",
            "to_status",
            "at",
        )
    )
    batch, open_spell = [], None
    for referral_id, site_id, pathway_id, from_status, to_status, at in moves.iterator(
        chunk_size=BATCH
    ):
        if open_spell is not None and open_spell.referral_id != referral_id:
            open_spell = None
        if leaves_list(from_status, to_status) and open_spell is not None:
            open_spell.left_at = at
            open_spell = None
        if joins_list(from_status, to_status):
            open_spell = spell_model(
                referral_id=referral_id, site_id=site_id, pathway_id=pathway_id, joined_at=at
            )
            batch.append(open_spell)
        if len(batch) >= BATCH and open_spell is None:
            spell_model.objects.bulk_create(batch)
            batch = []
    spell_model.objects.bulk_create(batch)

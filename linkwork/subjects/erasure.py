"""Erasure on request (UK GDPR article 17, decision 0027): a manager at one of the person's
sites records the request; Linkwork says what stands in its way; the manager decides, with a
reason; erasing anonymises the record at once through the one path retention takes
(`anonymise.anonymise`), audited with the request's number.

What Linkwork weighs (`assess`):
- **Blocks**: an open referral, or an open safeguarding concern. Support or safeguarding still
  under way needs the record; close them first (or refuse, saying why).
- **May be refused**: a person supported by a link coordinator whose health-record retention
  period has not passed (article 17(3)(b), a legal obligation, and (c), public health: the
  service's records of care). The manager decides.
- **Kept whatever is decided**: trial data already pseudonymised for research (17(3)(d)): the
  person's arm, measures and scores stay, without who they are, as everything anonymising
  keeps does.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linkwork.accounts.permissions import Permission, has_permission
from linkwork.audit.models import AuditAction
from linkwork.audit.service import record
from linkwork.core.errors import ActionRefused
from linkwork.referrals.models import Allocation, Person, Referral
from linkwork.referrals.status import OPEN_STATUSES
from linkwork.safeguarding.models import SafeguardingConcern
from linkwork.trials.models import Participant

from . import retention, sweep
from .anonymise import anonymise
from .models import Anonymisation, ErasureDecision, ErasureRequest

BLOCKS = "blocks"
MAY_REFUSE = "may_refuse"
KEPT = "kept"


@dataclass(frozen=True)
class Ground:
    """One thing standing in the way of erasure, or kept whatever is decided."""

    kind: str  # BLOCKS, MAY_REFUSE or KEPT
    text: str


def assess(person: Person, *, now: datetime.datetime | None = None) -> list[Ground]:
    now = now or timezone.now()
    found: list[Ground] = []
    if Anonymisation.objects.filter(person=person).exists():
        return found
    open_referrals = Referral.objects.filter(person=person, status__in=OPEN_STATUSES)
    for referral in open_referrals.order_by("pk"):
        found.append(
            Ground(
                BLOCKS,
                _(
                    "Referral %(reference)s is still open (%(status)s): close it, or decline "
                    "or withdraw it, first."
                )
                % {"reference": referral.reference, "status": referral.get_status_display()},
            )
        )
    concerns = SafeguardingConcern.objects.filter(
        referral__person=person, closed_at__isnull=True
    ).count()
    if concerns:
        found.append(
            Ground(
                BLOCKS,
                _(
                    "A safeguarding concern about them is still open: the record is needed "
                    "while it is dealt with."
                ),
            )
        )
    supported = Allocation.objects.filter(referral__person=person).exists()
    if supported and not open_referrals.exists():
        due = sweep.people_due(now, person_ids=[person.pk])
        if person.pk not in due.get(retention.SUPPORTED, {}):
            found.append(
                Ground(
                    MAY_REFUSE,
                    _(
                        "They were supported by a link coordinator, and the service keeps "
                        "records of support for %(period)s %(starts)s. Erasure may be refused "
                        "under article 17(3)(b) and (c): the record of care is kept to meet a "
                        "legal obligation and for public health."
                    )
                    % {
                        "period": retention.rule(retention.SUPPORTED).period,
                        "starts": retention.rule(retention.SUPPORTED).starts,
                    },
                )
            )
    if Participant.objects.filter(referral__person=person).exists():
        found.append(
            Ground(
                KEPT,
                _(
                    "They took part in a trial: its data, already pseudonymised for research, "
                    "is kept either way (article 17(3)(d)); erasing removes who they are."
                ),
            )
        )
    return found


def blocked(grounds: list[Ground]) -> bool:
    return any(ground.kind == BLOCKS for ground in grounds)


@transaction.atomic
def request_erasure(referral: Referral, *, by, received_on: datetime.date, note: str):
    """Record an erasure request about the referral's person."""
    if not has_permission(by, Permission.RECORD_ERASURE, referral):
        raise ActionRefused(_("Only a manager at the person's site can do this."))
    if received_on > timezone.localdate():
        raise ActionRefused(
            _("The date received must be today or in the past"), field="received_on"
        )
    made = ErasureRequest.objects.create(
        person=referral.person,
        referral=referral,
        received_on=received_on,
        note=note,
        requested_by=by,
    )
    record(
        by=by,
        action=AuditAction.CREATE,
        obj=made,
        person_id=referral.person_id,
        fields=["received_on", "note"],
        detail="erasure request",
    )
    return made


REFUSED_WITHOUT_A_REASON = gettext_lazy("Give the reason for the decision")


def decide_erasure(request: ErasureRequest, *, by, decision: str, reason: str) -> ErasureRequest:
    """Erase (anonymise now) or refuse, with the reason, which is kept either way."""
    if not has_permission(by, Permission.RECORD_ERASURE, request.referral):
        raise ActionRefused(_("Only a manager at the person's site can do this."))
    if decision not in (ErasureDecision.ERASED, ErasureDecision.REFUSED):
        raise ActionRefused(_("Choose whether to erase or refuse"), field="decision")
    if not reason.strip():
        raise ActionRefused(str(REFUSED_WITHOUT_A_REASON), field="reason")
    with transaction.atomic():
        request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
        if request.decided:
            raise ActionRefused(_("This request has already been decided."))
        person = request.person
        if decision == ErasureDecision.ERASED and blocked(assess(person)):
            raise ActionRefused(
                _("The record can't be erased yet: see what stands in the way."),
                field="decision",
            )
        request.decision = decision
        request.reason = reason.strip()
        request.decided_by = by
        request.decided_at = timezone.now()
        request.save(update_fields=["decision", "reason", "decided_by", "decided_at"])
        record(
            by=by,
            action=AuditAction.CHANGE,
            obj=request,
            # Not linked to the person when erasing: the link is about to be removed anyway.
            person_id=person.pk if decision == ErasureDecision.REFUSED else None,
            fields=["decision", "reason"],
            detail=f"erasure request {decision}",
        )
        if decision == ErasureDecision.ERASED:
            anonymise(
                person.pk,
                why=f"erasure request {request.pk}",
                by=by,
                erasure=request,
                still_wanted=lambda p: not blocked(assess(p)),
            )
    return request

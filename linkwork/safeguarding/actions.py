"""Every change to safeguarding: the check a positive PHQ-9 item 9 raises, risk flags, concerns
and escalations.

A PHQ-9 recorded with item 9 answered other than "not at all", whatever the total, raises a check
in the same transaction as the measure (`raise_prompt`, which answers outcomes'
`measure_recorded`). Until someone records what was done (`handle_prompt`), no further measure is
entered for the person (`prompt_hold`). If the person answered through their link, no one is with
them: their coordinator and the site's managers are told straight away.

A concern can be raised about anyone referred, whatever their referral's status (the waiting
list included): a concern can arise from anything learnt about someone. Each escalation
to another organisation has a response-due date; until a response is recorded it is chased, and
every chase is kept. A concern closes only once every escalation has a response recorded.
"""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linkwork.accounts.models import User
from linkwork.accounts.permissions import Permission, has_permission
from linkwork.audit import service as audit
from linkwork.audit.models import AuditAction
from linkwork.core.errors import ActionRefused
from linkwork.outcomes.actions import ITEM_9_FLAG
from linkwork.outcomes.signals import Hold
from linkwork.referrals.models import Referral

from . import notify
from .models import (
    EscalatedTo,
    Escalation,
    EscalationChase,
    EscalationMethod,
    FlagNote,
    PromptAction,
    RiskFlag,
    RiskKind,
    SafeguardingConcern,
    SafeguardingPrompt,
)


def _audit(by, action: AuditAction, obj, referral: Referral, fields=()) -> None:
    audit.record(by=by, action=action, obj=obj, person_id=referral.person_id, fields=fields)


def _check_kind(kind: str) -> None:
    if kind not in RiskKind.values:
        raise ActionRefused(_("Choose the kind of risk."), field="kind")


# --- Risk flags ---------------------------------------------------------------------------------


@transaction.atomic
def raise_flag(
    referral: Referral,
    *,
    by: User,
    kind: str,
    note: str = "",
    note_code: str = "",
    note_params: dict | None = None,
) -> RiskFlag:
    """Raise a flag. `note` is what staff typed; what the service says itself goes in
    `note_code` (a `FlagNote`) and `note_params`, so that it reads in the reader's language."""
    _check_kind(kind)
    if kind == RiskKind.OTHER and not note.strip():
        raise ActionRefused(_("Say what the risk is."), field="note")
    if RiskFlag.objects.filter(person_id=referral.person_id, kind=kind, ended_at=None).exists():
        raise ActionRefused(
            _("This person already has an active flag for this risk."), field="kind"
        )
    flag = RiskFlag.objects.create(
        person_id=referral.person_id,
        referral=referral,
        kind=kind,
        note=note.strip(),
        note_code=note_code,
        note_params=note_params or {},
        raised_by=by,
    )
    _audit(by, AuditAction.CREATE, flag, referral)
    return flag


@transaction.atomic
def end_flag(flag: RiskFlag, *, by: User, reason: str) -> RiskFlag:
    flag = RiskFlag.objects.select_for_update().select_related("referral").get(pk=flag.pk)
    if flag.ended_at is not None:
        raise ActionRefused(_("This flag has already been removed."))
    if not reason.strip():
        raise ActionRefused(_("Say why the flag is no longer needed."), field="reason")
    flag.ended_at = timezone.now()
    flag.ended_by = by
    flag.end_reason = reason.strip()
    flag.save(update_fields=["ended_at", "ended_by", "end_reason"])
    _audit(by, AuditAction.CHANGE, flag, flag.referral, fields=("ended_at",))
    return flag


# --- Concerns -----------------------------------------------------------------------------------


@transaction.atomic
def raise_concern(
    referral: Referral, *, by: User, kind: str, summary: str, flag: bool = True
) -> SafeguardingConcern:
    """Record a concern. Unless `flag` is False, the person also gets an active risk flag of
    the same kind (if they have none already)."""
    _check_kind(kind)
    if not summary.strip():
        raise ActionRefused(_("Say what happened and why you are concerned."), field="summary")
    concern = SafeguardingConcern.objects.create(
        referral=referral, kind=kind, summary=summary.strip(), raised_by=by
    )
    _audit(by, AuditAction.CREATE, concern, referral)
    if (
        flag
        and not RiskFlag.objects.filter(
            person_id=referral.person_id, kind=kind, ended_at=None
        ).exists()
    ):
        raise_flag(
            referral,
            by=by,
            kind=kind,
            note_code=FlagNote.RAISED_WITH_CONCERN,
            note_params={"concern": concern.reference},
        )
    return concern


@transaction.atomic
def close_concern(concern: SafeguardingConcern, *, by: User, outcome: str) -> SafeguardingConcern:
    concern = (
        SafeguardingConcern.objects.select_for_update()
        .select_related("referral")
        .get(pk=concern.pk)
    )
    if concern.closed_at is not None:
        raise ActionRefused(_("This concern is already closed."))
    if concern.escalations.filter(responded_at__isnull=True).exists():
        raise ActionRefused(
            _(
                "An escalation is still waiting for a response. Record the response (or that "
                "none came) before closing the concern."
            )
        )
    if not outcome.strip():
        raise ActionRefused(_("Say how the concern was resolved."), field="outcome")
    concern.closed_at = timezone.now()
    concern.closed_by = by
    concern.outcome = outcome.strip()
    concern.save(update_fields=["closed_at", "closed_by", "outcome"])
    _audit(by, AuditAction.CHANGE, concern, concern.referral, fields=("closed_at", "outcome"))
    return concern


# --- Escalations --------------------------------------------------------------------------------


@transaction.atomic
def escalate(
    concern: SafeguardingConcern,
    *,
    by: User,
    to: str,
    at: datetime.datetime,
    method: str,
    response_due: datetime.date,
    to_detail: str = "",
    reference: str = "",
) -> Escalation:
    """Record that the concern was passed to another organisation, and when they should
    answer by."""
    concern = (
        SafeguardingConcern.objects.select_for_update()
        .select_related("referral")
        .get(pk=concern.pk)
    )
    if concern.closed_at is not None:
        raise ActionRefused(_("This concern is closed."))
    if to not in EscalatedTo.values:
        raise ActionRefused(_("Choose who it was escalated to."), field="to")
    if to == EscalatedTo.OTHER and not to_detail.strip():
        raise ActionRefused(_("Say which organisation or team."), field="to_detail")
    if method not in EscalationMethod.values:
        raise ActionRefused(_("Choose how it was escalated."), field="method")
    now = timezone.now()
    if at > now + datetime.timedelta(minutes=5):
        raise ActionRefused(_("The time of the escalation cannot be in the future."), field="at")
    if response_due < timezone.localdate(at):
        raise ActionRefused(
            _("The response due date cannot be before the escalation."), field="response_due"
        )
    escalation = Escalation.objects.create(
        concern=concern,
        to=to,
        to_detail=to_detail.strip(),
        at=at,
        method=method,
        reference=reference.strip(),
        response_due=response_due,
        by=by,
    )
    _audit(by, AuditAction.CREATE, escalation, concern.referral)
    return escalation


def _open_escalation(escalation: Escalation) -> Escalation:
    escalation = (
        Escalation.objects.select_for_update()
        .select_related("concern__referral")
        .get(pk=escalation.pk)
    )
    if escalation.responded_at is not None:
        raise ActionRefused(_("A response to this escalation has already been recorded."))
    return escalation


@transaction.atomic
def chase(
    escalation: Escalation,
    *,
    by: User,
    method: str,
    note: str,
    next_due: datetime.date | None = None,
) -> EscalationChase:
    """Record a chase. A new due date, if given, replaces the response-due date."""
    escalation = _open_escalation(escalation)
    if method not in EscalationMethod.values:
        raise ActionRefused(_("Choose how you chased it."), field="method")
    if not note.strip():
        raise ActionRefused(_("Say who you spoke to and what they said."), field="note")
    today = timezone.localdate()
    if next_due is not None and next_due < today:
        raise ActionRefused(_("The new due date cannot be in the past."), field="next_due")
    chase = EscalationChase.objects.create(
        escalation=escalation, method=method, note=note.strip(), next_due=next_due, by=by
    )
    if next_due is not None:
        escalation.response_due = next_due
        escalation.save(update_fields=["response_due"])
    _audit(by, AuditAction.CREATE, chase, escalation.concern.referral)
    return chase


@transaction.atomic
def record_response(
    escalation: Escalation,
    *,
    by: User,
    response: str,
    responded_at: datetime.datetime | None = None,
) -> Escalation:
    escalation = _open_escalation(escalation)
    if not response.strip():
        raise ActionRefused(_("Say what they said or did."), field="response")
    responded_at = responded_at or timezone.now()
    if responded_at < escalation.at:
        raise ActionRefused(
            _("The response cannot be before the escalation."), field="responded_at"
        )
    if responded_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ActionRefused(_("The response cannot be in the future."), field="responded_at")
    escalation.responded_at = responded_at
    escalation.response = response.strip()
    escalation.response_recorded_by = by
    escalation.save(update_fields=["responded_at", "response", "response_recorded_by"])
    _audit(by, AuditAction.CHANGE, escalation, escalation.concern.referral, fields=("response",))
    return escalation


# --- The item 9 check ---------------------------------------------------------------------------

#: Why nothing more is entered while a question 9 check is open.
RECORD_THE_CHECK_FIRST = gettext_lazy(
    "First record what was done about this person's answer to PHQ-9 question 9 "
    "(thoughts of being better off dead or of self-harm)."
)


def raise_prompt(sender, *, measure, flags, by, **kwargs) -> SafeguardingPrompt | None:
    """Open a check for a measure whose item 9 was answered other than "not at all" (a receiver
    of `outcomes.signals.measure_recorded`, so inside the measure's transaction)."""
    if not flags.get(ITEM_9_FLAG):
        return None
    referral = measure.referral
    prompt = SafeguardingPrompt.objects.create(
        referral=referral, measure=measure, answer=measure.answers[8]
    )
    _audit(by, AuditAction.CREATE, prompt, referral)
    if by is None:
        # Answered through their link: no one is with the person, so tell their coordinator and
        # the managers straight away.
        notify.tell_about_prompt(prompt)
    return prompt


def prompt_hold(referral, user) -> Hold | None:
    """An open check holds back further measures; a user who may record it is sent to it."""
    prompt = referral.safeguarding_prompts.filter(handled_at__isnull=True).first()
    if prompt is None:
        return None
    url = ""
    if user is not None and has_permission(user, Permission.HANDLE_SAFEGUARDING_PROMPT, referral):
        url = reverse("safeguarding:prompt", kwargs={"prompt_pk": prompt.pk})
    return Hold(message=RECORD_THE_CHECK_FIRST, url=url)


@transaction.atomic
def handle_prompt(
    prompt: SafeguardingPrompt,
    *,
    by: User,
    action: str,
    note: str,
    concern: SafeguardingConcern | None = None,
) -> SafeguardingPrompt:
    """Record what was done about a positive PHQ-9 item 9. A note is always required."""
    prompt = (
        SafeguardingPrompt.objects.select_for_update().select_related("referral").get(pk=prompt.pk)
    )
    if prompt.handled_at is not None:
        raise ActionRefused(_("What was done has already been recorded."))
    if action not in PromptAction.values:
        raise ActionRefused(_("Choose what you did."), field="action")
    if not note.strip():
        raise ActionRefused(_("Say what you did and what was agreed."), field="note")
    if concern is not None and concern.referral_id != prompt.referral_id:
        raise ActionRefused(_("That concern is about someone else."))
    prompt.handled_at = timezone.now()
    prompt.handled_by = by
    prompt.action = action
    prompt.note = note.strip()
    prompt.concern = concern
    prompt.save()
    _audit(by, AuditAction.CHANGE, prompt, prompt.referral, fields=("handled_at", "action"))
    return prompt


@transaction.atomic
def record_what_was_done(
    prompt: SafeguardingPrompt,
    *,
    by: User,
    action: str,
    note: str,
    with_concern: bool = False,
    add_flag: bool = False,
) -> SafeguardingPrompt:
    """Record what was done about a positive item 9, and in the same transaction the concern
    (when asked for, or when what was done was raising one) and the "Suicidal thoughts" flag
    (when asked for and the person has none): all of it, or none of it."""
    referral = prompt.referral
    add_flag = (
        add_flag
        and not referral.person.risk_flags.filter(
            kind=RiskKind.SUICIDAL_THOUGHTS, ended_at__isnull=True
        ).exists()
    )
    concern = None
    if with_concern or action == PromptAction.CONCERN:
        concern = raise_concern(
            referral, by=by, kind=RiskKind.SUICIDAL_THOUGHTS, summary=note, flag=add_flag
        )
    elif add_flag:
        raise_flag(
            referral,
            by=by,
            kind=RiskKind.SUICIDAL_THOUGHTS,
            note_code=FlagNote.PHQ9_ITEM9,
            note_params={
                "answer": prompt.answer,
                "date": prompt.measure.completed_on.isoformat(),
            },
        )
    return handle_prompt(prompt, by=by, action=action, note=note, concern=concern)

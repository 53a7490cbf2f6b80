"""Every safeguarding step on the person's timeline (see `linkwork.casework.timeline`): item 9
checks, flags, concerns, escalations, chases and responses."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from linkwork.casework.timeline import TimelineEntry, register_timeline_source

from .models import Escalation, EscalationChase, RiskFlag, SafeguardingPrompt
from .models import SafeguardingConcern as Concern


def _who(user) -> str:
    return user.display_name if user is not None else ""


@register_timeline_source
def prompts(referral) -> Iterable[TimelineEntry]:
    for prompt in SafeguardingPrompt.objects.filter(referral=referral).select_related("handled_by"):
        yield TimelineEntry(
            when=prompt.raised_at,
            kind="safeguarding",
            title=_("PHQ-9 question 9 answered other than “not at all”: safeguarding check"),
        )
        if prompt.handled_at is not None:
            yield TimelineEntry(
                when=prompt.handled_at,
                kind="safeguarding",
                title=_("Safeguarding check recorded: %(action)s")
                % {"action": prompt.get_action_display()},
                detail=prompt.note,
                who=_who(prompt.handled_by),
            )


@register_timeline_source
def flags(referral) -> Iterable[TimelineEntry]:
    # Flags belong to the person, so those raised at another site show too, but their details
    # stay with that site (as on the record's alerts and safeguarding panel).
    for flag in RiskFlag.objects.filter(person_id=referral.person_id).select_related(
        "raised_by", "ended_by", "referral"
    ):
        ours = flag.referral.site_id == referral.site_id
        yield TimelineEntry(
            when=flag.raised_at,
            kind="safeguarding",
            title=_("Risk flag added: %(kind)s") % {"kind": flag.get_kind_display()},
            detail=flag.note_text if ours else "",
            who=_who(flag.raised_by),
        )
        if flag.ended_at is not None:
            yield TimelineEntry(
                when=flag.ended_at,
                kind="safeguarding",
                title=_("Risk flag removed: %(kind)s") % {"kind": flag.get_kind_display()},
                detail=flag.end_reason if ours else "",
                who=_who(flag.ended_by),
            )


@register_timeline_source
def concerns(referral) -> Iterable[TimelineEntry]:
    for concern in Concern.objects.filter(referral=referral).select_related(
        "raised_by", "closed_by"
    ):
        yield TimelineEntry(
            when=concern.raised_at,
            kind="safeguarding",
            title=_("Safeguarding concern %(ref)s raised: %(kind)s")
            % {"ref": concern.reference, "kind": concern.get_kind_display()},
            detail=concern.summary,
            who=_who(concern.raised_by),
        )
        if concern.closed_at is not None:
            yield TimelineEntry(
                when=concern.closed_at,
                kind="safeguarding",
                title=_("Safeguarding concern %(ref)s closed") % {"ref": concern.reference},
                detail=concern.outcome,
                who=_who(concern.closed_by),
            )


@register_timeline_source
def escalations(referral) -> Iterable[TimelineEntry]:
    for escalation in Escalation.objects.filter(concern__referral=referral).select_related(
        "concern", "by", "response_recorded_by"
    ):
        ref = escalation.concern.reference
        yield TimelineEntry(
            when=escalation.at,
            kind="safeguarding",
            title=_("%(ref)s escalated to %(to)s by %(method)s")
            % {
                "ref": ref,
                "to": escalation.get_to_display(),
                "method": escalation.get_method_display().lower(),
            },
            detail=escalation.reference,
            who=_who(escalation.by),
        )
        if escalation.responded_at is not None:
            yield TimelineEntry(
                when=escalation.responded_at,
                kind="safeguarding",
                title=_("%(to)s responded about %(ref)s")
                % {"ref": ref, "to": escalation.get_to_display()},
                detail=escalation.response,
                who=_who(escalation.response_recorded_by),
            )
    for chase in EscalationChase.objects.filter(
        escalation__concern__referral=referral
    ).select_related("escalation__concern", "by"):
        yield TimelineEntry(
            when=chase.at,
            kind="safeguarding",
            title=_("Chased %(to)s about %(ref)s")
            % {
                "ref": chase.escalation.concern.reference,
                "to": chase.escalation.get_to_display(),
            },
            detail=chase.note,
            who=_who(chase.by),
        )

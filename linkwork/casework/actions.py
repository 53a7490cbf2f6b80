"""Everything a link coordinator records while supporting someone, and the end of support.

Each action is one transaction that checks the case is open, makes the change and writes the
audit log. Closing and reopening also move the referral along its pathway.
"""

import datetime

from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from linkwork.accounts.models import User
from linkwork.accounts.permissions import Permission
from linkwork.audit import service as audit
from linkwork.audit.models import AuditAction
from linkwork.core import signed_links
from linkwork.core.email import email_after_commit
from linkwork.core.errors import ActionRefused
from linkwork.core.links import absolute_url
from linkwork.prescriptions.queries import prescriptions_for
from linkwork.referrals import actions as referral_actions
from linkwork.referrals.models import Allocation, Referral
from linkwork.referrals.signals import announce_to_referrer
from linkwork.referrals.status import ReferralStatus

from . import tallies
from .models import (
    ClientFeedback,
    Closure,
    ClosureReason,
    Contact,
    ContactNoteCorrection,
    ContactOutcome,
    DiaryFeed,
    FeedbackLink,
    Goal,
    GoalRating,
    GoalStatus,
    GoalStep,
    PlanExtension,
    SupportPlan,
    WhatMatters,
)


def _open_case(referral: Referral) -> Referral:
    """Lock the referral and check the person is in support (allocated, not closed)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.ALLOCATED:
        raise ActionRefused(
            _("%(person)s is not in support (the referral is %(status)s), so this can't change.")
            % {
                "person": referral.person.full_name,
                "status": referral.get_status_display().lower(),
            }
        )
    return referral


def _audit(by: User, action: AuditAction, obj, referral: Referral, fields=()) -> None:
    audit.record(by=by, action=action, obj=obj, person_id=referral.person_id, fields=fields)


@transaction.atomic
def record_what_matters(referral: Referral, *, by: User, **answers: str) -> WhatMatters:
    """Record (or revisit) the "what matters" conversation; earlier versions are kept."""
    referral = _open_case(referral)
    if not answers.get("what_matters", "").strip():
        raise ActionRefused(_("Enter what matters to the person"), field="what_matters")
    latest = referral.what_matters.aggregate(v=Max("version"))["v"] or 0
    conversation = WhatMatters.objects.create(
        referral=referral, version=latest + 1, by=by, **answers
    )
    _audit(by, AuditAction.CREATE, conversation, referral, fields=answers.keys())
    return conversation


@transaction.atomic
def set_support_plan(
    referral: Referral,
    *,
    by: User,
    starts_on: datetime.date,
    planned_sessions: int,
    ends_on: datetime.date | None = None,
) -> SupportPlan:
    """Set when support starts and its planned end (the site's usual length by default)."""
    referral = _open_case(referral)
    if hasattr(referral, "support_plan"):
        raise ActionRefused(
            _("The support plan is already set. Extend the end date instead, with a reason.")
        )
    ends_on = ends_on or starts_on + datetime.timedelta(weeks=referral.site.support_weeks)
    if ends_on <= starts_on:
        raise ActionRefused(_("The planned end must be after the start"), field="ends_on")
    plan = SupportPlan.objects.create(
        referral=referral, starts_on=starts_on, ends_on=ends_on, planned_sessions=planned_sessions
    )
    _audit(by, AuditAction.CREATE, plan, referral)
    return plan


@transaction.atomic
def extend_support(
    referral: Referral, *, by: User, new_end: datetime.date, reason: str
) -> PlanExtension:
    referral = _open_case(referral)
    plan = SupportPlan.objects.select_for_update().filter(referral=referral).first()
    if plan is None:
        raise ActionRefused(_("Set the support plan first."))
    if not reason.strip():
        raise ActionRefused(_("Enter why support is being extended"), field="reason")
    if new_end <= plan.ends_on:
        raise ActionRefused(
            _("The new end date must be after %(date)s")
            % {"date": plan.ends_on.strftime("%d/%m/%Y")},
            field="new_end",
        )
    extension = PlanExtension.objects.create(
        plan=plan, previous_end=plan.ends_on, new_end=new_end, reason=reason, by=by
    )
    plan.ends_on = new_end
    plan.save(update_fields=["ends_on"])
    _audit(by, AuditAction.CHANGE, plan, referral, fields=["ends_on"])
    return extension


@transaction.atomic
def add_goal(
    referral: Referral,
    *,
    by: User,
    description: str,
    domain: str,
    steps: list[str] = (),
    started_on: datetime.date | None = None,
    replacing: Goal | None = None,
) -> Goal:
    """Add a goal in the person's own words, within the site's limit of active goals."""
    referral = _open_case(referral)
    active = referral.goals.filter(status=GoalStatus.ACTIVE)
    if replacing is not None:
        active = active.exclude(pk=replacing.pk)
    limit = referral.site.max_active_goals
    if active.count() >= limit:
        raise ActionRefused(
            _(
                "%(person)s already has %(limit)s active goals. End or change one before adding "
                "another."
            )
            % {"person": referral.person.given_name, "limit": limit}
        )
    goal = Goal.objects.create(
        referral=referral,
        description=description.strip(),
        domain=domain,
        started_on=started_on or timezone.localdate(),
        by=by,
    )
    for position, step in enumerate((s.strip() for s in steps if s.strip()), start=1):
        GoalStep.objects.create(goal=goal, position=position, description=step)
    _audit(by, AuditAction.CREATE, goal, referral)
    return goal


def _locked_goal(goal: Goal) -> tuple[Goal, Referral]:
    referral = _open_case(goal.referral)
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    return goal, referral


@transaction.atomic
def rate_goal(
    goal: Goal, *, by: User, score: int, note: str = "", rated_on: datetime.date | None = None
) -> GoalRating:
    goal, referral = _locked_goal(goal)
    if not goal.is_active:
        raise ActionRefused(_("This goal has ended, so it can't be rated."))
    if not 0 <= score <= 10:
        raise ActionRefused(_("Rate progress from 0 to 10"), field="score")
    rating = GoalRating.objects.create(
        goal=goal, score=score, note=note, rated_on=rated_on or timezone.localdate(), by=by
    )
    _audit(by, AuditAction.CREATE, rating, referral)
    return rating


@transaction.atomic
def add_goal_step(goal: Goal, *, by: User, description: str) -> GoalStep:
    goal, referral = _locked_goal(goal)
    position = (goal.steps.aggregate(p=Max("position"))["p"] or 0) + 1
    step = GoalStep.objects.create(goal=goal, position=position, description=description)
    _audit(by, AuditAction.CREATE, step, referral)
    return step


@transaction.atomic
def complete_goal_step(step: GoalStep, *, by: User, done_on: datetime.date | None = None):
    goal, referral = _locked_goal(step.goal)
    step = GoalStep.objects.select_for_update().get(pk=step.pk)
    if step.done_on is not None:
        raise ActionRefused(_("This step is already done."))
    step.done_on = done_on or timezone.localdate()
    step.save(update_fields=["done_on"])
    _audit(by, AuditAction.CHANGE, step, referral, fields=["done_on"])
    return step


@transaction.atomic
def end_goal(
    goal: Goal,
    *,
    by: User,
    outcome: GoalStatus,
    ended_on: datetime.date | None = None,
    new_description: str = "",
    new_domain: str = "",
) -> Goal:
    """End a goal as achieved, partly achieved or not achieved, or change it into a new one."""
    goal, referral = _locked_goal(goal)
    if not goal.is_active:
        raise ActionRefused(_("This goal has already ended."))
    if outcome == GoalStatus.ACTIVE:
        raise ActionRefused(_("Choose how the goal ended"), field="outcome")
    replacement = None
    if outcome == GoalStatus.CHANGED:
        if not new_description.strip():
            raise ActionRefused(_("Enter the new goal"), field="new_description")
        replacement = add_goal(
            referral,
            by=by,
            description=new_description,
            domain=new_domain or goal.domain,
            replacing=goal,
        )
    goal.status = outcome
    goal.ended_on = ended_on or timezone.localdate()
    goal.ended_by = by
    goal.replaced_by = replacement
    goal.save(update_fields=["status", "ended_on", "ended_by", "replaced_by"])
    _audit(by, AuditAction.CHANGE, goal, referral, fields=["status", "ended_on"])
    return goal


@transaction.atomic
def log_contact(
    referral: Referral,
    *,
    by: User,
    at: datetime.datetime,
    mode: str,
    outcome: str,
    minutes: int | None = None,
    volunteer_present: bool = False,
    note: str = "",
) -> Contact:
    referral = _open_case(referral)
    _check_contact_time(at, outcome)
    contact = Contact.objects.create(
        referral=referral,
        at=at,
        mode=mode,
        outcome=outcome,
        minutes=minutes,
        volunteer_present=volunteer_present,
        note=note,
        by=by,
    )
    tallies.count_contact(contact, referral)
    _audit(by, AuditAction.CREATE, contact, referral)
    return contact


def _check_contact_time(at: datetime.datetime, outcome: str) -> None:
    """A booked contact is still to come; any other outcome has happened."""
    now = timezone.now()
    if outcome == ContactOutcome.BOOKED and at <= now:
        raise ActionRefused(_("A booked contact must be in the future"), field="at")
    if outcome != ContactOutcome.BOOKED and at > now + datetime.timedelta(minutes=5):
        raise ActionRefused(_("The contact must be in the past"), field="at")


@transaction.atomic
def record_contact_outcome(contact: Contact, *, by: User, outcome: str, note: str = "") -> Contact:
    """Say what happened at a booked contact once its time has come."""
    referral = _open_case(contact.referral)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.outcome != ContactOutcome.BOOKED:
        raise ActionRefused(_("What happened at this contact is already recorded."))
    if outcome == ContactOutcome.BOOKED or outcome not in ContactOutcome.values:
        raise ActionRefused(_("Select what happened"), field="outcome")
    _check_contact_time(contact.at, outcome)
    was, contact.outcome = contact.outcome, outcome
    if note.strip():
        contact.note = f"{contact.note}\n{note.strip()}".strip()
    contact.save(update_fields=["outcome", "note"])
    tallies.count_contact(contact, referral, was=was)
    _audit(by, AuditAction.CHANGE, contact, referral, fields=["outcome", "note"])
    return contact


@transaction.atomic
def correct_contact_note(
    contact: Contact, *, by: User, note: str, reason: str, reason_detail: str = ""
) -> ContactNoteCorrection | None:
    """Correct a contact's note (`referrals.actions.correct_note`), for the person's coordinator
    or a manager at the site. Closed cases can be corrected too (a person may ask after support
    ends)."""
    return referral_actions.correct_note(
        contact,
        by=by,
        may=Permission.CORRECT_CONTACT_NOTE,
        kept_in=ContactNoteCorrection,
        note=note,
        reason=reason,
        reason_detail=reason_detail,
    )


@transaction.atomic
def close_case(
    referral: Referral,
    *,
    by: User,
    reason: ClosureReason,
    summary: str,
    closed_on: datetime.date | None = None,
    goal_outcomes: dict[int, str] | None = None,
) -> Closure:
    """End support: how each active goal ended, why support ended, end the allocation, and
    tell the referrer (where consented)."""
    referral = _open_case(referral)
    if not summary.strip():
        raise ActionRefused(_("Enter a short summary of the support"), field="summary")
    closed_on = closed_on or timezone.localdate()
    goal_outcomes = goal_outcomes or {}
    endings = {GoalStatus.ACHIEVED, GoalStatus.PARTLY_ACHIEVED, GoalStatus.NOT_ACHIEVED}
    for goal in referral.goals.filter(status=GoalStatus.ACTIVE):
        outcome = goal_outcomes.get(goal.pk)
        if outcome not in endings:
            raise ActionRefused(
                _("Say how the goal “%(goal)s” ended") % {"goal": goal.description},
                field=f"goal_{goal.pk}",
            )
        end_goal(goal, by=by, outcome=outcome, ended_on=closed_on)
    # Visits and calls still booked will not happen now: the service cancels them, so no diary
    # or calendar shows them as booked. (Booked ones already past, with what happened not yet
    # recorded, were shown in the warnings before closing and stay as they are.)
    now = timezone.now()
    for contact in referral.contacts.select_for_update().filter(
        outcome=ContactOutcome.BOOKED, at__gt=now
    ):
        contact.outcome = ContactOutcome.CANCELLED_BY_SERVICE
        contact.save(update_fields=["outcome"])
        tallies.count_contact(contact, referral, was=ContactOutcome.BOOKED)
        _audit(by, AuditAction.CHANGE, contact, referral, fields=["outcome"])
    closure = Closure.objects.create(
        referral=referral,
        reason=reason,
        summary=summary.strip(),
        closed_on=closed_on,
        by=by,
    )
    referral_actions.move_to(
        referral, ReferralStatus.CLOSED, by=by, reason=reason, note=summary.strip()
    )
    referral_actions.end_current_allocation(referral, by=by, note=str(_("Support closed")))
    referral.save(update_fields=["status"])
    _audit(by, AuditAction.CREATE, closure, referral)
    announce_to_referrer(referral, "closed", by=by, extra=_closure_summary(referral, closure))
    return closure


def _closure_summary(referral: Referral, closure: Closure) -> dict:
    """The PRSB "message back to the referrer" items for a closure."""
    plan = SupportPlan.objects.filter(referral=referral).first()
    started = plan.starts_on if plan else timezone.localdate(referral.accepted_at)
    return {
        "reason": closure.get_reason_display(),
        "summary": closure.summary,
        "goals": [(goal.description, goal.get_status_display()) for goal in referral.goals.all()],
        "prescriptions": [
            (p.service.name, p.get_status_display()) for p in prescriptions_for(referral)
        ],
        "contact_count": referral.contacts.filter(outcome=ContactOutcome.ATTENDED).count(),
        "weeks": max(1, round((closure.closed_on - started).days / 7)),
    }


@transaction.atomic
def reopen_case(referral: Referral, *, by: User, reason: str) -> Allocation:
    """Reopen a closed case with its last link coordinator, within their caseload cap."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.CLOSED:
        raise ActionRefused(_("Only a closed case can be reopened."))
    if not reason.strip():
        raise ActionRefused(_("Enter why the case is being reopened"), field="reason")
    closure = referral.closures.select_for_update().get(reopened_at__isnull=True)
    last = referral.allocations.order_by("-started_at").select_related("coordinator").first()
    if last is None:
        raise ActionRefused(_("This case was never allocated, so it can't be reopened."))
    coordinator = User.objects.select_for_update().get(pk=last.coordinator_id)
    caseload = coordinator.current_caseload()
    if caseload >= coordinator.caseload_cap:
        raise ActionRefused(
            _("%(coordinator)s's caseload is full (%(caseload)s of %(cap)s).")
            % {"coordinator": coordinator, "caseload": caseload, "cap": coordinator.caseload_cap}
        )
    closure.reopened_at = timezone.now()
    closure.reopened_by = by
    closure.reopen_reason = reason.strip()
    closure.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
    referral_actions.move_to(
        referral, ReferralStatus.ALLOCATED, by=by, reason="reopened", note=reason.strip()
    )
    allocation = Allocation.objects.create(referral=referral, coordinator=coordinator, by=by)
    referral.save(update_fields=["status"])
    _audit(by, AuditAction.CHANGE, closure, referral, fields=["reopened_at"])
    return allocation


@transaction.atomic
def record_client_feedback(
    referral: Referral, *, completed_via: str, language: str, **answers
) -> ClientFeedback:
    """The person's feedback at closure. `by` is not needed: it may come through their link."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.CLOSED:
        raise ActionRefused(_("Feedback is collected when support closes."))
    if _feedback_given_since_closing(referral):
        raise ActionRefused(_("This person has already given feedback."))
    feedback = ClientFeedback.objects.create(
        referral=referral, completed_via=completed_via, language=language, **answers
    )
    audit.record(by=None, action=AuditAction.CREATE, obj=feedback, person_id=referral.person_id)
    return feedback


def _feedback_given_since_closing(referral: Referral) -> bool:
    """Feedback is asked for once per closure (a reopened case closes, and asks, again)."""
    closure = referral.closures.filter(reopened_at__isnull=True).first()
    return (
        closure is not None
        and referral.client_feedback.filter(submitted_at__date__gte=closure.closed_on).exists()
    )


FEEDBACK_LINK_SALT = "linkwork.feedback-link"
FEEDBACK_LINK_DAYS = 30


@transaction.atomic
def create_feedback_link(referral: Referral, *, by: User, send_to_person: bool = False) -> str:
    """A link the person can use once, within 30 days, to give feedback. Returns the URL value.

    Any earlier unused link for the same person is withdrawn, so only the newest works. With
    `send_to_person`, it is also emailed to them, in their language, if they have an address.
    """
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.CLOSED:
        raise ActionRefused(_("Feedback is collected when support closes."))
    if _feedback_given_since_closing(referral):
        raise ActionRefused(_("This person has already given feedback."))
    now = timezone.now()
    referral.feedback_links.filter(used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    token = signed_links.new_token()
    link = FeedbackLink.objects.create(
        referral=referral,
        token_hash=signed_links.hash_token(token),
        expires_at=now + datetime.timedelta(days=FEEDBACK_LINK_DAYS),
        by=by,
    )
    _audit(by, AuditAction.CREATE, link, referral)
    signed = signed_links.sign(link.pk, token, salt=FEEDBACK_LINK_SALT)
    if send_to_person and referral.person.email:
        url = absolute_url(reverse("casework:public_feedback", args=[signed]))
        with translation.override(referral.person.preferred_language):
            email_after_commit(
                to=[referral.person.email],
                subject=_("Your feedback on the support you had"),
                body=render_to_string("casework/email/feedback_link.txt", {"url": url}),
            )
    return signed


def feedback_link_from(value: str) -> FeedbackLink | None:
    """The usable link a signed URL value stands for, or None (tampered, unknown, used, expired,
    withdrawn, or feedback already given)."""
    return signed_links.usable_link(
        value,
        salt=FEEDBACK_LINK_SALT,
        links=FeedbackLink.objects.select_related("referral__person"),
    )


@transaction.atomic
def give_feedback_through_link(link: FeedbackLink, *, language: str, **answers) -> ClientFeedback:
    link = FeedbackLink.objects.select_for_update().get(pk=link.pk)
    if not link.is_usable():
        raise ActionRefused(_("This link has already been used or has expired."))
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return record_client_feedback(
        link.referral,
        completed_via=ClientFeedback.CompletedVia.SECURE_LINK,
        language=language,
        **answers,
    )


# --- The diary's calendar feed --------------------------------------------------------------------


@transaction.atomic
def start_diary_feed(user: User) -> str:
    """A new private calendar address for the user's diary; any earlier one stops working.
    Returns the secret part of the address, shown once (only its hash is kept)."""
    stop_diary_feed(user, by=user)
    token = signed_links.new_token()
    feed = DiaryFeed.objects.create(user=user, token_hash=signed_links.hash_token(token))
    audit.record(by=user, action=AuditAction.CREATE, obj=feed)
    return token


@transaction.atomic
def stop_diary_feed(user: User, *, by: User) -> None:
    """The user's calendar address stops working."""
    for feed in DiaryFeed.objects.select_for_update().filter(user=user, revoked_at__isnull=True):
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        audit.record(by=by, action=AuditAction.CHANGE, obj=feed, fields=["revoked_at"])


def diary_feed_read(feed: DiaryFeed) -> None:
    """A calendar read the feed: when, kept on the feed, and attributed to its owner."""
    DiaryFeed.objects.filter(pk=feed.pk).update(last_read_at=timezone.now())
    audit.record(by=feed.user, action=AuditAction.VIEW, obj=feed, detail="calendar feed read")


@transaction.atomic
def set_texts_agreed(referral: Referral, *, by: User, agreed: bool) -> None:
    """Record that the person agrees (or no longer agrees) to be sent text messages."""
    referral = _open_case(referral)
    person = referral.person
    person.texts_agreed = agreed
    person.save(update_fields=["texts_agreed"])
    _audit(by, AuditAction.CHANGE, person, referral, fields=["texts_agreed"])

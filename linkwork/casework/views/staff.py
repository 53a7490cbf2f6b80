"""The person's record and the pages a link coordinator works on it with. Thin: parse, act,
render.

Every page finds the person with `casework.queries.person_in_support_for(user, pk, permission)`:
among the people in support the user may see, then the permission
on the referral, so someone outside the user's scope answers 404. Reading the record
needs VIEW_PERSON_RECORD (a coordinator who supports or supported the person, a manager at the
site); changing it needs WORK_WITH_PERSON (their current coordinator, a manager at the site), and
the actions themselves refuse any change once support is closed.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linkwork.accounts.permissions import Permission, has_permission, require
from linkwork.accounts.queries import sites_for
from linkwork.audit.models import RecordPart
from linkwork.audit.refusals import visible_or_404
from linkwork.core.errors import ActionRefused
from linkwork.core.form_pages import posted, submit
from linkwork.core.links import absolute_url
from linkwork.core.pagination import page_links
from linkwork.core.params import id_param, parse_id
from linkwork.prescriptions.queries import prescriptions_for
from linkwork.referrals.actions import record_view
from linkwork.referrals.models import Referral
from linkwork.referrals.status import ReferralStatus

from .. import actions, presenters
from ..forms import (
    ClientFeedbackForm,
    CloseCaseForm,
    ContactForm,
    ContactOutcomeForm,
    EndGoalForm,
    ExtendSupportForm,
    GoalForm,
    GoalStepForm,
    RateGoalForm,
    ReopenCaseForm,
    SupportPlanForm,
    WhatMattersForm,
)
from ..loose_ends import loose_ends
from ..models import ClientFeedback, ContactOutcome, Goal, GoalStatus
from ..panels import record_panels
from ..queries import (
    contacts_for,
    goals_with_progress,
    people_list_for,
    person_in_support_for,
    plan_of,
    replaced_goal,
)
from ..timeline import timeline_for

WHAT_MATTERS_FIELDS = (
    "what_matters",
    "strengths",
    "getting_in_the_way",
    "people_around",
    "next_steps",
)


def _goal(referral: Referral, goal_pk: int) -> Goal:
    return visible_or_404(
        referral.goals.select_related("referral"), pk=goal_pk, person="referral__person_id"
    )


def _may_work(user, referral: Referral) -> bool:
    return referral.status == ReferralStatus.ALLOCATED and has_permission(
        user, Permission.WORK_WITH_PERSON, referral
    )


def _back_to_record(referral: Referral) -> HttpResponse:
    return redirect("casework:record", pk=referral.pk)


# --- People in support --------------------------------------------------------------------------

FILTERS = {
    "open": (ReferralStatus.ALLOCATED,),
    "closed": (ReferralStatus.CLOSED,),
    "all": (ReferralStatus.ALLOCATED, ReferralStatus.CLOSED),
}


def people(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.VIEW_PEOPLE_IN_SUPPORT)
    shown = request.GET.get("status", "open")
    if shown not in FILTERS:
        shown = "open"
    people = people_list_for(request.user, statuses=FILTERS[shown])
    sites = list(sites_for(request.user))
    site = id_param(request, "site")
    if site is not None:
        people = people.filter(site_id=site)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    for referral in page.object_list:
        allocations = referral.allocation_list
        referral.coordinator = allocations[0].coordinator if allocations else None
    return render(
        request,
        "casework/people.html",
        {
            "page": page,
            "shown": shown,
            "filters": [
                ("open", _("In support")),
                ("closed", _("Closed")),
                ("all", _("All")),
            ],
            "sites": sites,
            "site": "" if site is None else str(site),
        },
    )


# --- The record ---------------------------------------------------------------------------------


def record(request: HttpRequest, pk: int) -> HttpResponse:
    referral = person_in_support_for(request.user, pk, Permission.VIEW_PERSON_RECORD)
    user = request.user
    record_view(by=user, obj=referral, person_id=referral.person_id, part=RecordPart.RECORD)
    today = timezone.localdate()
    closed = referral.status == ReferralStatus.CLOSED

    allocations = list(referral.allocations.select_related("coordinator"))
    current = next((a for a in allocations if a.ended_at is None), None)
    first_allocation = allocations[-1] if allocations else None
    plan = plan_of(referral)
    extensions = list(plan.extensions.select_related("by")) if plan else []
    closure = referral.closures.select_related("by").first() if closed else None
    length = presenters.support_length(
        plan=plan,
        first_allocated_at=first_allocation.started_at if first_allocation else None,
        closed_on=closure.closed_on if closure else None,
        today=today,
    )
    goals = presenters.goals_for_record(goals_with_progress(referral))
    contacts, upcoming = presenters.split_contacts(contacts_for(referral), timezone.now())
    next_review = presenters.next_review_on_record(goals, closed=closed)
    return render(
        request,
        "casework/record.html",
        {
            "referral": referral,
            "panels": record_panels.for_page(referral, request),
            "person": referral.person,
            "closed": closed,
            "current_allocation": current,
            # Their coordinator now, or the last one they had.
            "coordinator": (current or allocations[0]).coordinator if allocations else None,
            "allocated_on": current.started_at if current else None,
            "first_allocated_on": first_allocation.started_at if first_allocation else None,
            "plan": plan,
            "extensions": extensions,
            "started": length.started,
            "weeks_in_support": length.weeks_in_support,
            "weeks_left": length.weeks_left,
            "past_planned_end": length.past_planned_end,
            "what_matters": referral.what_matters.select_related("by").first(),
            "goals": goals,
            "active_goal_count": sum(1 for goal in goals if goal.is_active),
            "next_review": next_review,
            "review_overdue": next_review is not None and next_review < today,
            "contacts": contacts,
            "upcoming_contacts": upcoming,
            "next_contact": upcoming[0] if upcoming else None,
            "last_contact": presenters.last_attended(contacts),
            "sessions_attended": presenters.sessions_attended(contacts),
            "closure": closure,
            "feedback": referral.client_feedback.first(),
            "prescriptions": prescriptions_for(referral),
            "can_prescribe": not closed
            and has_permission(user, Permission.MAKE_SOCIAL_PRESCRIPTION, referral),
            "can_work": _may_work(user, referral),
            "can_reopen": closed and has_permission(user, Permission.REOPEN_CASE, referral),
            "can_record_feedback": closed
            and has_permission(user, Permission.RECORD_CLIENT_FEEDBACK, referral),
            # Rectification (decision 0026): the pages are the subject rights app's.
            "can_change_details": has_permission(user, Permission.CHANGE_PERSON_DETAILS, referral),
            "can_correct_notes": has_permission(user, Permission.CORRECT_CONTACT_NOTE, referral),
            "sees_corrections": has_permission(user, Permission.VIEW_CORRECTIONS, referral),
            # From a rectification request's page: a correction made here answers it.
            "answering_request": parse_id(request.GET.get("request")),
        },
    )


TIMELINE_PAGE_SIZE = 50


def timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything that happened to the person, newest first, a page at a time. Its own page,
    so that the record does not gather the whole history on every view."""
    referral = person_in_support_for(request.user, pk, Permission.VIEW_PERSON_RECORD)
    record_view(
        by=request.user, obj=referral, person_id=referral.person_id, part=RecordPart.TIMELINE
    )
    page = Paginator(timeline_for(referral), TIMELINE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "casework/timeline.html",
        {
            "referral": referral,
            "person": referral.person,
            "page": page,
            "timeline": page.object_list,
            "links": page_links(request, page),
        },
    )


# --- What matters -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def what_matters(request: HttpRequest, pk: int) -> HttpResponse:
    """The latest conversation, earlier versions below it, and a form to revisit it."""
    changing = request.method == "POST"
    perm = Permission.WORK_WITH_PERSON if changing else Permission.VIEW_PERSON_RECORD
    referral = person_in_support_for(request.user, pk, perm)
    versions = list(referral.what_matters.select_related("by"))
    latest = versions[0] if versions else None
    initial = {f: getattr(latest, f) for f in WHAT_MATTERS_FIELDS} if latest else None
    form = posted(request, WhatMattersForm, initial=initial)

    def act(data):
        actions.record_what_matters(referral, by=request.user, **data)
        messages.success(request, _("What matters to %(person)s saved.") % _names(referral))
        return _back_to_record(referral)

    if response := submit(request, form, act):
        return response
    if request.method == "GET":
        record_view(
            by=request.user,
            obj=referral,
            person_id=referral.person_id,
            part=RecordPart.WHAT_MATTERS,
        )
    return render(
        request,
        "casework/what_matters.html",
        {
            "referral": referral,
            "form": form,
            "versions": versions,
            "can_work": _may_work(request.user, referral),
        },
    )


def _names(referral: Referral) -> dict:
    return {"person": referral.person.full_name}


# --- Support plan -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def support_plan(request: HttpRequest, pk: int) -> HttpResponse:
    referral = person_in_support_for(request.user, pk, Permission.WORK_WITH_PERSON)
    if plan_of(referral) is not None:
        return redirect("casework:extend_support", pk=referral.pk)
    form = posted(
        request,
        SupportPlanForm,
        initial={"starts_on": timezone.localdate(), "planned_sessions": 6},
    )

    def act(data):
        actions.set_support_plan(
            referral,
            by=request.user,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            planned_sessions=data["planned_sessions"],
        )
        messages.success(request, _("Support plan set."))
        return _back_to_record(referral)

    if response := submit(request, form, act):
        return response
    return render(
        request,
        "casework/support_plan.html",
        {"referral": referral, "form": form, "support_weeks": referral.site.support_weeks},
    )


@require_http_methods(["GET", "POST"])
def extend_support(request: HttpRequest, pk: int) -> HttpResponse:
    referral = person_in_support_for(request.user, pk, Permission.WORK_WITH_PERSON)
    plan = plan_of(referral)
    if plan is None:
        return redirect("casework:support_plan", pk=referral.pk)
    form = posted(request, ExtendSupportForm)

    def act(data):
        actions.extend_support(
            referral,
            by=request.user,
            new_end=data["new_end"],
            reason=data["reason"],
        )
        messages.success(request, _("Support extended."))
        return _back_to_record(referral)

    if response := submit(request, form, act):
        return response
    return render(
        request,
        "casework/extend_support.html",
        {"referral": referral, "form": form, "plan": plan},
    )


# --- Goals --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def add_goal(request: HttpRequest, pk: int) -> HttpResponse:
    referral = person_in_support_for(request.user, pk, Permission.WORK_WITH_PERSON)
    form = posted(request, GoalForm)

    def act(data):
        actions.add_goal(
            referral,
            by=request.user,
            description=data["description"],
            domain=data["domain"],
            steps=form.step_list(),
        )
        messages.success(request, _("Goal added."))
        return _back_to_record(referral)

    if response := submit(request, form, act):
        return response
    # At the limit, the page says so before anything is written, and leads to ending or
    # changing a goal (the form shows only again after a refused attempt, to keep what was typed).
    active_goals = list(referral.goals.filter(status=GoalStatus.ACTIVE).order_by("pk"))
    limit = referral.site.max_active_goals
    return render(
        request,
        "casework/add_goal.html",
        {
            "referral": referral,
            "form": form,
            "active": len(active_goals),
            "active_goals": active_goals,
            "limit": limit,
            "at_limit": len(active_goals) >= limit,
        },
    )


def _goal_page(request, referral, goal, *, step_form=None, status=200) -> HttpResponse:
    goal = goals_with_progress(referral).get(pk=goal.pk)
    return render(
        request,
        "casework/goal.html",
        {
            "referral": referral,
            "goal": goal,
            "ratings": list(goal.ratings.all()),
            "steps": list(goal.steps.all()),
            "replaces": replaced_goal(goal),
            "step_form": step_form or GoalStepForm(),
            "can_work": goal.is_active and _may_work(request.user, referral),
        },
        status=status,
    )


def goal(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    referral = person_in_support_for(request.user, pk, Permission.VIEW_PERSON_RECORD)
    the_goal = _goal(referral, goal_pk)
    record_view(by=request.user, obj=referral, person_id=referral.person_id, part=RecordPart.GOAL)
    return _goal_page(request, referral, the_goal)


@require_http_methods(["GET", "POST"])
def rate_goal(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    referral = person_in_support_for(request.user, pk, Permission.WORK_WITH_PERSON)
    the_goal = _goal(referral, goal_pk)
    form = posted(request, RateGoalForm)

    def act(data):
        actions.rate_goal(
            the_goal,
            by=request.user,
            score=data["score"],
            note=data["note"],
        )
        messages.success(request, _("Progress recorded."))
        return _back_to_record(referral)

    if response := submit(request, form, act):
        return response
    return render(
        request, "casework/rate_goal.html", {"referral": referral, "goal": the_goal, "form": form}
    )


@require_POST
def add_goal_step(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    referral = person_in_support_for(request.user, pk, Permission.WORK_WITH_PERSON)
    the_goal = _goal(referral, goal_pk)
    form = GoalStepForm(request.POST)

    def act(data):
        actions.add_goal_step(the_goal, by=request.user, description=data["description"])
        messages.success(request, _("Step added."))
        return redirect("casework:goal", pk=referral.pk, goal_pk=the_goal.pk)

    if response := submit(request, form, act):
        return response
    return _goal_page(request, referral, the_goal, step_form=form)


@require_POST
def complete_goal_step(request: HttpRequest, pk: int, goal_pk: int, step_pk: int) -> HttpResponse:
    referral = person_in_support_for(request.user, pk, Permission.WORK_WITH_PERSON)
    the_goal = _goal(referral, goal_pk)
    step = visible_or_404(
        the_goal.steps.select_related("goal__referral"),
        pk=step_pk,
        person="goal__referral__person_id",
    )
    try:
        actions.complete_goal_step(step, by=request.user)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Step marked as done."))
    return redirect("casework:goal", pk=referral.pk, goal_pk=the_goal.pk)


@require_http_methods(["GET", "POST"])
def end_goal(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    referral = person_in_support_for(request.user, pk, Permission.WORK_WITH_PERSON)
    the_goal = _goal(referral, goal_pk)
    form = posted(request, EndGoalForm)

    def act(data):
        actions.end_goal(
            the_goal,
            by=request.user,
            outcome=GoalStatus(data["outcome"]),
            new_description=data["new_description"],
            new_domain=data["new_domain"],
        )
        messages.success(request, _("Goal ended."))
        return _back_to_record(referral)

    if response := submit(request, form, act):
        return response
    return render(
        request, "casework/end_goal.html", {"referral": referral, "goal": the_goal, "form": form}
    )


# --- Contacts -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def log_contact(request: HttpRequest, pk: int) -> HttpResponse:
    referral = person_in_support_for(request.user, pk, Permission.WORK_WITH_PERSON)
    form = posted(
        request,
        ContactForm,
        initial={"contact_date": timezone.localdate()},
    )

    def act(data):
        actions.log_contact(
            referral,
            by=request.user,
            at=form.contact_at(),
            mode=data["mode"],
            outcome=data["outcome"],
            minutes=data["minutes"],
            volunteer_present=data["volunteer_present"],
            note=data["note"],
        )
        messages.success(request, _("Contact logged."))
        return _back_to_record(referral)

    if response := submit(request, form, act):
        return response
    return render(request, "casework/log_contact.html", {"referral": referral, "form": form})


@require_http_methods(["GET", "POST"])
def contact_outcome(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    """What happened at a booked contact."""
    referral = person_in_support_for(request.user, pk, Permission.WORK_WITH_PERSON)
    contact = visible_or_404(referral.contacts, pk=contact_pk, person="referral__person_id")
    if contact.outcome != ContactOutcome.BOOKED:
        raise Http404  # theirs, but its outcome is already recorded
    form = posted(request, ContactOutcomeForm)

    def act(data):
        actions.record_contact_outcome(
            contact,
            by=request.user,
            outcome=data["outcome"],
            note=data["note"],
        )
        messages.success(request, _("Contact updated."))
        return _back_to_record(referral)

    if response := submit(request, form, act):
        return response
    return render(
        request,
        "casework/contact_outcome.html",
        {"referral": referral, "form": form, "contact": contact},
    )


# --- Closure, reopening, feedback ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, pk: int) -> HttpResponse:
    referral = person_in_support_for(request.user, pk, Permission.WORK_WITH_PERSON)
    form = posted(
        request,
        CloseCaseForm,
        active_goals=referral.goals.filter(status=GoalStatus.ACTIVE),
    )

    def act(data):
        actions.close_case(
            referral,
            by=request.user,
            reason=data["reason"],
            summary=data["summary"],
            goal_outcomes=form.goal_outcomes(),
        )
        messages.success(
            request,
            _("Support for %(person)s is closed. Now fill in the feedback questionnaire with them.")
            % _names(referral),
        )
        return redirect("casework:feedback", pk=referral.pk)

    if response := submit(request, form, act):
        return response
    return render(
        request,
        "casework/close.html",
        {"referral": referral, "form": form, "loose_ends": loose_ends(referral)},
    )


@require_POST
def texts(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the person now agrees, or no longer agrees, to text messages."""
    referral = person_in_support_for(request.user, pk, Permission.WORK_WITH_PERSON)
    agreed = request.POST.get("agreed") == "yes"
    try:
        actions.set_texts_agreed(referral, by=request.user, agreed=agreed)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            (
                _("%(person)s agrees to text messages.")
                if agreed
                else _("%(person)s no longer agrees to text messages: none will be sent.")
            )
            % _names(referral),
        )
    return _back_to_record(referral)


@require_http_methods(["GET", "POST"])
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    referral = person_in_support_for(request.user, pk, Permission.REOPEN_CASE)
    form = posted(request, ReopenCaseForm)

    def act(data):
        allocation = actions.reopen_case(referral, by=request.user, reason=data["reason"])
        messages.success(
            request,
            _("Reopened: %(person)s is back on %(coordinator)s's caseload.")
            % {
                "person": referral.person.full_name,
                "coordinator": allocation.coordinator.display_name,
            },
        )
        return _back_to_record(referral)

    if response := submit(request, form, act):
        return response
    return render(
        request,
        "casework/reopen.html",
        {"referral": referral, "form": form, "closure": referral.closures.first()},
    )


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """The questionnaire at closure, filled in with the person, in their preferred language."""
    referral = person_in_support_for(request.user, pk, Permission.RECORD_CLIENT_FEEDBACK)
    given = referral.client_feedback.first()
    language = referral.person.preferred_language
    staff_language = translation.get_language()
    with translation.override(language):
        form = posted(request, ClientFeedbackForm)

        def save(data):
            actions.record_client_feedback(
                referral,
                completed_via=ClientFeedback.CompletedVia.WITH_COORDINATOR,
                language=language,
                **data,
            )
            return _back_to_record(referral)

        saved = submit(request, form, save)
        if saved is None:
            return render(
                request,
                "casework/feedback.html",
                {
                    "referral": referral,
                    "form": form,
                    "given": given,
                    "closed": referral.status == ReferralStatus.CLOSED,
                    "language": language,
                    "staff_language": staff_language,
                },
            )
    # After the questionnaire (in the person's language), the thanks are in the coordinator's.
    messages.success(request, _("Thank you. The feedback is saved."))
    return saved


@require_POST
def feedback_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a one-time link for the person to give feedback on their own, and email it to
    them if they have an email address. The link is shown once, to copy or read out."""
    referral = person_in_support_for(request.user, pk, Permission.RECORD_CLIENT_FEEDBACK)
    try:
        signed = actions.create_feedback_link(referral, by=request.user, send_to_person=True)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return _back_to_record(referral)
    url = absolute_url(reverse("casework:public_feedback", args=[signed]), request)
    return render(
        request,
        "casework/feedback_link.html",
        {"referral": referral, "url": url, "emailed": bool(referral.person.email)},
    )

"""Safeguarding pages: a person's risk flags and concerns, escalations to other organisations
and their chases, the PHQ-9 item 9 prompt, and the list of escalations awaiting a response.

Thin: parse, act (`safeguarding.actions`), render. A
referral is found with `referral_for(user, pk, permission)`; a concern, escalation, flag or
prompt with `concern_for`, `escalation_for`, `flag_for` or `prompt_for` (`.queries`), which
check the permission on its referral. Either way, anyone outside the site answers 404.
Reading needs VIEW_SAFEGUARDING and changing SAFEGUARD (any staff at the person's site, the
waiting list included); recording what was done about a prompt needs HANDLE_SAFEGUARDING_PROMPT.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from linkwork.accounts.permissions import Permission, has_permission, require
from linkwork.accounts.queries import sites_for
from linkwork.audit.models import RecordPart
from linkwork.core.form_pages import posted, submit
from linkwork.core.params import id_param
from linkwork.outcomes.instruments import get_instrument
from linkwork.referrals.actions import record_view
from linkwork.referrals.models import Referral
from linkwork.referrals.queries import referral_for

from . import actions
from .forms import (
    ChaseForm,
    CloseConcernForm,
    ConcernForm,
    EndFlagForm,
    EscalationForm,
    PromptForm,
    ResponseForm,
    RiskFlagForm,
)
from .models import (
    RiskKind,
)
from .presenters import mark_removable, prompt_answer, record_url
from .queries import (
    concern_for,
    escalation_for,
    escalations_of,
    flag_for,
    flags_on,
    has_active_flag,
    open_escalations_for,
    open_prompts_for,
    person_concerns,
    person_prompts,
    prompt_for,
)

PAGE_SIZE = 50
PHQ9_ITEM_9 = 8  # index of "thoughts that you would be better off dead…" in the PHQ-9


# --- Finding things -----------------------------------------------------------------------------


def _names(referral: Referral) -> dict:
    return {"person": referral.person.full_name}


# --- The list of open escalations ---------------------------------------------------------------


@require_GET
def open_escalations(request: HttpRequest) -> HttpResponse:
    """Escalations awaiting a response in the user's scope, oldest first, and open prompts."""
    require(request.user, Permission.VIEW_SAFEGUARDING_LIST)
    today = timezone.localdate()
    escalations = open_escalations_for(request.user)
    sites = list(sites_for(request.user))
    site = id_param(request, "site")
    if site is not None:
        escalations = escalations.filter(concern__referral__site_id=site)
    overdue_only = request.GET.get("overdue") == "1"
    if overdue_only:
        escalations = escalations.filter(response_due__lt=today)
    page = Paginator(escalations, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for escalation in page.object_list:
        escalation.overdue = escalation.is_overdue(today)
        escalation.unanswered_days = escalation.days_unanswered(now)
        escalation.overdue_days = (today - escalation.response_due).days
    prompts = list(open_prompts_for(request.user))
    for prompt in prompts:
        prompt.answer_label = prompt_answer(prompt)
    return render(
        request,
        "safeguarding/open_escalations.html",
        {
            "page": page,
            "prompts": prompts,
            "sites": sites,
            "site": "" if site is None else str(site),
            "overdue_only": overdue_only,
        },
    )


# --- A person's safeguarding history ------------------------------------------------------------


@require_GET
def person(request: HttpRequest, pk: int) -> HttpResponse:
    referral = referral_for(request.user, pk, Permission.VIEW_SAFEGUARDING)
    user = request.user
    record_view(by=user, obj=referral, person_id=referral.person_id, part=RecordPart.SAFEGUARDING)
    flags = list(flags_on(referral.person_id))
    concerns = list(person_concerns(user, referral).prefetch_related("escalations__chases__by"))
    prompts = list(person_prompts(user, referral))
    for prompt in prompts:
        prompt.answer_label = prompt_answer(prompt)
    mark_removable(user, referral, flags)
    return render(
        request,
        "safeguarding/person.html",
        {
            "referral": referral,
            "flags": flags,
            "concerns": concerns,
            "prompts": prompts,
            "back_url": record_url(user, referral),
            "today": timezone.localdate(),
            "can_safeguard": has_permission(user, Permission.SAFEGUARD, referral),
        },
    )


# --- Risk flags ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def raise_flag(request: HttpRequest, pk: int) -> HttpResponse:
    referral = referral_for(request.user, pk, Permission.SAFEGUARD)
    form = posted(request, RiskFlagForm)

    def act(data):
        flag = actions.raise_flag(
            referral,
            by=request.user,
            kind=data["kind"],
            note=data["note"],
        )
        messages.success(
            request,
            _("Risk flag added for %(person)s: %(kind)s.")
            % {**_names(referral), "kind": flag.get_kind_display()},
        )
        return redirect(record_url(request.user, referral))

    if response := submit(request, form, act):
        return response
    return render(
        request,
        "safeguarding/raise_flag.html",
        {"referral": referral, "form": form, "back_url": record_url(request.user, referral)},
    )


@require_http_methods(["GET", "POST"])
def end_flag(request: HttpRequest, pk: int, flag_pk: int) -> HttpResponse:
    referral = referral_for(request.user, pk, Permission.SAFEGUARD)
    # A flag is on the person (it shows wherever they are known), but only staff at the site
    # whose referral it was raised under may remove it.
    flag = flag_for(request.user, flag_pk, Permission.SAFEGUARD, person_id=referral.person_id)
    form = posted(request, EndFlagForm)

    def act(data):
        actions.end_flag(flag, by=request.user, reason=data["reason"])
        messages.success(
            request, _("Risk flag removed: %(kind)s.") % {"kind": flag.get_kind_display()}
        )
        return redirect(record_url(request.user, referral))

    if response := submit(request, form, act):
        return response
    return render(
        request,
        "safeguarding/end_flag.html",
        {
            "referral": referral,
            "flag": flag,
            "form": form,
            "back_url": record_url(request.user, referral),
        },
    )


# --- Concerns -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def raise_concern(request: HttpRequest, pk: int) -> HttpResponse:
    referral = referral_for(request.user, pk, Permission.SAFEGUARD)
    form = posted(request, ConcernForm)

    def act(data):
        concern = actions.raise_concern(
            referral,
            by=request.user,
            kind=data["kind"],
            summary=data["summary"],
            flag=data["flag"],
        )
        messages.success(
            request,
            _(
                "Safeguarding concern %(reference)s raised. Record who it was escalated to, "
                "if anyone."
            )
            % {"reference": concern.reference},
        )
        return redirect("safeguarding:concern", concern_pk=concern.pk)

    if response := submit(request, form, act):
        return response
    return render(
        request,
        "safeguarding/raise_concern.html",
        {"referral": referral, "form": form, "back_url": record_url(request.user, referral)},
    )


@require_GET
def concern(request: HttpRequest, concern_pk: int) -> HttpResponse:
    concern = concern_for(request.user, concern_pk, Permission.VIEW_SAFEGUARDING)
    referral = concern.referral
    record_view(by=request.user, obj=concern, person_id=referral.person_id, part=RecordPart.CONCERN)
    escalations = list(escalations_of(concern))
    today = timezone.localdate()
    now = timezone.now()
    for escalation in escalations:
        escalation.overdue = escalation.is_overdue(today)
        escalation.overdue_days = (today - escalation.response_due).days
        escalation.unanswered_days = escalation.days_unanswered(now)
    return render(
        request,
        "safeguarding/concern.html",
        {
            "concern": concern,
            "referral": referral,
            "escalations": escalations,
            "prompts": list(concern.prompts.select_related("handled_by")),
            "today": today,
            "back_url": record_url(request.user, referral),
            "can_safeguard": has_permission(request.user, Permission.SAFEGUARD, referral),
        },
    )


@require_http_methods(["GET", "POST"])
def close_concern(request: HttpRequest, concern_pk: int) -> HttpResponse:
    concern = concern_for(request.user, concern_pk, Permission.SAFEGUARD)
    if not concern.is_open:
        return redirect("safeguarding:concern", concern_pk=concern.pk)
    form = posted(request, CloseConcernForm)

    def act(data):
        actions.close_concern(concern, by=request.user, outcome=data["outcome"])
        messages.success(
            request,
            _("Safeguarding concern %(reference)s closed.") % {"reference": concern.reference},
        )
        return redirect("safeguarding:concern", concern_pk=concern.pk)

    if response := submit(request, form, act):
        return response
    unanswered = list(concern.escalations.filter(responded_at__isnull=True).order_by("at"))
    return render(
        request,
        "safeguarding/close_concern.html",
        {
            "concern": concern,
            "referral": concern.referral,
            "form": form,
            "unanswered": unanswered,
        },
    )


# --- Escalations --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def escalate(request: HttpRequest, concern_pk: int) -> HttpResponse:
    concern = concern_for(request.user, concern_pk, Permission.SAFEGUARD)
    if not concern.is_open:
        return redirect("safeguarding:concern", concern_pk=concern.pk)
    form = posted(
        request,
        EscalationForm,
        initial=EscalationForm.initial_values(),
    )

    def act(data):
        escalation = actions.escalate(
            concern,
            by=request.user,
            to=data["to"],
            to_detail=data["to_detail"],
            at=form.escalated_at(),
            method=data["method"],
            reference=data["reference"],
            response_due=data["response_due"],
        )
        messages.success(
            request,
            _("Escalation to %(to)s recorded. A response is due by %(due)s.")
            % {
                "to": escalation.get_to_display(),
                "due": escalation.response_due.strftime("%d/%m/%Y"),
            },
        )
        return redirect("safeguarding:concern", concern_pk=concern.pk)

    if response := submit(request, form, act):
        return response
    return render(
        request,
        "safeguarding/escalate.html",
        {"concern": concern, "referral": concern.referral, "form": form},
    )


def _escalation_form_page(request, escalation, form, template):
    return render(
        request,
        template,
        {
            "escalation": escalation,
            "concern": escalation.concern,
            "referral": escalation.concern.referral,
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
def chase(request: HttpRequest, escalation_pk: int) -> HttpResponse:
    escalation = escalation_for(request.user, escalation_pk, Permission.SAFEGUARD)
    if not escalation.is_open:
        return redirect("safeguarding:concern", concern_pk=escalation.concern_id)
    form = posted(request, ChaseForm)

    def act(data):
        actions.chase(
            escalation,
            by=request.user,
            method=data["method"],
            note=data["note"],
            next_due=data["next_due"],
        )
        messages.success(request, _("Chase recorded."))
        return redirect("safeguarding:concern", concern_pk=escalation.concern_id)

    if response := submit(request, form, act):
        return response
    return _escalation_form_page(request, escalation, form, "safeguarding/chase.html")


@require_http_methods(["GET", "POST"])
def record_response(request: HttpRequest, escalation_pk: int) -> HttpResponse:
    escalation = escalation_for(request.user, escalation_pk, Permission.SAFEGUARD)
    if not escalation.is_open:
        return redirect("safeguarding:concern", concern_pk=escalation.concern_id)
    form = posted(
        request,
        ResponseForm,
        initial=ResponseForm.initial_values(),
    )

    def act(data):
        actions.record_response(
            escalation,
            by=request.user,
            response=data["response"],
            responded_at=form.received_at(),
        )
        messages.success(
            request,
            _("Response from %(to)s recorded.") % {"to": escalation.get_to_display()},
        )
        return redirect("safeguarding:concern", concern_pk=escalation.concern_id)

    if response := submit(request, form, act):
        return response
    return _escalation_form_page(request, escalation, form, "safeguarding/response.html")


# --- The PHQ-9 item 9 prompt --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def prompt(request: HttpRequest, prompt_pk: int) -> HttpResponse:
    user = request.user
    handling = request.method == "POST"
    prompt = prompt_for(
        user,
        prompt_pk,
        Permission.HANDLE_SAFEGUARDING_PROMPT if handling else Permission.VIEW_SAFEGUARDING,
    )
    referral = prompt.referral
    can_handle = prompt.is_open and has_permission(
        user, Permission.HANDLE_SAFEGUARDING_PROMPT, referral
    )
    if handling and not prompt.is_open:
        return redirect("safeguarding:prompt", prompt_pk=prompt.pk)
    has_flag = has_active_flag(referral.person_id, RiskKind.SUICIDAL_THOUGHTS)
    form = PromptForm(request.POST if handling else None, has_flag=has_flag) if can_handle else None

    def act(data):
        handled = actions.record_what_was_done(
            prompt,
            by=user,
            action=data["action"],
            note=data["note"],
            with_concern=data["raise_concern"],
            add_flag=data.get("add_flag", False),
        )
        message = _("What you did about %(person)s's answer to question 9 is recorded.") % (
            _names(referral)
        )
        if handled.concern is not None:
            message += " " + _(
                "Safeguarding concern %(reference)s raised: record who it was escalated to "
                "on the concern's page."
            ) % {"reference": handled.concern.reference}
        messages.success(request, message)
        return redirect(record_url(user, referral))

    if response := submit(request, form, act):
        return response
    if not handling:
        record_view(by=user, obj=prompt, person_id=referral.person_id, part=RecordPart.PROMPT)
    instrument = get_instrument("phq9")
    return render(
        request,
        "safeguarding/prompt.html",
        {
            "prompt": prompt,
            "referral": referral,
            "form": form,
            "can_handle": can_handle,
            "has_flag": has_flag,
            "item_text": instrument.items[PHQ9_ITEM_9],
            "answer_label": prompt_answer(prompt),
            "back_url": record_url(user, referral),
        },
    )

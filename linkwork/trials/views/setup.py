"""The trials a user may see, and a trial's set-up: starting one, its overview, opening it,
new versions of its documents, and closing it (trial managers on its team)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linkwork.accounts.permissions import Permission, has_permission, require
from linkwork.accounts.queries import sites_for
from linkwork.core.errors import ActionRefused
from linkwork.core.form_pages import posted, submit
from linkwork.outcomes.instruments import get_instrument

from .. import actions
from ..forms import (
    CloseTrialForm,
    ConfirmForm,
    DocumentForm,
    TeamMemberForm,
    TrialForm,
    lines_of,
)
from ..models import StratificationFactor
from ..queries import (
    pathways_for_set_up,
    recruitment,
    sites_for_set_up,
    team_candidates,
    team_member,
    team_of,
    trial_for,
    trials_for,
)


def trial_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.VIEW_TRIALS)
    return render(
        request,
        "trials/setup/list.html",
        {
            "trials": trials_for(request.user).prefetch_related("sites"),
            "can_set_up": has_permission(request.user, Permission.SET_UP_TRIALS),
        },
    )


@require_http_methods(["GET", "POST"])
def new_trial(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.SET_UP_TRIALS)
    today = timezone.localdate()
    form = posted(
        request,
        TrialForm,
        sites=sites_for_set_up(),
        pathways=pathways_for_set_up(),
        initial={
            "starts_on": today,
            "information_sheet_dated": today,
            "consent_form_dated": today,
            "instruments": ["swemwbs"],
            "primary_instrument": "swemwbs",
        },
    )

    def act(data):
        spec = spec_from(data)
        trial = actions.create_trial(spec, by=request.user)
        messages.success(request, _("Trial set up. Check it, then open it to enrolment."))
        return redirect("trials:detail", pk=trial.pk)

    if response := submit(request, form, act):
        return response
    return render(request, "trials/setup/new.html", {"form": form})


def spec_from(data) -> actions.TrialSpec:
    """The set-up form's answers as the actions take them."""
    optional = [(text, False, False) for text in lines_of(data["optional_items"])]
    if data["gp_attendance_item"].strip():
        optional.append((data["gp_attendance_item"].strip(), False, True))
    return actions.TrialSpec(
        name=data["name"],
        registration=data["registration"],
        sites=list(data["sites"]),
        pathways=list(data["pathways"]),
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        arms=[
            actions.ArmSpec(data["immediate_name"], ratio=data["immediate_ratio"]),
            actions.ArmSpec(
                data["waitlist_name"],
                ratio=data["waitlist_ratio"],
                delay_days=data["delay_weeks"] * 7,
                is_control=True,
            ),
        ],
        stratify_by=list(data["stratify_by"]),
        block_multiples=list(data["block_multiples"]),
        instruments=list(data["instruments"]),
        primary_instrument=data["primary_instrument"],
        timepoints=data["timepoints"],
        primary_weeks=data["primary_weeks"],
        criteria=lines_of(data["criteria"]),
        consent_items=[(t, True, False) for t in lines_of(data["required_items"])] + optional,
        information_sheet=(data["information_sheet_version"], data["information_sheet_dated"]),
        consent_form=(data["consent_form_version"], data["consent_form_dated"]),
    )


def initial_of(trial) -> dict:
    """A trial's set-up as the form's initial values, to change it before it opens."""
    arms = list(trial.arms.all())
    immediate = next((a for a in arms if not a.is_control), None)
    waitlist = next((a for a in arms if a.is_control), None)
    documents = {d.kind: d for d in trial.documents.filter(in_use=True)}
    items = list(trial.consent_items.all())
    gp_item = next((i for i in items if i.gp_attendance), None)
    sheet = documents.get("information_sheet")
    form = documents.get("consent_form")
    return {
        "name": trial.name,
        "registration": trial.registration,
        "sites": list(trial.sites.all()),
        "pathways": list(trial.pathways.all()),
        "starts_on": trial.starts_on,
        "ends_on": trial.ends_on,
        "immediate_name": immediate.name if immediate else "",
        "immediate_ratio": immediate.ratio if immediate else 1,
        "waitlist_name": waitlist.name if waitlist else "",
        "waitlist_ratio": waitlist.ratio if waitlist else 1,
        "delay_weeks": waitlist.delay_days // 7 if waitlist else 4,
        "stratify_by": trial.stratify_by,
        "block_multiples": trial.block_multiples,
        "instruments": trial.instruments,
        "primary_instrument": trial.primary_instrument,
        "timepoints": ", ".join(str(t.weeks) for t in trial.timepoints.all()),
        "primary_weeks": trial.primary_weeks,
        "criteria": "\n".join(c.text for c in trial.criteria.all()),
        "required_items": "\n".join(i.text for i in items if i.required),
        "optional_items": "\n".join(
            i.text for i in items if not i.required and not i.gp_attendance
        ),
        "gp_attendance_item": gp_item.text if gp_item else "",
        "information_sheet_version": sheet.version if sheet else "",
        "information_sheet_dated": sheet.dated if sheet else None,
        "consent_form_version": form.version if form else "",
        "consent_form_dated": form.dated if form else None,
    }


@require_http_methods(["GET", "POST"])
def change_set_up(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the set-up while the trial is still being set up."""
    trial = trial_for(request.user, pk, Permission.MANAGE_TRIAL)
    if trial.status != "draft":
        return redirect("trials:detail", pk=trial.pk)
    form = posted(
        request,
        TrialForm,
        sites=sites_for_set_up(),
        pathways=pathways_for_set_up(),
        initial=initial_of(trial),
    )

    def act(data):
        actions.change_set_up(trial, spec_from(data), by=request.user)
        messages.success(request, _("Set-up changed."))
        return redirect("trials:detail", pk=trial.pk)

    if response := submit(request, form, act):
        return response
    return render(request, "trials/setup/new.html", {"form": form, "trial": trial})


def trial_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The trial's set-up, where it stands, and what the user may do with it."""
    trial = trial_for(request.user, pk, Permission.VIEW_TRIAL)
    user = request.user
    may_manage = has_permission(user, Permission.MANAGE_TRIAL, trial)
    may_analyse = has_permission(user, Permission.ANALYSE_TRIAL, trial)
    may_see_people = has_permission(user, Permission.VIEW_TRIAL_PARTICIPANTS, trial)
    return render(
        request,
        "trials/setup/detail.html",
        {
            "trial": trial,
            "arms": trial.arms.all(),
            "criteria": trial.criteria.all(),
            "documents": trial.documents.all(),
            "consent_items": trial.consent_items.all(),
            "timepoints": trial.timepoints.all(),
            "pathways": trial.pathways.select_related("site"),
            "instruments": [get_instrument(code) for code in trial.instruments],
            "primary": get_instrument(trial.primary_instrument),
            "factors": [StratificationFactor(f).label for f in trial.stratify_by],
            "recruitment": recruitment(trial, sites=None if may_analyse else sites_for(user)),
            "problems": actions.opening_problems(trial) if trial.status == "draft" else [],
            "may_manage": may_manage,
            "may_analyse": may_analyse,
            "may_see_people": may_see_people,
        },
    )


@require_http_methods(["GET", "POST"])
def open_trial(request: HttpRequest, pk: int) -> HttpResponse:
    trial = trial_for(request.user, pk, Permission.MANAGE_TRIAL)
    if trial.status != "draft":
        return redirect("trials:detail", pk=trial.pk)
    form = posted(request, ConfirmForm)

    def act(data):
        actions.open_trial(trial, by=request.user)
        messages.success(
            request,
            _("The trial is open. Its allocation lists are generated and concealed."),
        )
        return redirect("trials:detail", pk=trial.pk)

    if response := submit(request, form, act):
        return response
    return render(
        request,
        "trials/setup/open.html",
        {"trial": trial, "form": form, "problems": actions.opening_problems(trial)},
    )


@require_http_methods(["GET", "POST"])
def close_trial(request: HttpRequest, pk: int) -> HttpResponse:
    trial = trial_for(request.user, pk, Permission.MANAGE_TRIAL)
    if not trial.is_open:
        return redirect("trials:detail", pk=trial.pk)
    form = posted(request, CloseTrialForm, initial={"closed_on": timezone.localdate()})

    def act(data):
        actions.close_trial(
            trial, by=request.user, closed_on=data["closed_on"], reason=data["reason"]
        )
        messages.success(
            request,
            _(
                "The trial is closed. People not yet randomised continue under the service's "
                "usual rules; every trial record is kept."
            ),
        )
        return redirect("trials:detail", pk=trial.pk)

    if response := submit(request, form, act):
        return response
    return render(request, "trials/setup/close.html", {"trial": trial, "form": form})


@require_http_methods(["GET", "POST"])
def new_document(request: HttpRequest, pk: int) -> HttpResponse:
    trial = trial_for(request.user, pk, Permission.MANAGE_TRIAL)
    form = posted(request, DocumentForm, initial={"dated": timezone.localdate()})

    def act(data):
        document = actions.add_document(
            trial, by=request.user, kind=data["kind"], version=data["version"], dated=data["dated"]
        )
        messages.success(
            request,
            _("%(document)s is now the version in use.") % {"document": document},
        )
        return redirect("trials:detail", pk=trial.pk)

    if response := submit(request, form, act):
        return response
    return render(request, "trials/setup/document.html", {"trial": trial, "form": form})


@require_http_methods(["GET", "POST"])
def team(request: HttpRequest, pk: int) -> HttpResponse:
    """Who is on the trial's team; add a trial manager or researcher, or take one off."""
    trial = trial_for(request.user, pk, Permission.MANAGE_TRIAL)
    form = posted(request, TeamMemberForm, candidates=team_candidates(trial))

    def act(data):
        actions.add_to_team(trial, by=request.user, member=data["member"])
        messages.success(request, _("%(name)s is on the team.") % {"name": data["member"]})
        return redirect("trials:team", pk=trial.pk)

    if response := submit(request, form, act):
        return response
    return render(
        request, "trials/setup/team.html", {"trial": trial, "form": form, "team": team_of(trial)}
    )


@require_POST
def remove_member(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    trial = trial_for(request.user, pk, Permission.MANAGE_TRIAL)
    member = team_member(trial, user_pk)
    try:
        actions.remove_from_team(trial, by=request.user, member=member)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("%(name)s is no longer on the team.") % {"name": member})
    return redirect("trials:team", pk=trial.pk)

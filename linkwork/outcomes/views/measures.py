"""Outcome measures on a person's record: every score over time with reliable change, recording
a measure with the person, withdrawing one entered in error, and one-time links for the person
to complete one on their phone. Thin: parse, act, render.

Every page finds the person with `casework.queries.person_in_support_for(user, pk, permission)`:
among the people in support the user may see, then the permission
on the referral, so someone outside the user's scope answers 404. Reading measures
needs VIEW_PERSON_RECORD; recording one or sending a link needs RECORD_OUTCOME_MEASURE.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from linkwork.accounts.permissions import Permission, has_permission
from linkwork.audit.models import RecordPart
from linkwork.audit.refusals import visible_or_404
from linkwork.casework.queries import person_in_support_for
from linkwork.core.errors import ActionRefused
from linkwork.core.form_pages import posted, submit
from linkwork.core.links import absolute_url
from linkwork.referrals.actions import record_view
from linkwork.referrals.models import Referral
from linkwork.referrals.status import ReferralStatus

from .. import actions, queries
from ..forms import ChooseInstrumentForm, QuestionnaireForm, WithdrawMeasureForm
from ..instruments import InstrumentError, get_instrument
from ..models import MeasureLink, Timepoint
from ..presenters import SUBSCORE_LABELS, describe, format_difference
from ..signals import hold_on


def _back_to_record(referral: Referral) -> HttpResponse:
    return redirect("casework:record", pk=referral.pk)


def _parameters_note(instrument, setting) -> dict:
    """The reliability and SD used for an instrument, and where each comes from."""
    reliability, sd = actions.change_parameters(instrument, setting)
    return {
        "reliability": reliability,
        "sd": sd,
        "reliability_local": setting is not None and setting.reliability is not None,
        "sd_local": setting is not None and setting.sd is not None,
        "source": instrument.reliability_source,
    }


def _link_state(link: MeasureLink, now) -> str:
    if link.used_at is not None:
        return "used"
    if link.revoked_at is not None:
        return "withdrawn"
    if link.expires_at <= now:
        return "expired"
    return "unused"


LINK_STATES = {
    "unused": (gettext_lazy("Not used yet"), "govuk-tag--blue"),
    "used": (gettext_lazy("Used"), "govuk-tag--green"),
    "expired": (gettext_lazy("Expired"), "govuk-tag--grey"),
    "withdrawn": (gettext_lazy("Withdrawn"), "govuk-tag--grey"),
}


def measures(request: HttpRequest, pk: int) -> HttpResponse:
    """Every current measure, per instrument, with change from baseline and reliable change."""
    referral = person_in_support_for(request.user, pk, Permission.VIEW_PERSON_RECORD)
    record_view(
        by=request.user, obj=referral, person_id=referral.person_id, part=RecordPart.MEASURES
    )
    settings_by_code = actions.instrument_settings()
    histories = []
    for history in queries.history_for(referral):
        code = history.instrument.code
        rows = [
            {
                "measure": item.measure,
                "summary": describe(item.measure),
                "difference": format_difference(code, item.difference),
                "subscore_changes": [
                    (label, f"{item.subscore_changes[sub_code]:+d}")
                    for sub_code, label in SUBSCORE_LABELS.items()
                    if sub_code in item.subscore_changes
                ],
                "change": item.change,
                "is_baseline": item.measure is history.baseline,
            }
            for item in history.measures
        ]
        histories.append(
            {
                "instrument": history.instrument,
                "rows": rows,
                "has_baseline": history.baseline is not None,
                "parameters": _parameters_note(history.instrument, settings_by_code.get(code)),
            }
        )
    withdrawn = [
        {"measure": measure, "summary": describe(measure)}
        for measure in referral.measures.filter(withdrawn_at__isnull=False).select_related(
            "withdrawn_by", "by"
        )
    ]
    now = timezone.now()
    links = []
    for link in referral.measure_links.select_related("by"):
        state = _link_state(link, now)
        label, tag = LINK_STATES[state]
        links.append(
            {
                "link": link,
                "instrument": get_instrument(link.instrument),
                "timepoint_label": Timepoint(link.timepoint).label,
                "state": state,
                "state_label": label,
                "tag": tag,
            }
        )
    return render(
        request,
        "outcomes/measures/measures.html",
        {
            "referral": referral,
            "person": referral.person,
            "histories": histories,
            "withdrawn": withdrawn,
            "links": links,
            "can_record": has_permission(request.user, Permission.RECORD_OUTCOME_MEASURE, referral),
        },
    )


def _default_timepoint(referral: Referral) -> str:
    return Timepoint.END if referral.status == ReferralStatus.CLOSED else Timepoint.BASELINE


def _enabled_instrument(code: str):
    if not code:
        return None
    try:
        instrument = get_instrument(code)
    except InstrumentError:
        return None
    enabled = {i.code for i in actions.enabled_instruments()}
    return instrument if instrument.code in enabled else None


def _also_counts_as(referral: Referral, instrument) -> list[str]:
    """What else asks for this questionnaire now (a trial's time point): a measure recorded
    today, other than a baseline, counts for it too."""
    found = []
    for slot in queries.slots_for([referral]).get(referral.pk, []):
        for extra in [slot] if slot.is_extra else slot.also_for:
            if extra.instrument.code == instrument.code and extra.collectable:
                found.append(extra.counts_as)
    return found


@require_http_methods(["GET", "POST"])
def record_measure(request: HttpRequest, pk: int) -> HttpResponse:
    """Fill in a questionnaire with the person. Without a questionnaire chosen, first ask
    which (and for when)."""
    referral = person_in_support_for(request.user, pk, Permission.RECORD_OUTCOME_MEASURE)
    hold = hold_on(referral, request.user)
    if hold is not None and hold.url:
        # The action refuses new measures until then: say so before anything is typed.
        messages.error(request, hold.message)
        return redirect(hold.url)
    source = request.POST if request.method == "POST" else request.GET
    instrument = _enabled_instrument(source.get("instrument", ""))
    if instrument is None:
        choose = ChooseInstrumentForm(
            request.GET if "instrument" in request.GET else None,
            instruments=actions.enabled_instruments(),
            initial={"timepoint": request.GET.get("timepoint") or _default_timepoint(referral)},
        )
        if choose.is_bound:
            choose.is_valid()  # shows "Choose a questionnaire"
        return render(
            request,
            "outcomes/measures/choose.html",
            {"referral": referral, "form": choose},
        )
    timepoint = source.get("timepoint", "")
    if timepoint not in Timepoint.values:
        timepoint = _default_timepoint(referral)
    if request.method == "POST":
        form = QuestionnaireForm(request.POST, instrument=instrument)

        def act(data):
            measure = actions.record_measure(
                referral,
                by=request.user,
                instrument=instrument.code,
                timepoint=data["timepoint"],
                answers=form.answers(),
                completed_on=data["completed_on"],
            )
            hold = hold_on(referral, request.user)
            if hold is not None and hold.url:
                # The measure raised something to act on now (a PHQ-9 item 9 check).
                return redirect(hold.url)
            messages.success(
                request,
                _("%(name)s recorded: score %(score)s")
                % {"name": instrument.name, "score": describe(measure).text},
            )
            return _back_to_record(referral)

        if response := submit(request, form, act):
            return response
    else:
        form = QuestionnaireForm(
            instrument=instrument,
            initial={"timepoint": timepoint, "completed_on": timezone.localdate()},
        )
    language = translation.get_language() or "en"
    return render(
        request,
        "outcomes/measures/questionnaire.html",
        {
            "referral": referral,
            "form": form,
            "instrument": instrument,
            "not_english": not language.startswith("en"),
            "also_counts_as": []
            if timepoint == Timepoint.BASELINE
            else _also_counts_as(referral, instrument),
        },
    )


@require_http_methods(["GET", "POST"])
def withdraw_measure(request: HttpRequest, pk: int, measure_pk: int) -> HttpResponse:
    referral = person_in_support_for(request.user, pk, Permission.RECORD_OUTCOME_MEASURE)
    measure = visible_or_404(
        referral.measures.select_related("referral"), pk=measure_pk, person="referral__person_id"
    )
    form = posted(request, WithdrawMeasureForm)

    def act(data):
        actions.withdraw_measure(measure, by=request.user, reason=data["reason"])
        messages.success(
            request,
            _("The %(name)s measure is withdrawn. It stays on record.")
            % {"name": measure.definition.name},
        )
        return redirect("outcomes:measures", pk=referral.pk)

    if response := submit(request, form, act):
        return response
    return render(
        request,
        "outcomes/measures/withdraw.html",
        {
            "referral": referral,
            "measure": measure,
            "summary": describe(measure),
            "form": form,
        },
    )


@require_POST
def measure_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a one-time link for the person to complete a questionnaire on their own, and email
    it to them (in their language) if they have an email address. Shown once."""
    referral = person_in_support_for(request.user, pk, Permission.RECORD_OUTCOME_MEASURE)
    code = request.POST.get("instrument", "")
    timepoint = request.POST.get("timepoint", "")
    by_text = request.POST.get("by") == "text"
    try:
        link, signed = actions.create_measure_link(
            referral,
            by=request.user,
            instrument=code,
            timepoint=timepoint,
            send_to_person=not by_text,
            send_by_text=by_text,
        )
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return _back_to_record(referral)
    instrument = get_instrument(link.instrument)
    url = absolute_url(reverse("outcomes:public_measure", args=[signed]), request)
    return render(
        request,
        "outcomes/measures/link.html",
        {
            "referral": referral,
            "link": link,
            "instrument": instrument,
            "timepoint_label": Timepoint(link.timepoint).label,
            "url": url,
            "emailed": bool(referral.person.email) and not by_text,
            "texted": by_text,
        },
    )


@require_POST
def revoke_measure_link(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    referral = person_in_support_for(request.user, pk, Permission.RECORD_OUTCOME_MEASURE)
    link = visible_or_404(referral.measure_links, pk=link_pk, person="referral__person_id")
    actions.revoke_measure_link(link, by=request.user)
    messages.success(request, _("The link is withdrawn: it no longer works."))
    return redirect("outcomes:measures", pk=referral.pk)

"""A person's part in a trial, for staff at their site: offering it (the eligibility
checklist), consent or refusal, the baseline, randomisation (its result shown once), and then
the trial measures (completed here while the person waits; on their record once in support),
allocation notes, an early start, release after closure, withdrawal and GP attendance counts.

Every page reaches the person through their referral (`referral_for` / `participant_for`), so
someone outside the user's scope answers 404; every read and change is audited.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from linkwork.accounts.permissions import Permission, has_permission, require
from linkwork.audit.models import RecordPart
from linkwork.core.errors import ActionRefused
from linkwork.core.form_pages import posted, submit
from linkwork.core.pagination import page_links
from linkwork.outcomes import actions as outcome_actions
from linkwork.outcomes.forms import QuestionnaireForm
from linkwork.outcomes.instruments import InstrumentError, get_instrument
from linkwork.outcomes.models import Timepoint
from linkwork.outcomes.presenters import describe
from linkwork.outcomes.signals import hold_on
from linkwork.referrals.actions import record_view
from linkwork.referrals.queries import referral_for
from linkwork.referrals.status import ReferralStatus

from .. import actions, measures, strata
from ..forms import (
    AttendanceForm,
    ConfirmForm,
    ConsentForm,
    DeclineForm,
    NoteForm,
    ReasonForm,
    ScreenForm,
    WithdrawForm,
)
from ..models import ParticipantStatus
from ..presenters import participant_summary, trial_measures
from ..queries import participant_for, trial_for_offer, trial_measures_due_while_waiting

SHOWN_ONCE = "trials_allocation_to_show"


def _to_participant(participant) -> HttpResponse:
    return redirect("trials:participant", pk=participant.pk)


def _form_page(request, participant, form, *, title, button, intro="", template=None):
    return render(
        request,
        template or "trials/enrolment/form_page.html",
        {
            "participant": participant,
            "referral": participant.referral,
            "trial": participant.trial,
            "form": form,
            "title": title,
            "button": button,
            "intro": intro,
        },
    )


def _step(request, participant, form, do, *, done, title, button, intro=""):
    """One step of the person's part in the trial: the form; on a valid POST, `do(data)` (an
    action), the message `done` and back to their trial page; refused, the form again with
    what was typed."""

    def act(data):
        do(data)
        messages.success(request, done)
        return _to_participant(participant)

    if response := submit(request, form, act):
        return response
    return _form_page(request, participant, form, title=title, button=button, intro=intro)


@require_http_methods(["GET", "POST"])
def offer(request: HttpRequest, referral_pk: int, trial_pk: int) -> HttpResponse:
    """Offer the trial: the eligibility checklist."""
    referral = referral_for(request.user, referral_pk, Permission.ENROL_IN_TRIAL)
    trial = trial_for_offer(referral, trial_pk)
    existing = trial.participants.filter(referral=referral).first()
    if existing is not None:
        return _to_participant(existing)
    problems = actions.offer_problems(trial, referral)
    form = posted(request, ScreenForm, criteria=trial.criteria.all())

    def act(data):
        participant = actions.screen(
            trial, referral, by=request.user, unmet=form.unmet(), other=data["other"]
        )
        if participant.status == ParticipantStatus.INELIGIBLE:
            messages.success(
                request,
                _("Recorded as not eligible. %(name)s stays on the waiting list as usual.")
                % {"name": referral.person.full_name},
            )
        else:
            messages.success(request, _("Eligible: now take their informed consent."))
        return _to_participant(participant)

    if not problems and (response := submit(request, form, act)):
        return response
    return render(
        request,
        "trials/enrolment/offer.html",
        {"referral": referral, "trial": trial, "form": form, "problems": problems},
    )


def participant(request: HttpRequest, pk: int) -> HttpResponse:
    """Their part in the trial, step by step, and what may be done next."""
    participant = participant_for(request.user, pk, Permission.ENROL_IN_TRIAL)
    record_view(
        by=request.user,
        obj=participant,
        person_id=participant.referral.person_id,
        part=RecordPart.TRIAL,
    )
    today = timezone.localdate()
    summary = participant_summary(participant, today=today)
    user = request.user
    points = measures.participant_points(participant, today)
    return render(
        request,
        "trials/enrolment/participant.html",
        {
            "participant": participant,
            "referral": participant.referral,
            "trial": participant.trial,
            "summary": summary,
            "measures": trial_measures(participant, points, user=user),
            "can_release": has_permission(
                user, Permission.RELEASE_FROM_TRIAL_PATH, participant.referral
            ),
            "can_record_attendance": has_permission(
                user, Permission.RECORD_GP_ATTENDANCE, participant.referral
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for(request.user, pk, Permission.ENROL_IN_TRIAL)
    if participant.status != ParticipantStatus.ELIGIBLE:
        return _to_participant(participant)
    form = posted(request, ConsentForm, trial=participant.trial)
    return _step(
        request,
        participant,
        form,
        lambda data: actions.record_consent(
            participant,
            by=request.user,
            consented_on=data["consented_on"],
            information_sheet=data["information_sheet"],
            consent_form=data["consent_form"],
            answers=form.answers(),
        ),
        done=_("Consent recorded. Next, the baseline measures."),
        title=_("Informed consent"),
        button=_("Record consent"),
        intro=_(
            "Record what the person agreed to, statement by statement, as on the signed form. "
            "If they do not agree to a required statement, record that they declined instead."
        ),
    )


@require_http_methods(["GET", "POST"])
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for(request.user, pk, Permission.ENROL_IN_TRIAL)
    if participant.status not in (ParticipantStatus.ELIGIBLE, ParticipantStatus.CONSENTED):
        return _to_participant(participant)
    return _step(
        request,
        participant,
        posted(request, DeclineForm),
        lambda data: actions.record_decline(participant, by=request.user, reason=data["reason"]),
        done=_("Recorded. %(name)s stays on the waiting list under the service's usual rules.")
        % {"name": participant.referral.person.full_name},
        title=_("They decided not to take part"),
        button=_("Record their decision"),
    )


@require_http_methods(["GET", "POST"])
def baseline(request: HttpRequest, pk: int, instrument: str) -> HttpResponse:
    """Complete one of the trial's instruments with the person, before randomisation. It is
    the service's own baseline measure too: it is not asked for twice."""
    participant = participant_for(request.user, pk, Permission.ENROL_IN_TRIAL)
    if participant.status != ParticipantStatus.CONSENTED:
        return _to_participant(participant)
    if instrument not in participant.trial.instruments:
        raise Http404
    try:
        definition = get_instrument(instrument)
    except InstrumentError:
        raise Http404 from None
    return _questionnaire(
        request,
        participant,
        definition,
        timepoint=Timepoint.BASELINE,
        label=_("Baseline"),
        intro=_(
            "Read each question out as written, and choose the answer the person gives. This "
            "is the baseline for the trial and for the service: it will not be asked for again "
            "when support starts."
        ),
    )


def _questionnaire(
    request, participant, instrument, *, timepoint, label, intro, window=None, counts_as=""
):
    """Complete a questionnaire with the person from their trial page, recorded with
    outcomes' own action (a PHQ-9 question 9 answer opens its check first). With `window`,
    only a completion date inside it counts (as `counts_as`)."""
    referral = participant.referral
    form = posted(
        request,
        QuestionnaireForm,
        instrument=instrument,
        initial={"completed_on": timezone.localdate()},
    )
    del form.fields["timepoint"]

    def act(data):
        if window is not None and not window.holds(data["completed_on"]):
            raise ActionRefused(
                _("Only a measure completed from %(opens)s to %(missed)s counts as %(what)s.")
                % {
                    "opens": date_format(window.opens_on, "j F Y"),
                    "missed": date_format(window.missed_after, "j F Y"),
                    "what": counts_as,
                },
                field="completed_on",
            )
        measure = outcome_actions.record_measure(
            referral,
            by=request.user,
            instrument=instrument.code,
            timepoint=timepoint,
            answers=form.answers(),
            completed_on=data["completed_on"],
        )
        hold = hold_on(referral, request.user)
        if hold is not None and hold.url:
            return redirect(hold.url)  # a PHQ-9 item 9 check comes first
        messages.success(
            request,
            _("%(name)s recorded: score %(score)s")
            % {"name": instrument.name, "score": describe(measure).text},
        )
        return _to_participant(participant)

    if response := submit(request, form, act):
        return response
    return render(
        request,
        "trials/enrolment/questionnaire.html",
        {
            "participant": participant,
            "referral": referral,
            "trial": participant.trial,
            "form": form,
            "instrument": instrument,
            "label": label,
            "intro": intro,
        },
    )


@require_http_methods(["GET", "POST"])
def record_measure(request: HttpRequest, pk: int, weeks: int, instrument: str) -> HttpResponse:
    """Complete one of the trial's follow-up measures with someone still on the waiting list
    (randomised to wait, or not allocated yet): no coordinator's record has them yet. Recorded
    as a measure "during support", which outcomes accepts before support only while the trial
    asks for it. Once allocated, their record takes it, as the service's other measures."""
    participant = participant_for(request.user, pk, Permission.ENROL_IN_TRIAL)
    referral = participant.referral
    today = timezone.localdate()
    point = next(
        (
            p
            for p in measures.participant_points(participant, today)
            if p.weeks == weeks and p.instrument.code == instrument
        ),
        None,
    )
    if point is None:
        raise Http404
    if referral.status != ReferralStatus.WAITING or not point.collectable:
        return _to_participant(participant)
    what = measures.counts_as(weeks)
    return _questionnaire(
        request,
        participant,
        point.instrument,
        timepoint=Timepoint.REVIEW,
        label=measures.label(weeks),
        intro=_(
            "Read each question out as written, and choose the answer the person gives. This "
            "is %(what)s. They are still on the waiting list, so it is recorded here."
        )
        % {"what": what},
        window=point.window,
        counts_as=what,
    )


@require_http_methods(["GET", "POST"])
def randomise(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for(request.user, pk, Permission.ENROL_IN_TRIAL)
    if participant.status != ParticipantStatus.CONSENTED:
        return _to_participant(participant)
    form = posted(request, ConfirmForm)
    missing = actions.baseline_missing(participant)

    def act(data):
        actions.randomise(participant, by=request.user)
        request.session[SHOWN_ONCE] = participant.pk
        return redirect("trials:allocation", pk=participant.pk)

    if not missing and (response := submit(request, form, act)):
        return response
    if request.method == "POST" and missing:
        messages.error(request, _("Complete the baseline measures first."))
        return _to_participant(participant)
    return _form_page(
        request,
        participant,
        form,
        title=_("Randomise"),
        button=_("Randomise now"),
        template="trials/enrolment/randomise.html",
    )


def allocation(request: HttpRequest, pk: int) -> HttpResponse:
    """The result of the randomisation, shown once, straight after it was made. Afterwards
    the person's trial page says which arm they are in, when and by whom."""
    participant = participant_for(request.user, pk, Permission.ENROL_IN_TRIAL)
    if request.session.get(SHOWN_ONCE) != participant.pk or not participant.is_randomised:
        return _to_participant(participant)
    del request.session[SHOWN_ONCE]
    return render(
        request,
        "trials/enrolment/allocation.html",
        {
            "participant": participant,
            "referral": participant.referral,
            "trial": participant.trial,
            "slot": participant.allocation,
            "stratum": strata.label(participant.stratum),
        },
    )


@require_http_methods(["GET", "POST"])
def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for(request.user, pk, Permission.ENROL_IN_TRIAL)
    if not participant.is_randomised:
        return _to_participant(participant)
    return _step(
        request,
        participant,
        posted(request, NoteForm),
        lambda data: actions.add_note(
            participant, by=request.user, kind=data["kind"], text=data["text"]
        ),
        done=_("Note added to the allocation."),
        title=_("Annotate the allocation"),
        button=_("Add the note"),
        intro=_("The allocation itself cannot be changed or undone. Notes cannot be edited."),
    )


def _reason_page(request, participant, action, **page):
    """A step whose action takes the reason, in words."""
    return _step(
        request,
        participant,
        posted(request, ReasonForm),
        lambda data: action(participant, by=request.user, text=data["text"]),
        **page,
    )


@require_http_methods(["GET", "POST"])
def early_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Let support start before the delay has passed: a protocol deviation, with the reason."""
    participant = participant_for(request.user, pk, Permission.RELEASE_FROM_TRIAL_PATH)
    if not participant.is_randomised or participant.trial.is_closed:
        return _to_participant(participant)
    return _reason_page(
        request,
        participant,
        actions.allow_early_start,
        title=_("Start support before the waiting time is over"),
        button=_("Record the deviation"),
        intro=_(
            "This is a protocol deviation: it is reported to the trial team with the reason. "
            "The person can then be allocated."
        ),
        done=_("Deviation recorded: the person can now be allocated."),
    )


@require_http_methods(["GET", "POST"])
def release(request: HttpRequest, pk: int) -> HttpResponse:
    """After the trial closed: the person no longer follows their allocated path."""
    participant = participant_for(request.user, pk, Permission.RELEASE_FROM_TRIAL_PATH)
    if not participant.trial.is_closed or not participant.is_randomised:
        return _to_participant(participant)
    return _reason_page(
        request,
        participant,
        actions.release_from_path,
        title=_("Release from the allocated path"),
        button=_("Release them"),
        intro=_(
            "The trial has closed. Say why this person no longer needs to follow the path they "
            "were allocated to. Their trial records are kept."
        ),
        done=_("Released: the person can now be allocated as usual."),
    )


@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for(request.user, pk, Permission.ENROL_IN_TRIAL)
    if not participant.is_randomised or participant.is_withdrawn:
        return _to_participant(participant)
    return _step(
        request,
        participant,
        posted(request, WithdrawForm, initial={"on": timezone.localdate()}),
        lambda data: actions.withdraw(
            participant,
            by=request.user,
            on=data["on"],
            reason=data["reason"],
            data_kept=data["data_kept"],
        ),
        done=_("Withdrawal from the trial recorded."),
        title=_("Withdraw from the trial"),
        button=_("Record the withdrawal"),
        intro=_(
            "The person leaves the trial, not the service: their support goes on. Their "
            "allocation stays on record."
        ),
    )


@require_http_methods(["GET", "POST"])
def record_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for(request.user, pk, Permission.RECORD_GP_ATTENDANCE)
    if not participant.is_randomised or not participant.gp_data_consent:
        return _to_participant(participant)
    referral = participant.referral
    initial = {"received_on": timezone.localdate()}
    if referral.referring_organisation_id:
        initial["practice"] = referral.referring_organisation_id
    return _step(
        request,
        participant,
        posted(request, AttendanceForm, initial=initial),
        lambda data: actions.record_attendance(participant, by=request.user, **data),
        done=_("GP attendance recorded."),
        title=_("Record GP attendance"),
        button=_("Save the count"),
        intro=_(
            "Enter the count as the practice sent it. A second count for the same period "
            "replaces the first."
        ),
    )


MEASURES_DUE_PAGE_SIZE = 50


def measures_due(request: HttpRequest) -> HttpResponse:
    """Every trial measure due or overdue for people randomised and still on the waiting list at
    the user's sites, overdue first, 50 a page (the managers' home page shows the first few)."""
    require(request.user, Permission.VIEW_WAITING_LIST)
    lines = trial_measures_due_while_waiting(request.user)
    page = Paginator(lines, MEASURES_DUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "trials/enrolment/measures_due.html",
        {"page": page, "links": page_links(request, page)},
    )

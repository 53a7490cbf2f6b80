"""The person's own questionnaire, reached through a one-time link (no account), in their
preferred language around questions that are only in English."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from linkwork.core.form_pages import attempt, posted
from linkwork.core.idempotency import replayed
from linkwork.core.limits import public_form_body_limit

from .. import actions
from ..forms import QuestionnaireForm
from ..instruments import get_instrument

#: Set in the session when the answers need the person to be shown where to get help now
#: (PHQ-9 item 9 answered above "not at all"), with the language to show it in.
THANKS_SESSION_KEY = "outcomes_measure_thanks"
REFUSED_TEMPLATE = "outcomes/public/link_refused.html"


def _refused(request: HttpRequest) -> HttpResponse:
    # Tampered, unknown, used, expired or withdrawn: one page, which says nothing about anyone.
    return render(request, REFUSED_TEMPLATE, status=410)


@login_not_required
@public_form_body_limit
@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(
    key="ip",
    rate=lambda group, request: getattr(settings, "MEASURE_LINK_RATE", "20/h"),
    method="POST",
)
def measure(request: HttpRequest, signed: str) -> HttpResponse:
    link = actions.measure_link_from(signed)
    if link is None:
        # The same answers sent again (a double tap, the back button) find the link used by the
        # first: they are led to its thank-you page, not refused.
        return replayed(request) or _refused(request)
    person = link.referral.person
    language = person.preferred_language
    instrument = get_instrument(link.instrument)
    with translation.override(language):
        form = posted(
            request,
            QuestionnaireForm,
            instrument=instrument,
            coordinator=False,
        )
        if request.method == "POST" and form.is_valid():

            def complete():
                completed = actions.complete_measure_through_link(
                    link, answers=form.answers(), language=language
                )
                request.session[THANKS_SESSION_KEY] = {
                    "language": language,
                    "needs_help": bool(completed.flags.get(actions.ITEM_9_FLAG)),
                }
                return redirect("outcomes:measure_thanks")

            if response := attempt(form, complete, request=request):
                return response
            if actions.measure_link_from(signed) is None:
                # Used (a second submission) or withdrawn meanwhile.
                return replayed(request) or _refused(request)
        return render(
            request,
            "outcomes/public/measure.html",
            {
                "form": form,
                "instrument": instrument,
                "language": language,
                "not_english": not language.startswith("en"),
                "first_name": person.given_name,
            },
        )


@login_not_required
@never_cache
def measure_thanks(request: HttpRequest) -> HttpResponse:
    """Thanks, never the score. After a positive PHQ-9 item 9, where to get help now."""
    shown = request.session.pop(THANKS_SESSION_KEY, None) or {}
    language = shown.get("language") or translation.get_language()
    with translation.override(language):
        return render(
            request,
            "outcomes/public/thanks.html",
            {"needs_help": bool(shown.get("needs_help")), "language": language},
        )

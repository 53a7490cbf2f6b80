"""The person's own feedback form, reached through a one-time link (no account)."""

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
from ..forms import ClientFeedbackForm


@login_not_required
@public_form_body_limit
@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(
    key="ip",
    rate=lambda group, request: getattr(settings, "FEEDBACK_LINK_RATE", "20/h"),
    method="POST",
)
def feedback(request: HttpRequest, signed: str) -> HttpResponse:
    link = actions.feedback_link_from(signed)
    if link is None:
        # The same answers sent again (a double tap, the back button) find the link used by the
        # first: they are led to its thank-you page. Otherwise tampered, unknown, used, expired
        # or withdrawn: one page, which says nothing about anyone.
        return replayed(request) or render(
            request, "casework/public/feedback_refused.html", status=410
        )
    language = link.referral.person.preferred_language
    with translation.override(language):
        form = posted(request, ClientFeedbackForm)
        if request.method == "POST" and form.is_valid():

            def give():
                actions.give_feedback_through_link(link, language=language, **form.cleaned_data)
                return redirect("casework:feedback_thanks")

            if response := attempt(form, give, request=request):
                return response
            if actions.feedback_link_from(signed) is None:
                # Used (a second submission) or withdrawn meanwhile.
                return replayed(request) or render(
                    request, "casework/public/feedback_refused.html", status=410
                )
        return render(
            request,
            "casework/public/feedback.html",
            {"form": form, "language": language, "first_name": link.referral.person.given_name},
        )


@login_not_required
def feedback_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "casework/public/feedback_thanks.html")

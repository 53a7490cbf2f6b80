"""The page a receiving organisation opens from a service link: no account, one use.

Refused links (tampered, unknown, used, withdrawn, expired) get a plain page that says what to
do and shows nothing about the person.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from linkwork.core.form_pages import attempt
from linkwork.core.limits import public_form_body_limit

from .. import actions
from ..actions import LinkRefused
from ..forms import OutcomeForm, RespondForm
from ..models import LinkPurpose
from ..queries import find_link

DEFAULT_RATE = "20/h"


def _rate(group, request) -> str:
    return getattr(settings, "SERVICE_LINK_RATE", DEFAULT_RATE)


def _refused(request: HttpRequest, refusal: LinkRefused) -> HttpResponse:
    # Unknown and tampered links are "not found"; real links that can no longer be used "gone".
    status = 404 if refusal.reason == "invalid" else 410
    coordinator = None
    if refusal.link is not None and refusal.reason != "invalid":
        coordinator = actions.coordinator_of(refusal.link.prescription)
    return render(
        request,
        "prescriptions/public/refused.html",
        {"reason": refusal.reason, "coordinator": coordinator},
        status=status,
    )


@login_not_required
@public_form_body_limit
@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_rate, method="POST")
def service_link(request: HttpRequest, signed: str) -> HttpResponse:
    try:
        link = find_link(signed)
    except LinkRefused as refusal:
        return _refused(request, refusal)
    prescription = link.prescription
    responding = link.purpose == LinkPurpose.RESPOND
    form_class = RespondForm if responding else OutcomeForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def act():
            if responding:
                next_link = actions.respond_through_link(
                    link, accept=data["decision"] == "accept", reason=data["reason"]
                )
            else:
                next_link = actions.record_outcome_through_link(
                    link, outcome=data["outcome"], note=data["note"]
                )
            prescription.refresh_from_db(fields=["status"])
            return render(
                request,
                "prescriptions/public/done.html",
                {
                    "prescription": prescription,
                    "coordinator": actions.coordinator_of(prescription),
                    "next_link": next_link,
                },
            )

        try:
            if response := attempt(form, act):
                return response
        except LinkRefused as refusal:
            return _refused(request, refusal)
    if request.method == "GET":
        actions.record_link_opened(link)
    person = prescription.referral.person
    return render(
        request,
        "prescriptions/public/link.html",
        {
            "link": link,
            "prescription": prescription,
            "site": prescription.referral.site,
            "coordinator": actions.coordinator_of(prescription),
            # Only what the person agreed to share.
            "person": person if prescription.share_contact_details else None,
            "form": form,
        },
    )

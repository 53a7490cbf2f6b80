"""The public self-referral form: no account, plain language, guarded against abuse."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from linkwork.core.form_pages import posted, submit
from linkwork.core.limits import public_form_body_limit

from .. import actions
from ..forms import SelfReferralForm
from ..models import ReceivedVia
from ..queries import open_self_referral_pathways, public_site


@login_not_required
def self_referral_sites(request: HttpRequest) -> HttpResponse:
    pathways = open_self_referral_pathways().order_by("site__name")
    if len(pathways) == 1:
        return redirect("referrals:self_referral", site=pathways[0].site.slug)
    return render(request, "referrals/public/sites.html", {"pathways": pathways})


@login_not_required
@public_form_body_limit
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=lambda group, request: settings.SELF_REFERRAL_RATE, method="POST")
def self_referral(request: HttpRequest, site: str) -> HttpResponse:
    site_obj = public_site(site)
    pathway = open_self_referral_pathways().filter(site=site_obj).first()
    if pathway is None:
        raise Http404
    form = posted(request, SelfReferralForm)
    if request.method == "POST":
        if form.is_bot():
            # Say nothing to a bot that would help it learn; keep nothing it sent.
            return redirect("referrals:self_referral_sent", site=site_obj.slug)

        def act(data):
            actions.submit_referral(
                pathway=pathway,
                person=form.person_data(),
                details=form.referral_details(),
                by=None,
                organisation=None,
                received_via=ReceivedVia.SELF_REFERRAL,
            )
            return redirect("referrals:self_referral_sent", site=site_obj.slug)

        if response := submit(request, form, act):
            return response
    return render(
        request,
        "referrals/public/self_referral.html",
        {"form": form, "site": site_obj, "pathway": pathway},
    )


@login_not_required
def self_referral_sent(request: HttpRequest, site: str) -> HttpResponse:
    site_obj = public_site(site)
    return render(request, "referrals/public/sent.html", {"site": site_obj})

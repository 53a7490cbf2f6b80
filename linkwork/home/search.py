"""The search in the header, `/search/?q=`: find a person or a referral by name (or part of
one, in any case, with or without accents), NHS number, phone number, reference or date of
birth, among the referrals the user may see. Every record shown is audited as found."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from linkwork.accounts.permissions import Permission, require
from linkwork.audit.service import record_found
from linkwork.referrals import queries
from linkwork.referrals.search import MAX_LENGTH, understand


@require_GET
@never_cache
def search(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.SEARCH_PEOPLE)
    query = request.GET.get("q", "").strip()[:MAX_LENGTH]
    terms = understand(query) if query else None
    found, more = [], False
    if terms is not None and not terms.problem:
        found = queries.search_referrals(request.user, terms)
        more = len(found) > queries.SEARCH_LIMIT
        found = found[: queries.SEARCH_LIMIT]
        for referral in found:
            referral.url = (
                reverse("casework:record", args=[referral.pk])
                if referral.in_support_here
                else reverse("referrals:detail", args=[referral.pk])
            )
        record_found(
            by=request.user,
            found=[(referral, referral.person_id) for referral in found],
            detail=f"search by {terms.kind}",
        )
    return render(
        request,
        "home/search.html",
        {"query": query, "terms": terms, "found": found, "more": more},
    )

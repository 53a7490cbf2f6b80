"""Social prescriptions as sections of other parts' pages (see `linkwork.core.panels`)."""

from django.template.loader import render_to_string

from .queries import prescription_counts


def service_counts(service, request) -> str:
    """On a directory service's page: how many were made to it from the user's sites, by
    status. Counts only: no names, no referrals."""
    return render_to_string(
        "prescriptions/includes/service_counts.html",
        {"counts": prescription_counts(service, request.user)},
        request=request,
    )

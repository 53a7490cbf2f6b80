"""Managers' report of what the directory offered, month by month."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from linkwork.accounts.permissions import Permission, require
from linkwork.accounts.queries import sites_for
from linkwork.core.params import id_param

from ..history import availability_by_month
from ..models import Availability
from ..queries import services_serving_any


def availability_report(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.VIEW_UNMET_NEEDS)
    sites = sites_for(request.user)
    chosen = id_param(request, "site")
    site = sites.filter(pk=chosen).first() if chosen is not None else None
    services = services_serving_any([site] if site else sites)
    return render(
        request,
        "directory/availability_report.html",
        {
            "rows": availability_by_month(services, months=18),
            "states": Availability.choices,
            "sites": sites,
            "site": site,
        },
    )


urlpatterns = [
    path("availability/", availability_report, name="availability_report"),
]

"""Unmet needs: recording what the directory had nothing for, and the managers' report of them.
Thin: parse, act, render.

The one piece of personal data here is the person a need is recorded for (`?referral=`),
reached only through `referrals_for(user)` and `WORK_WITH_PERSON`. Notes may hold personal data
despite the hint, so only managers (who may see the report) read them, never with a name.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from linkwork.accounts.permissions import Permission, require
from linkwork.accounts.queries import site_for, sites_for
from linkwork.core.form_pages import posted, submit
from linkwork.core.months import month_value
from linkwork.core.pagination import page_links
from linkwork.core.params import id_param, id_param_or_404
from linkwork.core.spreadsheets import spreadsheet_safe
from linkwork.partners.models import Site
from linkwork.referrals.models import Referral
from linkwork.referrals.queries import referral_for

from . import actions, areas
from . import report as needs_report
from .forms import AREAS_LIST_ID, UnmetNeedForm, UnmetNeedsFilterForm
from .queries import last_site_recorded_at

NEEDS_PER_PAGE = 50


# --- Recording a need ----------------------------------------------------------------------------


def _referral_from(request: HttpRequest) -> Referral | None:
    """The person the need is recorded for (`?referral=`), if any: one the user works with, or
    404."""
    pk = id_param_or_404(request, "referral", source="either")
    if pk is None:
        return None
    return referral_for(request.user, pk, Permission.WORK_WITH_PERSON)


def _site_from(request: HttpRequest) -> Site | None:
    """A site asked for (posted, or `?site=`), if any: one of the user's, or 404."""
    pk = id_param_or_404(request, "site", source="POST" if request.method == "POST" else "GET")
    if pk is None:
        return None
    return site_for(request.user, pk, Permission.RECORD_UNMET_NEED)


def _default_site(user, sites: list[Site]) -> Site:
    """Where the user last recorded a need, if still one of their sites; else their first."""
    last = last_site_recorded_at(user, sites)
    return next((site for site in sites if site.pk == last), sites[0])


def _prefill(request: HttpRequest, categories) -> dict:
    """What the search page passes on: the category (`?category=`) and area (`?area=`)."""
    initial = {}
    category = id_param(request, "category")
    if category is not None and categories.filter(pk=category).exists():
        initial["category"] = category
    area = areas.tidy_area(request.GET.get("area"))
    if area:
        initial["area"] = area[: areas.MAX_AREA_LENGTH]
    return initial


@require_http_methods(["GET", "POST"])
def record_unmet_need(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Permission.RECORD_UNMET_NEED)
    sites = list(sites_for(user).order_by("name", "pk"))
    if not sites:
        raise PermissionDenied
    referral = _referral_from(request)
    chosen = _site_from(request)
    ask_site = referral is None and len(sites) > 1
    categories = areas.need_categories()
    initial = _prefill(request, categories)
    if ask_site:
        initial["site"] = (chosen or _default_site(user, sites)).pk
    form = posted(
        request,
        UnmetNeedForm,
        initial=initial,
        sites=sites_for(user).order_by("name", "pk"),
        categories=categories,
        ask_site=ask_site,
    )

    def record(data):
        if referral is not None:
            site = referral.site
        elif ask_site:
            site = data["site"]
        else:
            site = chosen or sites[0]
        need = actions.record_unmet_need(
            by=user,
            site=site,
            category=data["category"],
            area=data["area"],
            note=data["note"],
            referral=referral,
        )
        messages.success(
            request,
            _("Unmet need recorded: %(category)s in %(area)s. Thank you.")
            % {"category": need.category.label, "area": need.area},
        )
        if referral is not None:
            return redirect(reverse("casework:record", kwargs={"pk": referral.pk}))
        return redirect(reverse("directory:search"))

    if response := submit(request, form, record):
        return response
    if referral is not None:
        back_url = reverse("casework:record", kwargs={"pk": referral.pk})
    else:
        back_url = reverse("directory:search")
    return render(
        request,
        "unmet/record.html",
        {
            "form": form,
            "referral": referral,
            "site": referral.site if referral is not None else (None if ask_site else sites[0]),
            "has_categories": categories.exists(),
            "areas": areas.known_areas(sites),
            "areas_list_id": AREAS_LIST_ID,
            "back_url": back_url,
        },
    )


# --- The managers' report ------------------------------------------------------------------------


@require_GET
def unmet_needs(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Permission.VIEW_UNMET_NEEDS)
    sites = list(sites_for(user).order_by("name", "pk"))
    this_month = timezone.localdate().replace(day=1)
    categories = areas.need_categories()
    form = UnmetNeedsFilterForm(
        request.GET, sites=sites, categories=categories, this_month=this_month
    )
    filters = form.filters()
    report_sites = [filters["site"]] if filters["site"] else sites
    report = needs_report.unmet_needs_report(
        sites=report_sites,
        first_month=filters["first_month"],
        last_month=filters["last_month"],
        category=filters["category"],
        area=filters["area"],
    )
    if request.GET.get("format") == "csv":
        return _csv(report, filters)

    needs = needs_report.needs_in_area(
        needs_report.recorded_needs(
            report_sites,
            filters["first_month"],
            filters["last_month"],
            category=filters["category"],
        ),
        filters["area"],
        report,
    ).select_related("category", "category__parent", "site", "recorded_by")
    page = Paginator(needs.order_by("-recorded_at", "-pk"), NEEDS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for each in page:
        each.category_label = areas.term_label(each.category)
    csv_params = request.GET.copy()
    csv_params.pop("page", None)
    csv_params["format"] = "csv"
    return render(
        request,
        "unmet/report.html",
        {
            "form": form,
            "filters": filters,
            "report": report,
            "sites": sites,
            "page": page,
            "page_links": page_links(request, page),
            "csv_url": "?" + csv_params.urlencode(),
            "areas": areas.known_areas(sites),
            "areas_list_id": AREAS_LIST_ID,
        },
    )


def _csv(report: needs_report.Report, filters: dict) -> HttpResponse:
    """The category by month table: each month's total, then each source and both."""
    first, last = month_value(filters["first_month"]), month_value(filters["last_month"])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="unmet-needs-{first}-to-{last}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Kind of need"),
            *(month_value(month) for month in report.months),
            _("Recorded by staff"),
            _("Service unavailable"),
            _("Total"),
        ]
    )
    for row in report.categories:
        writer.writerow(
            [
                spreadsheet_safe(row.label),
                *(cell.total for cell in row.months),
                row.total.recorded,
                row.total.unavailable,
                row.total.total,
            ]
        )
    writer.writerow(
        [
            _("All unmet needs: recorded by staff"),
            *(cell.recorded for cell in report.month_totals),
            report.total.recorded,
            "",
            report.total.recorded,
        ]
    )
    writer.writerow(
        [
            _("All unmet needs: service unavailable"),
            *(cell.unavailable for cell in report.month_totals),
            "",
            report.total.unavailable,
            report.total.unavailable,
        ]
    )
    writer.writerow(
        [
            _("All unmet needs"),
            *(cell.total for cell in report.month_totals),
            report.total.recorded,
            report.total.unavailable,
            report.total.total,
        ]
    )
    return response

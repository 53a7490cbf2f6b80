"""Finding a service, a service's page, and keeping entries up to date. Thin: parse, act, render.

The directory is not personal data: reads are not audited, changes are (in `actions`). The one
piece of personal data here is the person a coordinator is searching for (`?referral=`), reached
only through `referrals_for(user)` and the social prescription permission.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linkwork.accounts.permissions import Permission, has_permission, require
from linkwork.accounts.queries import sites_for
from linkwork.audit.models import RecordPart
from linkwork.core.form_pages import posted, submit
from linkwork.core.pagination import page_links
from linkwork.core.params import id_param_or_404
from linkwork.referrals.actions import record_view
from linkwork.referrals.models import Referral
from linkwork.referrals.queries import referral_for

from .. import actions, queries
from ..forms import ANY_SITE, AvailabilityForm, LocalNoteForm, SearchForm, ServiceForm
from ..models import Service
from ..panels import service_panels
from ..search import DEFAULT_AVAILABILITY, Criteria, for_listing, search, terms_in_use

PER_PAGE = 20


# --- Finding a service ---------------------------------------------------------------------------


def _referral_from(request: HttpRequest) -> Referral | None:
    """The person the user is finding a service for (`?referral=`), if any: one they may make a
    social prescription for, or 404."""
    pk = id_param_or_404(request, "referral", source="either")
    if pk is None:
        return None
    return referral_for(request.user, pk, Permission.MAKE_SOCIAL_PRESCRIPTION)


@dataclass
class Result:
    """One service in the results, with what its row shows (from prefetched rows)."""

    service: Service
    categories: list
    places: list[str]
    days: list[str]
    cost: str
    free: bool
    welsh: bool
    check_overdue: bool
    refer_url: str = ""


def _result(service: Service, *, referral: Referral | None, today) -> Result:
    areas = [area.name for area in service.service_areas.all()]
    places = list(dict.fromkeys([*areas, *queries.towns(service)]))
    refer_url = ""
    if referral is not None and service.can_be_chosen:
        refer_url = (
            reverse("prescriptions:new", kwargs={"pk": referral.pk})
            + "?"
            + urlencode({"service": service.pk})
        )
    return Result(
        service=service,
        categories=queries.categories(service),
        places=places,
        days=queries.service_days(service),
        cost=queries.cost_in_words(service),
        free=queries.is_free(service),
        welsh=queries.has_welsh(service),
        check_overdue=service.check_overdue(today),
        refer_url=refer_url,
    )


def _unmet_need_url(referral: Referral | None, criteria: dict) -> str:
    """Where to record that nothing fitted (built by the unmet needs pages, if they exist)."""
    try:
        url = reverse("unmet:record")
    except NoReverseMatch:
        return ""
    params = {}
    if referral is not None:
        params["referral"] = referral.pk
    if criteria.get("category") is not None:
        params["category"] = criteria["category"].pk
    if criteria.get("area"):
        params["area"] = criteria["area"]
    return url + ("?" + urlencode(params) if params else "")


def directory_search(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.VIEW_DIRECTORY)
    referral = _referral_from(request)
    today = timezone.localdate()
    my_sites = list(sites_for(request.user))

    data = request.GET.copy()
    data.pop("page", None)
    if not data.getlist("availability"):
        data.setlist("availability", list(DEFAULT_AVAILABILITY))
    if referral is not None and "age" not in request.GET:
        data["age"] = str(referral.person.age_on(today))
    form = SearchForm(data, sites=my_sites, terms=terms_in_use())
    cleaned = form.cleaned()

    criteria = Criteria(
        words=cleaned.get("q") or "",
        category=cleaned.get("category"),
        area=cleaned.get("area") or "",
        age=cleaned.get("age"),
        free_only=bool(cleaned.get("free")),
        day=cleaned.get("day") or "",
        welsh=bool(cleaned.get("welsh")),
        needs_check=bool(cleaned.get("unchecked")),
        availability=cleaned.get("availability") or list(DEFAULT_AVAILABILITY),
    )
    if referral is not None:
        criteria.site = referral.site
    elif cleaned.get("site") == ANY_SITE:
        pass
    elif form.chosen_site() is not None:
        criteria.site = form.chosen_site()
    else:
        criteria.sites = sites_for(request.user)

    page = Paginator(for_listing(search(criteria)), PER_PAGE).get_page(request.GET.get("page"))
    results = [_result(service, referral=referral, today=today) for service in page]
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    if referral is not None and not fragment:
        record_view(
            by=request.user,
            obj=referral,
            person_id=referral.person_id,
            part=RecordPart.FINDING_A_SERVICE,
        )

    context = {
        "form": form,
        "page": page,
        "page_links": page_links(request, page),
        "results": results,
        "referral": referral,
        "searching_for_age": criteria.age,
        "unmet_need_url": _unmet_need_url(referral, cleaned),
        "can_create": has_permission(request.user, Permission.EDIT_DIRECTORY),
        "can_record_need": has_permission(request.user, Permission.RECORD_UNMET_NEED),
        "can_see_reports": has_permission(request.user, Permission.VIEW_UNMET_NEEDS),
        "can_import": has_permission(request.user, Permission.IMPORT_DIRECTORY),
        "clear_url": reverse("directory:search")
        + (f"?{urlencode({'referral': referral.pk})}" if referral else ""),
        "fragment": fragment,
    }
    template = "directory/includes/results.html" if fragment else "directory/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- A service's page --------------------------------------------------------------------------


def _service(pk: int) -> Service:
    service = queries.service_for_page(pk)
    if service is None:
        raise Http404
    return service


def _service_url(service: Service, referral: Referral | None = None, anchor: str = "") -> str:
    url = reverse("directory:service", kwargs={"pk": service.pk})
    if referral is not None:
        url += "?" + urlencode({"referral": referral.pk})
    return url + (f"#{anchor}" if anchor else "")


def _service_page(
    request: HttpRequest,
    service: Service,
    *,
    referral: Referral | None,
    availability_form: AvailabilityForm | None = None,
    note_form: LocalNoteForm | None = None,
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    can_update = has_permission(user, Permission.UPDATE_SERVICE_AVAILABILITY, service)
    can_note = has_permission(user, Permission.ADD_LOCAL_NOTE, service)
    serves_referral_site = referral is not None and (
        not service.sites.all() or referral.site in service.sites.all()
    )
    locations = []
    for at in service.service_at_locations.all():
        location = at.location
        locations.append(
            {
                "location": location,
                "addresses": list(location.addresses.all()),
                "accessibility": list(location.accessibility.all()),
                "schedules": [queries.schedule_in_words(s) for s in location.schedules.all()],
                "phones": list(location.phones.all()),
                "description": at.description,
            }
        )
    context = {
        "service": service,
        "referral": referral,
        "refer_url": reverse("prescriptions:new", kwargs={"pk": referral.pk})
        + "?"
        + urlencode({"service": service.pk})
        if serves_referral_site and service.can_be_chosen
        else "",
        "categories": queries.categories(service),
        "schedules": [
            text for text in (queries.schedule_in_words(s) for s in service.schedules.all()) if text
        ],
        "locations": locations,
        "languages": queries.languages_in_words(service),
        "welsh": queries.has_welsh(service),
        "cost": queries.cost_in_words(service),
        "ages": queries.ages_in_words(service),
        "history": queries.availability_history(service),
        "notes": queries.local_notes(service),
        "panels": service_panels.for_page(service, request),
        "check_overdue": service.check_overdue(today),
        "can_update": can_update,
        "can_note": can_note,
        "can_edit": has_permission(user, Permission.EDIT_DIRECTORY, service),
        "availability_form": availability_form
        or (
            AvailabilityForm(initial={"availability": service.availability}) if can_update else None
        ),
        "note_form": note_form or (LocalNoteForm() if can_note else None),
        # The form that failed, if any: base.html puts "Error:" in the title for it.
        "form": availability_form or note_form,
        "back_url": reverse("directory:search")
        + (f"?{urlencode({'referral': referral.pk})}" if referral else ""),
    }
    return render(request, "directory/service.html", context)


def service_page(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Permission.VIEW_DIRECTORY)
    service = _service(pk)
    return _service_page(request, service, referral=_referral_from(request))


def _service_in_scope(request: HttpRequest, pk: int, perm: Permission) -> Service:
    """403 for a role that may never do this, 404 for a service out of the user's reach."""
    require(request.user, perm)
    service = _service(pk)
    require(request.user, perm, service)
    return service


@require_POST
def change_availability(request: HttpRequest, pk: int) -> HttpResponse:
    service = _service_in_scope(request, pk, Permission.UPDATE_SERVICE_AVAILABILITY)
    referral = _referral_from(request)
    form = AvailabilityForm(request.POST)

    def act(data):
        actions.change_availability(
            service,
            by=request.user,
            availability=data["availability"],
            note=data["availability_note"],
            expected_reopening=data["expected_reopening"],
            effective_on=data["effective_on"],
        )
        messages.success(
            request,
            _("Availability of %(service)s changed to: %(availability)s.")
            % {
                "service": service.name,
                "availability": service.get_availability_display().lower(),
            },
        )
        return redirect(_service_url(service, referral, "availability"))

    if response := submit(request, form, act):
        return response
    return _service_page(request, service, referral=referral, availability_form=form)


@require_POST
def mark_checked(request: HttpRequest, pk: int) -> HttpResponse:
    service = _service_in_scope(request, pk, Permission.UPDATE_SERVICE_AVAILABILITY)
    referral = _referral_from(request)
    actions.mark_checked(service, by=request.user)
    messages.success(request, _("%(service)s marked as checked today.") % {"service": service.name})
    return redirect(_service_url(service, referral, "keeping-up-to-date"))


@require_POST
def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    service = _service_in_scope(request, pk, Permission.ADD_LOCAL_NOTE)
    referral = _referral_from(request)
    form = LocalNoteForm(request.POST)

    def act(data):
        actions.add_local_note(service, by=request.user, text=data["text"])
        messages.success(request, _("Note added."))
        return redirect(_service_url(service, referral, "notes"))

    if response := submit(request, form, act):
        return response
    return _service_page(request, service, referral=referral, note_form=form)


# --- Adding and editing entries -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def new_service(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.EDIT_DIRECTORY)
    sites = sites_for(request.user)
    form = posted(request, ServiceForm, sites=sites)

    def act(data):
        service = actions.create_service(by=request.user, details=data, sites_in_reach=sites)
        messages.success(
            request, _("%(service)s added to the directory.") % {"service": service.name}
        )
        return redirect("directory:service", pk=service.pk)

    if response := submit(request, form, act):
        return response
    return render(request, "directory/service_form.html", {"form": form, "service": None})


@require_http_methods(["GET", "POST"])
def edit_service(request: HttpRequest, pk: int) -> HttpResponse:
    service = _service_in_scope(request, pk, Permission.EDIT_DIRECTORY)
    sites = sites_for(request.user)
    if request.method == "POST":
        form = ServiceForm(request.POST, sites=sites, service=service)
    else:
        form = ServiceForm(
            initial=ServiceForm.initial_for(service, sites=sites), sites=sites, service=service
        )

    def act(data):
        saved = actions.edit_service(service, by=request.user, details=data, sites_in_reach=sites)
        messages.success(request, _("%(service)s saved.") % {"service": saved.name})
        return redirect("directory:service", pk=saved.pk)

    if response := submit(request, form, act):
        return response
    other_sites = [site for site in service.sites.all() if site not in set(sites)]
    return render(
        request,
        "directory/service_form.html",
        {"form": form, "service": service, "other_sites": other_sites},
    )


urlpatterns = [
    path("", directory_search, name="search"),
    path("services/new/", new_service, name="new_service"),
    path("services/<int:pk>/", service_page, name="service"),
    path("services/<int:pk>/edit/", edit_service, name="edit_service"),
    path("services/<int:pk>/availability/", change_availability, name="change_availability"),
    path("services/<int:pk>/checked/", mark_checked, name="mark_checked"),
    path("services/<int:pk>/notes/", add_note, name="add_note"),
]

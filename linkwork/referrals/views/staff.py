"""Pages for referrers and staff, from referral to allocation. Thin: parse, act, render."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from linkwork.accounts.permissions import Permission, has_permission, require
from linkwork.audit.models import RecordPart
from linkwork.core.form_pages import posted, submit
from linkwork.core.keyset import keyset_links, keyset_page
from linkwork.core.pagination import page_links
from linkwork.core.params import id_param, parse_id

from .. import actions
from ..caseload import caseload_rows, sorted_rows
from ..forms import (
    AllocationForm,
    CaseloadCapForm,
    InterimContactForm,
    OpenWithReasonForm,
    PathwayForm,
    ProvideInformationForm,
    ReferralForm,
    StaffReferralForm,
    TriageForm,
    WithdrawForm,
)
from ..holds import hold_on, holds_for
from ..models import ReceivedVia
from ..panels import referral_panels
from ..queries import (
    caseload_of,
    coordinators_for,
    coordinators_for_site,
    current_allocation,
    interim_contacts_of,
    linked_referrals,
    pathway_versions,
    pathways_for,
    pathways_usable_by,
    possible_duplicates,
    reasons_given_for,
    referral_for,
    referrals_for,
    sites_for,
    waiting_entries,
    waiting_page,
    waiting_places,
    waiting_totals,
)
from ..status import TO_TRIAGE, ReferralStatus


@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.REFER)
    organisation = request.user.organisation
    pathways = pathways_usable_by(organisation)
    form = posted(request, ReferralForm, pathways=pathways)

    def act(data):
        referral = actions.submit_referral(
            pathway=data["pathway"],
            person=form.person_data(),
            details=form.referral_details(),
            by=request.user,
            organisation=organisation,
            received_via=ReceivedVia.ONLINE,
            referrer_name=request.user.display_name,
            referrer_contact=request.user.email,
        )
        messages.success(
            request,
            _(
                "Referral %(reference)s sent. The service will triage it and you will see "
                "the outcome here."
            )
            % {"reference": referral.reference},
        )
        return redirect("referrals:detail", pk=referral.pk)

    if response := submit(request, form, act):
        return response
    return render(request, "referrals/refer.html", {"form": form, "pathways": pathways})


@require_http_methods(["GET", "POST"])
def record_referral(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.RECORD_REFERRAL)
    pathways = pathways_for(request.user)
    form = posted(request, StaffReferralForm, pathways=pathways)

    def act(data):
        referral = actions.submit_referral(
            pathway=data["pathway"],
            person=form.person_data(),
            details=form.referral_details(),
            by=request.user,
            organisation=data["referring_organisation"],
            received_via=data["received_via"],
            received_at=form.received_at(),
            referrer_name=data["referrer_name"],
            referrer_contact=data["referrer_contact"],
        )
        messages.success(
            request, _("Referral %(reference)s recorded.") % {"reference": referral.reference}
        )
        return redirect("referrals:detail", pk=referral.pk)

    if response := submit(request, form, act):
        return response
    return render(request, "referrals/record.html", {"form": form})


REFERRALS_PER_PAGE = 50


def referral_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.VIEW_REFERRALS)
    referrals = referrals_for(request.user).order_by("-received_at")
    status = request.GET.get("status", "")
    if status == "to_triage":
        referrals = referrals.filter(status__in=TO_TRIAGE)
    elif status in ReferralStatus.values:
        referrals = referrals.filter(status=status)
    sites = list(sites_for(request.user))
    site = id_param(request, "site")
    if site is not None:
        referrals = referrals.filter(site_id=site)
    # Newest first, a page at a time by keyset: no count or offset over every referral.
    page = keyset_page(
        referrals,
        size=REFERRALS_PER_PAGE,
        older=request.GET.get("older", ""),
        newer=request.GET.get("newer", ""),
        timestamp="received_at",
    )
    return render(
        request,
        "referrals/list.html",
        {
            "page": page,
            "page_links": keyset_links(request, page),
            "status": status,
            "statuses": ReferralStatus.choices,
            "sites": sites,
            "site": "" if site is None else str(site),
            "can_record": has_permission(request.user, Permission.RECORD_REFERRAL),
        },
    )


def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = referral_for(request.user, pk, Permission.VIEW_REFERRAL)
    if has_permission(request.user, Permission.OPEN_WITH_REASON, referral):
        # Outside the coordinator's caseload, where the site takes a reason: ask for it first.
        require(request.user, Permission.VIEW_REFERRAL_IN_FULL, referral)
    actions.record_view(
        by=request.user, obj=referral, person_id=referral.person_id, part=RecordPart.REFERRAL
    )
    history = referral.status_changes.select_related("by")
    if not has_permission(request.user, Permission.VIEW_REFERRAL_IN_FULL, referral):
        # A referrer sees each step and its date; the service's messages only where the person
        # agreed to feedback being shared (a request for information is always shown).
        return render(
            request,
            "referrals/detail_for_referrer.html",
            {
                "referral": referral,
                "history": history,
                "panels": referral_panels.for_page(referral, request, slot="side"),
                "shared": referral.consent_to_share_feedback,
                "can_provide_information": has_permission(
                    request.user, Permission.PROVIDE_INFORMATION, referral
                ),
            },
        )
    user = request.user
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "history": history,
            "panels": referral_panels.for_page(referral, request),
            "side_panels": referral_panels.for_page(referral, request, slot="side"),
            "duplicates": possible_duplicates(referral, within=referrals_for(user))[:10],
            "linked": linked_referrals(referral, within=referrals_for(user)),
            "allocation": current_allocation(referral),
            "past_allocations": referral.allocations.filter(ended_at__isnull=False).select_related(
                "coordinator"
            ),
            "interim_contacts": interim_contacts_of(referral),
            "can_triage": referral.status in TO_TRIAGE
            and has_permission(user, Permission.TRIAGE_REFERRAL, referral),
            "can_allocate": referral.status in (ReferralStatus.WAITING, ReferralStatus.ALLOCATED)
            and has_permission(user, Permission.ALLOCATE_REFERRAL, referral),
            "can_log_contact": referral.status == ReferralStatus.WAITING
            and has_permission(user, Permission.LOG_INTERIM_CONTACT, referral),
            # The person's record exists once they are in support (and stays after closure).
            "can_view_record": referral.status in (ReferralStatus.ALLOCATED, ReferralStatus.CLOSED)
            and has_permission(user, Permission.VIEW_PERSON_RECORD, referral),
            "can_withdraw": referral.status in (ReferralStatus.WAITING, ReferralStatus.ALLOCATED)
            and has_permission(user, Permission.TRIAGE_REFERRAL, referral),
            "can_export_subject_access": has_permission(
                user, Permission.EXPORT_SUBJECT_ACCESS, referral
            ),
            # Rectification (decision 0026): the pages are the subject rights app's.
            "can_change_details": has_permission(user, Permission.CHANGE_PERSON_DETAILS, referral),
            "can_handle_rectification": has_permission(
                user, Permission.HANDLE_RECTIFICATION, referral
            ),
            "can_correct_interim_notes": has_permission(
                user, Permission.LOG_INTERIM_CONTACT, referral
            ),
            "sees_corrections": has_permission(user, Permission.VIEW_CORRECTIONS, referral),
            "answering_request": parse_id(request.GET.get("request")),
            "can_record_erasure": has_permission(user, Permission.RECORD_ERASURE, referral),
        },
    )


@require_http_methods(["GET", "POST"])
def triage(request: HttpRequest, pk: int) -> HttpResponse:
    referral = referral_for(request.user, pk, Permission.TRIAGE_REFERRAL)
    actions.record_view(
        by=request.user, obj=referral, person_id=referral.person_id, part=RecordPart.TRIAGE
    )
    duplicates = list(possible_duplicates(referral, within=referrals_for(request.user))[:10])
    form = posted(request, TriageForm, duplicates=duplicates)

    def act(data):
        if data["decision"] == TriageForm.ACCEPT:
            actions.accept_referral(
                referral,
                by=request.user,
                priority=data["priority"],
                note=data["note"],
                message=data["message"],
            )
            done = _("%(reference)s accepted and added to the waiting list.")
        elif data["decision"] == TriageForm.REQUEST_INFORMATION:
            actions.request_information(
                referral, by=request.user, request=data["information_request"]
            )
            done = _("The referrer has been asked for more information about %(reference)s.")
        else:
            actions.decline_referral(
                referral,
                by=request.user,
                reason=data["decline_reason"],
                note=data["note"],
                redirected_to=data["redirected_to"],
                message=data["message"],
                duplicate_of=next(
                    (other for other in duplicates if other.pk == data["duplicate_of"]), None
                ),
            )
            done = _("%(reference)s declined. The referrer can see the reason.")
        messages.success(request, done % {"reference": referral.reference})
        return redirect("referrals:detail", pk=referral.pk)

    if response := submit(request, form, act):
        return response
    return render(
        request,
        "referrals/triage.html",
        {
            "referral": referral,
            "form": form,
            "duplicates": duplicates,
            "linked": linked_referrals(referral, within=referrals_for(request.user)),
            "history": referral.status_changes.select_related("by"),
        },
    )


@require_http_methods(["GET", "POST"])
def provide_information(request: HttpRequest, pk: int) -> HttpResponse:
    referral = referral_for(request.user, pk, Permission.PROVIDE_INFORMATION)
    form = posted(request, ProvideInformationForm)

    def act(data):
        actions.provide_information(referral, by=request.user, response=data["response"])
        messages.success(request, _("Thank you. The service will look at the referral again."))
        return redirect("referrals:detail", pk=referral.pk)

    if response := submit(request, form, act):
        return response
    return render(
        request, "referrals/provide_information.html", {"referral": referral, "form": form}
    )


@require_http_methods(["GET", "POST"])
def allocate(request: HttpRequest, pk: int) -> HttpResponse:
    referral = referral_for(request.user, pk, Permission.ALLOCATE_REFERRAL)
    if referral.status not in (ReferralStatus.WAITING, ReferralStatus.ALLOCATED):
        raise Http404
    current = current_allocation(referral)
    hold = hold_on(referral) if current is None else None
    coordinators = coordinators_for_site(referral.site)
    form = posted(
        request,
        AllocationForm,
        coordinators=coordinators,
        initial={"replacing": current.pk if current else None},
    )

    def act(data):
        replacing_pk = data["replacing"]
        replacing = referral.allocations.filter(pk=replacing_pk).first() if replacing_pk else None
        allocation = actions.allocate_referral(
            referral,
            coordinator=data["coordinator"],
            by=request.user,
            replacing=replacing,
            note=data["note"],
        )
        messages.success(
            request,
            _("%(person)s is now on %(coordinator)s's caseload.")
            % {"person": referral.person.full_name, "coordinator": allocation.coordinator},
        )
        return redirect("referrals:detail", pk=referral.pk)

    if response := submit(request, form, act):
        return response
    return render(
        request,
        "referrals/allocate.html",
        {
            "referral": referral,
            "form": form,
            "current": current,
            "coordinators": coordinators,
            "hold": hold,
            "handover": (
                referral_panels.for_page(referral, request, slot="handover") if current else []
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def interim_contact(request: HttpRequest, pk: int) -> HttpResponse:
    referral = referral_for(request.user, pk, Permission.LOG_INTERIM_CONTACT)
    form = posted(
        request,
        InterimContactForm,
        initial={"contact_date": timezone.localdate()},
    )

    def act(data):
        actions.log_interim_contact(
            referral,
            by=request.user,
            at=form.contact_at(),
            mode=data["mode"],
            minutes=data["minutes"],
            by_volunteer=data["by_volunteer"],
            note=data["note"],
        )
        messages.success(request, _("Interim support contact logged."))
        return redirect("referrals:detail", pk=referral.pk)

    if response := submit(request, form, act):
        return response
    return render(request, "referrals/interim_contact.html", {"referral": referral, "form": form})


@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    referral = referral_for(request.user, pk, Permission.TRIAGE_REFERRAL)
    form = posted(request, WithdrawForm)

    def act(data):
        actions.withdraw_referral(
            referral,
            by=request.user,
            reason=data["reason"],
            note=data["note"],
        )
        messages.success(request, _("%(reference)s withdrawn.") % {"reference": referral.reference})
        return redirect("referrals:detail", pk=referral.pk)

    if response := submit(request, form, act):
        return response
    return render(request, "referrals/withdraw.html", {"referral": referral, "form": form})


@require_http_methods(["GET", "POST"])
def open_with_reason(request: HttpRequest, pk: int) -> HttpResponse:
    """Say why, then read the referral of someone outside one's caseload (decision 0023)."""
    referral = referral_for(request.user, pk, Permission.OPEN_WITH_REASON)
    wanted = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        wanted = ""
    going_to = wanted or reverse("referrals:detail", args=[referral.pk])
    if has_permission(request.user, Permission.VIEW_REFERRAL_IN_FULL, referral):
        return redirect(going_to)  # their own caseload, or a reason given today already
    form = posted(request, OpenWithReasonForm)

    def act(data):
        actions.open_with_reason(referral, by=request.user, reason=data["reason"])
        return redirect(going_to)

    if response := submit(request, form, act):
        return response
    return render(
        request,
        "referrals/open_with_reason.html",
        {
            "referral": referral,
            "form": form,
            "next": wanted,
            "hours": settings.OPENED_WITH_REASON_HOURS,
        },
    )


def reasons_given(request: HttpRequest) -> HttpResponse:
    """For managers: each time a coordinator at their sites opened someone else's referral with
    a reason, newest first, to review."""
    require(request.user, Permission.REVIEW_REASONS_GIVEN)
    sites = list(sites_for(request.user))
    site = id_param(request, "site")
    opened = reasons_given_for(request.user, site=site)
    page = Paginator(opened, REASONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/reasons_given.html",
        {
            "page": page,
            "page_links": page_links(request, page),
            "sites": sites,
            "site": "" if site is None else str(site),
            "site_rules": [(s, s.get_coordinator_access_display()) for s in sites],
        },
    )


REASONS_PER_PAGE = 50
WAITING_PER_SITE_WHEN_ALL_SHOWN = 30


def waiting_list(request: HttpRequest) -> HttpResponse:
    """Each site's waiting list. With every site shown, each shows its first entries and links
    to its whole list; one site's whole list comes a page at a time."""
    require(request.user, Permission.VIEW_WAITING_LIST)
    sites = list(sites_for(request.user))
    site_filter = id_param(request, "site")
    shown = [s for s in sites if site_filter is None or site_filter == s.pk]
    page = None
    if len(shown) == 1:
        page = waiting_page(request.user, shown[0], request.GET.get("page"))
        places = page.object_list
        totals = {shown[0].pk: page.paginator.count}  # counted once, by the paginator
    else:
        places = waiting_places(request.user, shown, first=WAITING_PER_SITE_WHEN_ALL_SHOWN)
        totals = waiting_totals(request.user, shown)
    entries = waiting_entries(request.user, places)
    holds = holds_for(entries)
    by_site: dict[int, list] = {site.pk: [] for site in shown}
    now = timezone.now()
    for entry in entries:
        entry.hold = holds.get(entry.pk)
        entry.waited = entry.days_waiting(now)
        by_site[entry.site_id].append(entry)
    return render(
        request,
        "referrals/waiting_list.html",
        {
            "lists": [
                {"site": site, "entries": by_site[site.pk], "total": totals.get(site.pk, 0)}
                for site in shown
            ],
            "page": page,
            "page_links": page_links(request, page) if page else None,
            "sites": sites,
            "site": "" if site_filter is None else str(site_filter),
            "can_allocate": has_permission(request.user, Permission.VIEW_CASELOADS),
        },
    )


CASELOAD_SHOWN = {"all", "needs_action"}


def my_caseload(request: HttpRequest) -> HttpResponse:
    """The people the coordinator supports now, with what every part of the service knows about
    each (`referrals.caseload`): those needing action first, or sorted by a column."""
    require(request.user, Permission.VIEW_OWN_CASELOAD)
    caseload = list(caseload_of(request.user))
    columns, rows = caseload_rows(caseload, timezone.localdate())
    needing_action = sum(1 for row in rows if row.actions)
    shown = request.GET.get("show", "all")
    if shown not in CASELOAD_SHOWN:
        shown = "all"
    if shown == "needs_action":
        rows = [row for row in rows if row.actions]
    by = request.GET.get("sort", "")
    return render(
        request,
        "referrals/my_caseload.html",
        {
            "caseload": caseload,
            "cap": request.user.caseload_cap,
            "columns": columns,
            "rows": sorted_rows(rows, columns, by),
            "sort": by,
            "shown": shown,
            "needing_action": needing_action,
        },
    )


def caseloads(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.VIEW_CASELOADS)
    return render(
        request,
        "referrals/caseloads.html",
        {"coordinators": coordinators_for(request.user), "can_set_caps": True},
    )


@require_http_methods(["GET", "POST"])
def caseload_cap(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Permission.SET_CASELOAD_CAP)
    coordinator = get_object_or_404(coordinators_for(request.user), pk=pk)
    require(request.user, Permission.SET_CASELOAD_CAP, coordinator)
    form = posted(
        request,
        CaseloadCapForm,
        initial={"cap": coordinator.caseload_cap},
    )

    def act(data):
        actions.set_caseload_cap(coordinator, cap=data["cap"], by=request.user)
        messages.success(
            request,
            _("%(coordinator)s's caseload cap is now %(cap)s.")
            % {"coordinator": coordinator.display_name, "cap": data["cap"]},
        )
        return redirect("referrals:caseloads")

    if response := submit(request, form, act):
        return response
    return render(
        request, "referrals/caseload_cap.html", {"coordinator": coordinator, "form": form}
    )


def pathway_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.MANAGE_PATHWAYS)
    pathways = (
        pathways_for(request.user).prefetch_related("organisations").order_by("site__name", "name")
    )
    return render(request, "referrals/pathways.html", {"pathways": pathways})


@require_http_methods(["GET", "POST"])
def pathway_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(request.user, Permission.MANAGE_PATHWAYS)
    pathway = None
    if pk is not None:
        pathway = get_object_or_404(pathways_for(request.user), pk=pk)
        require(request.user, Permission.MANAGE_PATHWAYS, pathway)
    form = posted(
        request,
        PathwayForm,
        instance=pathway,
        sites=sites_for(request.user),
    )

    def act(data):
        saved = actions.save_pathway(
            form.save(commit=False),
            organisations=data["organisations"],
            by=request.user,
            changed_fields=[f for f in form.changed_data if f != "change_reason"],
            reason=data["change_reason"],
        )
        messages.success(request, _("Pathway %(name)s saved.") % {"name": saved.label})
        return redirect("referrals:pathways")

    if response := submit(request, form, act):
        return response
    return render(
        request,
        "referrals/pathway_form.html",
        {
            "form": form,
            "pathway": pathway,
            "versions": pathway_versions(pathway) if pathway else [],
            "referral_count": pathway.referrals.count() if pathway else 0,
        },
    )

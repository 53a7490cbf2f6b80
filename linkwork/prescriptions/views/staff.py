"""Staff pages for social prescriptions: the services list, a person's prescriptions, making,
updating and re-sending them. Thin: parse, act, render."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linkwork.accounts.permissions import Permission, has_permission, require
from linkwork.audit.models import RecordPart
from linkwork.audit.refusals import visible_or_404
from linkwork.core.errors import ActionRefused
from linkwork.core.form_pages import posted, submit
from linkwork.core.params import id_param
from linkwork.directory.queries import open_alternatives
from linkwork.referrals.actions import record_view
from linkwork.referrals.queries import referral_for
from linkwork.referrals.status import ReferralStatus

from .. import actions
from ..forms import PrescriptionForm, StatusForm
from ..models import SocialPrescription
from ..queries import prescription_of, prescriptions_for, services_serving
from ..status import FINAL_STATUSES, LINK_FOR_STATUS


def services(request: HttpRequest) -> HttpResponse:
    """The old community-services list lives on as the directory."""
    require(request.user, Permission.VIEW_DIRECTORY)
    return redirect("directory:search", permanent=True)


def person_prescriptions(request: HttpRequest, pk: int) -> HttpResponse:
    referral = referral_for(request.user, pk, Permission.VIEW_SOCIAL_PRESCRIPTIONS)
    record_view(
        by=request.user, obj=referral, person_id=referral.person_id, part=RecordPart.PRESCRIPTIONS
    )
    return render(
        request,
        "prescriptions/list.html",
        {
            "referral": referral,
            "prescriptions": prescriptions_for(referral),
            "can_make": referral.status == ReferralStatus.ALLOCATED
            and has_permission(request.user, Permission.MAKE_SOCIAL_PRESCRIPTION, referral),
        },
    )


@require_http_methods(["GET", "POST"])
def new_prescription(request: HttpRequest, pk: int) -> HttpResponse:
    """The form for one service, chosen in the directory (`?service=`). Without a service, the
    coordinator is sent to the directory to find one for this person."""
    referral = referral_for(request.user, pk, Permission.MAKE_SOCIAL_PRESCRIPTION)
    available = services_serving(referral.site)
    data = request.POST if request.method == "POST" else None
    raw = request.POST.get("service") if data is not None else request.GET.get("service")
    chosen = id_param(request, "service", source="POST" if data is not None else "GET")
    service = available.filter(pk=chosen).first() if chosen is not None else None
    find_url = reverse("directory:search") + "?" + urlencode({"referral": referral.pk})
    unusable = service is None or not service.can_be_chosen
    if data is None and referral.status == ReferralStatus.ALLOCATED and unusable:
        if raw:
            messages.info(
                request, _("That service cannot be chosen for this person. Find another one.")
            )
        return redirect(find_url)
    form = PrescriptionForm(
        data,
        services=available,
        initial={"send": "yes", "service": service.pk if service else None},
    )

    def act(data):
        prescription = actions.make_prescription(
            referral,
            by=request.user,
            service=data["service"],
            asked_for=data["asked_for"],
            accompany_first_visit=data["accompany_first_visit"],
            share_contact_details=data["share_contact_details"],
            send=data["send"],
            availability_confirmed=data["availability_confirmed"],
        )
        messages.success(request, _sent_message(prescription))
        return redirect("prescriptions:detail", pk=referral.pk, prescription=prescription.pk)

    if response := submit(request, form, act):
        return response
    return render(
        request,
        "prescriptions/new.html",
        {
            "referral": referral,
            "form": form,
            "service": service,
            "warning": actions.availability_warning(service) if service else "",
            "alternatives": open_alternatives(service, referral.site) if service else [],
            "find_url": find_url,
            "allocated": referral.status == ReferralStatus.ALLOCATED,
        },
    )


def _sent_message(prescription: SocialPrescription) -> str:
    service = prescription.service
    if prescription.status == "suggested":
        return _("Social prescription to %(service)s saved as suggested.") % {"service": service}
    if getattr(prescription, "new_link", None) is not None:
        return _("Sent to %(service)s. They have been emailed a link to accept or decline.") % {
            "service": service
        }
    return _(
        "Marked as sent to %(service)s. They have no email address, so phone them and record "
        "their answer here."
    ) % {"service": service}


def prescription_detail(request: HttpRequest, pk: int, prescription: int) -> HttpResponse:
    referral = referral_for(request.user, pk, Permission.VIEW_SOCIAL_PRESCRIPTIONS)
    item = prescription_of(referral, prescription)
    record_view(
        by=request.user, obj=item, person_id=referral.person_id, part=RecordPart.PRESCRIPTION
    )
    can_update = has_permission(request.user, Permission.UPDATE_SOCIAL_PRESCRIPTION, referral)
    return render(
        request,
        "prescriptions/detail.html",
        {
            "referral": referral,
            "prescription": item,
            "history": item.updates.select_related("by"),
            "links": item.links.all(),
            "coordinator": actions.coordinator_of(item),
            "can_update": can_update and item.status not in FINAL_STATUSES,
            "can_send_link": can_update
            and item.status in LINK_FOR_STATUS
            and bool(item.service.referral_email),
        },
    )


@require_http_methods(["GET", "POST"])
def update_status(request: HttpRequest, pk: int, prescription: int) -> HttpResponse:
    referral = referral_for(request.user, pk, Permission.UPDATE_SOCIAL_PRESCRIPTION)
    item = prescription_of(referral, prescription)
    form = posted(
        request,
        StatusForm,
        current=item.status,
        service=item.service,
    )

    def act(data):
        changed = actions.change_status(
            item,
            by=request.user,
            to_status=data["status"],
            note=data["note"],
            availability_confirmed=data.get("availability_confirmed", False),
        )
        messages.success(
            request,
            _("Social prescription updated: %(status)s.")
            % {"status": changed.get_status_display().lower()},
        )
        return redirect("prescriptions:detail", pk=referral.pk, prescription=changed.pk)

    if response := submit(request, form, act):
        return response
    return render(
        request,
        "prescriptions/update.html",
        {
            "referral": referral,
            "prescription": item,
            "form": form,
            "warning": actions.availability_warning(item.service),
            "confirm_needed": "availability_confirmed" in form.fields,
            "alternatives": open_alternatives(item.service, referral.site)
            if item.service.needs_warning
            else [],
        },
    )


@require_POST
def revoke_link(request: HttpRequest, pk: int, prescription: int, link: int) -> HttpResponse:
    referral = referral_for(request.user, pk, Permission.UPDATE_SOCIAL_PRESCRIPTION)
    item = prescription_of(referral, prescription)
    service_link = visible_or_404(item.links, pk=link, person="prescription__referral__person_id")
    try:
        actions.revoke_link(service_link, by=request.user)
    except ActionRefused as refusal:
        messages.info(request, refusal.message)
    else:
        messages.success(request, _("The link has been withdrawn. It no longer works."))
    return redirect("prescriptions:detail", pk=referral.pk, prescription=item.pk)


@require_POST
def new_link(request: HttpRequest, pk: int, prescription: int) -> HttpResponse:
    referral = referral_for(request.user, pk, Permission.UPDATE_SOCIAL_PRESCRIPTION)
    item = prescription_of(referral, prescription)
    try:
        actions.send_new_link(item, by=request.user)
    except ActionRefused as refusal:
        messages.info(request, refusal.message)
    else:
        messages.success(
            request,
            _("A new link has been emailed to %(service)s. Earlier links no longer work.")
            % {"service": item.service},
        )
    return redirect("prescriptions:detail", pk=referral.pk, prescription=item.pk)

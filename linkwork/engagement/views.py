"""Partners, under /partners/: the list for a site, a partner's page (its referrals or social
prescriptions per month beside the engagement with it, and its contacts), recording and
correcting engagement, keeping contacts, and when a referrer has gone quiet. Thin: parse, act,
render.

Nothing here is personal data about the people referred: referrals and prescriptions are only
counted. Contacts are professional contact details, kept by managers.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from linkwork.accounts.permissions import Permission, has_permission, require
from linkwork.accounts.queries import site_for, sites_for
from linkwork.core.form_pages import posted, submit
from linkwork.core.params import id_param
from linkwork.partners.models import Site

from . import actions, presenters
from .forms import ActivityForm, ContactForm, QuietAfterForm
from .models import DEFAULT_QUIET_AFTER_DAYS
from .queries import (
    Partner,
    activities_of,
    activity_of,
    contact_of,
    contacts_of,
    figures_for,
    listed_sites,
    others_that_may_refer,
    partner_for,
    partner_sites_for,
    quiet_after_days_at,
    receiving_partners,
    referring_partners,
)


def _chosen_site(request: HttpRequest, sites: list[Site]) -> Site | None:
    """The site asked for in `?site=`, among `sites`; 404 for any other. None if not asked."""
    value = (request.GET.get("site") or "").strip()
    if not value:
        return None
    chosen = next((site for site in sites if str(site.pk) == value), None)
    if chosen is None:
        raise Http404
    return chosen


# --- The partners list ------------------------------------------------------------------------


@require_GET
def partners(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Permission.VIEW_PARTNERS)
    sites = list(sites_for(user).order_by("name", "pk"))
    site = _chosen_site(request, sites) or (sites[0] if sites else None)
    context = {"sites": sites, "site": site}
    if site is not None:
        today = timezone.localdate()
        referring = referring_partners(site, today)
        context.update(
            referring=referring,
            receiving=receiving_partners(site, today),
            others=others_that_may_refer(site, referring, today),
            quiet_after_days=quiet_after_days_at([site.pk])[site.pk],
            gone_quiet=sum(row.gone_quiet for row in referring),
            may_configure=has_permission(user, Permission.CONFIGURE_ENGAGEMENT, site),
        )
    return render(request, "engagement/partners.html", context)


# --- A partner's page -------------------------------------------------------------------------


@require_GET
def partner(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    user = request.user
    found = partner_for(user, kind, pk, Permission.VIEW_PARTNERS)
    sites = list(partner_sites_for(user, found))
    chosen = _chosen_site(request, sites)
    listed = listed_sites(found, sites)
    shown = [chosen] if chosen else listed
    today = timezone.localdate()
    figures = figures_for(found, shown, today)
    activities = list(activities_of(found, shown))
    many_sites = len(shown) > 1
    for activity in activities:
        activity.may_correct = has_permission(user, Permission.CORRECT_ENGAGEMENT, activity)
    return render(
        request,
        "engagement/partner.html",
        {
            "partner": found,
            # The site switcher: the sites it is listed at, and the one chosen.
            "switch_to": [s for s in sites if s in listed or s == chosen],
            "chosen": chosen,
            "shown": shown,
            "many_sites": many_sites,
            "figures": figures,
            "last_sent": presenters.last_sent_words(found, figures),
            "chart": presenters.engagement_chart(found, figures, activities, many_sites=many_sites),
            "activities": activities,
            "contacts": contacts_of(found),
            "may_record": has_permission(user, Permission.RECORD_ENGAGEMENT, found),
            "may_keep_contacts": has_permission(user, Permission.MANAGE_PARTNER_CONTACTS, found),
            "site_query": f"?site={chosen.pk}" if chosen else "",
        },
    )


def _back(found: Partner, request: HttpRequest) -> str:
    """Back to the partner's page, keeping the site it was narrowed to."""
    site = id_param(request, "site")
    return found.url + (f"?site={site}" if site is not None else "")


# --- Engagement -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def record_activity(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    user = request.user
    found = partner_for(user, kind, pk, Permission.RECORD_ENGAGEMENT)
    partner_sites = list(partner_sites_for(user, found))
    chosen = _chosen_site(request, partner_sites)
    # The sites it is listed at (and one asked for in the address, to start engaging it there).
    listed = [s for s in partner_sites if s in listed_sites(found, partner_sites) or s == chosen]
    chosen = chosen or listed[0]
    sites = partner_sites_for(user, found).filter(pk__in=[s.pk for s in listed])
    form = posted(
        request,
        ActivityForm,
        sites=sites,
        initial={"happened_on": timezone.localdate(), "site": chosen.pk},
    )

    def record(data):
        actions.record_activity(
            found,
            by=user,
            site=data.get("site") or chosen,
            kind=data["kind"],
            happened_on=data["happened_on"],
            summary=data["summary"],
            sites=listed,
        )
        messages.success(request, _("Engagement recorded."))
        return redirect(_back(found, request))

    if response := submit(request, form, record):
        return response
    return render(
        request,
        "engagement/activity_form.html",
        {"partner": found, "form": form, "back_url": _back(found, request), "activity": None},
    )


@require_http_methods(["GET", "POST"])
def correct_activity(request: HttpRequest, kind: str, pk: int, activity_pk: int) -> HttpResponse:
    user = request.user
    found = partner_for(user, kind, pk, Permission.VIEW_PARTNERS)
    activity = activity_of(user, found, activity_pk, Permission.CORRECT_ENGAGEMENT)
    partner_sites = list(partner_sites_for(user, found))
    listed = listed_sites(found, partner_sites)
    sites = partner_sites_for(user, found).filter(pk__in=[s.pk for s in listed])
    form = posted(
        request,
        ActivityForm,
        sites=sites,
        initial={
            "kind": activity.kind,
            "happened_on": activity.happened_on,
            "site": activity.site_id,
            "summary": activity.summary,
        },
    )

    def correct(data):
        before = activity.corrected_at
        corrected = actions.correct_activity(
            activity,
            by=user,
            site=data.get("site") or listed[0],
            kind=data["kind"],
            happened_on=data["happened_on"],
            summary=data["summary"],
            sites=listed,
        )
        if corrected.corrected_at != before:
            messages.success(request, _("Engagement record corrected."))
        return redirect(_back(found, request))

    if response := submit(request, form, correct):
        return response
    return render(
        request,
        "engagement/activity_form.html",
        {"partner": found, "form": form, "back_url": _back(found, request), "activity": activity},
    )


# --- Contacts ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def add_contact(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    found = partner_for(request.user, kind, pk, Permission.MANAGE_PARTNER_CONTACTS)
    form = posted(request, ContactForm)

    def add(data):
        contact = actions.add_contact(found, by=request.user, details=data)
        messages.success(request, _("%(name)s added as a contact.") % {"name": contact.name})
        return redirect(_back(found, request) + "#contacts")

    if response := submit(request, form, add):
        return response
    return render(
        request,
        "engagement/contact_form.html",
        {"partner": found, "form": form, "back_url": _back(found, request), "contact": None},
    )


@require_http_methods(["GET", "POST"])
def change_contact(request: HttpRequest, kind: str, pk: int, contact_pk: int) -> HttpResponse:
    found = partner_for(request.user, kind, pk, Permission.MANAGE_PARTNER_CONTACTS)
    contact = contact_of(found, contact_pk)
    form = posted(
        request,
        ContactForm,
        changing=True,
        initial={
            "name": contact.name,
            "role": contact.role,
            "email": contact.email,
            "phone": contact.phone,
            "notes": contact.notes,
            "is_current": "yes" if contact.is_current else "no",
        },
    )

    def change(data):
        actions.change_contact(contact, by=request.user, details=data)
        messages.success(request, _("Contact details saved."))
        return redirect(_back(found, request) + "#contacts")

    if response := submit(request, form, change):
        return response
    return render(
        request,
        "engagement/contact_form.html",
        {"partner": found, "form": form, "back_url": _back(found, request), "contact": contact},
    )


# --- When a referrer has gone quiet -----------------------------------------------------------


@require_GET
def engagement_settings(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.CONFIGURE_ENGAGEMENT)
    sites = list(sites_for(request.user).order_by("name", "pk"))
    days = quiet_after_days_at([site.pk for site in sites])
    for site in sites:
        site.quiet_after_days = days[site.pk]
    return render(
        request,
        "engagement/settings.html",
        {"sites": sites, "default_days": DEFAULT_QUIET_AFTER_DAYS},
    )


@require_http_methods(["GET", "POST"])
def site_settings(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Permission.CONFIGURE_ENGAGEMENT)
    site = site_for(request.user, pk, Permission.CONFIGURE_ENGAGEMENT)
    form = posted(
        request, QuietAfterForm, initial={"quiet_after_days": quiet_after_days_at([pk])[pk]}
    )

    def save(data):
        actions.set_quiet_after_days(site, by=request.user, days=data["quiet_after_days"])
        messages.success(
            request,
            ngettext(
                "Referrers to %(site)s now count as gone quiet after %(days)d day.",
                "Referrers to %(site)s now count as gone quiet after %(days)d days.",
                data["quiet_after_days"],
            )
            % {"site": site.name, "days": data["quiet_after_days"]},
        )
        return redirect("engagement:settings")

    if response := submit(request, form, save):
        return response
    return render(request, "engagement/site_settings.html", {"site": site, "form": form})

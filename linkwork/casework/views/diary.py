"""A coordinator's diary: the booked contacts of the people on their caseload, a week at a time
(`/casework/diary/`), and a private calendar address (iCalendar) they can add to the calendar
on their phone, which shows references and times only and can be stopped at any time."""

import datetime

import icalendar
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from linkwork.accounts.models import Role
from linkwork.accounts.permissions import Permission, require
from linkwork.core.links import absolute_url, base_url
from linkwork.core.params import id_param_or_404
from linkwork.referrals.models import referral_reference
from linkwork.referrals.queries import coordinators_for

from .. import actions, queries

DEFAULT_MINUTES = 60
#: Stored in the session after a new calendar address is made: shown once, on the next page.
NEW_FEED_SESSION_KEY = "casework_new_diary_feed"


def _monday(value: str | None, today: datetime.date) -> datetime.date:
    """The Monday of the week asked for (`?week=2026-12-07`, any day of it), or of this week."""
    try:
        day = datetime.date.fromisoformat(value) if value else today
    except ValueError:
        day = today
    return day - datetime.timedelta(days=day.weekday())


def _whose(request: HttpRequest):
    """The coordinator whose diary is shown: the user's own, or for a manager the coordinator
    chosen (`?coordinator=<id>`, one at their sites)."""
    user = request.user
    require(user, Permission.VIEW_DIARY)
    chosen = id_param_or_404(request, "coordinator")
    if chosen is not None and chosen != user.pk:
        coordinator = get_object_or_404(coordinators_for(user), pk=chosen)
    elif user.role == Role.MANAGER:
        # A manager has no caseload of their own: the first coordinator at their sites.
        coordinator = coordinators_for(user).first() or user
    else:
        coordinator = user
    require(user, Permission.VIEW_DIARY, coordinator)
    return coordinator


@require_GET
def week(request: HttpRequest) -> HttpResponse:
    coordinator = _whose(request)
    today = timezone.localdate()
    monday = _monday(request.GET.get("week"), today)
    own = coordinator.pk == request.user.pk
    query = "" if own else f"&coordinator={coordinator.pk}"
    days = queries.diary_week(coordinator, monday)
    return render(
        request,
        "casework/diary.html",
        {
            "coordinator": coordinator,
            "own": own,
            "monday": monday,
            "sunday": monday + datetime.timedelta(days=6),
            "days": days,
            "booked": sum(len(day.contacts) for day in days),
            "today": today,
            "now": timezone.now(),
            "previous": f"?week={monday - datetime.timedelta(days=7):%Y-%m-%d}{query}",
            "next": f"?week={monday + datetime.timedelta(days=7):%Y-%m-%d}{query}",
            "this_week": f"?week={today:%Y-%m-%d}{query}",
            "coordinators": (
                coordinators_for(request.user) if request.user.role == Role.MANAGER else []
            ),
            "feed": queries.live_diary_feed(request.user) if own else None,
            "new_feed_url": request.session.pop(NEW_FEED_SESSION_KEY, None) if own else None,
        },
    )


@require_POST
def start_feed(request: HttpRequest) -> HttpResponse:
    """Make a new calendar address for the user's own diary (stopping any earlier one)."""
    require(request.user, Permission.VIEW_DIARY)
    require(request.user, Permission.VIEW_DIARY, request.user)
    token = actions.start_diary_feed(request.user)
    request.session[NEW_FEED_SESSION_KEY] = absolute_url(
        reverse("casework:diary_feed", args=[token]), request
    )
    messages.success(request, _("Your calendar address is ready. Copy it now: it is shown once."))
    return redirect(reverse("casework:diary") + "#calendar")


@require_POST
def stop_feed(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.VIEW_DIARY)
    require(request.user, Permission.VIEW_DIARY, request.user)
    actions.stop_diary_feed(request.user, by=request.user)
    messages.success(request, _("Your calendar address has stopped working."))
    return redirect(reverse("casework:diary") + "#calendar")


@login_not_required
@never_cache
@require_GET
@ratelimit(key="ip", rate="120/h", method="GET", block=True)
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The calendar address: the booked contacts of the feed owner's caseload, from two weeks
    ago to three months ahead. Each says the referral's reference and how the contact is to be
    made, never a name; it links to the record, which asks the reader to sign in."""
    diary_feed = queries.diary_feed_from(token)
    if diary_feed is None:
        raise Http404
    owner = diary_feed.user
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Linkwork//Diary//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Linkwork")
    host = base_url(request).split("//", 1)[-1]
    with translation.override(settings.LANGUAGE_CODE):
        for contact in queries.feed_contacts(owner):
            event = icalendar.Event()
            event.add("uid", f"contact-{contact.pk}@{host}")
            event.add("dtstamp", timezone.now())
            event.add("dtstart", contact.at)
            minutes = contact.minutes or DEFAULT_MINUTES
            event.add("dtend", contact.at + datetime.timedelta(minutes=minutes))
            reference = referral_reference(contact.referral_id)
            event.add("summary", f"{reference}: {contact.get_mode_display()}")
            event.add(
                "url",
                absolute_url(reverse("casework:record", args=[contact.referral_id]), request),
            )
            calendar.add_component(event)
    actions.diary_feed_read(diary_feed)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="linkwork.ics"'
    return response

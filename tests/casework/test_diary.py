"""The diary: a coordinator's booked contacts on their home page (today, later this week, and
those past with what happened still to record), week by week, and in their own calendar through
a private address that names no one and can be stopped. Closing a case cancels what was still
booked."""

import datetime
import zoneinfo

import icalendar
import pytest
import time_machine
from django.urls import reverse

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.casework import actions
from linkwork.casework.models import Contact, ContactOutcome, DiaryFeed
from linkwork.referrals.status import ClosureReason, ReferralStatus
from tests.factories import make_referral

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
# A Wednesday morning.
WEDNESDAY = datetime.datetime(2026, 12, 9, 9, 0, tzinfo=LONDON)


def at(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment `days` after WEDNESDAY, at that local time."""
    day = WEDNESDAY.date() + datetime.timedelta(days=days)
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def book(referral, by, when, mode="home_visit", minutes=None):
    with time_machine.travel(WEDNESDAY - datetime.timedelta(days=7), tick=False):
        return actions.log_contact(
            referral, by=by, at=when, mode=mode, outcome=ContactOutcome.BOOKED, minutes=minutes
        )


@pytest.fixture
def diary(in_support, coordinator_a, pathway_a, gp_referrer, manager):
    """coordinator_a's week: a visit today, one on Friday, a call booked for Monday (already
    past, nothing recorded), one next week; and another coordinator's person, booked today."""
    colleague_case = make_referral(
        ReferralStatus.ALLOCATED, pathway=pathway_a, by=gp_referrer, staff=manager
    )
    with time_machine.travel(WEDNESDAY - datetime.timedelta(days=10), tick=False):
        monday_call = actions.log_contact(
            in_support,
            by=coordinator_a,
            at=at(-2, 10),
            mode="telephone",
            outcome=ContactOutcome.BOOKED,
        )
    return {
        "today": book(in_support, coordinator_a, at(0, 14, 30), minutes=45),
        "friday": book(in_support, coordinator_a, at(2, 11)),
        "monday": monday_call,
        "next_week": book(in_support, coordinator_a, at(7, 10)),
        "colleague": book(colleague_case, manager, at(0, 15)),
        "referral": in_support,
    }


def section(content: str, element_id: str) -> str:
    start = content.index(f'id="{element_id}"')
    return content[start : content.index("</ul>", start)]


def test_the_home_page_shows_today_later_this_week_and_what_to_record(
    client_for, coordinator_a, diary
):
    with time_machine.travel(WEDNESDAY, tick=False):
        content = client_for(coordinator_a).get(reverse("home")).content.decode()
    name = diary["referral"].person.full_name
    today = section(content, "diary-today")
    assert "14:30" in today
    assert name in today
    assert "face to face at home (45 minutes)" in today
    later = section(content, "diary-this-week")
    assert "Fri 11 Dec, 11:00" in later
    assert "Wed 16 Dec" not in later  # next week
    to_record = section(content, "diary-to-record")
    assert "Mon 7 Dec, 10:00" in to_record
    assert reverse("casework:contact_outcome", args=[diary["referral"].pk, diary["monday"].pk]) in (
        to_record
    )
    # Another coordinator's person is not in this diary.
    assert "15:00" not in today


def test_the_week_view_lists_each_day_and_moves_by_week(client_for, coordinator_a, diary):
    with time_machine.travel(WEDNESDAY, tick=False):
        browser = client_for(coordinator_a)
        response = browser.get(reverse("casework:diary"))
        content = response.content.decode()
        assert "7 Dec to 13 Dec 2026" in content
        assert "3 contacts booked this week." in content
        friday = content[content.index('id="day-2026-12-11"') :]
        assert "11:00" in friday.split("</section>")[0]
        assert "?week=2026-12-14" in content
        following = browser.get(reverse("casework:diary"), {"week": "2026-12-16"}).content.decode()
        assert "14 Dec to 20 Dec 2026" in following
        assert "1 contact booked this week." in following
        assert "Back to this week" in following
        # A week that is not a date shows this week.
        odd = browser.get(reverse("casework:diary"), {"week": "next"})
        assert odd.context["monday"] == datetime.date(2026, 12, 7)


def test_a_manager_reads_their_coordinators_diaries_and_no_one_else_can(
    client_for, coordinator_a, coordinator_b, manager, manager_b, diary
):
    url = reverse("casework:diary")
    with time_machine.travel(WEDNESDAY, tick=False):
        mine = client_for(manager).get(url, {"coordinator": coordinator_a.pk})
        assert mine.status_code == 200
        assert diary["referral"].person.full_name in mine.content.decode()
        assert "See your diary in your own calendar" not in mine.content.decode()
        assert client_for(manager_b).get(url, {"coordinator": coordinator_a.pk}).status_code == 404
        assert (
            client_for(coordinator_b).get(url, {"coordinator": coordinator_a.pk}).status_code == 404
        )
        # A colleague at the same site cannot read it either.
        colleague = (
            type(coordinator_a)
            .objects.filter(role=coordinator_a.role, sites=coordinator_a.sites.first())
            .exclude(pk=coordinator_a.pk)
            .first()
        )
        assert colleague is not None
        assert client_for(colleague).get(url, {"coordinator": coordinator_a.pk}).status_code == 404


def feed_url_from(content: str) -> str:
    start = content.index('id="calendar-address">') + len('id="calendar-address">')
    code = content[start : content.index("</code>", start)]
    return "/" + code.split("/", 3)[3]


def test_the_calendar_address_is_shown_once_names_no_one_and_can_be_stopped(
    client, client_for, coordinator_a, diary
):
    with time_machine.travel(WEDNESDAY, tick=False):
        browser = client_for(coordinator_a)
        response = browser.post(reverse("casework:diary_feed_start"), follow=True)
        content = response.content.decode()
        url = feed_url_from(content)
        assert content.count(url) == 1
        assert url not in browser.get(reverse("casework:diary")).content.decode()

        feed = client.get(url)
        assert feed.status_code == 200
        assert feed["Content-Type"].startswith("text/calendar")
        calendar = icalendar.Calendar.from_ical(feed.content)
        events = sorted(
            (event.decoded("dtstart"), str(event["summary"])) for event in calendar.walk("VEVENT")
        )
        reference = diary["referral"].reference
        # Monday's (past, to record), today's, Friday's and next week's; not the colleague's.
        assert events == [
            (at(-2, 10), f"{reference}: Telephone"),
            (at(0, 14, 30), f"{reference}: Face to face at home"),
            (at(2, 11), f"{reference}: Face to face at home"),
            (at(7, 10), f"{reference}: Face to face at home"),
        ]
        person = diary["referral"].person
        text = feed.content.decode()
        for detail in (person.given_name, person.family_name, person.phone, person.postcode):
            assert detail not in text
        assert AuditEvent.objects.filter(
            user=coordinator_a, action=AuditAction.VIEW, detail="calendar feed read"
        ).exists()

        # A new address stops the old one; stopping stops the new one.
        newer = feed_url_from(
            browser.post(reverse("casework:diary_feed_start"), follow=True).content.decode()
        )
        assert client.get(url).status_code == 404
        assert client.get(newer).status_code == 200
        browser.post(reverse("casework:diary_feed_stop"))
        assert client.get(newer).status_code == 404
        assert not DiaryFeed.objects.filter(revoked_at__isnull=True).exists()


def test_a_calendar_address_stops_when_its_owner_leaves(client, client_for, coordinator_a, diary):
    response = client_for(coordinator_a).post(reverse("casework:diary_feed_start"), follow=True)
    url = feed_url_from(response.content.decode())
    coordinator_a.is_active = False
    coordinator_a.save()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["researcher", "gp_referrer", "administrator"])
def test_who_has_no_diary_cannot_make_a_calendar_address(client_for, request, who):
    browser = client_for(request.getfixturevalue(who))
    assert browser.post(reverse("casework:diary_feed_start")).status_code == 403
    assert browser.post(reverse("casework:diary_feed_stop")).status_code == 403
    assert not DiaryFeed.objects.exists()


def test_signed_out_no_calendar_address_is_made(client):
    response = client.post(reverse("casework:diary_feed_start"))
    assert response.status_code == 302
    assert not DiaryFeed.objects.exists()


def test_closing_a_case_cancels_what_was_still_booked(client_for, coordinator_a, diary):
    referral = diary["referral"]
    with time_machine.travel(WEDNESDAY, tick=False):
        actions.close_case(
            referral, by=coordinator_a, reason=ClosureReason.GOALS_ACHIEVED, summary="Done."
        )
        outcomes = {
            key: Contact.objects.get(pk=diary[key].pk).outcome
            for key in ("today", "friday", "next_week", "monday")
        }
        assert outcomes == {
            "today": ContactOutcome.CANCELLED_BY_SERVICE,
            "friday": ContactOutcome.CANCELLED_BY_SERVICE,
            "next_week": ContactOutcome.CANCELLED_BY_SERVICE,
            # Past: what happened is for the coordinator to say, not the closing.
            "monday": ContactOutcome.BOOKED,
        }
        content = client_for(coordinator_a).get(reverse("home")).content.decode()
        assert referral.person.full_name not in section(content, "diary-today")
        week = client_for(coordinator_a).get(reverse("casework:diary"))
        assert week.context["booked"] == 0

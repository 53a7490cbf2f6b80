"""A link coordinator's day on a phone, 375 px wide, in a real browser: they find someone by part
of their surname, see today's visits, log a contact from the record's summary, text a
questionnaire link (console backend), and close another case after being warned of the visit
still booked with them. No page they open scrolls sideways."""

import datetime
import zoneinfo

import pytest
import time_machine
from playwright.sync_api import expect

from linkwork.casework import actions as casework
from linkwork.casework.models import Contact, ContactOutcome
from linkwork.outcomes.models import MeasureLink
from linkwork.referrals.status import ReferralStatus
from tests.factories import PASSWORD, make_referral
from tests.outcomes.conftest import instruments_on, schedule_a  # noqa: F401

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 375
# A Wednesday morning: the day has room for an afternoon visit.
MORNING = datetime.datetime(2026, 12, 9, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))


@pytest.fixture
def caseload(pathway_a, gp_referrer, manager, coordinator_a, schedule_a):  # noqa: F811
    with time_machine.travel(MORNING - datetime.timedelta(days=2), tick=False):
        angharad = make_referral(
            ReferralStatus.ALLOCATED,
            pathway=pathway_a,
            by=gp_referrer,
            staff=manager,
            coordinator=coordinator_a,
            person={
                "given_name": "Angharad",
                "family_name": "Pritchard",
                "phone": "07700 900456",
                "texts_agreed": True,
            },
        )
        dylan = make_referral(
            ReferralStatus.ALLOCATED,
            pathway=pathway_a,
            by=gp_referrer,
            staff=manager,
            coordinator=coordinator_a,
            person={"given_name": "Dylan", "family_name": "Howells"},
        )
        visit = casework.log_contact(
            angharad,
            by=coordinator_a,
            at=MORNING.replace(hour=14),
            mode="home_visit",
            outcome=ContactOutcome.BOOKED,
        )
        friday = casework.log_contact(
            dylan,
            by=coordinator_a,
            at=MORNING.replace(day=11, hour=11),
            mode="home_visit",
            outcome=ContactOutcome.BOOKED,
        )
    return {"angharad": angharad, "dylan": dylan, "visit": visit, "friday": friday}


def assert_fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width} px wide"


def test_a_coordinators_day_on_a_phone(
    browser, live_server, caseload, coordinator_a, settings, capsys
):
    settings.SMS_BACKEND = "linkwork.core.sms.ConsoleBackend"
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": WIDTH, "height": 800}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    with time_machine.travel(MORNING, tick=True):
        # Signed in on their phone, they see today's visit on their home page.
        sign_in(page, coordinator_a, PASSWORD)
        today = page.locator("#diary-today")
        expect(today).to_contain_text("14:00")
        expect(today).to_contain_text("Angharad Pritchard")
        expect(page.locator("#diary-this-week")).to_contain_text("Fri 11 Dec, 11:00")
        assert_fits(page)

        # They find Angharad by part of her surname, from the box under the menu.
        page.locator("#header-search").fill("pritch")
        page.get_by_role("button", name="Find a person").click()
        results = page.locator(".lw-results")
        expect(results).to_contain_text("Angharad Pritchard")
        expect(results).not_to_contain_text("Dylan Howells")
        assert_fits(page)
        results.get_by_role("link", name="Angharad Pritchard").click()
        expect(page.locator("h1")).to_contain_text("Angharad Pritchard")
        summary = page.locator("#record-summary")
        expect(summary).to_contain_text("Wednesday 9 December, 14:00")
        assert_fits(page)
        assert_accessible(page)

        # From the summary at the top of the record, they log this morning's phone call.
        summary.get_by_role("link", name="Log a contact").click()
        form = page.locator("main form")
        form.get_by_label("Time").fill("08:30")
        form.get_by_label("Telephone").check()
        form.get_by_label("Attended").check()
        assert_fits(page)
        form.get_by_role("button", name="Save the contact").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            "Contact logged"
        )
        expect(page.locator("#record-summary")).to_contain_text("9 December 2026 (telephone)")

        # They text her the SWEMWBS link, which she agreed to.
        page.get_by_role("button", name="Send a link by text message").first.click()
        expect(page.locator("#texted")).to_contain_text(
            "We are sending the link by text message to 07700 900456."
        )
        expect(page.get_by_role("button", name="Copy the link")).to_be_visible()
        assert_fits(page)
        printed = capsys.readouterr().out
        assert "Text message to 07700900456" in printed
        link = MeasureLink.objects.get(referral=caseload["angharad"])
        assert f"measure-link-{link.pk}" in printed

        # Later, they close Dylan's support and are first warned of Friday's visit.
        page.locator("#header-search").fill("howells")
        page.get_by_role("button", name="Find a person").click()
        page.locator(".lw-results").get_by_role("link", name="Dylan Howells").click()
        page.get_by_role("link", name="Close support").click()
        warnings = page.locator("#loose-ends")
        expect(warnings).to_contain_text("A contact is booked for Fri 11 Dec, 11:00")
        expect(warnings).to_contain_text("Closing support cancels it.")
        assert_fits(page)
        form = page.locator("main form")
        form.get_by_label("The person chose to end").check()
        form.get_by_label("Summary of the support").fill("Moving away; said goodbye by phone.")
        form.get_by_role("button", name="Close support").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            "Support for Dylan Howells is closed"
        )
        friday = Contact.objects.get(pk=caseload["friday"].pk)
        assert friday.outcome == ContactOutcome.CANCELLED_BY_SERVICE
    context.close()

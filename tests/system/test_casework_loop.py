"""The casework loop, in a real browser: a link coordinator works with someone (what matters,
goals, a contact, a social prescription), the community service answers through its emailed
link without an account, the coordinator closes the case and the referrer is told how it went."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from linkwork.referrals.status import ReferralStatus
from tests.factories import PASSWORD, make_referral, make_service

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERVICE_EMAIL = "referrals@llanidloes-walks.example.org"
LINK = re.compile(r"https?://\S+/service-links/[^/\s]+/")


@pytest.fixture
def walking_group(site_a):
    """A community service serving site A, which takes referrals by email."""
    return make_service(
        name="Llanidloes walking group",
        organisation_name="Powys Ramblers",
        description="Gentle guided walks on Tuesday mornings.",
        referral_email=SERVICE_EMAIL,
        phone="01632 960199",
        sites=[site_a],
    )


@pytest.fixture
def megan(pathway_a, gp_referrer, coordinator_a):
    """Referred by gp_referrer's practice, agreed to feedback being shared, now on
    coordinator_a's caseload."""
    return make_referral(
        ReferralStatus.ALLOCATED,
        pathway=pathway_a,
        by=gp_referrer,
        coordinator=coordinator_a,
        consent_to_share_feedback=True,
        person={"given_name": "Megan", "family_name": "Rowlands"},
    )


def _path(url: str) -> str:
    """The path of an absolute link built from SITE_URL, to open on the live server."""
    return urlsplit(url).path


def _service_links_sent_to(address: str) -> list[str]:
    return [
        LINK.search(message.body).group(0)
        for message in mail.outbox
        if address in message.to and LINK.search(message.body)
    ]


def test_coordinator_works_the_case_a_service_answers_and_the_referrer_hears_the_outcome(
    new_page, megan, walking_group, coordinator_a, gp_referrer, site_a
):
    # Given the link coordinator signed in, who opens Megan's record from their home page
    page = new_page()
    sign_in(page, coordinator_a, PASSWORD)
    page.locator("main table").get_by_role("link", name="Megan Rowlands").click()
    expect(page.locator("h1")).to_contain_text("Megan Rowlands")
    record_url = page.url
    assert_accessible(page)

    # When they record the what matters conversation, submitting it with the keyboard
    page.get_by_role("link", name="Record what matters").click()
    form = page.locator("main form")
    form.get_by_label("What matters to them").fill(
        "Getting out of the house and seeing people again."
    )
    form.get_by_label("Their strengths and what they enjoy (optional)").fill(
        "Loves walking and used to sing in a choir."
    )
    next_steps = form.get_by_label("Agreed next steps (optional)")
    next_steps.fill("Try the walking group.")
    next_steps.press("Tab")
    expect(form.get_by_role("button", name="Save")).to_be_focused()
    page.keyboard.press("Enter")

    # Then it is on her record
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "What matters to Megan Rowlands saved"
    )
    expect(page.locator("main")).to_contain_text("Getting out of the house and seeing people")

    # When they add a goal but forget to write it
    page.get_by_role("link", name="Add a goal").click()
    form = page.locator("main form")
    form.get_by_label("Social connection").check()
    form.get_by_label("Steps towards it (optional)").fill(
        "Go to the walking group with Gareth\nGo on her own"
    )
    form.get_by_role("button", name="Add the goal").click()

    # Then they are told what is missing, and what they chose and typed is kept
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the goal")
    assert page.title().startswith("Error:")
    expect(form.get_by_label("Social connection")).to_be_checked()
    expect(form.get_by_label("Steps towards it (optional)")).to_have_value(
        "Go to the walking group with Gareth\nGo on her own"
    )
    assert_accessible(page)

    # When they follow the error to the field, write the goal and add it
    summary.get_by_role("link", name="Enter the goal").click()
    expect(form.get_by_label("The goal, in the person's own words")).to_be_focused()
    page.keyboard.type("Meet new people every week")
    form.get_by_role("button", name="Add the goal").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Goal added")

    # And a second goal
    page.get_by_role("link", name="Add a goal").click()
    form = page.locator("main form")
    form.get_by_label("The goal, in the person's own words").fill("Walk for 30 minutes a day")
    form.get_by_label("Physical activity").check()
    form.get_by_role("button", name="Add the goal").click()

    # Then both goals are on her record
    goals = page.locator("main table", has=page.get_by_role("columnheader", name="Life domain"))
    expect(goals.get_by_role("row")).to_have_count(3)
    expect(goals).to_contain_text("Meet new people every week")
    expect(goals).to_contain_text("Walk for 30 minutes a day")
    expect(goals.locator("tr", has_text="Meet new people every week")).to_contain_text("0 of 2")

    # When they log a telephone call from an hour ago, pressing Enter in the last box they type in
    an_hour_ago = timezone.localtime() - datetime.timedelta(hours=1)
    page.get_by_role("link", name="Log a contact").click()
    form = page.locator("main form")
    form.get_by_label("Day").fill(str(an_hour_ago.day))
    form.get_by_label("Month").fill(str(an_hour_ago.month))
    form.get_by_label("Year").fill(str(an_hour_ago.year))
    form.get_by_label("Time").fill(an_hour_ago.strftime("%H:%M"))
    form.get_by_label("Telephone").check()
    expect(form.get_by_label("Attended")).to_be_checked()
    form.get_by_label("Note (optional)").fill("Talked through the walking group; she is keen.")
    form.get_by_label("Length in minutes (optional)").fill("25")
    form.get_by_label("Length in minutes (optional)").press("Enter")

    # Then the call is on her record
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Contact logged")
    contacts = page.locator("main table", has=page.get_by_role("columnheader", name="How"))
    expect(contacts.locator("tbody tr")).to_have_count(1)
    expect(contacts).to_contain_text("Telephone")
    expect(contacts).to_contain_text("25 minutes")
    expect(page.locator("main")).to_contain_text("1 attended")

    # When they make a social prescription to the walking group, sent now
    assert _service_links_sent_to(SERVICE_EMAIL) == []
    page.get_by_role("link", name="Make a social prescription").click()
    # The directory opens for her, and she finds the walking group by searching
    expect(page.locator("h1")).to_contain_text("Find a service for Megan")
    page.get_by_label("Search", exact=True).fill("walking")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#directory-results")).to_contain_text("Llanidloes walking group")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"Refer Megan here.*Llanidloes walking group")).click()
    expect(page.locator("h1")).to_contain_text("Make a social prescription")
    expect(page.locator("main")).to_contain_text("Llanidloes walking group")
    form = page.locator("main form")
    form.get_by_label("What are you asking the service for?").fill(
        "A place on the Tuesday walk for a woman in her sixties who would like company."
    )
    form.get_by_role("group", name="Will you go with the person").get_by_label("Yes").check()
    form.get_by_label("Yes, send it now").check()
    assert_accessible(page)
    form.get_by_role("button", name="Save").click()

    # Then it is sent, and the service is emailed a link
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Sent to Llanidloes walking group"
    )
    expect(page.locator("h1")).to_contain_text("Referral sent")
    links = _service_links_sent_to(SERVICE_EMAIL)
    assert len(links) == 1, [m.body for m in mail.outbox]
    to_service = next(m for m in mail.outbox if SERVICE_EMAIL in m.to)
    assert site_a.name in to_service.body
    # She did not agree to her details being shared, and no email to a service names anyone.
    assert "Megan" not in to_service.body
    assert "Rowlands" not in to_service.subject + to_service.body
    respond_link = links[0]

    # When someone at the service opens the link, with no account
    service_page = new_page()
    service_page.goto(_path(respond_link))

    # Then they see what is asked, nothing about Megan, and can answer
    expect(service_page.locator("h1")).to_have_text("A referral for your service")
    expect(service_page.locator("main")).to_contain_text("A place on the Tuesday walk")
    expect(service_page.locator("main")).to_contain_text(
        "The link coordinator will contact you to arrange."
    )
    expect(service_page.locator("main")).to_contain_text(
        "The link coordinator will come with them to the first visit."
    )
    expect(service_page.locator("main")).not_to_contain_text("Megan")
    expect(service_page.locator("main")).not_to_contain_text("Rowlands")
    expect(service_page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert_accessible(service_page)

    # When they accept it
    service_page.get_by_label("Yes, we can accept it").check()
    service_page.get_by_role("button", name="Send").click()

    # Then they are thanked and given a link to say how it goes, which is emailed to them too
    expect(service_page.locator(".govuk-panel")).to_contain_text("Thank you")
    expect(service_page.locator(".govuk-panel")).to_contain_text("Gareth")
    assert_accessible(service_page)
    outcome_link = service_page.get_by_role("link", name="service-links").get_attribute("href")
    links = _service_links_sent_to(SERVICE_EMAIL)
    assert links == [respond_link, outcome_link]

    # And the link they used no longer works (fetched outside the page: the browser logs a 410
    # as a console error, which the `new_page` fixture counts as a failure)
    used = service_page.request.get(_path(respond_link))
    assert used.status == 410
    assert "A place on the Tuesday walk" not in used.text()

    # When, later, they say how it went through the outcome link
    service_page.goto(_path(outcome_link))
    expect(service_page.locator("h1")).to_have_text("How is it going?")
    service_page.get_by_label("They have finished (completed)").check()
    service_page.get_by_label("Anything the link coordinator should know (optional)").fill(
        "Came to all six walks; now walks with the group on her own."
    )
    service_page.get_by_role("button", name="Send").click()
    expect(service_page.locator(".govuk-panel")).to_contain_text("Thank you")

    # Then the coordinator sees the outcome on her record
    page.goto(record_url)
    prescriptions = page.locator("main table", has_text="Social prescriptions")
    row = prescriptions.locator("tr", has_text="Llanidloes walking group")
    expect(row).to_contain_text("Completed")
    expect(row).to_contain_text("by the service")

    # When they record that she met her first goal
    page.get_by_role("link", name="Meet new people every week").click()
    page.get_by_role("link", name="End or change the goal").click()
    page.get_by_label("Achieved", exact=True).check()
    page.locator("main form").get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Goal ended")
    expect(goals.locator("tr", has_text="Meet new people every week")).to_contain_text("Achieved")

    # When they close support, forgetting the summary at first
    page.get_by_role("link", name="Close support").click()
    form = page.locator("main form")
    form.get_by_label("Goals achieved").check()
    form.get_by_role("button", name="Close support").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a short summary")
    expect(form.get_by_label("Goals achieved")).to_be_checked()
    form.get_by_label("Summary of the support").fill(
        "Megan walks with the group every week and has made friends there."
    )
    # Closing asks how the goal still open ended
    form.get_by_role("group", name="Walk for 30 minutes a day").get_by_label(
        "Partly achieved"
    ).check()
    form.get_by_role("button", name="Close support").click()

    # Then support is closed and they are taken to the feedback questionnaire
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Support for Megan Rowlands is closed"
    )
    expect(page.locator("h1")).to_have_text("Your feedback")
    assert_accessible(page)

    # When they fill it in with her
    form = page.locator("main form").first
    form.get_by_role("group", name="The support was helpful").get_by_label(
        "Strongly agree", exact=True
    ).check()
    form.get_by_role("group", name="I felt listened to").get_by_label(
        "Strongly agree", exact=True
    ).check()
    form.get_by_role("group", name="I felt involved in decisions").get_by_label(
        "Agree", exact=True
    ).check()
    form.get_by_label("A mix of both").check()
    form.get_by_label("What helped? (optional)").fill("Having someone to go with the first time.")
    form.get_by_role("button", name="Send").click()

    # Then it is saved, and her record is closed and read-only
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("feedback is saved")
    expect(page.locator("h1")).to_contain_text("Closed")
    expect(page.locator("main")).to_contain_text("Goals achieved")
    expect(page.locator("main")).to_contain_text("This record is closed and can only be read.")
    expect(page.get_by_role("link", name="Log a contact")).to_have_count(0)

    # When the referrer signs in and reads their messages
    referrer_page = new_page()
    sign_in(referrer_page, gp_referrer, PASSWORD)
    referrer_page.get_by_role("link", name="Messages").first.click()

    # Then the closure message says why support ended, and how each goal went
    card = referrer_page.locator(".govuk-summary-card", has_text="support has ended")
    expect(card).to_contain_text("Megan Rowlands")
    card.get_by_text("Read the message").click()
    body = card.locator(".govuk-details__text")
    expect(body).to_be_visible()
    expect(body).to_contain_text("Reason for ending: Goals achieved")
    expect(body).to_contain_text("with a link coordinator over 1 week.")
    expect(body).to_contain_text("Meet new people every week: Achieved")
    expect(body).to_contain_text("Walk for 30 minutes a day: Partly achieved")
    expect(body).to_contain_text("Llanidloes walking group (Completed)")
    expect(body).to_contain_text("Megan walks with the group every week")
    assert_accessible(referrer_page)

    # And on the referral page
    card.get_by_role("link", name="Megan Rowlands").click()
    messages = referrer_page.locator("section.lw-referrer-messages")
    expect(messages).to_contain_text("Reason for ending: Goals achieved")
    expect(messages).to_contain_text("Walk for 30 minutes a day")

    # And it was emailed to them
    closed = [m for m in mail.outbox if gp_referrer.email in m.to and "ended" in m.subject]
    assert len(closed) == 1
    assert "Reason for ending: Goals achieved" in closed[0].body
    assert megan.reference in closed[0].subject

"""The key journey, in a real browser: a GP refers someone, a manager accepts and allocates them,
and their link coordinator finds them on their caseload."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_referral_is_triaged_waitlisted_allocated_and_reaches_the_caseload(
    new_page, gp_referrer, manager, coordinator_a, site_a, pathway_a, pathway_b
):
    # Given a GP referrer signed in
    referrer_page = new_page()
    sign_in(referrer_page, gp_referrer, PASSWORD)

    # When they submit the referral form with a mistake
    referrer_page.get_by_role("link", name="Make a referral").first.click()
    form = referrer_page.locator("main form")
    form.get_by_label(re.compile(site_a.name)).check()
    form.get_by_label("First name").fill("Eirlys")
    form.get_by_label("Day").fill("14")
    form.get_by_label("Month").fill("6")
    form.get_by_label("Year").fill("1961")
    form.get_by_label("NHS number (optional)").fill("943 476 5918")
    form.get_by_label("Phone number").fill("07700 900461")
    form.get_by_label("Loneliness or isolation").check()
    form.get_by_label("Tell us more about what they need help with").fill(
        "Lives alone since her husband died; would like to meet people."
    )
    form.get_by_label("Yes").check()
    form.get_by_label("The person agrees to being referred to the service").check()
    assert_accessible(referrer_page)
    form.get_by_role("button", name="Send referral").click()

    # Then they see what is wrong, and nothing they typed is lost
    summary = referrer_page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the person's last name")
    expect(summary).to_contain_text("Enter a valid NHS number")
    expect(form.get_by_label("First name")).to_have_value("Eirlys")
    expect(form.get_by_label("Phone number")).to_have_value("07700 900461")
    expect(form.get_by_label("Loneliness or isolation")).to_be_checked()
    expect(form.get_by_label("Tell us more about what they need help with")).to_have_value(
        "Lives alone since her husband died; would like to meet people."
    )
    assert referrer_page.title().startswith("Error:")
    assert_accessible(referrer_page)

    # When they fix it and send it
    form.get_by_label("Last name").fill("Pugh")
    form.get_by_label("NHS number (optional)").fill("943 476 5919")
    form.get_by_label("The person agrees to being referred to the service").check()
    form.get_by_role("button", name="Send referral").click()

    # Then the referral is received
    expect(referrer_page.locator(".govuk-notification-banner--success")).to_contain_text("sent")
    expect(referrer_page.locator("main")).to_contain_text("Received")
    reference = referrer_page.locator(".govuk-caption-l").inner_text().split()[-1]

    # Given the service manager signed in
    manager_page = new_page()
    sign_in(manager_page, manager, PASSWORD)

    # When they accept the referral as urgent
    manager_page.get_by_role("link", name=f"Triage {reference}").click()
    assert_accessible(manager_page)
    # Only the chosen decision's questions show (GOV.UK's conditional reveal).
    expect(manager_page.locator("#if-accept")).to_be_hidden()
    expect(manager_page.locator("#if-decline")).to_be_hidden()
    manager_page.get_by_label("Accept and add to the waiting list").check()
    expect(manager_page.locator("#if-accept")).to_be_visible()
    expect(manager_page.locator("#if-request-information")).to_be_hidden()
    expect(manager_page.locator("#if-decline")).to_be_hidden()
    manager_page.get_by_label("Urgent").check()
    manager_page.get_by_role("button", name="Save decision").click()
    expect(manager_page.locator(".govuk-notification-banner--success")).to_contain_text(
        "added to the waiting list"
    )

    # Then Eirlys is on the site's waiting list
    manager_page.get_by_role("link", name="Waiting list").first.click()
    row = manager_page.locator("tr", has_text="Eirlys Pugh")
    expect(row).to_contain_text("Urgent")
    expect(row).to_contain_text("0 days")
    assert_accessible(manager_page)

    # When they allocate her to the site's link coordinator
    row.get_by_role("link", name="Allocate").click()
    manager_page.get_by_label(re.compile(coordinator_a.get_full_name())).check()
    manager_page.get_by_role("button", name="Allocate").click()
    expect(manager_page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Eirlys Pugh is now on {coordinator_a.get_full_name()}'s caseload"
    )

    # Then the referrer sees the progress
    referrer_page.reload()
    expect(referrer_page.locator("main")).to_contain_text("Allocated")

    # And the link coordinator finds her on their caseload
    coordinator_page = new_page()
    sign_in(coordinator_page, coordinator_a, PASSWORD)
    expect(coordinator_page.locator("main")).to_contain_text("Eirlys Pugh")
    coordinator_page.get_by_role("link", name="My caseload").click()
    coordinator_page.get_by_role("link", name="Eirlys Pugh").click()
    expect(coordinator_page.locator("h1")).to_contain_text("Eirlys Pugh")
    assert_accessible(coordinator_page)

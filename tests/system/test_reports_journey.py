"""Reports, in a real browser: a manager opens the referrals dashboard, filters it to a pathway,
compares before and after the day a pathway opened, follows a figure to the people behind it,
then makes the funder report and downloads its PDF. Checked with axe on the way."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from linkwork.core.months import add_months, month_value
from linkwork.partners.models import SourceType
from tests.factories import PASSWORD, OrganisationFactory, PathwayFactory, make_referral

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_reads_the_dashboards_and_makes_the_funder_report(
    new_page, site_a, pathway_a, gp_referrer, manager
):
    today = timezone.localdate()
    opened = add_months(today.replace(day=1), -2)
    crisis = PathwayFactory(
        site=site_a,
        name="Mental health crisis team",
        source_type=SourceType.CRISIS_TEAM,
        opens_on=opened,
        organisations=[],
    )
    team = OrganisationFactory(name="Powys crisis team", source_type=SourceType.CRISIS_TEAM)

    def received(days_ago, **kwargs):
        when = timezone.now() - datetime.timedelta(days=days_ago)
        return make_referral(received_at=when, staff=manager, **kwargs)

    for days_ago in (150, 120, 100, 90):
        received(days_ago, pathway=pathway_a, by=gp_referrer)
    crisis_people = [
        received(days_ago, pathway=crisis, organisation=team) for days_ago in (40, 20, 10)
    ]

    page = new_page()
    sign_in(page, manager, PASSWORD)
    page.get_by_role("link", name="Reports").first.click()
    page.locator("main").get_by_role("link", name="Referrals", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals")
    expect(page.locator(".lw-chart svg").first).to_be_visible()
    assert_accessible(page)

    # Filter to the crisis-team pathway.
    page.get_by_label("Pathway").select_option(label="Mental health crisis team")
    page.get_by_role("button", name="Show").click()
    received_figure = page.locator(".lw-figure").filter(has_text="Referrals received").first
    expect(received_figure).to_contain_text("3")

    # Back to every pathway, cut at the day the crisis-team pathway opened.
    page.get_by_label("Pathway").select_option(label="All pathways")
    page.get_by_label("Compare before and after").select_option(
        label=f"{opened.day} {opened:%b %Y}: Pathway opened: Mental health crisis team"
    )
    page.get_by_role("button", name="Show").click()
    comparison = page.locator("#comparison")
    expect(comparison).to_contain_text(f"Before {opened.day} {opened:%b %Y}")
    expect(comparison).to_contain_text(f"From {opened.day} {opened:%b %Y}")
    assert_accessible(page)

    # The chart's table, and a figure followed to the people behind it.
    page.get_by_text("Show the figures as a table").first.click()
    page.locator(".lw-figure").filter(has_text="Referrals received").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals received")
    expect(page.locator("main")).to_contain_text(crisis_people[0].person.full_name)
    assert_accessible(page)

    # The funder report for the last six months.
    page.get_by_role("link", name="Reports").first.click()
    page.locator("main").get_by_role("link", name="Funder reports").click()
    page.get_by_label("From").select_option(month_value(add_months(today.replace(day=1), -5)))
    page.get_by_label("To").select_option(month_value(today.replace(day=1)))
    assert_accessible(page)
    page.get_by_role("button", name="Make the report").click()
    # The test settings run tasks at once, so the report is ready when the page opens.
    expect(page.get_by_role("heading", level=1)).to_have_text("Funder report")
    expect(page.locator("main")).to_contain_text("Ready")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the PDF").click()
    with open(download_info.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert_accessible(page)

"""The trial, in a real browser: a coordinator offers the trial to someone on the waiting list,
records the checklist and consent, completes the baseline and randomises them, and sees the arm
once; the waitlisted person appears for allocation only after the four weeks. Then the
researcher sees the CONSORT diagram and downloads the pseudonymised export."""

import datetime
import re
import zipfile

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from linkwork.referrals.status import ReferralStatus
from linkwork.trials import actions, randomisation
from tests.factories import PASSWORD, make_referral
from tests.trials.conftest import spec

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seed_starting_with_the_waitlist(trial) -> bytes:
    """A seed whose list for the trial's one stratum starts with the waitlist (the list is
    concealed, so a test that must see the delay picks its seed)."""
    arms = list(trial.arms.all())
    key = f"site={trial.sites.get().pk}"
    for n in range(100):
        seed = n.to_bytes(32, "big")
        block = next(randomisation.blocks(seed, key, arms, list(trial.block_multiples)))
        if block[0].delay_days:
            return seed
    raise AssertionError("no seed found")


@pytest.fixture
def open_trial(site_a, pathway_a, trial_manager, researcher):
    trial = actions.create_trial(spec([site_a], [pathway_a]), by=trial_manager)
    trial.team.add(researcher)
    return actions.open_trial(trial, by=trial_manager, seed=seed_starting_with_the_waitlist(trial))


@pytest.fixture
def trial_manager(db):
    from linkwork.accounts.models import Role
    from tests.factories import UserFactory

    return UserFactory(role=Role.TRIAL_MANAGER, username="trial_manager")


def test_enrol_randomise_wait_then_allocate_and_the_researcher_exports(
    new_page, open_trial, pathway_a, gp_referrer, manager, coordinator_a, researcher
):
    person = make_referral(
        ReferralStatus.WAITING,
        pathway=pathway_a,
        by=gp_referrer,
        staff=manager,
        person={"given_name": "Mererid", "family_name": "Pryce"},
    )

    # The coordinator finds the trial offered on the person's referral.
    page = new_page()
    sign_in(page, coordinator_a, PASSWORD)
    page.goto(f"/referrals/{person.pk}/")
    page.get_by_role("link", name=re.compile("Offer the trial")).click()
    assert_accessible(page)
    for criterion in open_trial.criteria.all():
        page.get_by_role("group", name=criterion.text).get_by_label("Yes").check()
    page.get_by_role("button", name="Record the checklist").click()
    expect(page.locator("main")).to_contain_text("Eligible: now take their informed consent")

    # Consent: a required statement left out is shown, and nothing typed is lost.
    page.get_by_role("link", name="Informed consent").click()
    items = list(open_trial.consent_items.all())
    for item in items[1:]:
        page.get_by_role("group", name=item.text).get_by_label(
            "Yes" if item.required else "No"
        ).check()
    page.get_by_role("button", name="Record consent").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Say whether the person agreed to this statement"
    )
    expect(page.get_by_role("group", name=items[1].text).get_by_label("Yes")).to_be_checked()
    page.get_by_role("group", name=items[0].text).get_by_label("Yes").check()
    assert_accessible(page)
    page.get_by_role("button", name="Record consent").click()
    expect(page.locator("main")).to_contain_text("Consent recorded")

    # The baseline, then randomisation.
    page.get_by_role("link", name="Baseline measures").click()
    for question in range(1, 8):
        page.locator(f"input[name='item_{question}'][value='1']").check()
    page.get_by_role("button", name="Save the answers").click()
    page.get_by_role("link", name="Randomisation").click()
    page.get_by_role("button", name="Randomise now").click()
    arm = page.get_by_test_id("allocated-arm")
    expect(arm).to_have_text("Waitlist")
    expect(page.locator("main")).to_contain_text("Support may not start before")
    assert_accessible(page)
    # Shown once: going back to the result goes to their trial page instead.
    result_url = page.url
    page.goto(result_url)
    expect(page.get_by_role("heading", name="Their part in the trial")).to_be_visible()
    expect(page.get_by_test_id("allocated-arm")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Waitlist")

    # The manager sees the person on the waiting list with their date, and cannot allocate yet.
    manager_page = new_page()
    sign_in(manager_page, manager, PASSWORD)
    manager_page.goto("/referrals/waiting-list/")
    row = manager_page.get_by_role("row").filter(has_text="Mererid Pryce")
    expect(row).to_contain_text("Trial: not before")
    expect(row.get_by_role("link", name=re.compile("^Allocate"))).to_have_count(0)

    # Four weeks later they appear for allocation.
    with time_machine.travel(timezone.now() + datetime.timedelta(days=28), tick=True):
        sign_in(manager_page, manager, PASSWORD)  # the session from four weeks ago has expired
        manager_page.goto("/referrals/waiting-list/")
        row = manager_page.get_by_role("row").filter(has_text="Mererid Pryce")
        row.get_by_role("link", name=re.compile("^Allocate")).click()
        manager_page.get_by_label(re.compile("Gareth Price")).check()
        manager_page.get_by_role("button", name="Allocate").click()
        expect(manager_page.locator("main")).to_contain_text("is now on Gareth Price's caseload")

    # The researcher sees the diagram, without names, and downloads the export.
    research = new_page()
    sign_in(research, researcher, PASSWORD)
    research.get_by_role("link", name="Trials").first.click()
    research.get_by_role("link", name=open_trial.name).click()
    research.get_by_role("link", name="CONSORT flow diagram").click()
    diagram = research.locator(".lw-consort svg")
    expect(diagram).to_be_visible()
    expect(diagram).to_contain_text("Randomised (n=1)")
    expect(research.locator("main")).not_to_contain_text("Pryce")
    assert_accessible(research)
    research.get_by_role("link", name="Back to the trial").click()
    research.get_by_role("link", name="Pseudonymised data for the trial statistician").click()
    research.get_by_label("CSV").check()
    research.get_by_role("button", name="Make the export").click()
    with research.expect_download() as download_info:
        research.get_by_role("button", name=re.compile("Download the export")).click()
    with zipfile.ZipFile(download_info.value.path()) as archive:
        names = set(archive.namelist())
        assert {"data.csv", "data_dictionary.csv", "consort.svg", "README.txt"} <= names
        content = b"".join(archive.read(name) for name in names).decode()
    assert "Waitlist" in content
    assert "Mererid" not in content and "Pryce" not in content and person.reference not in content

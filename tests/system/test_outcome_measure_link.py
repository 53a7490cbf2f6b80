"""A person whose preferred language is Welsh completes SWEMWBS on their phone through a
one-time link; their link coordinator then sees the score and its change from baseline. In a
real browser."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from linkwork.casework import actions as casework
from linkwork.outcomes import actions as outcomes
from linkwork.outcomes.instruments import get_instrument
from linkwork.outcomes.models import Measure, ScheduledInstrument
from linkwork.referrals.status import ReferralStatus
from tests.factories import PASSWORD, make_referral

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+/questionnaire/[^/\s]+/")
PHONE = {"width": 375, "height": 667}
BASELINE = [2, 2, 2, 2, 2, 2, 2]  # raw 14: "rarely", all through
ANSWERS = ["Often"] * 7  # raw 28


def welsh(english: str) -> str:
    with translation.override("cy"):
        text = gettext(english)
    assert text != english, f"no Welsh for {english!r}"
    return text


@pytest.fixture
def elin(site_a, pathway_a, gp_referrer, manager, coordinator_a, administrator):
    """On coordinator_a's caseload for eleven weeks, support ending next week, SWEMWBS at
    baseline and end at site A; prefers Welsh."""
    outcomes.configure_instrument(
        "swemwbs", by=administrator, enabled=True, registration_confirmed=True
    )
    ScheduledInstrument.objects.create(site=site_a, instrument="swemwbs")
    today = timezone.localdate()
    referral = make_referral(
        ReferralStatus.ALLOCATED,
        pathway=pathway_a,
        by=gp_referrer,
        staff=manager,
        coordinator=coordinator_a,
        received_at=timezone.now() - datetime.timedelta(days=90),
        person={
            "given_name": "Elin",
            "family_name": "Prydderch",
            "preferred_language": "cy",
            "email": "elin@example.org",
        },
    )
    casework.set_support_plan(
        referral,
        by=coordinator_a,
        starts_on=today - datetime.timedelta(days=77),
        ends_on=today + datetime.timedelta(days=7),
        planned_sessions=8,
    )
    outcomes.record_measure(
        referral,
        by=coordinator_a,
        instrument="swemwbs",
        timepoint="baseline",
        answers=BASELINE,
        completed_on=today - datetime.timedelta(days=75),
    )
    return referral


def test_welsh_speaker_completes_swemwbs_on_a_phone_and_the_coordinator_sees_the_change(
    new_page, elin, coordinator_a
):
    swemwbs = get_instrument("swemwbs")
    expected = swemwbs.score([4] * 7).total

    # Given the link coordinator on Elin's record, where the end-of-support SWEMWBS is due
    page = new_page()
    sign_in(page, coordinator_a, PASSWORD)
    page.goto(reverse("casework:record", args=[elin.pk]))
    panel = page.locator("main table", has_text="Measures the site's schedule asks for")
    expect(panel).to_contain_text("Due")

    # When they send her a link for it
    send = re.compile(r"Send a link\s*:.*SWEMWBS.*End of support")
    panel.get_by_role("button", name=send).click()

    # Then the link is shown once, and emailed to her in Welsh
    expect(page.locator("h1")).to_contain_text("Questionnaire link")
    expect(page.locator("main")).to_contain_text("We have emailed the link to elin@example.org")
    (email,) = [m for m in mail.outbox if m.to == ["elin@example.org"]]
    url = LINK.search(email.body).group(0)
    assert url in page.locator("main code").inner_text()
    assert "Elin" in email.body and "Prydderch" not in email.body

    # When Elin opens it on her phone
    phone = new_page()
    phone.set_viewport_size(PHONE)
    phone.goto(urlsplit(url).path)

    # Then the page is in Welsh around an English-only questionnaire, and fits the screen
    expect(phone.locator("html")).to_have_attribute("lang", "cy")
    expect(phone.locator("h1")).to_have_text(welsh("A short questionnaire"))
    expect(phone.locator("main")).to_contain_text(
        welsh("This questionnaire is only available in English.")
    )
    expect(phone.locator(".lw-questionnaire")).to_have_attribute("lang", "en")
    expect(phone.locator("main")).to_contain_text(swemwbs.items[0])
    expect(phone.locator("main")).to_contain_text("University of Warwick")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(phone)

    # When she answers all but the last question and sends it
    items = phone.locator(".lw-questionnaire fieldset")
    expect(items).to_have_count(7)
    for index in range(6):
        items.nth(index).get_by_label(ANSWERS[index], exact=True).check()
    phone.locator("main form button[type=submit]").click()

    # Then she is told, in Welsh, what is missing, and her answers are kept
    expect(phone.locator(".govuk-error-summary")).to_be_visible()
    expect(items.nth(0).get_by_label("Often", exact=True)).to_be_checked()
    assert not Measure.objects.filter(timepoint="end").exists()

    # When she answers the last one, with the keyboard, and sends it
    items.nth(6).get_by_label("Often", exact=True).focus()
    phone.keyboard.press("Space")
    phone.locator("main form button[type=submit]").click()

    # Then she is thanked in Welsh, without being shown a score
    expect(phone.locator("h1")).to_have_text(welsh("Thank you"))
    assert str(expected) not in phone.locator("main").inner_text()

    # And the link works only once
    assert Client().get(urlsplit(url).path).status_code == 410

    # When the coordinator looks at her record again
    page.goto(reverse("casework:record", args=[elin.pk]))

    # Then the end-of-support score is there with its reliable improvement from baseline
    main = page.locator("main")
    expect(main).to_contain_text(f"{expected}")
    expect(main).to_contain_text("Reliable improvement")
    expect(main).to_contain_text("Meaningful change")

    # And all her scores show how each was collected, and the change's reliability
    page.get_by_role("link", name="See all scores").click()
    expect(page.locator("main")).to_contain_text("By the person, through a link")
    expect(page.locator("main")).to_contain_text("0.84")
    assert_accessible(page)
    measure = Measure.objects.get(referral=elin, timepoint="end")
    assert measure.language == "cy" and measure.total == expected

"""A member of the public refers themselves, in Welsh, with no account."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from linkwork.referrals.models import Referral

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_refers_themselves_in_welsh(new_page, self_referral_pathway_b):
    # Given someone who types in the address from a poster printed before the pages moved
    page = new_page()
    page.goto("/self-referral/")

    # Then they are on the form, at its address under /referrals/
    form_url = reverse("referrals:self_referral", args=[self_referral_pathway_b.site.slug])
    expect(page).to_have_url(re.compile(re.escape(form_url) + "$"))

    # When they switch it to Welsh
    page.get_by_role("button", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")

    # Then the bot trap is off-screen for them, and the page is accessible
    trap = page.locator("#id_website").bounding_box()
    assert trap["x"] + trap["width"] <= 0, "the bot trap field is on screen"
    assert_accessible(page)

    # When they send it with nothing filled in, they are told what is missing, in Welsh
    form = page.locator("main form")
    form.get_by_role("button").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Gwall:")
    assert Referral.objects.count() == 0

    # When they fill it in and send it
    inputs = form.locator("input.govuk-input")
    form.locator("#id_given_name").fill("Nia")
    form.locator("#id_family_name").fill("Rhys")
    form.locator("#id_date_of_birth_day").fill("3")
    form.locator("#id_date_of_birth_month").fill("9")
    form.locator("#id_date_of_birth_year").fill("1988")
    form.locator("#id_phone").fill("07700 900777")
    form.locator("#id_needs_0").check()
    form.locator("#id_consent_to_referral").check()
    assert inputs.count() > 5
    form.get_by_role("button").click()

    # Then they are told what happens next, and the service has their referral in Welsh
    expect(page.locator(".govuk-panel")).to_be_visible()
    assert_accessible(page)
    referral = Referral.objects.get()
    assert referral.person.given_name == "Nia"
    assert referral.person.preferred_language == "cy"
    assert referral.received_via == "self_referral"

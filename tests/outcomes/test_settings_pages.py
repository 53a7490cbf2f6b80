"""Settings: which questionnaires the service uses (administrators; licensed ones only once
registered) with the reliability and SD used, and which are due when at each site (its
managers)."""

import re

import pytest
from django.urls import reverse

from linkwork.outcomes import actions
from linkwork.outcomes.models import InstrumentSetting, ScheduledInstrument, SiteOutcomeSettings

pytestmark = pytest.mark.django_db

INSTRUMENTS = reverse("outcomes:instruments")
SCHEDULES = reverse("outcomes:schedules")


def instrument_url(code: str) -> str:
    return reverse("outcomes:instrument", args=[code])


def schedule_url(site) -> str:
    return reverse("outcomes:site_schedule", args=[site.pk])


# --- Instruments --------------------------------------------------------------------------------


def test_the_administrator_sees_every_instrument_and_its_settings(client_for, administrator):
    response = client_for(administrator).get(INSTRUMENTS)
    assert response.status_code == 200
    content = response.content.decode()
    for name in ("SWEMWBS", "WEMWBS", "ONS4", "PHQ-9", "GAD-7", "UCLA", "loneliness"):
        assert name in content
    assert "Needs registration" in content
    assert "No registration needed" in content
    assert "Reliability 0.89, SD 6.0" in content  # PHQ-9's published values
    assert "Kroenke" in content
    assert "Not worked out (no published reliability)" in content  # ONS4


def test_a_licensed_instrument_cannot_be_switched_on_without_confirming_registration(
    client_for, administrator
):
    browser = client_for(administrator)
    form = browser.get(instrument_url("swemwbs")).content.decode()
    assert "We have registered to use this instrument" in form
    assert "© University of Warwick" in form

    response = browser.post(instrument_url("swemwbs"), {"enabled": "on"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert "needs a licence" in content
    assert not actions.is_enabled(
        actions.get_instrument("swemwbs"), InstrumentSetting.objects.filter().first()
    )

    response = browser.post(
        instrument_url("swemwbs"),
        {"enabled": "on", "registration_confirmed": "on", "registration_reference": "WEM-123"},
    )
    assert response.status_code == 302
    setting = InstrumentSetting.objects.get(instrument="swemwbs")
    assert setting.enabled and setting.registration_confirmed_at is not None
    assert setting.registration_confirmed_by == administrator
    content = browser.get(INSTRUMENTS).content.decode()
    assert "Registration confirmed on" in content
    assert "WEM-123" in content


def test_an_unlicensed_instrument_has_no_registration_question(client_for, administrator):
    content = client_for(administrator).get(instrument_url("phq9")).content.decode()
    assert "We have registered" not in content
    assert 'name="enabled"' in content


def test_reliability_and_sd_can_be_set_and_cleared(client_for, administrator):
    browser = client_for(administrator)
    response = browser.post(
        instrument_url("phq9"), {"enabled": "on", "reliability": "0.86", "sd": "5.5"}
    )
    assert response.status_code == 302
    content = browser.get(INSTRUMENTS).content.decode()
    assert "Reliability 0.86, SD 5.5" in content
    assert "Set for this service" in content

    response = browser.post(instrument_url("phq9"), {"enabled": "on", "reliability": "1.5"})
    assert response.status_code == 200
    assert "Reliability must be between 0 and 1" in response.content.decode()

    response = browser.post(instrument_url("phq9"), {"enabled": "on", "reliability": "abc"})
    assert response.status_code == 200
    assert "Enter the reliability as a number" in response.content.decode()

    assert browser.post(instrument_url("phq9"), {"enabled": "on"}).status_code == 302
    setting = InstrumentSetting.objects.get(instrument="phq9")
    assert setting.reliability is None and setting.sd is None


def test_switching_an_instrument_off(client_for, administrator):
    browser = client_for(administrator)
    assert browser.post(instrument_url("gad7"), {}).status_code == 302
    assert "gad7" not in {i.code for i in actions.enabled_instruments()}


def test_an_unknown_instrument_is_not_found(client_for, administrator):
    assert client_for(administrator).get(instrument_url("nope")).status_code == 404


@pytest.mark.parametrize("who", ["manager", "coordinator_a", "gp_referrer", "researcher"])
def test_only_administrators_choose_instruments(request, client_for, who):
    browser = client_for(request.getfixturevalue(who))
    assert browser.get(INSTRUMENTS).status_code == 403
    assert browser.get(instrument_url("phq9")).status_code == 403
    assert browser.post(instrument_url("phq9"), {}).status_code == 403
    assert not InstrumentSetting.objects.exists()


# --- Site schedules -----------------------------------------------------------------------------


def test_a_manager_sees_their_sites_schedules(client_for, manager_both, site_a, site_b, schedule_a):
    content = client_for(manager_both).get(SCHEDULES).content.decode()
    assert site_a.name in content and site_b.name in content
    assert "Short Warwick-Edinburgh Mental Well-being Scale (SWEMWBS)" in content
    assert "No questionnaires are scheduled at this site" in content  # site B
    assert "3 months after support ends" in content


def test_a_manager_sets_the_schedule(client_for, manager, site_a, instruments_on):
    browser = client_for(manager)
    form = browser.get(schedule_url(site_a)).content.decode()
    assert 'name="swemwbs__baseline"' in form
    assert 'value="3"' in form  # follow-up default
    response = browser.post(
        schedule_url(site_a),
        {
            "swemwbs__baseline": "on",
            "swemwbs__end": "on",
            "swemwbs__follow_up": "on",
            "gad7__baseline": "on",
            "follow_up_months": "6",
        },
    )
    assert response.status_code == 302
    rows = {row.instrument: row.timepoints() for row in ScheduledInstrument.objects.all()}
    assert rows == {"swemwbs": ["baseline", "end", "follow_up"], "gad7": ["baseline"]}
    assert SiteOutcomeSettings.objects.get(site=site_a).follow_up_months == 6
    form = browser.get(schedule_url(site_a)).content.decode()
    assert re.search(r'name="swemwbs__follow_up"[^>]*checked', form)
    assert not re.search(r'name="gad7__end"[^>]*checked', form)
    assert 'value="6"' in form


def test_follow_up_must_be_1_to_24_months(client_for, manager, site_a, instruments_on):
    response = client_for(manager).post(
        schedule_url(site_a), {"phq9__baseline": "on", "follow_up_months": "30"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Follow-up must be between 1 and 24 months" in content
    assert not ScheduledInstrument.objects.exists()


def test_licensed_instruments_not_in_use_are_greyed_out(client_for, manager, site_a):
    content = client_for(manager).get(schedule_url(site_a)).content.decode()
    assert "Needs registration: ask an administrator" in content
    assert 'name="swemwbs__baseline"' not in content
    assert 'name="phq9__baseline"' in content
    response = client_for(manager).post(
        schedule_url(site_a), {"swemwbs__baseline": "on", "follow_up_months": "3"}
    )
    assert response.status_code == 302  # the unlicensed box does not exist: nothing scheduled
    assert not ScheduledInstrument.objects.filter(instrument="swemwbs").exists()


def test_a_manager_of_another_site_gets_not_found(client_for, manager_b, site_a, schedule_a):
    browser = client_for(manager_b)
    assert browser.get(schedule_url(site_a)).status_code == 404
    assert browser.post(schedule_url(site_a), {"follow_up_months": "3"}).status_code == 404
    assert ScheduledInstrument.objects.filter(site=site_a).count() == 3
    assert site_a.name not in browser.get(SCHEDULES).content.decode()


@pytest.mark.parametrize(
    "who", ["coordinator_a", "administrator", "gp_referrer", "researcher", "outsider"]
)
def test_only_managers_set_schedules(request, client_for, who, site_a, schedule_a):
    browser = client_for(request.getfixturevalue(who))
    assert browser.get(SCHEDULES).status_code == 403
    assert browser.get(schedule_url(site_a)).status_code == 403
    assert browser.post(schedule_url(site_a), {"follow_up_months": "3"}).status_code == 403
    assert ScheduledInstrument.objects.filter(site=site_a).count() == 3


def test_an_unknown_site_is_not_found(client_for, manager):
    assert (
        client_for(manager).get(reverse("outcomes:site_schedule", args=[999999])).status_code == 404
    )

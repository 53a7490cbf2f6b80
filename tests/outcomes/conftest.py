"""Instruments in use and site A's schedule (people in support and waiting: tests/conftest.py)."""

import pytest

from linkwork.outcomes import actions
from linkwork.outcomes.models import ScheduledInstrument


@pytest.fixture
def instruments_on(administrator):
    """Every instrument in use: the licensed ones with registration confirmed."""
    for code in ("swemwbs", "wemwbs"):
        actions.configure_instrument(
            code, by=administrator, enabled=True, registration_confirmed=True
        )


@pytest.fixture
def schedule_a(site_a, instruments_on):
    """Site A: SWEMWBS and PHQ-9 at baseline, end and follow-up; ONS4 at baseline and end."""
    ScheduledInstrument.objects.create(site=site_a, instrument="swemwbs", at_follow_up=True)
    ScheduledInstrument.objects.create(site=site_a, instrument="phq9", at_follow_up=True)
    ScheduledInstrument.objects.create(site=site_a, instrument="ons4")

"""No doubled submissions, raced for real: six identical POSTs at the same moment through the
live server make exactly one record, and every one of them is led to it, with no 500.

PostgreSQL here, where concurrent requests really overlap: each request thread of the live
server has its own connection, and the second insert of a key waits on the unique index for the
first transaction. (On SQLite, pytest-django's live server shares the test's one in-memory
connection between its threads, so nothing would overlap; the same races run against gunicorn
on a SQLite database file in tests/core/test_sqlite_under_load.py.)
"""

import pytest
from django.urls import reverse

from linkwork.casework.models import Contact
from linkwork.core.models import SubmissionKey
from linkwork.outcomes import actions as outcome_actions
from linkwork.outcomes.models import Measure
from linkwork.referrals.models import Referral
from tests.core.same_post import (
    SWEMWBS,
    assert_one_result,
    contact_form,
    post_at_once,
    self_referral_form,
)
from tests.outcomes.conftest import instruments_on, schedule_a  # noqa: F401  (fixtures)
from tests.postgres import postgresql_only

pytestmark = postgresql_only("the live server overlaps requests only on PostgreSQL")


@pytest.fixture(autouse=True)
def _limits_out_of_the_way(settings):
    # Six at once from one address: the rate limits are not what these tests are about.
    settings.SELF_REFERRAL_RATE = "1000/h"
    settings.MEASURE_LINK_RATE = "1000/h"


def test_a_self_referral_sent_six_times_at_once_is_received_once(
    live_server, site_b, self_referral_pathway_b
):
    responses = post_at_once(
        live_server.url,
        reverse("referrals:self_referral", args=[site_b.slug]),
        self_referral_form(),
    )
    assert_one_result(responses, leads_to=reverse("referrals:self_referral_sent", args=["rhondda"]))
    assert Referral.objects.count() == 1
    assert SubmissionKey.objects.count() == 1


def test_a_contact_sent_six_times_at_once_is_logged_once(live_server, coordinator_a, in_support):
    responses = post_at_once(
        live_server.url,
        reverse("casework:log_contact", args=[in_support.pk]),
        contact_form(),
        username=coordinator_a.username,
    )
    assert_one_result(responses)
    assert Contact.objects.filter(referral=in_support).count() == 1


@pytest.mark.usefixtures("schedule_a")
def test_a_questionnaire_sent_six_times_at_once_is_recorded_once(
    live_server, coordinator_a, in_support
):
    _link, signed = outcome_actions.create_measure_link(
        in_support, by=coordinator_a, instrument="swemwbs", timepoint="baseline"
    )
    responses = post_at_once(
        live_server.url, reverse("outcomes:public_measure", args=[signed]), SWEMWBS
    )
    assert_one_result(responses, leads_to=reverse("outcomes:measure_thanks"))
    assert Measure.objects.filter(referral=in_support).count() == 1

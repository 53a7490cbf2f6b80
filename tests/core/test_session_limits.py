"""A sign-in ends after 30 minutes unused (with a warning before), 8 hours after it began however
busy, or when its owner signs out everywhere; and no page is kept by a browser or proxy."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from linkwork.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def signed_in_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def later(minutes):
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=False)


def test_thirty_minutes_unused_signs_out_and_the_sign_in_page_says_why(coordinator_a):
    with later(0):
        client = signed_in_as(coordinator_a)
        assert client.get(reverse("home")).status_code == 200
    with later(29):
        assert client.get(reverse("home")).status_code == 200  # still in, and active again
    with later(29 + 31):
        response = client.get(reverse("referrals:my_caseload"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?ended=idle")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out because you had not used Linkwork for a while" in page


def test_eight_hours_after_signing_in_the_sign_in_ends_however_busy(coordinator_a):
    with later(0):
        client = signed_in_as(coordinator_a)
        client.get(reverse("home"))
    for minutes in range(20, 8 * 60, 20):
        with later(minutes):
            assert client.get(reverse("home")).status_code == 200
    with later(8 * 60 + 5):
        response = client.get(reverse("home"))
    assert response.status_code == 302 and "ended=expired" in response["Location"]


def test_signing_out_everywhere_ends_every_session(coordinator_a):
    phone, office = signed_in_as(coordinator_a), signed_in_as(coordinator_a)
    assert office.get(reverse("home")).status_code == 200
    account = phone.get(reverse("account"))
    assert account.status_code == 200
    assert "Sign out everywhere" in account.content.decode()

    response = phone.post(reverse("sign_out_everywhere"))
    assert response.status_code == 302 and response["Location"].endswith("?ended=you")
    assert "You are signed out on every device" in phone.get(response["Location"]).content.decode()
    elsewhere = office.get(reverse("home"))
    assert elsewhere.status_code == 302 and "ended=elsewhere" in elsewhere["Location"]
    # Signing in again works, and lasts.
    again = signed_in_as(coordinator_a)
    assert again.get(reverse("home")).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.SIGN_OUT, detail__startswith="everywhere")
    assert event.user == coordinator_a


def test_stay_signed_in_counts_as_activity(coordinator_a):
    with later(0):
        client = signed_in_as(coordinator_a)
        client.get(reverse("home"))
    with later(28):
        assert client.post(reverse("keep_alive")).status_code == 204
    with later(28 + 29):
        assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("keep_alive")).status_code == 405
    assert Client().post(reverse("keep_alive")).status_code == 302  # not signed in: sign in


def test_every_page_carries_the_warning_and_none_is_cached(coordinator_a, in_support):
    client = signed_in_as(coordinator_a)
    record = client.get(reverse("casework:record", args=[in_support.pk]))
    assert "no-store" in record["Cache-Control"]
    content = record.content.decode()
    assert 'id="idle-warning"' in content and 'data-lw-idle="1800"' in content
    assert reverse("keep_alive") in content
    # Public pages too (a one-time link's page shows the person's questionnaire).
    assert "no-store" in Client().get(reverse("login"))["Cache-Control"]
    assert 'id="idle-warning"' not in Client().get(reverse("login")).content.decode()

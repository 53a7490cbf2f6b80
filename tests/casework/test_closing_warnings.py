"""Before support is closed, or the person handed to another coordinator, the page says what
is still open, each with a link to deal with it: contacts still booked (and one whose outcome is
not recorded), a social prescription the service has not answered, an escalation awaiting a
response, and outcome measures not yet recorded. Closing is still possible."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from linkwork.casework import actions
from linkwork.casework.models import ContactOutcome
from linkwork.prescriptions import actions as prescriptions
from linkwork.safeguarding import actions as safeguarding
from tests.factories import make_service
from tests.outcomes.conftest import instruments_on, schedule_a  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def loose(in_support, coordinator_a, schedule_a, django_capture_on_commit_callbacks):  # noqa: F811
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(days=3), tick=False):
        past = actions.log_contact(
            in_support,
            by=coordinator_a,
            at=now - datetime.timedelta(days=1),
            mode="telephone",
            outcome=ContactOutcome.BOOKED,
        )
    visit = actions.log_contact(
        in_support,
        by=coordinator_a,
        at=now + datetime.timedelta(days=2),
        mode="home_visit",
        outcome=ContactOutcome.BOOKED,
    )
    walkers = make_service(
        name="Llanidloes Walkers",
        referral_email="walk@example.org",
        sites=[in_support.site],
    )
    with django_capture_on_commit_callbacks(execute=True):
        prescription = prescriptions.make_prescription(
            in_support, by=coordinator_a, service=walkers, asked_for="The Tuesday walk.", send=True
        )
    mail.outbox.clear()
    concern = safeguarding.raise_concern(
        in_support, by=coordinator_a, kind="abuse", summary="Bruising on her arm"
    )
    safeguarding.escalate(
        concern,
        by=coordinator_a,
        to="social_services",
        at=now - datetime.timedelta(days=2),
        method="phone",
        response_due=timezone.localdate() + datetime.timedelta(days=3),
    )
    return {"past": past, "visit": visit, "prescription": prescription}


def warnings_in(content: str) -> str:
    start = content.index('id="loose-ends"')
    return content[start : content.index("</ul>", start)]


def test_closing_lists_what_is_still_open_before_the_form(
    client_for, coordinator_a, in_support, loose
):
    content = (
        client_for(coordinator_a)
        .get(reverse("casework:close", args=[in_support.pk]))
        .content.decode()
    )
    warnings = warnings_in(content)
    assert content.index('id="loose-ends"') < content.index('name="reason"')
    assert "A contact is booked for" in warnings
    assert "(face to face at home). Closing support cancels it." in warnings
    assert "(telephone) is not recorded." in warnings
    assert reverse("casework:contact_outcome", args=[in_support.pk, loose["past"].pk]) in warnings
    assert "Llanidloes Walkers has not yet answered" in warnings
    assert (
        reverse("prescriptions:detail", args=[in_support.pk, loose["prescription"].pk]) in warnings
    )
    assert "is still awaiting a response" in warnings
    assert reverse("safeguarding:person", args=[in_support.pk]) in warnings
    assert "SWEMWBS (End of support) is not recorded yet." in warnings
    assert reverse("outcomes:measures", args=[in_support.pk]) in warnings
    # Closing is still possible: the form is there.
    assert 'name="summary"' in content


def test_handing_over_lists_the_same_for_the_manager(client_for, manager, in_support, loose):
    content = (
        client_for(manager)
        .get(reverse("referrals:allocate", args=[in_support.pk]))
        .content.decode()
    )
    assert "Still open for the new coordinator to take on:" in content
    warnings = warnings_in(content)
    assert "Llanidloes Walkers has not yet answered" in warnings
    assert "is still awaiting a response" in warnings


def test_with_nothing_open_there_is_no_warning(client_for, coordinator_a, in_support):
    content = (
        client_for(coordinator_a)
        .get(reverse("casework:close", args=[in_support.pk]))
        .content.decode()
    )
    assert 'id="loose-ends"' not in content

"""Observation 12: triage showed all three branches at once, and a referral nobody had triaged
read "Priority: Routine". Now each decision reveals only its own questions (and, without
JavaScript, all show), and an untriaged referral says it has no priority yet."""

import pytest
from django.urls import reverse

from linkwork.referrals.status import ReferralStatus
from tests.factories import make_referral

pytestmark = pytest.mark.django_db


def test_each_decision_reveals_its_own_questions(client_for, manager, pathway_a, gp_referrer):
    referral = make_referral(ReferralStatus.RECEIVED, pathway=pathway_a, by=gp_referrer)
    content = client_for(manager).get(reverse("referrals:triage", args=[referral.pk])).content
    content = content.decode()
    for value, section in (
        ("accept", "if-accept"),
        ("request_information", "if-request-information"),
        ("decline", "if-decline"),
    ):
        radio = content[content.index(f'value="{value}"') :].split(">", 1)[0]
        assert f'data-aria-controls="{section}"' in radio
        assert (
            f'<div class="govuk-radios__conditional govuk-radios__conditional--hidden" '
            f'id="{section}">' in content
        )
    # The priority is asked inside "If you accept" only.
    accept = content[content.index('id="if-accept"') : content.index('id="if-request-information"')]
    assert 'name="priority"' in accept


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (ReferralStatus.RECEIVED, "Not triaged yet"),
        (ReferralStatus.INFORMATION_REQUESTED, "Not triaged yet"),
        (ReferralStatus.WAITING, "Routine"),
    ],
)
def test_no_priority_before_triage(client_for, manager, pathway_a, gp_referrer, status, shown):
    referral = make_referral(status, pathway=pathway_a, by=gp_referrer, staff=manager)
    content = client_for(manager).get(reverse("referrals:detail", args=[referral.pk])).content
    summary = content.decode().split("Priority", 1)[1][:400]
    assert shown in summary

"""What the coordinator's and the manager's home pages say about measures and safeguarding."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.outcomes import actions
from linkwork.safeguarding import actions as safeguarding

pytestmark = pytest.mark.django_db


def overdue_escalation(referral, by, *, days_ago=6):
    concern = safeguarding.raise_concern(referral, by=by, kind="abuse", summary="Bruises")
    at = timezone.now() - datetime.timedelta(days=days_ago)
    return safeguarding.escalate(
        concern,
        by=by,
        to="police",
        at=at,
        method="phone",
        reference="POL-77",
        response_due=timezone.localdate(at) + datetime.timedelta(days=1),
    )


def test_coordinator_home_lists_measures_due_checks_and_overdue_escalations(
    client_for, coordinator_a, in_support, schedule_a
):
    actions.record_measure(
        in_support,
        by=coordinator_a,
        instrument="phq9",
        timepoint="baseline",
        answers=[0, 0, 0, 0, 0, 0, 0, 0, 3],
    )
    overdue_escalation(in_support, coordinator_a)
    content = client_for(coordinator_a).get(reverse("home")).content.decode()
    name = in_support.person.full_name
    assert 'id="open-prompts"' in content
    assert (
        reverse("safeguarding:prompt", args=[in_support.safeguarding_prompts.get().pk]) in content
    )
    assert 'id="overdue-escalations"' in content and "POL-77" in content
    due = content[content.index('id="measures-due"') :]
    due = due[: due.index("</ul>")]
    assert name in due and "SWEMWBS" in due and "ONS4" in due
    assert "PHQ-9" not in due  # done


def test_another_coordinators_items_stay_off_the_home_page(
    client_for, coordinator_a, coordinator_b, in_support, schedule_a
):
    overdue_escalation(in_support, coordinator_a)
    content = client_for(coordinator_b).get(reverse("home")).content.decode()
    assert in_support.person.full_name not in content
    assert "POL-77" not in content


def test_manager_home_counts_open_and_overdue_escalations(
    client_for, manager, manager_b, coordinator_a, in_support, waiting
):
    overdue_escalation(in_support, coordinator_a, days_ago=9)
    overdue_escalation(waiting, coordinator_a, days_ago=1)  # due today: not overdue yet
    content = client_for(manager).get(reverse("home")).content.decode()
    summary = content[content.index('id="safeguarding-summary"') :]
    assert "2 escalations are waiting for a response" in summary
    assert "the oldest for 9 days" in summary
    assert "1 is past its response date" in summary
    other = client_for(manager_b).get(reverse("home")).content.decode()
    assert "0 escalations are waiting for a response" in other


def test_home_page_queries_do_not_grow_with_the_caseload(
    client_for,
    coordinator_a,
    pathway_a,
    gp_referrer,
    manager,
    schedule_a,
    django_assert_max_num_queries,
):
    from linkwork.referrals.status import ReferralStatus
    from tests.factories import make_referral

    def add_person():
        person = make_referral(
            ReferralStatus.ALLOCATED,
            pathway=pathway_a,
            by=gp_referrer,
            staff=manager,
            coordinator=coordinator_a,
        )
        overdue_escalation(person, coordinator_a)

    add_person()
    client = client_for(coordinator_a)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("home"))
    for _ in range(4):
        add_person()
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("home"))
    assert len(five) == len(one)


def test_home_lists_the_first_measures_due_and_links_to_them_all(
    client_for, coordinator_a, pathway_a, gp_referrer, manager, schedule_a
):
    from linkwork.home.dashboards import MEASURES_ON_HOME
    from linkwork.referrals.status import ReferralStatus
    from tests.factories import make_referral

    for _ in range(MEASURES_ON_HOME + 2):
        make_referral(
            ReferralStatus.ALLOCATED,
            pathway=pathway_a,
            by=gp_referrer,
            staff=manager,
            coordinator=coordinator_a,
        )
    response = client_for(coordinator_a).get(reverse("home"))
    assert len(response.context["measures_due"]) == MEASURES_ON_HOME
    total = response.context["measures_due_count"]
    assert total == MEASURES_ON_HOME + 2  # one baseline each
    content = response.content.decode()
    assert f"See all {total} on My caseload, by measures due" in content
    assert f"{reverse('referrals:my_caseload')}?sort=measures" in content
    caseload = client_for(coordinator_a).get(reverse("referrals:my_caseload") + "?sort=measures")
    assert len(caseload.context["rows"]) == total

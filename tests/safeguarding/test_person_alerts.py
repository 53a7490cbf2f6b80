"""Active risk flags, and a PHQ-9 item 9 answer still to act on, show on every page about the
person, to staff at their site, and to no one else."""

import pytest
from django.urls import reverse

from linkwork.outcomes import actions
from linkwork.safeguarding import actions as safeguarding

pytestmark = pytest.mark.django_db

FLAG_NOTE = "Fell on the stairs twice"


@pytest.fixture
def flagged(in_support, coordinator_a):
    safeguarding.raise_flag(in_support, by=coordinator_a, kind="falls", note=FLAG_NOTE)
    return in_support


def person_pages(referral) -> list[str]:
    pk = referral.pk
    return [
        reverse("casework:record", args=[pk]),
        reverse("casework:what_matters", args=[pk]),
        reverse("casework:log_contact", args=[pk]),
        reverse("casework:add_goal", args=[pk]),
        reverse("casework:close", args=[pk]),
        reverse("referrals:detail", args=[pk]),
        reverse("directory:search") + f"?referral={pk}",
    ]


def test_active_flags_show_on_every_page_about_the_person(client_for, coordinator_a, flagged):
    client = client_for(coordinator_a)
    for url in person_pages(flagged):
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert 'id="person-alerts"' in content, url
        assert FLAG_NOTE in content, url


def test_manager_at_the_site_sees_them_too(client_for, manager, flagged):
    content = client_for(manager).get(reverse("referrals:detail", args=[flagged.pk])).content
    assert FLAG_NOTE in content.decode()


def test_a_waiting_list_persons_flags_show_on_their_referral(client_for, coordinator_a, waiting):
    safeguarding.raise_flag(waiting, by=coordinator_a, kind="self_neglect", note="Not eating")
    content = client_for(coordinator_a).get(reverse("referrals:detail", args=[waiting.pk]))
    assert "Not eating" in content.content.decode()


def test_ended_flags_do_not_show(client_for, coordinator_a, flagged):
    flag = flagged.person.risk_flags.get()
    safeguarding.end_flag(flag, by=coordinator_a, reason="Falls clinic: walking aid fitted")
    content = client_for(coordinator_a).get(reverse("casework:record", args=[flagged.pk]))
    assert 'id="person-alerts"' not in content.content.decode()


def test_not_shown_to_the_referrer(client_for, gp_referrer, flagged):
    response = client_for(gp_referrer).get(reverse("referrals:detail", args=[flagged.pk]))
    assert response.status_code == 200
    assert FLAG_NOTE not in response.content.decode()
    assert 'id="person-alerts"' not in response.content.decode()


def test_open_item_9_prompt_shows_until_handled(
    client_for, coordinator_a, in_support, instruments_on
):
    measure = actions.record_measure(
        in_support,
        by=coordinator_a,
        instrument="phq9",
        timepoint="baseline",
        answers=[0, 0, 0, 0, 0, 0, 0, 0, 1],
    )
    client = client_for(coordinator_a)
    prompt_url = reverse("safeguarding:prompt", args=[measure.safeguarding_prompt.pk])
    for url in person_pages(in_support):
        assert prompt_url in client.get(url).content.decode(), url
    safeguarding.handle_prompt(
        measure.safeguarding_prompt, by=coordinator_a, action="safety_plan", note="Plan agreed"
    )
    assert prompt_url not in client.get(person_pages(in_support)[0]).content.decode()


def test_another_sites_open_check_stays_with_that_site(
    client_for, coordinator_a, manager_b, in_support, pathway_b, gp_referrer, instruments_on
):
    """The same person, also referred at site B: site B's staff see their own referral's
    alerts, not a check on site A's referral that they could not open."""
    from linkwork.referrals.models import Referral
    from linkwork.referrals.status import ReferralStatus
    from tests.factories import make_referral

    at_b = make_referral(ReferralStatus.WAITING, pathway=pathway_b, by=gp_referrer, staff=manager_b)
    Referral.objects.filter(pk=at_b.pk).update(person=in_support.person)
    measure = actions.record_measure(
        in_support,
        by=coordinator_a,
        instrument="phq9",
        timepoint="baseline",
        answers=[0, 0, 0, 0, 0, 0, 0, 0, 1],
    )
    prompt_url = reverse("safeguarding:prompt", args=[measure.safeguarding_prompt.pk])
    content = client_for(manager_b).get(reverse("referrals:detail", args=[at_b.pk])).content
    assert prompt_url not in content.decode()
    assert client_for(manager_b).get(prompt_url).status_code == 404
    # Site A's coordinator still sees it on their person's pages.
    mine = client_for(coordinator_a).get(reverse("casework:record", args=[in_support.pk]))
    assert prompt_url in mine.content.decode()


def test_another_sites_flag_details_stay_off_the_timeline(
    client_for, coordinator_a, coordinator_b, in_support, pathway_b, gp_referrer, manager_b
):
    from linkwork.referrals.models import Referral
    from linkwork.referrals.status import ReferralStatus
    from tests.factories import make_referral

    at_b = make_referral(ReferralStatus.WAITING, pathway=pathway_b, by=gp_referrer, staff=manager_b)
    Referral.objects.filter(pk=at_b.pk).update(person=in_support.person)
    at_b.refresh_from_db()
    safeguarding.raise_flag(at_b, by=coordinator_b, kind="domestic_abuse", note="Partner is Rhys")
    content = client_for(coordinator_a).get(reverse("casework:timeline", args=[in_support.pk]))
    content = content.content.decode()
    assert "Risk flag added: Domestic abuse" in content
    assert "Partner is Rhys" not in content

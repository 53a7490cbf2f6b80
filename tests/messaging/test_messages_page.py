"""The referrer's messages page, /messages/: their organisation's messages, nobody else's."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from linkwork.messaging.models import ReferrerMessage
from linkwork.messaging.queries import messages_for, messages_seen_by
from linkwork.messaging.referrer import tell_referrer
from linkwork.referrals.status import ReferralStatus
from tests.factories import ReferrerFactory, make_referral

S = ReferralStatus

pytestmark = pytest.mark.django_db

URL = "/messages/"


@pytest.fixture
def ours_and_theirs(pathway_a, gp_referrer, other_referrer, manager):
    ours = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer, staff=manager)
    theirs = make_referral(S.WAITING, pathway=pathway_a, by=other_referrer, staff=manager)
    return ours, theirs


def test_the_url():
    assert reverse("messaging:list") == URL


def test_a_referrer_sees_their_organisations_messages_newest_first(
    client_for, gp_referrer, gp_practice, ours_and_theirs, manager
):
    ours, theirs = ours_and_theirs
    later = make_referral(S.DECLINED, pathway=ours.pathway, by=gp_referrer, staff=manager)
    # A colleague at the same practice sees the practice's messages too.
    colleague = ReferrerFactory(organisation=gp_practice)

    for user in (gp_referrer, colleague):
        response = client_for(user).get(URL)
        assert response.status_code == 200
        shown = list(response.context["page"].object_list)
        assert [m.referral_id for m in shown] == [later.pk, ours.pk]
        content = response.content.decode()
        assert ours.person.full_name in content
        assert f"Referral {ours.reference} accepted" in content
        assert theirs.person.full_name not in content
        assert theirs.reference not in content


def test_another_practice_cannot_see_our_messages(client_for, other_referrer, ours_and_theirs):
    ours, theirs = ours_and_theirs
    response = client_for(other_referrer).get(URL)
    shown = {m.referral_id for m in response.context["page"].object_list}
    assert shown == {theirs.pk}
    content = response.content.decode()
    assert ours.person.full_name not in content
    # Nor by asking for another page, or by id.
    response = client_for(other_referrer).get(URL, {"page": "2"})
    assert ours.person.full_name not in response.content.decode()


@pytest.mark.parametrize(
    "who", ["coordinator_a", "manager", "researcher", "administrator", "outsider"]
)
def test_staff_and_researchers_cannot_open_the_referrers_page(
    who, client_for, request, ours_and_theirs
):
    response = client_for(request.getfixturevalue(who)).get(URL)
    assert response.status_code == 403
    assert ours_and_theirs[0].person.full_name not in response.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_referrer_with_no_messages_is_told_so(client_for, other_referrer):
    response = client_for(other_referrer).get(URL)
    assert "There are no messages yet." in response.content.decode()


def test_the_page_is_one_query_per_thing_not_per_message(
    client_for, gp_referrer, pathway_a, manager, django_assert_max_num_queries
):
    for _ in range(5):
        make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer, staff=manager)
    browser = client_for(gp_referrer)
    browser.get(URL)
    with django_assert_max_num_queries(8):
        browser.get(URL)


def test_messages_seen_by_staff_are_their_sites(coordinator_b, ours_and_theirs):
    assert not messages_seen_by(coordinator_b).exists()


def test_the_include_lists_a_referrals_messages(pathway_a, gp_referrer, manager):
    referral = make_referral(S.ALLOCATED, pathway=pathway_a, by=gp_referrer, staff=manager)
    tell_referrer(referral, "closed", by=manager, extra={"reason": "Goals met"})
    messages = messages_for(referral)
    assert [m.event for m in messages] == ["closed", "allocated", "accepted"]

    html = render_to_string(
        "messaging/includes/referral_messages.html", {"messages_to_referrer": messages}
    )
    assert "Messages to the referrer" in html
    assert "Support ended" in html
    assert "Reason for ending: Goals met" in html
    # Made outside a commit, so nothing has been emailed yet.
    assert "Sending" in html

    empty = render_to_string(
        "messaging/includes/referral_messages.html",
        {"messages_to_referrer": ReferrerMessage.objects.none()},
    )
    assert "No messages to the referrer yet." in empty

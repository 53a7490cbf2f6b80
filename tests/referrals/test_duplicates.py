"""A person referred twice: the manager triaging declines one as a duplicate of the other, the
two are linked, and what the second referral said stays readable from the first."""

import datetime

import pytest
from django.urls import reverse

from linkwork.core.errors import ActionRefused
from linkwork.referrals import actions
from linkwork.referrals.models import Referral
from linkwork.referrals.status import DeclineReason, ReferralStatus
from tests.factories import make_referral, nhs_number

S = ReferralStatus

pytestmark = pytest.mark.django_db

DOB = datetime.date(1968, 7, 2)


def angharad(**more) -> dict:
    return {"given_name": "Angharad", "family_name": "Bevan", "date_of_birth": DOB, **more}


def decline_as_duplicate(client, referral, duplicate_of, **more):
    return client.post(
        reverse("referrals:triage", args=[referral.pk]),
        {
            "decision": "decline",
            "decline_reason": DeclineReason.DUPLICATE,
            "duplicate_of": duplicate_of.pk if duplicate_of else "",
            **more,
        },
    )


def test_a_self_referral_declined_as_a_duplicate_of_the_gp_referral_is_linked_to_it(
    client_for, manager, gp_referrer, pathway_a, self_referral_pathway_b, coordinator_a
):
    kept = make_referral(
        S.ALLOCATED,
        pathway=pathway_a,
        by=gp_referrer,
        coordinator=coordinator_a,
        person=angharad(),
    )
    again = make_referral(
        S.RECEIVED,
        pathway=pathway_a,
        by=gp_referrer,
        person=angharad(given_name="ANGHARAD"),
        needs_detail="Also struggling with money since losing her job.",
    )
    client = client_for(manager)

    page = client.get(reverse("referrals:triage", args=[again.pk])).content.decode()
    assert "Which referral does it duplicate?" in page
    assert kept.reference in page

    response = decline_as_duplicate(client, again, kept, note="Her GP referred her last month.")

    assert response.status_code == 302
    again.refresh_from_db()
    assert again.status == S.DECLINED
    assert again.decline_reason == DeclineReason.DUPLICATE
    assert again.duplicate_of == kept
    change = again.status_changes.latest("at")
    assert change.reason == DeclineReason.DUPLICATE
    assert change.note == "Her GP referred her last month."

    # The declined one says what it duplicates; neither calls the other a possible duplicate.
    declined_page = client.get(reverse("referrals:detail", args=[again.pk]))
    assert declined_page.context["linked"]["kept"] == kept
    assert list(declined_page.context["duplicates"]) == []
    assert "Declined as a duplicate of" in declined_page.content.decode()

    # The kept one shows what the second referral said.
    kept_page = client.get(reverse("referrals:detail", args=[kept.pk]))
    assert list(kept_page.context["duplicates"]) == []
    assert kept_page.context["linked"]["repeats"] == [again]
    content = kept_page.content.decode()
    assert "Referrals linked to this one as duplicates" in content
    assert "Also struggling with money since losing her job." in content

    # So does the person's timeline, for the coordinator supporting them.
    timeline = client_for(coordinator_a).get(reverse("casework:timeline", args=[kept.pk]))
    text = timeline.content.decode()
    assert f"({again.reference}), linked as a duplicate" in text
    assert "Also struggling with money since losing her job." in text

    # The referrer who sent the duplicate sees the reason, and nothing of the other referral.
    referrer_page = client_for(gp_referrer).get(reverse("referrals:detail", args=[again.pk]))
    referrer_text = referrer_page.content.decode()
    assert str(DeclineReason.DUPLICATE.label) in referrer_text
    assert kept.reference not in referrer_text


def test_declining_as_a_duplicate_without_saying_of_which_keeps_what_was_typed(
    client_for, manager, gp_referrer, pathway_a
):
    make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer, person=angharad())
    again = make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer, person=angharad())

    response = decline_as_duplicate(client_for(manager), again, None, note="Same person.")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Select the referral this one duplicates" in content
    assert "Same person." in content
    again.refresh_from_db()
    assert again.status == S.RECEIVED and again.duplicate_of is None


def test_with_nothing_to_link_to_a_duplicate_is_refused(
    client_for, manager, gp_referrer, pathway_a
):
    lonely = make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer)
    response = decline_as_duplicate(client_for(manager), lonely, None)
    assert "There is no other referral for this person to link it to" in response.content.decode()
    lonely.refresh_from_db()
    assert lonely.status == S.RECEIVED


def test_a_referral_cannot_be_linked_to_one_the_manager_may_not_see_or_another_person(
    client_for, manager, gp_referrer, pathway_a, pathway_b
):
    shared = nhs_number()
    elsewhere = make_referral(
        S.WAITING, pathway=pathway_b, by=gp_referrer, person={"nhs_number": shared}
    )
    someone_else = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)
    make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer, person=angharad())
    again = make_referral(
        S.RECEIVED, pathway=pathway_a, by=gp_referrer, person=angharad(nhs_number=shared)
    )
    client = client_for(manager)

    for target in (elsewhere, someone_else):
        response = decline_as_duplicate(client, again, target)
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        again.refresh_from_db()
        assert again.status == S.RECEIVED and again.duplicate_of is None


def test_the_action_refuses_a_referral_for_someone_else_and_links_to_the_one_kept(
    manager, gp_referrer, pathway_a
):
    kept = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer, person=angharad())
    someone_else = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)
    second = make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer, person=angharad())
    third = make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer, person=angharad())

    with pytest.raises(ActionRefused) as refused:
        actions.decline_referral(
            second, by=manager, reason=DeclineReason.DUPLICATE, duplicate_of=someone_else
        )
    assert refused.value.field == "duplicate_of"
    with pytest.raises(ActionRefused):
        actions.decline_referral(second, by=manager, reason=DeclineReason.DUPLICATE)

    actions.decline_referral(second, by=manager, reason=DeclineReason.DUPLICATE, duplicate_of=kept)
    # Linked to the second, which is itself a duplicate: the link goes to the one kept.
    actions.decline_referral(third, by=manager, reason=DeclineReason.DUPLICATE, duplicate_of=second)
    assert set(Referral.objects.filter(duplicate_of=kept)) == {second, third}

    # Another reason never links, whatever is passed.
    fourth = make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer, person=angharad())
    actions.decline_referral(
        fourth, by=manager, reason=DeclineReason.OUTSIDE_CRITERIA, duplicate_of=kept
    )
    fourth.refresh_from_db()
    assert fourth.duplicate_of is None

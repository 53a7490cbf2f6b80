"""Erasure on request (article 17, decision 0027): a manager at one of the person's sites
records the request; an open referral or safeguarding concern blocks erasure; a refusal keeps
its reason; erasing anonymises at once, audited, and the chain still verifies. Nobody else may
record or decide one: not a coordinator, not a referrer, not a manager at another site."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.audit.models import AuditEvent
from linkwork.audit.verify import verify
from linkwork.casework import actions as casework
from linkwork.core.errors import ActionRefused
from linkwork.referrals.models import Person
from linkwork.referrals.status import ClosureReason, ReferralStatus
from linkwork.safeguarding import actions as safeguarding
from linkwork.subjects import erasure
from linkwork.subjects.models import Anonymisation, ErasureDecision, ErasureRequest
from tests.factories import make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended(in_support, coordinator_a):
    casework.close_case(
        in_support, by=coordinator_a, reason=ClosureReason.GOALS_ACHIEVED, summary="Went well."
    )
    in_support.refresh_from_db()
    return in_support


def ask(browser, referral, **overrides):
    today = timezone.localdate()
    return browser.post(
        reverse("subjects:erasure_new", args=[referral.pk]),
        {
            "received_on_day": str(today.day),
            "received_on_month": str(today.month),
            "received_on_year": str(today.year),
            "note": "The person, by letter; photo ID seen.",
            **overrides,
        },
    )


def decide(browser, made, decision, reason="Asked in writing; no ground to refuse."):
    return browser.post(
        reverse("subjects:erasure", args=[made.pk]), {"decision": decision, "reason": reason}
    )


def test_a_manager_records_and_erases(client_for, manager, ended):
    browser = client_for(manager)
    detail = browser.get(reverse("referrals:detail", args=[ended.pk])).content.decode()
    assert reverse("subjects:erasure_new", args=[ended.pk]) in detail
    response = ask(browser, ended)
    assert response.status_code == 302, response.content.decode()[:2000]
    made = ErasureRequest.objects.get()
    page = browser.get(response["Location"]).content.decode()
    assert made.due_on.strftime("%-d %B %Y") in page
    assert "May be refused" in page  # supported, within the health-record period
    response = decide(browser, made, "erased")
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.decision == ErasureDecision.ERASED and made.reason
    person = Person.objects.get(pk=ended.person_id)
    assert person.given_name == "Anonymised" and person.nhs_number == ""
    assert Anonymisation.objects.get(person=person).erasure == made
    assert AuditEvent.objects.filter(detail=f"anonymised: erasure request {made.pk}").count() == 0
    assert AuditEvent.objects.filter(
        detail__startswith=f"anonymised: erasure request {made.pk} sha256:"
    ).exists()
    assert not AuditEvent.objects.filter(person_id=person.pk).exists()
    assert verify().intact
    listing = browser.get(reverse("subjects:erasure_list")).content.decode()
    assert "Erased (anonymised)" in listing


def test_an_open_referral_blocks_erasure_and_a_refusal_keeps_its_reason(
    client_for, manager, in_support
):
    browser = client_for(manager)
    ask(browser, in_support)
    made = ErasureRequest.objects.get()
    page = browser.get(reverse("subjects:erasure", args=[made.pk])).content.decode()
    assert "Blocks erasure" in page and in_support.reference in page
    response = decide(browser, made, "erased")
    assert response.status_code == 400
    assert Person.objects.get(pk=in_support.person_id).given_name != "Anonymised"
    response = decide(browser, made, "refused", reason="")
    assert response.status_code == 400 and "Give the reason" in response.content.decode()
    response = decide(browser, made, "refused", reason="Support is still under way (17(3)(c)).")
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.decision == ErasureDecision.REFUSED
    assert made.reason == "Support is still under way (17(3)(c))."
    assert not Anonymisation.objects.exists()
    # Decided once.
    with pytest.raises(ActionRefused):
        erasure.decide_erasure(made, by=manager, decision="erased", reason="Changed my mind.")


def test_an_open_safeguarding_concern_blocks_erasure(manager, ended):
    safeguarding.raise_concern(ended, by=manager, kind="abuse", summary="Worried.")
    made = erasure.request_erasure(
        ended, by=manager, received_on=timezone.localdate(), note="By letter."
    )
    grounds = erasure.assess(ended.person)
    assert erasure.blocked(grounds)
    with pytest.raises(ActionRefused):
        erasure.decide_erasure(made, by=manager, decision="erased", reason="Asked.")


def test_a_person_never_supported_may_simply_be_erased(manager, pathway_a, gp_referrer):
    declined = make_referral(
        ReferralStatus.DECLINED, pathway=pathway_a, by=gp_referrer, staff=manager
    )
    assert erasure.assess(declined.person) == []
    made = erasure.request_erasure(
        declined, by=manager, received_on=timezone.localdate(), note="By email."
    )
    erasure.decide_erasure(made, by=manager, decision="erased", reason="No ground to refuse.")
    assert Person.objects.get(pk=declined.person_id).given_name == "Anonymised"


def test_a_future_date_is_refused(client_for, manager, ended):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = ask(
        client_for(manager),
        ended,
        received_on_day=str(tomorrow.day),
        received_on_month=str(tomorrow.month),
        received_on_year=str(tomorrow.year),
    )
    assert response.status_code == 400
    assert "The person, by letter" in response.content.decode()


@pytest.mark.parametrize("who", ["coordinator_a", "gp_referrer", "manager_b", "administrator"])
def test_nobody_else_may_record_or_decide(request, client_for, manager, ended, who):
    made = erasure.request_erasure(
        ended, by=manager, received_on=timezone.localdate(), note="By letter."
    )
    user = request.getfixturevalue(who)
    browser = client_for(user)
    assert ask(browser, ended).status_code in (403, 404)
    assert decide(browser, made, "erased").status_code in (403, 404)
    assert browser.get(reverse("subjects:erasure", args=[made.pk])).status_code in (403, 404)
    with pytest.raises(ActionRefused):
        erasure.decide_erasure(made, by=user, decision="erased", reason="Asked.")
    assert ErasureRequest.objects.get().decision == ErasureDecision.PENDING
    assert Person.objects.get(pk=ended.person_id).given_name != "Anonymised"

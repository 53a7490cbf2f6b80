"""No doubled submissions (`linkwork.core.idempotency`, decision 0021): a form that creates
something carries a single-use key; the same POST sent twice (a double click, a retry, the back
button) saves once, and the second is led to what the first made. Through the Django test
client, one request after another; `test_idempotency_live.py` sends them at the same moment."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from linkwork.casework import actions as casework_actions
from linkwork.casework.models import ClientFeedback, Contact
from linkwork.core import idempotency
from linkwork.core.errors import ActionRefused
from linkwork.core.form_pages import attempt
from linkwork.core.forms import GovUKForm
from linkwork.core.models import SubmissionKey
from linkwork.core.sweeps import registered_sweeps
from linkwork.outcomes import actions as outcome_actions
from linkwork.outcomes.models import Measure
from linkwork.referrals.models import Referral
from linkwork.referrals.status import ClosureReason
from linkwork.safeguarding.models import SafeguardingConcern
from tests.casework.test_feedback_link import ANSWERS
from tests.factories import make_referral
from tests.outcomes.conftest import instruments_on, schedule_a  # noqa: F401  (fixtures)
from tests.referrals.test_referral_journey import date_parts, self_referral_form

pytestmark = pytest.mark.django_db

KEY = re.compile(r'name="submission_key" value="([^"]+)"')
SWEMWBS = {f"item_{n}": "3" for n in range(1, 8)}


def key_in(response) -> str:
    found = KEY.findall(response.content.decode())
    assert len(found) == 1, "the form should carry exactly one submission key"
    return found[0]


def contact_form(**extra) -> dict:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    return {
        **date_parts("contact_date", yesterday),
        "contact_time": "10:30",
        "mode": "telephone",
        "outcome": "attended",
        "minutes": "30",
        "note": "Talked about the walking group",
        **extra,
    }


def contact_url(referral) -> str:
    return reverse("casework:log_contact", args=[referral.pk])


# --- The same POST twice --------------------------------------------------------------------


def test_a_self_referral_sent_twice_is_received_once_and_both_are_thanked(
    client, site_b, self_referral_pathway_b
):
    url = reverse("referrals:self_referral", args=[site_b.slug])
    data = {**self_referral_form(), idempotency.FIELD: key_in(client.get(url))}

    first = client.post(url, data)
    second = client.post(url, data)

    sent = reverse("referrals:self_referral_sent", args=[site_b.slug])
    assert (first.status_code, first["Location"]) == (302, sent)
    assert (second.status_code, second["Location"]) == (302, sent)
    assert Referral.objects.count() == 1
    assert "sent already, and saved once" in client.get(sent).content.decode()


def test_a_contact_sent_twice_is_logged_once_and_the_second_leads_to_it(
    client_for, coordinator_a, in_support
):
    browser = client_for(coordinator_a)
    data = {**contact_form(), idempotency.FIELD: key_in(browser.get(contact_url(in_support)))}

    first = browser.post(contact_url(in_support), data)
    second = browser.post(contact_url(in_support), data)

    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Contact.objects.count() == 1
    claim = SubmissionKey.objects.get()
    assert (claim.user, claim.result_url) == (coordinator_a, first["Location"])


def test_two_forms_opened_separately_make_two_contacts(client_for, coordinator_a, in_support):
    """Each time the form is opened it has a new key: two contacts meant as two are two."""
    browser = client_for(coordinator_a)
    for note in ("Phoned", "Phoned again"):
        key = key_in(browser.get(contact_url(in_support)))
        browser.post(contact_url(in_support), {**contact_form(note=note), "submission_key": key})
    assert Contact.objects.count() == 2


@pytest.mark.usefixtures("schedule_a")
def test_a_questionnaire_sent_twice_is_recorded_once_and_the_second_is_thanked_not_refused(
    client, coordinator_a, in_support
):
    _link, signed = outcome_actions.create_measure_link(
        in_support, by=coordinator_a, instrument="swemwbs", timepoint="baseline"
    )
    url = reverse("outcomes:public_measure", args=[signed])
    data = {**SWEMWBS, idempotency.FIELD: key_in(client.get(url))}

    first = client.post(url, data)
    second = client.post(url, data)

    thanks = reverse("outcomes:measure_thanks")
    assert (first.status_code, first["Location"]) == (302, thanks)
    assert (second.status_code, second["Location"]) == (302, thanks)
    assert Measure.objects.filter(referral=in_support).count() == 1
    # Without the key, the used link is refused, as before.
    assert client.post(url, SWEMWBS).status_code == 410


@pytest.mark.usefixtures("schedule_a")
def test_a_repeated_phq9_with_question_9_still_shows_where_to_get_help(
    client, coordinator_a, in_support
):
    """The help page reads what the first submission put in the session; a repeat that arrives
    in a session without it (the first response was dropped) must show it too."""
    _link, signed = outcome_actions.create_measure_link(
        in_support, by=coordinator_a, instrument="phq9", timepoint="baseline"
    )
    url = reverse("outcomes:public_measure", args=[signed])
    data = {
        **{f"item_{n}": "2" for n in range(1, 10)},
        idempotency.FIELD: key_in(client.get(url)),
    }
    assert client.post(url, data).status_code == 302

    elsewhere = Client()  # the same tap, but the first answer's cookie never arrived
    response = elsewhere.post(url, data, follow=True)
    assert "Samaritans" in response.content.decode()
    assert Measure.objects.filter(referral=in_support).count() == 1


def test_feedback_through_a_link_sent_twice_is_kept_once(client, coordinator_a, in_support):
    casework_actions.close_case(
        in_support, by=coordinator_a, reason=ClosureReason.GOALS_ACHIEVED, summary="Done"
    )
    signed = casework_actions.create_feedback_link(in_support, by=coordinator_a)
    url = reverse("casework:public_feedback", args=[signed])
    data = {**ANSWERS, idempotency.FIELD: key_in(client.get(url))}

    first = client.post(url, data)
    second = client.post(url, data)

    thanks = reverse("casework:feedback_thanks")
    assert (first.status_code, first["Location"]) == (302, thanks)
    assert (second.status_code, second["Location"]) == (302, thanks)
    assert ClientFeedback.objects.filter(referral=in_support).count() == 1


def test_a_safeguarding_concern_sent_twice_is_raised_once(client_for, coordinator_a, in_support):
    browser = client_for(coordinator_a)
    url = reverse("safeguarding:raise_concern", args=[in_support.pk])
    data = {
        "kind": "self_neglect",
        "summary": "Said they feel unsafe at home",
        idempotency.FIELD: key_in(browser.get(url)),
    }
    first = browser.post(url, data)
    assert first.status_code == 302
    second = browser.post(url, data)
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert SafeguardingConcern.objects.filter(referral=in_support).count() == 1


# --- Keys that are not this form's ----------------------------------------------------------


def test_a_key_from_another_form_is_not_taken_as_a_repeat(
    client_for, coordinator_a, in_support, pathway_a, gp_referrer, manager
):
    """A key made for one person's contact form, sent on another's: it does not verify there,
    so it neither leads to the first form's result nor stops the second being saved."""
    other = make_referral(
        in_support.status,
        pathway=pathway_a,
        by=gp_referrer,
        staff=manager,
        coordinator=coordinator_a,
    )
    browser = client_for(coordinator_a)
    key = key_in(browser.get(contact_url(in_support)))
    first = browser.post(contact_url(in_support), {**contact_form(), "submission_key": key})
    elsewhere = browser.post(contact_url(other), {**contact_form(), "submission_key": key})

    assert elsewhere.status_code == 302 and elsewhere["Location"] != first["Location"]
    assert Contact.objects.filter(referral=in_support).count() == 1
    assert Contact.objects.filter(referral=other).count() == 1
    assert SubmissionKey.objects.count() == 1  # the second was saved without a key


def test_a_key_from_another_user_is_not_taken_as_a_repeat(
    client_for, coordinator_a, manager, in_support
):
    key = key_in(client_for(coordinator_a).get(contact_url(in_support)))
    client_for(coordinator_a).post(
        contact_url(in_support), {**contact_form(), "submission_key": key}
    )
    theirs = client_for(manager).post(
        contact_url(in_support), {**contact_form(note="Manager's call"), "submission_key": key}
    )
    assert theirs.status_code == 302
    assert Contact.objects.filter(referral=in_support).count() == 2


def test_a_tampered_key_is_ignored(client_for, coordinator_a, in_support):
    browser = client_for(coordinator_a)
    key = key_in(browser.get(contact_url(in_support)))
    for _ in range(2):
        response = browser.post(
            contact_url(in_support), {**contact_form(), "submission_key": key[:-2] + "xx"}
        )
        assert response.status_code == 302
    assert Contact.objects.count() == 2
    assert not SubmissionKey.objects.exists()


def test_without_a_key_a_form_is_accepted_as_before(client_for, coordinator_a, in_support):
    """A page cached before keys existed, or a client that drops the field: saved, unprotected."""
    browser = client_for(coordinator_a)
    assert browser.post(contact_url(in_support), contact_form()).status_code == 302
    assert Contact.objects.count() == 1
    assert not SubmissionKey.objects.exists()


def test_a_key_older_than_a_day_is_refused_keeping_what_was_typed(
    client_for, coordinator_a, in_support
):
    browser = client_for(coordinator_a)
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=25)):
        old = key_in(browser.get(contact_url(in_support)))
    response = browser.post(
        contact_url(in_support), {**contact_form(note="Walked to the shop"), "submission_key": old}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "opened too long ago to send" in content
    assert "Walked to the shop" in content
    fresh = key_in(response)
    assert fresh != old
    assert not Contact.objects.exists()
    # Sent again with the new key, it is saved.
    again = browser.post(
        contact_url(in_support),
        {**contact_form(note="Walked to the shop"), "submission_key": fresh},
    )
    assert again.status_code == 302
    assert Contact.objects.count() == 1


# --- Nothing saved keeps the key --------------------------------------------------------------


def test_a_form_with_mistakes_keeps_its_key_and_what_was_typed(
    client_for, coordinator_a, in_support
):
    browser = client_for(coordinator_a)
    key = key_in(browser.get(contact_url(in_support)))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    wrong = {
        **contact_form(note="Met at the library"),
        **date_parts("contact_date", tomorrow),
        "submission_key": key,
    }

    refused = browser.post(contact_url(in_support), wrong)

    assert refused.status_code == 200
    assert "Met at the library" in refused.content.decode()
    assert key_in(refused) == key  # nothing was saved: the same key, still unused
    assert not SubmissionKey.objects.exists()
    fixed = {**contact_form(note="Met at the library"), "submission_key": key}
    first = browser.post(contact_url(in_support), fixed)
    second = browser.post(contact_url(in_support), fixed)
    assert first.status_code == second.status_code == 302
    assert Contact.objects.count() == 1


def test_a_self_referral_with_mistakes_keeps_its_key_and_what_was_typed(
    client, site_b, self_referral_pathway_b
):
    url = reverse("referrals:self_referral", args=[site_b.slug])
    key = key_in(client.get(url))
    response = client.post(
        url, {**self_referral_form(phone="", email="", given_name="Dewi"), "submission_key": key}
    )
    assert response.status_code == 200
    assert key_in(response) == key
    assert 'value="Dewi"' in response.content.decode()
    assert not Referral.objects.exists()


def test_a_refused_action_saves_nothing_not_even_the_key(rf, coordinator_a):
    request = rf.post("/somewhere/")
    request.user = coordinator_a
    request.POST = request.POST.copy()
    request.POST[idempotency.FIELD] = idempotency.new_key(request)
    form = GovUKForm({})
    form.is_valid()

    def refuse():
        raise ActionRefused("Not today")

    assert attempt(form, refuse, request=request) is None
    assert form.non_field_errors() == ["Not today"]
    assert not SubmissionKey.objects.exists()


# --- Forms that carry a key -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "referrals:refer",
        "referrals:record",
        "casework:log_contact",
        "casework:add_goal",
        "safeguarding:raise_concern",
        "safeguarding:raise_flag",
        "referrals:interim_contact",
        "referrals:pathway_new",
        "reports:new_event",
        "outcomes:record_measure",
    ],
)
@pytest.mark.usefixtures("schedule_a")
def test_create_forms_carry_a_key(
    client_for, name, gp_referrer, manager, coordinator_a, in_support, waiting
):
    user, args, query = {
        "referrals:refer": (gp_referrer, [], ""),
        "referrals:record": (manager, [], ""),
        "referrals:interim_contact": (manager, [waiting.pk], ""),
        "referrals:pathway_new": (manager, [], ""),
        "reports:new_event": (manager, [], ""),
        "outcomes:record_measure": (
            coordinator_a,
            [in_support.pk],
            "?instrument=swemwbs&timepoint=baseline",
        ),
    }.get(name, (coordinator_a, [in_support.pk], ""))
    response = client_for(user).get(reverse(name, args=args) + query)
    assert response.status_code == 200
    key_in(response)


def test_an_edit_form_carries_no_key(client_for, coordinator_a, in_support):
    """Saving the same change twice changes nothing: edits are left as they were."""
    response = client_for(coordinator_a).get(reverse("casework:what_matters", args=[in_support.pk]))
    assert response.status_code == 200
    assert "submission_key" not in response.content.decode()


# --- Sweeping old keys --------------------------------------------------------------------------


def test_keys_are_swept_after_a_day(coordinator_a):
    now = timezone.now()
    old = SubmissionKey.objects.create(key="old", created_at=now - datetime.timedelta(hours=26))
    SubmissionKey.objects.create(key="recent", created_at=now - datetime.timedelta(hours=20))
    assert "linkwork.core.idempotency.clear_old_submission_keys" in registered_sweeps()
    assert idempotency.clear_old_submission_keys() == 1
    assert list(SubmissionKey.objects.values_list("key", flat=True)) == ["recent"]
    assert not SubmissionKey.objects.filter(pk=old.pk).exists()

"""The person completes a questionnaire on their own phone through a one-time link: making and
emailing the link (in their language), the page itself, what happens after, and links that no
longer work."""

import datetime
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import OperationalError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from linkwork.outcomes import actions
from linkwork.outcomes.models import Measure, MeasureLink
from linkwork.safeguarding.models import SafeguardingPrompt
from tests.factories import CoordinatorFactory

pytestmark = pytest.mark.django_db

SWEMWBS = {f"item_{n}": str(v) for n, v in enumerate([4, 3, 3, 4, 3, 4, 4], start=1)}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def link_url(referral) -> str:
    return reverse("outcomes:measure_link", args=[referral.pk])


def make_link(
    browser, referral, capture, instrument="swemwbs", timepoint="baseline"
) -> tuple[str, object]:
    with capture(execute=True):
        response = browser.post(
            link_url(referral), {"instrument": instrument, "timepoint": timepoint}
        )
    assert response.status_code == 200
    url = re.search(r"https?://[^\s<]+/questionnaire/[^\s<]+/", response.content.decode()).group(0)
    return "/" + url.split("/", 3)[3], response


@pytest.fixture
def welsh(in_support):
    person = in_support.person
    person.preferred_language = "cy"
    person.email = "eirlys@example.org"
    person.save()
    return in_support


def test_the_link_is_shown_once_and_emailed_in_welsh(
    client_for, coordinator_a, welsh, schedule_a, django_capture_on_commit_callbacks
):
    path, response = make_link(client_for(coordinator_a), welsh, django_capture_on_commit_callbacks)
    content = response.content.decode()
    assert "We have emailed the link to eirlys@example.org" in content
    assert "This page shows the link once" in content
    (email,) = mail.outbox
    assert email.to == ["eirlys@example.org"]
    assert path in email.body
    assert f"Helo {welsh.person.given_name}," in email.body  # Welsh
    assert welsh.person.family_name not in email.body
    assert MeasureLink.objects.filter(referral=welsh, instrument="swemwbs").count() == 1


def test_without_an_email_the_link_is_only_shown(
    client_for, coordinator_a, in_support, schedule_a, django_capture_on_commit_callbacks
):
    _path, response = make_link(
        client_for(coordinator_a), in_support, django_capture_on_commit_callbacks
    )
    assert "We have emailed" not in response.content.decode()
    assert mail.outbox == []


def test_a_refused_link_goes_back_to_the_record_with_the_reason(
    client_for, coordinator_a, in_support, schedule_a
):
    actions.record_measure(
        in_support,
        by=coordinator_a,
        instrument="swemwbs",
        timepoint="baseline",
        answers=[4, 3, 3, 4, 3, 4, 4],
    )
    browser = client_for(coordinator_a)
    response = browser.post(
        link_url(in_support), {"instrument": "swemwbs", "timepoint": "baseline"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:record", args=[in_support.pk])
    followed = browser.get(response["Location"]).content.decode()
    assert "has already been recorded for baseline" in followed
    assert not MeasureLink.objects.exists()


def test_answers_that_could_not_be_saved_are_kept_and_the_link_still_works(
    client,
    client_for,
    coordinator_a,
    welsh,
    schedule_a,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    """The database fails part way through saving the person's answers: no measure, the link is
    not spent, and their answers are still ticked, to send again."""
    path, _response = make_link(
        client_for(coordinator_a), welsh, django_capture_on_commit_callbacks
    )
    complete = actions.complete_measure_through_link

    def fails_after_writing(*args, **kwargs):
        complete(*args, **kwargs)
        raise OperationalError("database is locked")

    monkeypatch.setattr(actions, "complete_measure_through_link", fails_after_writing)
    response = client.post(path, SWEMWBS)
    assert response.status_code == 200
    assert not Measure.objects.exists()
    assert MeasureLink.objects.get().used_at is None
    assert response.context["form"].non_field_errors()
    checked = re.findall(r'<input[^>]*type="radio"[^>]*checked[^>]*>', response.content.decode())
    ticked = {
        re.search(r'name="([^"]+)"', tag).group(1): re.search(r'value="([^"]+)"', tag).group(1)
        for tag in checked
    }
    assert ticked == SWEMWBS

    monkeypatch.setattr(actions, "complete_measure_through_link", complete)
    assert client.post(path, SWEMWBS).status_code == 302
    assert Measure.objects.count() == 1


def test_the_person_completes_it_in_their_language_and_it_works_once(
    client, client_for, coordinator_a, welsh, schedule_a, django_capture_on_commit_callbacks
):
    path, _response = make_link(
        client_for(coordinator_a), welsh, django_capture_on_commit_callbacks
    )

    page = client.get(path)
    assert page.status_code == 200
    content = page.content.decode()
    assert '<html lang="cy"' in content
    assert 'lang="en"' in content  # the questions themselves are English only
    assert "Anfon" in content  # "Send", in Welsh
    assert welsh.person.given_name in content
    assert welsh.person.family_name not in content
    assert welsh.person.nhs_number not in content
    assert "© University of Warwick" in content
    assert 'name="viewport"' in content
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]

    response = client.post(path, SWEMWBS)
    assert response.status_code == 302
    assert response["Location"] == reverse("outcomes:measure_thanks")
    measure = Measure.objects.get(referral=welsh)
    assert str(measure.total) == "22.35"
    assert measure.collected_by == "link"
    assert measure.language == "cy"

    thanks = client.get(response["Location"]).content.decode()
    assert "Diolch" in thanks
    assert "22.35" not in thanks
    assert "Samaritans" not in thanks

    assert client.get(path).status_code == 410
    assert client.post(path, SWEMWBS).status_code == 410
    assert Measure.objects.filter(referral=welsh).count() == 1

    content = (
        client_for(coordinator_a)
        .get(reverse("outcomes:measures", args=[welsh.pk]))
        .content.decode()
    )
    assert "By the person, through a link" in content
    assert "Used" in content


def test_missing_answers_keep_what_was_chosen(
    client, client_for, coordinator_a, welsh, schedule_a, django_capture_on_commit_callbacks
):
    path, _response = make_link(
        client_for(coordinator_a), welsh, django_capture_on_commit_callbacks
    )
    partial = {k: v for k, v in SWEMWBS.items() if k != "item_5"}
    response = client.post(path, partial)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Mae problem" in content  # "There is a problem", in Welsh
    assert "Atebwch gwestiwn 5" in content  # "Answer question 5"
    assert re.search(r'name="item_1" value="4"[^>]*checked', content)
    assert not Measure.objects.exists()
    # The link still works.
    assert client.post(path, SWEMWBS).status_code == 302


def test_phq9_item_9_through_a_link_shows_where_to_get_help_not_the_score(
    client, client_for, coordinator_a, in_support, schedule_a, django_capture_on_commit_callbacks
):
    path, _response = make_link(
        client_for(coordinator_a), in_support, django_capture_on_commit_callbacks, "phq9"
    )
    answers = {f"item_{n}": "2" for n in range(1, 10)}
    response = client.post(path, answers, follow=True)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Samaritans" in content and "116 123" in content
    assert "NHS 111" in content and "press 2" in content
    assert "999" in content
    assert "link coordinator will be in touch" in content
    main = re.search(r"<main.*</main>", content, re.S).group(0)
    assert not re.search(r"\b18\b", re.sub(r"<[^>]+>", " ", main))  # the total: 9 × 2
    assert SafeguardingPrompt.objects.filter(referral=in_support, handled_at=None).exists()
    # Shown once: a reload is a plain thank-you.
    again = client.get(reverse("outcomes:measure_thanks")).content.decode()
    assert "Samaritans" not in again


def test_a_tampered_link_does_not_work(
    client, client_for, coordinator_a, in_support, schedule_a, django_capture_on_commit_callbacks
):
    path, _response = make_link(
        client_for(coordinator_a), in_support, django_capture_on_commit_callbacks
    )
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    response = client.get(tampered)
    assert response.status_code == 410
    content = response.content.decode()
    assert "This link does not work any more" in content
    assert in_support.person.given_name not in content
    assert client.get(reverse("outcomes:public_measure", args=["nonsense"])).status_code == 410


def test_an_expired_link_does_not_work(
    client, client_for, coordinator_a, in_support, schedule_a, django_capture_on_commit_callbacks
):
    path, _response = make_link(
        client_for(coordinator_a), in_support, django_capture_on_commit_callbacks
    )
    past = timezone.now() - datetime.timedelta(days=30)
    MeasureLink.objects.update(created_at=past, expires_at=past + datetime.timedelta(days=14))
    assert client.get(path).status_code == 410
    assert client.post(path, SWEMWBS).status_code == 410
    assert not Measure.objects.exists()
    content = (
        client_for(coordinator_a)
        .get(reverse("outcomes:measures", args=[in_support.pk]))
        .content.decode()
    )
    assert "Expired" in content


def test_a_withdrawn_link_does_not_work(
    client, client_for, coordinator_a, in_support, schedule_a, django_capture_on_commit_callbacks
):
    browser = client_for(coordinator_a)
    path, _response = make_link(browser, in_support, django_capture_on_commit_callbacks)
    link = MeasureLink.objects.get()
    measures = reverse("outcomes:measures", args=[in_support.pk])
    assert "Withdraw link" in browser.get(measures).content.decode()
    response = browser.post(reverse("outcomes:revoke_measure_link", args=[in_support.pk, link.pk]))
    assert response.status_code == 302
    assert client.get(path).status_code == 410
    content = browser.get(measures).content.decode()
    assert "Withdrawn" in content
    assert "Withdraw link" not in content


def test_a_newer_link_replaces_the_older(
    client, client_for, coordinator_a, in_support, schedule_a, django_capture_on_commit_callbacks
):
    browser = client_for(coordinator_a)
    old, _response = make_link(browser, in_support, django_capture_on_commit_callbacks)
    new, _response = make_link(browser, in_support, django_capture_on_commit_callbacks)
    assert client.get(old).status_code == 410
    assert client.get(new).status_code == 200


@override_settings(MEASURE_LINK_RATE="2/h")
def test_answers_through_links_are_rate_limited(
    client, client_for, coordinator_a, in_support, schedule_a, django_capture_on_commit_callbacks
):
    path, _response = make_link(
        client_for(coordinator_a), in_support, django_capture_on_commit_callbacks
    )
    for _ in range(2):
        assert client.post(path, {}).status_code == 200  # nothing answered
    assert client.post(path, SWEMWBS).status_code == 429
    assert not Measure.objects.exists()


# --- Who may make and withdraw links ------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    ["coordinator_b", "manager_b", "gp_referrer", "researcher", "outsider", "administrator"],
)
def test_people_outside_the_persons_scope_cannot_make_or_withdraw_links(
    request, client_for, who, coordinator_a, in_support, schedule_a
):
    link, _signed = actions.create_measure_link(
        in_support, by=coordinator_a, instrument="phq9", timepoint="baseline"
    )
    browser = client_for(request.getfixturevalue(who))
    response = browser.post(link_url(in_support), {"instrument": "phq9", "timepoint": "baseline"})
    assert response.status_code in (403, 404)
    revoke = reverse("outcomes:revoke_measure_link", args=[in_support.pk, link.pk])
    assert browser.post(revoke).status_code in (403, 404)
    link.refresh_from_db()
    assert link.revoked_at is None
    assert MeasureLink.objects.count() == 1


@pytest.mark.parametrize("who", ["coordinator_b", "manager_b"])
def test_other_sites_staff_get_not_found(request, client_for, who, in_support, schedule_a):
    browser = client_for(request.getfixturevalue(who))
    response = browser.post(link_url(in_support), {"instrument": "phq9", "timepoint": "baseline"})
    assert response.status_code == 404


def test_a_coordinator_who_is_not_theirs_gets_not_found(
    client_for, site_a, coordinator_a, in_support, schedule_a
):
    link, _signed = actions.create_measure_link(
        in_support, by=coordinator_a, instrument="phq9", timepoint="baseline"
    )
    browser = client_for(CoordinatorFactory(sites=[site_a]))
    response = browser.post(link_url(in_support), {"instrument": "phq9", "timepoint": "baseline"})
    assert response.status_code == 404
    revoke = reverse("outcomes:revoke_measure_link", args=[in_support.pk, link.pk])
    assert browser.post(revoke).status_code == 404


def test_a_link_cannot_be_withdrawn_through_another_persons_record(
    client_for, coordinator_a, manager, pathway_a, in_support, schedule_a
):
    from linkwork.referrals.status import ReferralStatus
    from tests.factories import make_referral

    other = make_referral(
        ReferralStatus.ALLOCATED, pathway=pathway_a, staff=manager, coordinator=coordinator_a
    )
    link, _signed = actions.create_measure_link(
        in_support, by=coordinator_a, instrument="phq9", timepoint="baseline"
    )
    revoke = reverse("outcomes:revoke_measure_link", args=[other.pk, link.pk])
    assert client_for(coordinator_a).post(revoke).status_code == 404


def test_making_a_link_needs_a_post(client_for, coordinator_a, in_support, schedule_a):
    assert client_for(coordinator_a).get(link_url(in_support)).status_code == 405

"""Who may make, read and download a person's letters: whoever may open the record reads them;
their coordinator (now, or when support ended) and the site's managers make them. Everyone else
gets the record's own answer: 404 (the person's existence is not revealed), or the sign-in page."""

import pytest
from django.urls import reverse

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.letters.models import Letter, LetterKind
from tests.factories import CoordinatorFactory, allocate

from .conftest import make

pytestmark = pytest.mark.django_db

OUTSIDERS = [
    "coordinator_b",  # a coordinator at the other site
    "manager_b",  # a manager of the other site only
    "gp_referrer",  # the referrer who sent her (a partner organisation)
    "other_referrer",
    "researcher",
    "administrator",
    "outsider",  # a coordinator at no site
]


@pytest.fixture
def letter(ann, coordinator_a):
    return make(ann, coordinator_a, LetterKind.NO_CONTACT)


def pages(referral, letter):
    return {
        "write": reverse("letters:write", args=[referral.pk, LetterKind.NO_CONTACT]),
        "letter": reverse("letters:letter", args=[referral.pk, letter.pk]),
        "pdf": reverse("letters:pdf", args=[referral.pk, letter.pk]),
    }


MAKE = {
    "language": "en",
    "recipient_name": "Ann Jones",
    "recipient_address": "4 Heol y Bryn",
    "action": "make",
}


@pytest.mark.parametrize("who", OUTSIDERS)
def test_no_one_outside_the_record_reaches_its_letters(client_for, request, who, ann, letter):
    user = request.getfixturevalue(who)
    browser = client_for(user)
    for name, url in pages(ann, letter).items():
        assert browser.get(url).status_code == 404, name
    assert browser.post(pages(ann, letter)["write"], MAKE).status_code == 404
    assert Letter.objects.count() == 1
    # A 404 leaves no read in the audit log.
    assert not AuditEvent.objects.filter(user=user, action=AuditAction.VIEW).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, ann, letter):
    for url in pages(ann, letter).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert client.post(pages(ann, letter)["write"], MAKE).status_code == 302
    assert Letter.objects.count() == 1


def test_a_coordinator_at_the_site_who_does_not_support_her_cannot(client_for, site_a, ann, letter):
    colleague = CoordinatorFactory(sites=[site_a])
    browser = client_for(colleague)
    for url in pages(ann, letter).values():
        assert browser.get(url).status_code == 404


def test_a_letter_is_only_reached_through_its_own_persons_record(
    client_for, coordinator_a, ann, in_support, letter
):
    """Someone coordinator_a also supports: their record's address with Ann's letter's id."""
    browser = client_for(coordinator_a)
    for name in ("letters:letter", "letters:pdf"):
        assert browser.get(reverse(name, args=[in_support.pk, letter.pk])).status_code == 404


def test_her_coordinator_and_managers_at_the_site_read_and_make_them(
    client_for, coordinator_a, manager, manager_both, ann, letter
):
    for user in (coordinator_a, manager, manager_both):
        browser = client_for(user)
        for url in pages(ann, letter).values():
            assert browser.get(url).status_code == 200
    response = client_for(manager_both).post(pages(ann, letter)["write"], MAKE)
    assert response.status_code == 302
    assert Letter.objects.count() == 2


def test_a_former_coordinator_reads_her_letters_but_no_longer_writes_them(
    client_for, coordinator_a, manager, site_a, ann, letter
):
    current = ann.allocations.get(ended_at__isnull=True)
    allocate(ann, coordinator=CoordinatorFactory(sites=[site_a]), by=manager, replacing=current)
    browser = client_for(coordinator_a)
    assert browser.get(pages(ann, letter)["letter"]).status_code == 200
    assert browser.get(pages(ann, letter)["write"]).status_code == 404
    assert browser.post(pages(ann, letter)["write"], MAKE).status_code == 404

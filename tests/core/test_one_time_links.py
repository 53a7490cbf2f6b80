"""Every kind of one-time link (a receiving organisation's, a person's feedback link, a person's
questionnaire link) is a `core.models.OneTimeLink`: the database enforces the same rules for each,
whatever code writes to it."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from linkwork.casework.models import FeedbackLink
from linkwork.core import signed_links
from linkwork.outcomes.models import MeasureLink
from linkwork.prescriptions.actions import make_prescription
from linkwork.prescriptions.models import LinkPurpose, ServiceLink
from linkwork.referrals.status import ReferralStatus
from tests.factories import make_referral, make_service

DAY = datetime.timedelta(days=1)


@pytest.fixture
def kinds(pathway_a, gp_referrer, manager, coordinator_a, site_a):
    """A function per kind of link that writes one row with the given token hash and dates."""
    referral = make_referral(
        ReferralStatus.ALLOCATED,
        pathway=pathway_a,
        by=gp_referrer,
        staff=manager,
        coordinator=coordinator_a,
    )
    prescription = make_prescription(
        referral,
        by=coordinator_a,
        service=make_service(name="Walking group", sites=[site_a]),
        asked_for="A walking group",
    )
    return {
        "feedback": lambda **fields: FeedbackLink.objects.create(
            referral=referral, by=coordinator_a, **fields
        ),
        "questionnaire": lambda **fields: MeasureLink.objects.create(
            referral=referral, by=coordinator_a, instrument="phq9", timepoint="baseline", **fields
        ),
        "service": lambda **fields: ServiceLink.objects.create(
            prescription=prescription, purpose=LinkPurpose.RESPOND, **fields
        ),
    }


@pytest.mark.parametrize("kind", ["feedback", "questionnaire", "service"])
def test_a_token_hash_is_stored_once_for_each_kind(kinds, kind):
    now = timezone.now()
    token_hash = signed_links.hash_token(signed_links.new_token())
    kinds[kind](token_hash=token_hash, created_at=now, expires_at=now + DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        kinds[kind](token_hash=token_hash, created_at=now, expires_at=now + DAY)


@pytest.mark.parametrize("kind", ["feedback", "questionnaire", "service"])
def test_no_kind_of_link_expires_before_it_was_made(kinds, kind):
    now = timezone.now()
    token_hash = signed_links.hash_token(signed_links.new_token())
    with pytest.raises(IntegrityError), transaction.atomic():
        kinds[kind](token_hash=token_hash, created_at=now, expires_at=now - DAY)


@pytest.mark.parametrize("kind", ["feedback", "questionnaire", "service"])
def test_each_kind_says_where_it_stands_the_same_way(kinds, kind):
    now = timezone.now()
    link = kinds[kind](
        token_hash=signed_links.hash_token(signed_links.new_token()),
        created_at=now - 2 * DAY,
        expires_at=now + DAY,
    )
    model = type(link)
    assert link.state() == "open" and link.is_usable()
    assert model.objects.open().filter(pk=link.pk).exists()
    assert link.state(now + 2 * DAY) == "expired" and not link.is_usable(now + 2 * DAY)
    link.used_at = now
    assert link.state() == "used" and not link.is_usable()
    model.objects.filter(pk=link.pk).update(revoked_at=now)
    assert not model.objects.open().filter(pk=link.pk).exists()

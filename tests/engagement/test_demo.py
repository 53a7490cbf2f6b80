"""The demo's partners: contacts at every referring organisation, and a year of engagement that
includes the letters and visit to Elan Valley Surgery in the months it stopped referring."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from linkwork.engagement.models import ActivityKind, EngagementActivity, PartnerContact
from linkwork.partners.models import Organisation, SourceType

pytestmark = pytest.mark.django_db


def test_the_demo_has_contacts_and_a_year_of_engagement(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", force=True, stdout=io.StringIO())
    today = timezone.localdate()
    for organisation in Organisation.objects.exclude(source_type=SourceType.THIRD_SECTOR):
        assert PartnerContact.objects.filter(referring_organisation=organisation).exists()
    assert PartnerContact.objects.filter(receiving_organisation__isnull=False).count() >= 3
    assert PartnerContact.objects.filter(is_current=False).count() == 1

    activities = EngagementActivity.objects.all()
    assert activities.filter(happened_on__lt=today - datetime.timedelta(days=300)).exists()
    assert not activities.filter(happened_on__gt=today).exists()
    assert set(activities.values_list("kind", flat=True)) >= {
        ActivityKind.LETTER,
        ActivityKind.VISIT,
        ActivityKind.MDT_MEETING,
        ActivityKind.STEERING_GROUP,
        ActivityKind.TRAINING,
    }
    # Letters to every GP practice when the pathways opened.
    for practice in Organisation.objects.filter(source_type=SourceType.GP_PRACTICE):
        assert activities.filter(referring_organisation=practice, kind="letter").exists()
    # Elan Valley Surgery, in the last four months: letters and a practice visit.
    recent = activities.filter(
        referring_organisation__name="Elan Valley Surgery",
        happened_on__gte=today - datetime.timedelta(days=120),
    )
    assert {"letter", "practice_visit"} <= set(recent.values_list("kind", flat=True))
    # Training for the crisis team as its pathway opened, about five months ago.
    training = activities.get(kind="training", referring_organisation__name__contains="Powys")
    assert 130 <= (today - training.happened_on).days <= 170

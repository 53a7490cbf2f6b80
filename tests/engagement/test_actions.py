"""Changes to contacts, the engagement log and the gone-quiet setting: each audited, in the
same transaction, naming the fields and never their values."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.core.errors import ActionRefused
from linkwork.engagement import actions
from linkwork.engagement.models import EngagementActivity, PartnerContact, SiteEngagementSettings
from tests.engagement.conftest import as_partner

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def audit_of(obj) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).order_by("at", "pk")
    )


# --- Contacts ---------------------------------------------------------------------------------


def test_adding_a_contact_is_audited_with_the_fields_given(contact, manager):
    (event,) = audit_of(contact)
    assert event.action == AuditAction.CREATE
    assert event.user == manager
    assert event.fields == ["email", "is_current", "name", "role"]
    assert "gwyn" not in event.detail.lower()
    assert contact.is_current
    assert contact.referring_organisation.name == "Severn Valley Surgery"


def test_changing_a_contact_audits_only_what_changed(contact, manager):
    details = {
        "name": "Gwyn Pryce",
        "role": "Practice manager",
        "email": "gwyn@example.org",
        "phone": "01632 960102",
        "notes": "",
        "is_current": False,
    }
    actions.change_contact(contact, by=manager, details=details)
    contact.refresh_from_db()
    assert contact.phone == "01632 960102"
    assert not contact.is_current
    assert audit_of(contact)[-1].action == AuditAction.CHANGE
    assert audit_of(contact)[-1].fields == ["is_current", "phone"]
    # The same again changes nothing, and writes nothing.
    actions.change_contact(contact, by=manager, details=details)
    assert len(audit_of(contact)) == 2


def test_a_contact_needs_a_name(severn, manager):
    with pytest.raises(ActionRefused) as refused:
        actions.add_contact(as_partner(severn), by=manager, details={"name": "  "})
    assert refused.value.field == "name"
    assert not PartnerContact.objects.exists()


# --- The engagement log -----------------------------------------------------------------------


def test_recording_engagement_is_audited(mdt_meeting, coordinator_a, site_a):
    (event,) = audit_of(mdt_meeting)
    assert event.action == AuditAction.CREATE
    assert event.user == coordinator_a
    assert event.fields == ["happened_on", "kind", "site", "summary"]
    assert mdt_meeting.recorded_by == coordinator_a
    assert mdt_meeting.site == site_a
    assert mdt_meeting.corrected_at is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"happened_on": TODAY() + datetime.timedelta(days=1)}, "happened_on"),
        ({"happened_on": None}, "happened_on"),
        ({"summary": "   "}, "summary"),
        ({"summary": "x" * 501}, "summary"),
        ({"kind": "coffee"}, "kind"),
        ({"site": "site_b"}, "site"),
    ],
)
def test_recording_engagement_refuses(change, field, severn_referred, site_a, site_b, manager):
    values = {
        "site": site_a,
        "kind": "letter",
        "happened_on": TODAY(),
        "summary": "Letter to the practice.",
    }
    values.update(change)
    if values["site"] == "site_b":
        values["site"] = site_b
    with pytest.raises(ActionRefused) as refused:
        actions.record_activity(as_partner(severn_referred), by=manager, sites=[site_a], **values)
    assert refused.value.field == field
    assert not EngagementActivity.objects.exists()


def test_a_correction_says_who_corrected_it_and_audits_the_fields(mdt_meeting, manager, site_a):
    day = TODAY() - datetime.timedelta(days=4)
    actions.correct_activity(
        mdt_meeting,
        by=manager,
        site=site_a,
        kind="mdt_meeting",
        happened_on=day,
        summary="Attended the MDT meeting; two people discussed.",
        sites=[site_a],
    )
    mdt_meeting.refresh_from_db()
    assert mdt_meeting.happened_on == day
    assert mdt_meeting.corrected_by == manager
    assert mdt_meeting.corrected_at is not None
    last = audit_of(mdt_meeting)[-1]
    assert (last.action, last.user, last.fields) == (
        AuditAction.CHANGE,
        manager,
        ["happened_on", "summary"],
    )


def test_a_correction_that_changes_nothing_writes_nothing(mdt_meeting, coordinator_a, site_a):
    actions.correct_activity(
        mdt_meeting,
        by=coordinator_a,
        site=site_a,
        kind=mdt_meeting.kind,
        happened_on=mdt_meeting.happened_on,
        summary=mdt_meeting.summary,
        sites=[site_a],
    )
    mdt_meeting.refresh_from_db()
    assert mdt_meeting.corrected_at is None
    assert len(audit_of(mdt_meeting)) == 1


def test_an_activity_is_about_exactly_one_organisation(severn, walking_group, site_a, manager):
    for both_or_neither in (
        {"referring_organisation": severn, "receiving_organisation": walking_group},
        {},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            EngagementActivity.objects.create(
                **both_or_neither,
                site=site_a,
                kind="letter",
                happened_on=TODAY(),
                summary="Letter",
                recorded_by=manager,
            )


# --- When a referrer has gone quiet -----------------------------------------------------------


def test_setting_the_days_is_audited(site_a, manager):
    settings_row = actions.set_quiet_after_days(site_a, by=manager, days=90)
    assert settings_row.quiet_after_days == 90
    actions.set_quiet_after_days(site_a, by=manager, days=30)
    events = audit_of(settings_row)
    assert [e.action for e in events] == [AuditAction.CREATE, AuditAction.CHANGE]
    assert events[-1].fields == ["quiet_after_days"]
    assert SiteEngagementSettings.objects.get(site=site_a).quiet_after_days == 30


@pytest.mark.parametrize("days", [0, 6, 366])
def test_the_days_must_be_sane(days, site_a, manager):
    with pytest.raises(ActionRefused):
        actions.set_quiet_after_days(site_a, by=manager, days=days)
    assert not SiteEngagementSettings.objects.exists()

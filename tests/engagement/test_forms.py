"""Recording and correcting engagement, keeping contacts, and setting when a referrer has gone
quiet, through the pages: each change lands and is audited, and a form that fails keeps what
was typed."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.engagement.models import EngagementActivity, PartnerContact, SiteEngagementSettings

pytestmark = pytest.mark.django_db

REFERRING = "referring"


def page(name, organisation, *args) -> str:
    return reverse(f"engagement:{name}", args=[REFERRING, organisation.pk, *args])


def date_parts(day: datetime.date, name="happened_on") -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def test_a_coordinator_records_an_mdt_meeting(client_for, coordinator_a, severn_referred):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client_for(coordinator_a).post(
        page("record_activity", severn_referred),
        {"kind": "mdt_meeting", **date_parts(yesterday), "summary": "Two people discussed."},
    )
    assert response.status_code == 302
    assert response["Location"] == page("partner", severn_referred)
    activity = EngagementActivity.objects.get()
    assert (activity.kind, activity.happened_on, activity.recorded_by) == (
        "mdt_meeting",
        yesterday,
        coordinator_a,
    )
    assert activity.site.name == "Powys Rural"  # their one site: not asked
    assert AuditEvent.objects.filter(
        object_type="engagement.engagementactivity", action=AuditAction.CREATE
    ).exists()
    shown = client_for(coordinator_a).get(page("partner", severn_referred)).content.decode()
    assert "Two people discussed." in shown


def test_a_failed_record_keeps_what_was_typed(client_for, manager, severn_referred):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client_for(manager).post(
        page("record_activity", severn_referred),
        {"kind": "practice_visit", **date_parts(tomorrow), "summary": "Met Gwyn at the practice"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "happened_on": ["The date must be today or in the past"]
    }
    content = response.content.decode()
    assert "Met Gwyn at the practice" in content
    assert f'value="{tomorrow.year}"' in content
    assert re.search(r'value="practice_visit"[^>]* checked', content)
    assert not EngagementActivity.objects.exists()


def test_a_record_without_a_summary_or_kind_says_so(client_for, manager, severn_referred):
    response = client_for(manager).post(
        page("record_activity", severn_referred), {**date_parts(timezone.localdate())}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"kind", "summary"}


def test_engagement_at_another_site_starts_from_that_sites_list(
    client_for, manager_both, severn_referred, site_a, site_b
):
    """Severn Valley is listed at site A; a pathway at site B takes every GP practice, so it
    is among the organisations that may refer there, whose pages are opened with ?site=."""
    from tests.factories import PathwayFactory

    PathwayFactory(site=site_b, name="All GP practices", organisations=[])
    browser = client_for(manager_both)
    # Where it is listed only: no question.
    assert not browser.get(page("record_activity", severn_referred)).context["form"].ask_site
    form_page = browser.get(page("record_activity", severn_referred) + f"?site={site_b.pk}")
    form = form_page.context["form"]
    assert form.ask_site
    assert list(form.fields["site"].queryset) == [site_a, site_b]
    assert form.initial["site"] == site_b.pk
    response = browser.post(
        page("record_activity", severn_referred) + f"?site={site_b.pk}",
        {
            "kind": "letter",
            **date_parts(timezone.localdate()),
            "site": site_b.pk,
            "summary": "Letter about the pathway at Rhondda.",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?site={site_b.pk}")
    assert EngagementActivity.objects.get().site == site_b


def test_the_author_corrects_their_record(client_for, coordinator_a, mdt_meeting):
    response = client_for(coordinator_a).post(
        page("correct_activity", mdt_meeting.referring_organisation, mdt_meeting.pk),
        {
            "kind": "practice_visit",
            **date_parts(mdt_meeting.happened_on),
            "site": mdt_meeting.site_id,
            "summary": "It was a visit, not the MDT meeting.",
        },
    )
    assert response.status_code == 302
    mdt_meeting.refresh_from_db()
    assert mdt_meeting.kind == "practice_visit"
    assert mdt_meeting.corrected_by == coordinator_a
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE).get()
    assert event.fields == ["kind", "summary"]
    shown = client_for(coordinator_a).get(page("partner", mdt_meeting.referring_organisation))
    assert "corrected by Gareth Price" in shown.content.decode()


def test_a_failed_correction_keeps_what_was_typed(client_for, manager, mdt_meeting):
    response = client_for(manager).post(
        page("correct_activity", mdt_meeting.referring_organisation, mdt_meeting.pk),
        {"kind": "letter", "happened_on_day": "31", "happened_on_month": "2",
         "happened_on_year": "2026", "summary": "A corrected summary"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "happened_on" in response.context["form"].errors
    assert "A corrected summary" in response.content.decode()
    mdt_meeting.refresh_from_db()
    assert mdt_meeting.kind == "mdt_meeting"


def test_a_manager_adds_and_changes_a_contact(client_for, manager, severn_referred):
    browser = client_for(manager)
    response = browser.post(
        page("add_contact", severn_referred),
        {"name": "Gwyn Pryce", "role": "Practice manager", "email": "gwyn@example.org"},
    )
    assert response.status_code == 302
    contact = PartnerContact.objects.get()
    assert (contact.name, contact.is_current) == ("Gwyn Pryce", True)
    response = browser.post(
        page("change_contact", severn_referred, contact.pk),
        {"name": "Gwyn Pryce", "role": "Practice manager", "email": "gwyn@example.org",
         "phone": "01632 960102", "notes": "", "is_current": "no"},
    )  # fmt: skip
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.phone, contact.is_current) == ("01632 960102", False)
    assert list(
        AuditEvent.objects.filter(object_type="engagement.partnercontact")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [AuditAction.CREATE, AuditAction.CHANGE]
    shown = browser.get(page("partner", severn_referred)).content.decode()
    assert "Gwyn Pryce" in shown and "Not current" in shown


def test_a_failed_contact_keeps_what_was_typed(client_for, manager, severn_referred):
    response = client_for(manager).post(
        page("add_contact", severn_referred),
        {"name": "", "role": "Practice manager", "email": "not an email", "phone": "01632"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "email"}
    content = response.content.decode()
    assert 'value="Practice manager"' in content
    assert 'value="not an email"' in content
    assert not PartnerContact.objects.exists()


def test_a_manager_sets_when_a_referrer_has_gone_quiet(client_for, manager, site_a):
    browser = client_for(manager)
    assert "After 60 days" in browser.get(reverse("engagement:settings")).content.decode()
    address = reverse("engagement:site_settings", args=[site_a.pk])
    refused = browser.post(address, {"quiet_after_days": "5"})
    assert refused.status_code == 200
    assert refused.context["form"].errors == {"quiet_after_days": ["Enter 7 days or more"]}
    assert 'value="5"' in refused.content.decode()
    assert browser.post(address, {"quiet_after_days": "45"}).status_code == 302
    assert SiteEngagementSettings.objects.get(site=site_a).quiet_after_days == 45
    assert "After 45 days" in browser.get(reverse("engagement:settings")).content.decode()

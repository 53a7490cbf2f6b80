"""The service timeline: events from the service's own records, and those managers record."""

import datetime

import pytest
from django.urls import reverse

from linkwork.accounts.models import Role
from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.reports.models import ServiceEvent
from linkwork.reports.scope import scope_for
from linkwork.reports.timeline import Kind, service_timeline
from linkwork.trials import actions as trials
from tests.factories import PathwayFactory, UserFactory
from tests.trials.conftest import spec

pytestmark = pytest.mark.django_db
TIMELINE = reverse("reports:timeline")
NEW = reverse("reports:new_event")


def _form(on: datetime.date, title="Lockdown: telephone support only", **extra):
    return {
        "on_day": on.day,
        "on_month": on.month,
        "on_year": on.year,
        "title": title,
        "description": "All contact by telephone or video.",
        **extra,
    }


def test_pathways_trials_and_coordinators_come_from_their_own_records(
    site_a, site_b, manager, coordinator_a, pathway_a
):
    trial_manager = UserFactory(role=Role.TRIAL_MANAGER)
    PathwayFactory(
        site=site_a,
        name="Mental health crisis team",
        opens_on=datetime.date(2025, 3, 1),
        closes_on=datetime.date(2025, 9, 30),
    )
    PathwayFactory(site=site_b, name="Elsewhere", opens_on=datetime.date(2025, 4, 1))
    coordinator_a.started_on = datetime.date(2025, 1, 6)
    coordinator_a.left_on = datetime.date(2025, 12, 19)
    coordinator_a.save()
    trial = trials.create_trial(spec([site_a], [pathway_a]), by=trial_manager)
    trials.open_trial(trial, by=trial_manager, seed=b"\x00" * 32)
    trial.refresh_from_db()
    events = service_timeline(scope_for(manager), first=datetime.date(2025, 1, 1))
    seen = [(e.on, e.kind, e.title) for e in events]
    assert (
        datetime.date(2025, 3, 1),
        Kind.PATHWAY_OPENED,
        "Pathway opened: Mental health crisis team",
    ) in seen
    assert (
        datetime.date(2025, 9, 30),
        Kind.PATHWAY_CLOSED,
        "Pathway closed: Mental health crisis team",
    ) in seen
    assert (
        datetime.date(2025, 1, 6),
        Kind.COORDINATOR_STARTED,
        f"{coordinator_a} started as a link coordinator",
    ) in seen
    assert (
        datetime.date(2025, 12, 19),
        Kind.COORDINATOR_LEFT,
        f"{coordinator_a} left (last day)",
    ) in seen
    assert any(e.kind == Kind.TRIAL_OPENED for e in events)
    # Another site's pathway is not on this manager's timeline.
    assert not any("Elsewhere" in e.title for e in events)
    assert seen == sorted(seen, key=lambda s: s[0])


def test_a_manager_records_an_event_and_it_is_audited(client_for, manager, site_a):
    response = client_for(manager).post(NEW, _form(datetime.date(2025, 3, 23), sites=[site_a.pk]))
    assert response.status_code == 302
    event = ServiceEvent.objects.get()
    assert (event.on, event.title, list(event.sites.all())) == (
        datetime.date(2025, 3, 23),
        "Lockdown: telephone support only",
        [site_a],
    )
    audit = AuditEvent.objects.get(object_type="reports.serviceevent")
    assert (audit.action, audit.user) == (AuditAction.CREATE, manager)
    page = client_for(manager).get(TIMELINE).content.decode()
    assert "Lockdown: telephone support only" in page


def test_a_form_with_mistakes_keeps_what_was_typed(client_for, manager, site_a):
    response = client_for(manager).post(
        NEW, {"on_day": "31", "on_month": "2", "on_year": "2025", "title": "Lockdown", "sites": []}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select at least one site" in html
    assert "must be a real date" in html
    assert 'value="Lockdown"' in html
    assert not ServiceEvent.objects.exists()


def test_a_manager_cannot_record_for_a_site_they_do_not_manage(client_for, manager, site_a, site_b):
    response = client_for(manager).post(
        NEW, _form(datetime.date(2025, 3, 23), sites=[site_a.pk, site_b.pk])
    )
    assert response.status_code == 200
    assert not ServiceEvent.objects.exists()


def test_changing_and_removing_an_event(client_for, manager, site_a):
    event = ServiceEvent.objects.create(on="2025-03-23", title="Lockdown", created_by=manager)
    event.sites.set([site_a])
    browser = client_for(manager)
    change = reverse("reports:change_event", args=[event.pk])
    assert browser.get(change).status_code == 200
    browser.post(change, _form(datetime.date(2025, 3, 24), title="Lockdown", sites=[site_a.pk]))
    event.refresh_from_db()
    assert event.on == datetime.date(2025, 3, 24)
    changed = AuditEvent.objects.get(action=AuditAction.CHANGE)
    assert changed.fields == ["description", "on"]
    browser.post(reverse("reports:remove_event", args=[event.pk]))
    assert not ServiceEvent.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DELETE).count() == 1


def test_another_sites_manager_cannot_change_or_remove_an_event(
    client_for, manager, manager_b, manager_both, site_a, site_b
):
    event = ServiceEvent.objects.create(on="2025-03-23", title="Lockdown", created_by=manager)
    event.sites.set([site_a])
    both_sites = ServiceEvent.objects.create(on="2025-03-23", title="Both", created_by=manager)
    both_sites.sites.set([site_a, site_b])
    for pk in (event.pk,):
        for name in ("change_event", "remove_event"):
            url = reverse(f"reports:{name}", args=[pk])
            assert client_for(manager_b).get(url).status_code == 404
            assert client_for(manager_b).post(url).status_code == 404
    # An event for two sites is changed only by someone who manages both.
    url = reverse("reports:remove_event", args=[both_sites.pk])
    assert client_for(manager).post(url).status_code == 404
    assert client_for(manager_both).post(url).status_code == 302
    assert ServiceEvent.objects.count() == 1


@pytest.mark.parametrize("who", ["coordinator_a", "researcher"])
def test_only_managers_record_events(client_for, who, request, site_a, manager):
    user = request.getfixturevalue(who)
    assert client_for(user).get(NEW).status_code == 403
    assert (
        client_for(user).post(NEW, _form(datetime.date(2025, 3, 23), sites=[site_a.pk])).status_code
        == 403
    )
    event = ServiceEvent.objects.create(on="2025-03-23", title="Lockdown", created_by=manager)
    event.sites.set([site_a])
    assert client_for(user).get(reverse("reports:change_event", args=[event.pk])).status_code == 404

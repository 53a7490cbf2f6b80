"""The service timeline: every dated change that shaped the service, at the reader's sites.

Managers record their own events (`ServiceEvent`: "lockdown: telephone only"). The rest come from
the records that already hold them, so they can never disagree with them:

- a pathway's opening and closing dates;
- a trial's opening (the day it opened, or its start date if later) and closing;
- a link coordinator's first and last days (`User.started_on`, `User.left_on`).

Time charts mark these events, and every dashboard can compare the periods between two of them.
The research roles see "a link coordinator started", never who.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linkwork.accounts.models import Role, User
from linkwork.core.charts import Marker
from linkwork.referrals.models import Pathway
from linkwork.trials.models import Trial, TrialStatus

from .models import ServiceEvent
from .scope import Scope


class Kind:
    RECORDED = "recorded"
    PATHWAY_OPENED = "pathway_opened"
    PATHWAY_CLOSED = "pathway_closed"
    TRIAL_OPENED = "trial_opened"
    TRIAL_CLOSED = "trial_closed"
    COORDINATOR_STARTED = "coordinator_started"
    COORDINATOR_LEFT = "coordinator_left"


@dataclass(frozen=True)
class TimelineEvent:
    on: datetime.date
    title: str
    kind: str
    sites: tuple[str, ...]
    description: str = ""
    recorded: ServiceEvent | None = field(default=None, compare=False)

    @property
    def marker(self) -> Marker:
        return Marker(self.on, self.title)


def service_timeline(
    scope: Scope,
    *,
    site=None,
    first: datetime.date | None = None,
    last: datetime.date | None = None,
) -> list[TimelineEvent]:
    """The events at the scope's sites (or only `site`), oldest first, between `first` and
    `last` if given. A handful of queries, whatever the length of the history."""
    site_ids = [site.pk] if site is not None else scope.site_ids
    events = [*_recorded(site_ids), *_pathways(site_ids), *_trials(site_ids)]
    events += _coordinators(site_ids, named=scope.names)
    events = [
        e for e in events if (first is None or e.on >= first) and (last is None or e.on <= last)
    ]
    return sorted(events, key=lambda e: (e.on, e.kind != Kind.RECORDED, e.title))


def _recorded(site_ids) -> list[TimelineEvent]:
    recorded = (
        ServiceEvent.objects.filter(sites__in=site_ids)
        .distinct()
        .prefetch_related("sites")
        .order_by("on", "pk")
    )
    return [
        TimelineEvent(
            e.on,
            e.title,
            Kind.RECORDED,
            tuple(sorted(s.name for s in e.sites.all())),
            e.description,
            recorded=e,
        )
        for e in recorded
    ]


def _pathways(site_ids) -> list[TimelineEvent]:
    today = timezone.localdate()
    events = []
    for pathway in Pathway.objects.filter(site__in=site_ids).select_related("site"):
        sites = (pathway.site.name,)
        if pathway.opens_on <= today:
            title = _("Pathway opened: %(name)s") % {"name": pathway.label}
            events.append(TimelineEvent(pathway.opens_on, title, Kind.PATHWAY_OPENED, sites))
        if pathway.closes_on is not None and pathway.closes_on <= today:
            title = _("Pathway closed: %(name)s") % {"name": pathway.label}
            events.append(TimelineEvent(pathway.closes_on, title, Kind.PATHWAY_CLOSED, sites))
    return events


def _trials(site_ids) -> list[TimelineEvent]:
    trials = (
        Trial.objects.filter(sites__in=site_ids, opened_at__isnull=False)
        .exclude(status=TrialStatus.DRAFT)
        .distinct()
        .prefetch_related("sites")
    )
    events = []
    for trial in trials:
        sites = tuple(sorted(s.name for s in trial.sites.all() if s.pk in site_ids))
        opened = max(trial.starts_on, timezone.localdate(trial.opened_at))
        title = _("Trial opened: %(name)s") % {"name": trial.name}
        events.append(TimelineEvent(opened, title, Kind.TRIAL_OPENED, sites))
        if trial.closed_on is not None:
            title = _("Trial closed: %(name)s") % {"name": trial.name}
            events.append(
                TimelineEvent(
                    trial.closed_on, title, Kind.TRIAL_CLOSED, sites, trial.closure_reason
                )
            )
    return events


def _coordinators(site_ids, *, named: bool) -> list[TimelineEvent]:
    coordinators = (
        User.objects.filter(role=Role.COORDINATOR, sites__in=site_ids)
        .filter(Q(started_on__isnull=False) | Q(left_on__isnull=False))
        .distinct()
        .prefetch_related("sites")
    )
    events = []
    for user in coordinators:
        sites = tuple(sorted(s.name for s in user.sites.all() if s.pk in site_ids))
        if user.started_on is not None:
            title = (
                _("%(name)s started as a link coordinator") % {"name": user}
                if named
                else _("A link coordinator started")
            )
            events.append(TimelineEvent(user.started_on, title, Kind.COORDINATOR_STARTED, sites))
        if user.left_on is not None:
            title = (
                _("%(name)s left (last day)") % {"name": user}
                if named
                else _("A link coordinator left")
            )
            events.append(TimelineEvent(user.left_on, title, Kind.COORDINATOR_LEFT, sites))
    return events

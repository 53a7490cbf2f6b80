"""One chronological timeline of everything that happened to a person in the service.

The person's timeline page (`casework:timeline`, linked from the record) shows
`timeline_for(referral)`: a list of `TimelineEntry`, newest first, gathered from every
registered *source*, a page at a time. Casework registers its own sources below (status
changes, including closure and reopening; interim support while waiting; contacts; "what
matters" versions; the support plan and its extensions; goals set, rated, stepped and ended).

Adding a source from another app
--------------------------------

A source is a function that takes the referral and returns an iterable of `TimelineEntry`::

    # linkwork/prescriptions/timeline.py
    from linkwork.casework.timeline import TimelineEntry, register_timeline_source

    @register_timeline_source
    def prescription_updates(referral):
        for update in PrescriptionUpdate.objects.filter(prescription__referral=referral)...:
            yield TimelineEntry(
                when=update.at,                  # a datetime, or a date for whole-day events
                kind="prescription",             # a short, stable code (used for styling)
                title=_("Referred to %(service)s") % {...},   # translated, already formatted
                detail=update.note,              # optional, shown as preformatted text
                who=update.by.display_name,      # optional: who did it ("" if no one)
            )

Register it once, when the app loads, from the app's `AppConfig.ready()`::

    def ready(self):
        from . import timeline  # noqa: F401  (registers the source)

Social prescription updates (`linkwork.prescriptions`) and messages to and from the referrer
(`linkwork.messaging`) are expected to arrive this way.

Rules for a source:

- It runs a fixed number of queries however much it returns (`select_related` what `who`
  needs): the timeline page is tested for a query count that does not grow with the data.
- It returns only what any member of staff allowed to open the record may read.
- Titles and details are strings in the active language (use `gettext`, not the lazy one).
- It must not change anything; it is called on every view of the timeline.

Entries are sorted by `when`, newest first (a date counts as midday of that day); entries with
the same time come in the reverse of their sources' order, then of the order each source gave
them, so that what followed from something shows above it.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from linkwork.referrals.models import InterimContactCorrection, PersonDetailsChange, Referral
from linkwork.referrals.status import ReferralStatus

from .models import (
    Contact,
    ContactNoteCorrection,
    ContactOutcome,
    GoalRating,
    GoalStatus,
    GoalStep,
    PlanExtension,
    SupportPlan,
)


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened: when, what kind of thing, a title, and optionally more."""

    when: datetime.datetime | datetime.date
    kind: str
    title: str
    detail: str = ""
    who: str = ""

    @property
    def all_day(self) -> bool:
        """Recorded as a date only (a goal rating, a step done): show no time."""
        return not isinstance(self.when, datetime.datetime)

    @property
    def sort_key(self) -> datetime.datetime:
        if isinstance(self.when, datetime.datetime):
            return self.when
        return timezone.make_aware(datetime.datetime.combine(self.when, datetime.time(12, 0)))


TimelineSource = Callable[[Referral], Iterable[TimelineEntry]]

_sources: list[TimelineSource] = []


def register_timeline_source(source: TimelineSource) -> TimelineSource:
    """Add a source to every person's timeline. Usable as a decorator; registering the same
    function twice has no effect."""
    if source not in _sources:
        _sources.append(source)
    return source


def timeline_sources() -> tuple[TimelineSource, ...]:
    return tuple(_sources)


def timeline_for(referral: Referral) -> list[TimelineEntry]:
    """Everything that happened to the person, newest first."""
    entries: list[TimelineEntry] = []
    for source in _sources:
        entries.extend(source(referral))
    # Oldest first (same times in the sources' order), then turned round.
    return sorted(entries, key=lambda entry: entry.sort_key)[::-1]


def _name(user) -> str:
    return user.display_name if user is not None else ""


def _corrected(entry) -> str:
    """An entry's note as it reads now and, if corrected, who corrected it, when and why (its
    corrections prefetched newest first). Not what it said before: that is for managers."""
    latest = next(iter(entry.corrections.all()), None)
    if latest is None:
        return entry.note
    mark = _("Corrected on %(date)s by %(name)s: %(reason)s") % {
        "date": timezone.localtime(latest.at).strftime("%d/%m/%Y"),
        "name": _name(latest.by),
        "reason": latest.reason_label,
    }
    return "\n".join(part for part in (entry.note, mark) if part)


# --- Casework's own sources ----------------------------------------------------------------------


@register_timeline_source
def status_changes(referral: Referral) -> Iterable[TimelineEntry]:
    """Each step along the pathway. Closing and reopening are steps too, with their reasons."""
    for change in referral.status_changes.select_related("by"):
        if change.reason == "reopened":
            title = _("Support reopened")
        elif change.from_status == change.to_status == ReferralStatus.ALLOCATED:
            title = _("Re-allocated")
        elif change.to_status == ReferralStatus.CLOSED:
            title = _("Support closed")
        else:
            title = change.get_to_status_display()
        detail = "\n".join(
            part
            for part in (
                _("Reason: %(reason)s") % {"reason": change.reason_label}
                if change.reason and change.reason != "reopened"
                else "",
                change.note,
            )
            if part
        )
        who = _name(change.by) if change.by_id else _("Public self-referral form")
        yield TimelineEntry(change.at, "status", title, detail, who)


@register_timeline_source
def referred_again(referral: Referral) -> Iterable[TimelineEntry]:
    """Referrals for the same person declined as duplicates of this one (at its own site, which
    everyone who may open the record may read): what they said stays with the person."""
    repeats = Referral.objects.filter(duplicate_of=referral, site_id=referral.site_id)
    for repeat in repeats.select_related("referring_organisation").order_by("received_at"):
        source = (
            repeat.referring_organisation.name
            if repeat.referring_organisation_id
            else repeat.referrer_name or repeat.get_received_via_display()
        )
        title = _("Referred again by %(source)s (%(reference)s), linked as a duplicate") % {
            "source": source,
            "reference": repeat.reference,
        }
        yield TimelineEntry(repeat.received_at, "status", title, repeat.needs_detail)


@register_timeline_source
def interim_contacts(referral: Referral) -> Iterable[TimelineEntry]:
    """Support given by phone (or otherwise) while the person waited."""
    corrections = InterimContactCorrection.objects.select_related("by").order_by("-at", "-pk")
    interim = referral.interim_contacts.prefetch_related(Prefetch("corrections", corrections))
    for contact in interim.select_related("by").order_by("at", "pk"):
        title = _("Interim support: %(mode)s") % {"mode": contact.get_mode_display().lower()}
        if contact.minutes:
            title += " " + _("(%(minutes)s minutes)") % {"minutes": contact.minutes}
        who = _name(contact.by)
        if contact.by_volunteer:
            who = _("%(name)s (volunteer)") % {"name": who}
        yield TimelineEntry(contact.at, "interim_contact", title, _corrected(contact), who)


@register_timeline_source
def contacts(referral: Referral) -> Iterable[TimelineEntry]:
    # Contacts booked for later are not history yet: the record lists them as booked.
    happened = Contact.objects.filter(referral=referral).exclude(
        outcome=ContactOutcome.BOOKED, at__gt=timezone.now()
    )
    corrections = ContactNoteCorrection.objects.select_related("by").order_by("-at", "-pk")
    happened = happened.prefetch_related(Prefetch("corrections", queryset=corrections))
    for contact in happened.select_related("by").order_by("at"):
        title = _("%(mode)s: %(outcome)s") % {
            "mode": contact.get_mode_display(),
            "outcome": contact.get_outcome_display().lower(),
        }
        if contact.minutes:
            title += " " + _("(%(minutes)s minutes)") % {"minutes": contact.minutes}
        who = _name(contact.by)
        if contact.volunteer_present:
            who = _("%(name)s, with a volunteer") % {"name": who}
        yield TimelineEntry(contact.at, "contact", title, _corrected(contact), who)


@register_timeline_source
def details_changed(referral: Referral) -> Iterable[TimelineEntry]:
    """Changes to the person's details (decision 0026): which details, who and why. Not the
    values: the record shows what is held now, and what was held before is for managers."""
    changes = PersonDetailsChange.objects.filter(person_id=referral.person_id)
    for change in changes.select_related("by").order_by("at", "pk"):
        yield TimelineEntry(
            change.at,
            "details_changed",
            _("Details changed: %(fields)s") % {"fields": ", ".join(change.field_labels())},
            _("Why: %(reason)s") % {"reason": change.reason_label},
            _name(change.by),
        )


@register_timeline_source
def what_matters(referral: Referral) -> Iterable[TimelineEntry]:
    for version in referral.what_matters.select_related("by").order_by("version"):
        title = (
            _("What matters conversation recorded")
            if version.version == 1
            else _("What matters revisited (version %(version)s)") % {"version": version.version}
        )
        yield TimelineEntry(
            version.at, "what_matters", title, version.what_matters, _name(version.by)
        )


@register_timeline_source
def support_plan(referral: Referral) -> Iterable[TimelineEntry]:
    plan = SupportPlan.objects.filter(referral=referral).first()
    if plan is None:
        return
    # The dates first set: later extensions moved `ends_on`.
    extensions = list(PlanExtension.objects.filter(plan=plan).select_related("by").order_by("at"))
    first_end = extensions[0].previous_end if extensions else plan.ends_on
    yield TimelineEntry(
        plan.created_at,
        "plan",
        _("Support plan set"),
        _("From %(start)s to %(end)s, %(sessions)s sessions planned")
        % {
            "start": plan.starts_on.strftime("%d/%m/%Y"),
            "end": first_end.strftime("%d/%m/%Y"),
            "sessions": plan.planned_sessions,
        },
    )
    for extension in extensions:
        yield TimelineEntry(
            extension.at,
            "plan_extended",
            _("Support extended to %(date)s") % {"date": extension.new_end.strftime("%d/%m/%Y")},
            extension.reason,
            _name(extension.by),
        )


@register_timeline_source
def goals(referral: Referral) -> Iterable[TimelineEntry]:
    """Goals set, rated, their steps done, and how they ended."""
    goal_list = list(referral.goals.select_related("by", "ended_by", "replaced_by"))
    for goal in goal_list:
        yield TimelineEntry(
            goal.started_on,
            "goal_set",
            _("Goal set: %(goal)s") % {"goal": goal.description},
            goal.get_domain_display(),
            _name(goal.by),
        )
    ratings = GoalRating.objects.filter(goal__referral=referral).select_related("goal", "by")
    for rating in ratings:
        yield TimelineEntry(
            rating.rated_on,
            "goal_rated",
            _("Progress %(score)s/10: %(goal)s")
            % {"score": rating.score, "goal": rating.goal.description},
            rating.note,
            _name(rating.by),
        )
    steps = GoalStep.objects.filter(goal__referral=referral, done_on__isnull=False).select_related(
        "goal"
    )
    for step in steps:
        yield TimelineEntry(
            step.done_on,
            "goal_step",
            _("Step done: %(step)s") % {"step": step.description},
            step.goal.description,
        )
    for goal in goal_list:
        if goal.ended_on is None:
            continue
        if goal.status == GoalStatus.CHANGED and goal.replaced_by is not None:
            detail = _("Changed to: %(goal)s") % {"goal": goal.replaced_by.description}
        else:
            detail = ""
        yield TimelineEntry(
            goal.ended_on,
            "goal_ended",
            _("Goal %(outcome)s: %(goal)s")
            % {"outcome": goal.get_status_display().lower(), "goal": goal.description},
            detail,
            _name(goal.ended_by) if goal.ended_by_id else "",
        )

"""Scoped reads of trials and of the people taking part.

The trial team (trial managers and researchers) see the trials they are on; staff see the trials
at their sites. A person's part in a trial is reached through their referral, so someone outside
the user's scope answers 404 as on every page about a person.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from linkwork.accounts.models import Role, User
from linkwork.accounts.permissions import Permission, require
from linkwork.accounts.queries import sites_for
from linkwork.audit.refusals import Refused, visible_or_404
from linkwork.core.days import start_of_day
from linkwork.outcomes.queries import Slot
from linkwork.partners.models import Site
from linkwork.referrals.holds import AllocationHold
from linkwork.referrals.models import Pathway
from linkwork.referrals.queries import referral_for, referrals_for
from linkwork.referrals.status import ReferralStatus

from . import schedule
from .measures import participant_pk_of, trial_slots
from .models import (
    AttendancePeriod,
    AttendanceReport,
    NoteKind,
    Participant,
    ParticipantStatus,
    Trial,
    TrialExport,
    TrialStatus,
    TrialTimepoint,
)


def trials_for(user) -> QuerySet[Trial]:
    if not user.is_authenticated:
        return Trial.objects.none()
    if user.role in (Role.TRIAL_MANAGER, Role.RESEARCHER):
        return Trial.objects.filter(team=user)
    if user.role in (Role.COORDINATOR, Role.MANAGER):
        return Trial.objects.filter(sites__in=sites_for(user)).distinct()
    return Trial.objects.none()


def sites_for_set_up() -> QuerySet[Site]:
    """A trial may run at any of the service's sites."""
    return Site.objects.all()


def pathways_for_set_up() -> QuerySet[Pathway]:
    return Pathway.objects.select_related("site").order_by("site__name", "name")


def recruitment(trial: Trial, *, sites=None) -> list[dict]:
    """Per site: how many were offered the trial, found eligible, consented and randomised to
    each arm (counts only). `sites` limits it to the user's own (None: every site)."""
    return recruitment_of([trial], sites=sites)[trial.pk]


def recruitment_of(trials, *, sites=None) -> dict[int, list[dict]]:
    """`recruitment` for each of these trials, in one grouped query however many there are
    (their sites and arms are best prefetched: `prefetch_related("sites", "arms")`)."""
    trials = list(trials)
    rows = (
        Participant.objects.filter(trial__in=trials)
        .values("trial_id", "referral__site_id", "status", "arm_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    if sites is not None:
        rows = rows.filter(referral__site__in=sites)
    tables, arms_of = {}, {}
    for trial in trials:
        arms_of[trial.pk] = arms = list(trial.arms.all())
        tables[trial.pk] = {
            site.pk: {
                "site": site,
                "offered": 0,
                "eligible": 0,
                "randomised": 0,
                "arms": {arm.pk: 0 for arm in arms},
            }
            for site in trial.sites.all()
            if sites is None or site in sites
        }
    for row in rows:
        entry = tables[row["trial_id"]].get(row["referral__site_id"])
        if entry is None:
            continue
        entry["offered"] += row["n"]
        if row["status"] != ParticipantStatus.INELIGIBLE:
            entry["eligible"] += row["n"]
        if row["status"] == ParticipantStatus.RANDOMISED:
            entry["randomised"] += row["n"]
            entry["arms"][row["arm_id"]] += row["n"]
    for pk, table in tables.items():
        for entry in table.values():
            entry["arm_counts"] = [entry["arms"][arm.pk] for arm in arms_of[pk]]
    return {pk: list(table.values()) for pk, table in tables.items()}


def trial_for(user, pk: int, permission: Permission) -> Trial:
    """The trial `pk`, if the user may see it and has `permission` on it; 404 otherwise."""
    trial = get_object_or_404(trials_for(user), pk=pk)
    require(user, permission, trial)
    return trial


def participant_for(user, pk: int, permission: Permission) -> Participant:
    """A person's part in a trial, reached through their referral (`permission` is checked on
    the referral): 404 for anyone outside the user's scope."""
    participant = visible_or_404(
        Participant.objects.select_related("trial", "arm", "stratum"),
        pk=pk,
        person="referral__person_id",
    )
    try:
        participant.referral = referral_for(user, participant.referral_id, permission)
    except Refused as refused:
        raise refused.naming(participant) from None
    return participant


def team_of(trial: Trial) -> QuerySet:
    return trial.team.order_by("role", "first_name", "last_name")


def team_candidates(trial: Trial) -> QuerySet:
    """Trial managers and researchers not yet on the team."""
    return (
        User.objects.filter(role__in=(Role.TRIAL_MANAGER, Role.RESEARCHER), is_active=True)
        .exclude(pk__in=trial.team.values("pk"))
        .order_by("first_name", "last_name")
    )


def team_member(trial: Trial, pk: int):
    return get_object_or_404(trial.team.all(), pk=pk)


def exports_of(trial: Trial) -> QuerySet[TrialExport]:
    """The trial's exports, newest first, without their files."""
    return trial.exports.defer("content").select_related("requested_by")


def export_of(trial: Trial, pk: int) -> TrialExport:
    """One of the trial's exports, without its file (404 if the trial has no such export)."""
    return get_object_or_404(exports_of(trial), pk=pk)


def trial_for_offer(referral, pk: int) -> Trial:
    """A trial at the person's site (404 otherwise): whether it may be offered to them is for
    `actions.offer_problems` to say."""
    return get_object_or_404(Trial.objects.filter(sites=referral.site_id), pk=pk)


def open_trials_for(referral) -> list[Trial]:
    """Open trials this person's site and pathway take part in."""
    return list(
        Trial.objects.filter(
            status=TrialStatus.OPEN, sites=referral.site_id, pathways=referral.pathway_id
        )
    )


def participations_of(referral) -> list[Participant]:
    return list(
        Participant.objects.filter(referral=referral)
        .select_related("trial", "arm")
        .order_by("screened_at")
    )


def participants_in(trial: Trial, ids, *, sites=None) -> QuerySet[Participant]:
    """Some of the trial's participants (the people behind a count). With `sites`, only those
    at these sites, with who they are (for staff there); without, for the trial team, whose
    pages show pseudonyms only."""
    found = Participant.objects.filter(trial=trial, pk__in=list(ids)).select_related(
        "arm", "stratum"
    )
    if sites is not None:
        found = found.filter(referral__site__in=sites).select_related(
            "referral__person", "referral__site"
        )
    return found.order_by("screened_at", "pk")


def attendance_completeness(trial: Trial, *, sites=None) -> list[dict]:
    """Per GP practice (the one that referred the person; "not known" otherwise): how many
    randomised participants consented to GP attendance data, how many periods were expected
    (before, during and after support: three each) and how many have been received."""
    consenting = Participant.objects.filter(
        trial=trial, status=ParticipantStatus.RANDOMISED, gp_data_consent=True
    )
    if sites is not None:
        consenting = consenting.filter(referral__site__in=sites)
    people = consenting.values("pk", "referral__referring_organisation__name")
    received = dict(
        AttendanceReport.objects.filter(participant__in=consenting)
        .values("participant_id")
        .annotate(n=Count("pk"))
        .values_list("participant_id", "n")
    )
    periods = len(AttendancePeriod.values)
    practices: dict[str, dict] = {}
    for person in people:
        name = person["referral__referring_organisation__name"] or _("Practice not known")
        row = practices.setdefault(
            name, {"practice": name, "participants": 0, "expected": 0, "received": 0}
        )
        row["participants"] += 1
        row["expected"] += periods
        row["received"] += received.get(person["pk"], 0)
    for row in practices.values():
        row["percent"] = round(100 * row["received"] / row["expected"]) if row["expected"] else 0
    return sorted(practices.values(), key=lambda r: (r["percent"], r["practice"]))


# --- Holds on allocation (registered with referrals.holds) ---------------------------------------


def _short(day: datetime.date) -> str:
    return date_format(day, "j M Y")


def holds_for_referrals(referrals: list) -> dict[int, AllocationHold]:
    """Who a trial keeps on the waiting list, in three queries for any number of people:

    - while a trial is open, someone on a participating pathway at a trial site, until they
      have been offered it and found ineligible, declined, or been randomised;
    - someone randomised to an arm with a delay, until the delay has passed, unless a deviation
      let them start early, a manager released them after the trial closed, or they withdrew.
    """
    waiting = [r for r in referrals if r.status == ReferralStatus.WAITING]
    if not waiting:
        return {}
    ids = [r.pk for r in waiting]
    today = timezone.localdate()
    participations: dict[int, list[Participant]] = {}
    for participant in (
        Participant.objects.filter(referral_id__in=ids)
        .filter(
            Q(trial__status=TrialStatus.OPEN)
            | Q(status=ParticipantStatus.RANDOMISED, not_before__gt=today)
        )
        .select_related("trial")
        .prefetch_related("notes")
    ):
        participations.setdefault(participant.referral_id, []).append(participant)
    trials = list(
        Trial.objects.filter(status=TrialStatus.OPEN).prefetch_related("sites", "pathways")
    )
    holds = {}
    for referral in waiting:
        mine = participations.get(referral.pk, [])
        hold = _delay_hold(referral, mine, today) or _enrolment_hold(referral, mine, trials)
        if hold is not None:
            holds[referral.pk] = hold
    return holds


def _delay_hold(referral, participants, today) -> AllocationHold | None:
    for participant in participants:
        if (
            participant.status != ParticipantStatus.RANDOMISED
            or participant.not_before is None
            or participant.not_before <= today
            or participant.withdrawn_on is not None
            or any(
                note.kind in (NoteKind.EARLY_START, NoteKind.RELEASED)
                for note in participant.notes.all()
            )
        ):
            continue
        day = _short(participant.not_before)
        return AllocationHold(
            label=_("Trial: not before %(date)s") % {"date": day},
            message=_(
                "%(trial)s: this person was randomised to wait. Support may not start before "
                "%(date)s unless a protocol deviation is recorded."
            )
            % {"trial": participant.trial.name, "date": day},
            not_before=participant.not_before,
            url=reverse("trials:participant", args=[participant.pk]),
            link_text=_("See their part in the trial"),
        )
    return None


def _enrolment_hold(referral, participants, trials) -> AllocationHold | None:
    offered = {p.trial_id: p for p in participants}
    for trial in trials:
        if not any(s.pk == referral.site_id for s in trial.sites.all()) or not any(
            p.pk == referral.pathway_id for p in trial.pathways.all()
        ):
            continue
        participant = offered.get(trial.pk)
        if participant is None:
            return AllocationHold(
                label=_("Trial: offer it first"),
                message=_(
                    "%(trial)s is open on this person's pathway: offer them the trial before "
                    "allocating them."
                )
                % {"trial": trial.name},
                url=reverse("trials:offer", args=[referral.pk, trial.pk]),
                link_text=_("Offer the trial"),
            )
        if participant.status in (ParticipantStatus.ELIGIBLE, ParticipantStatus.CONSENTED):
            return AllocationHold(
                label=_("Trial: enrolment not finished"),
                message=_(
                    "%(trial)s: finish enrolling this person (consent, baseline and "
                    "randomisation), or record that they declined, before allocating them."
                )
                % {"trial": trial.name},
                url=reverse("trials:participant", args=[participant.pk]),
                link_text=_("Continue enrolment"),
            )
    return None


# --- Trial measures of people still waiting -------------------------------------------------------


def _randomised_when_a_measure_may_be_due(today: datetime.date) -> Q | None:
    """Participants randomised on a day for which one of their trial's time points can be
    collected today (`schedule.randomised_between`), a day wider each side for the time zone:
    `schedule` decides. None: no trial has time points."""
    weeks: dict[int, list[int]] = {}
    for trial_id, week in TrialTimepoint.objects.values_list("trial_id", "weeks"):
        weeks.setdefault(trial_id, []).append(week)
    found = None
    for trial_id, its_weeks in weeks.items():
        earliest, latest = schedule.randomised_between(its_weeks, today)
        span = Q(
            trial_id=trial_id,
            randomised_at__gte=start_of_day(earliest - ONE_DAY),
            randomised_at__lt=start_of_day(latest + 2 * ONE_DAY),
        )
        found = span if found is None else found | span
    return found


ONE_DAY = datetime.timedelta(days=1)


@dataclass
class DueLine:
    """One person's trial measures due at one time point (`trial_measures_due_while_waiting`)."""

    slot: Slot
    participant_pk: int
    instruments: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Their trial page, where the measures are recorded (worked out only for the lines
        shown)."""
        return reverse("trials:participant", args=[self.participant_pk])


def trial_measures_due_while_waiting(user, *, today: datetime.date | None = None) -> list[DueLine]:
    """Trial measures due or overdue for participants still on the waiting list at the user's
    sites (randomised to wait, or not allocated yet): nobody's caseload chases them, so the
    managers' home page does. One line per person and time point, overdue first, then by date,
    each with the instruments and a link to the person's trial page (where they are recorded).
    Five queries however many people wait; only those randomised when one of their trial's
    time points can be due are read."""
    today = today or timezone.localdate()
    may_be_due = _randomised_when_a_measure_may_be_due(today)
    if may_be_due is None:
        return []
    # Of each referral, only what the lines show: the person's name.
    waiting = list(
        referrals_for(user)
        .filter(
            status=ReferralStatus.WAITING,
            pk__in=Participant.objects.filter(
                may_be_due, status=ParticipantStatus.RANDOMISED
            ).values("referral_id"),
        )
        .select_related(None)
        .select_related("person")
        .only("site", "status", "person", "person__given_name", "person__family_name")
    )
    due = [
        slot for slots in trial_slots(waiting, today).values() for slot in slots if slot.collectable
    ]
    due.sort(key=lambda s: (s.state != schedule.OVERDUE, s.due_by, s.referral.pk, s.key))
    lines: dict[tuple[int, str], DueLine] = {}
    for slot in due:
        participant_pk = participant_pk_of(slot)
        line = lines.setdefault((participant_pk, slot.label), DueLine(slot, participant_pk))
        line.instruments.append(slot.instrument.short_name)
    return list(lines.values())

"""The demo's history (`linkwork.demo.history`): the stories a manager should be able to read
from the reports, checked with plain queries on the loaded demo.

Loading the demo takes a while, so it is loaded once for this module (and wiped after it)."""

import datetime
import statistics
from collections import Counter, defaultdict

import pytest
from django.db.models import Min
from django.utils import timezone

from linkwork.accounts.models import Role, User
from linkwork.casework.models import (
    ClientFeedback,
    Closure,
    Contact,
    ContactMode,
    ContactOutcome,
    Goal,
    GoalStatus,
    PlanExtension,
    PreferredMode,
    SupportPlan,
)
from linkwork.demo.history import history_referrals
from linkwork.demo.service import load, wipe
from linkwork.outcomes.instruments import get_instrument, reliable_change
from linkwork.outcomes.instruments.change import DETERIORATED, IMPROVED, NO_RELIABLE_CHANGE
from linkwork.outcomes.models import Measure, Timepoint
from linkwork.partners.models import SourceType
from linkwork.prescriptions.models import SocialPrescription
from linkwork.prescriptions.status import FINAL_STATUSES
from linkwork.referrals.models import Allocation, InterimContact, Pathway, Referral, StatusChange
from linkwork.referrals.status import TRANSITIONS, DeclineReason, ReferralStatus
from linkwork.reports.models import ServiceEvent

pytestmark = pytest.mark.django_db

S = ReferralStatus
REMOTE = (ContactMode.TELEPHONE, ContactMode.VIDEO)

# What the rest of the demo leaves at each site today, which the history must not change.
TODAY_AT = {
    "powys": {S.RECEIVED: 4, S.INFORMATION_REQUESTED: 2, S.WAITING: 6, S.ALLOCATED: 9,
              S.DECLINED: 4, S.WITHDRAWN: 1, S.CLOSED: 3},
    "rhondda": {S.RECEIVED: 3, S.INFORMATION_REQUESTED: 1, S.WAITING: 8, S.ALLOCATED: 18,
                S.DECLINED: 3, S.WITHDRAWN: 2, S.CLOSED: 46},
}  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load()
    yield
    with django_db_blocker.unblock():
        wipe()


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


def month(day: datetime.date) -> tuple[int, int]:
    return day.year, day.month


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=5)).replace(day=1)


def full_months(start: datetime.date, end: datetime.date) -> list[tuple[int, int]]:
    """The calendar months wholly from `start` up to (not including) `end`."""
    day = start if start.day == 1 else next_month(start)
    months = []
    while next_month(day) <= end:
        months.append(month(day))
        day = next_month(day)
    return months


def waits(referrals) -> list[int]:
    """Days from acceptance to the first contact of support, for those who had one."""
    first = dict(
        Contact.objects.values("referral_id")
        .annotate(first=Min("at"))
        .values_list("referral_id", "first")
    )
    return [(first[r.pk] - r.accepted_at).days for r in referrals if r.pk in first]


def accepted_between(site: str | None, start: datetime.date, end: datetime.date):
    referrals = Referral.objects.filter(accepted_at__isnull=False)
    if site:
        referrals = referrals.filter(site__slug=site)
    return [r for r in referrals if start <= timezone.localdate(r.accepted_at) < end]


# --- Everything it adds is finished, and today is as the rest of the demo left it ---------------


def test_a_history_of_finished_cases_that_leaves_today_alone():
    history = history_referrals()
    assert 120 <= history.count() <= 700
    assert set(history.values_list("status", flat=True)) == {S.CLOSED, S.DECLINED, S.WITHDRAWN}
    assert not Allocation.objects.filter(referral__in=history, ended_at__isnull=True).exists()
    for slug, statuses in TODAY_AT.items():
        others = Referral.objects.filter(site__slug=slug).exclude(pk__in=history)
        assert Counter(others.values_list("status", flat=True)) == statuses, slug
    # Both sites, across the months since the first pathways opened.
    first = min(Pathway.objects.values_list("opens_on", flat=True))
    received = [timezone.localdate(r.received_at) for r in history]
    assert min(received) < first + datetime.timedelta(days=45)
    assert max(received) > days_ago(30)
    assert {"powys", "rhondda"} == set(history.values_list("site__slug", flat=True))


def test_every_referral_moved_along_the_pathway_one_allowed_step_at_a_time():
    changes = defaultdict(list)
    for change in StatusChange.objects.order_by("pk"):
        changes[change.referral_id].append(change)
    for referral in Referral.objects.all():
        steps = changes[referral.pk]
        assert steps[0].from_status == "" and steps[0].to_status == S.RECEIVED
        assert steps[0].at == referral.received_at
        for before, after in zip(steps, steps[1:], strict=False):
            assert after.from_status == before.to_status, referral
            assert after.to_status in TRANSITIONS[before.to_status], referral
            assert after.at >= before.at, referral
        assert steps[-1].to_status == referral.status
        accepted = [s.at for s in steps if s.to_status == S.ACCEPTED]
        assert accepted[-1:] == ([referral.accepted_at] if referral.accepted_at else [])
        if referral.status == S.DECLINED:
            assert steps[-1].reason == referral.decline_reason
    for referral in history_referrals().filter(decline_reason=DeclineReason.NEEDS_ABOVE_REMIT):
        assert referral.redirected_to


def test_referrals_come_through_pathways_open_that_day_from_organisations_they_allow():
    pathways = {
        p.pk: (p, set(p.organisations.values_list("pk", flat=True))) for p in Pathway.objects.all()
    }
    for referral in history_referrals():
        pathway, allowed = pathways[referral.pathway_id]
        assert pathway.is_open_on(timezone.localdate(referral.received_at)), referral
        assert pathway.site_id == referral.site_id
        if pathway.source_type == SourceType.SELF_REFERRAL:
            assert referral.referring_organisation_id is None
        else:
            assert referral.referring_organisation.source_type == pathway.source_type
            assert not allowed or referral.referring_organisation_id in allowed
        if pathway.frequent_attender_required:
            assert referral.frequent_attender


def test_contacts_fall_inside_an_allocation_and_caseloads_within_caps():
    allocations = defaultdict(list)
    for allocation in Allocation.objects.all():
        allocations[allocation.referral_id].append(allocation)
    for contact in Contact.objects.filter(referral__in=history_referrals()):
        assert any(
            a.started_at <= contact.at <= a.ended_at for a in allocations[contact.referral_id]
        ), contact
    # Coordinators hold people only while they work here, and (but for the trial's people,
    # whom the trial allocated as it randomised them) never more than their cap.
    trial_people = set(
        Referral.objects.filter(trial_participations__isnull=False).values_list("pk", flat=True)
    )
    for coordinator in User.objects.filter(role=Role.COORDINATOR):
        spans = []
        for allocation in coordinator.allocations.all():
            started = timezone.localdate(allocation.started_at)
            ended = timezone.localdate(allocation.ended_at) if allocation.ended_at else today()
            assert coordinator.started_on <= started
            assert coordinator.left_on is None or ended <= coordinator.left_on
            if allocation.referral_id not in trial_people:
                spans.append((started, ended))
        for start, _end in spans:
            assert sum(1 for s, e in spans if s <= start < e) <= coordinator.caseload_cap


# --- 1. Referrals when the crisis team pathway opened --------------------------------------------


def test_the_crisis_team_pathway_brings_more_referrals_many_above_the_remit():
    for pathway in Pathway.objects.filter(source_type=SourceType.CRISIS_TEAM):
        theirs = Referral.objects.filter(pathway=pathway)
        received = Counter(month(timezone.localdate(r.received_at)) for r in theirs)
        after = full_months(pathway.opens_on, today())
        assert len(after) >= 3
        assert all(received[m] >= 2 for m in after), (pathway, received)
        assert statistics.mean(received[m] for m in after) >= 4
        # Referrals a month at the site, before and after.
        at_site = Counter(
            month(timezone.localdate(r.received_at))
            for r in Referral.objects.filter(site=pathway.site)
        )
        before = full_months(pathway.opens_on - datetime.timedelta(days=92), pathway.opens_on)
        assert statistics.mean(at_site[m] for m in after[:3]) >= 1.4 * statistics.mean(
            at_site[m] for m in before
        ), pathway

    def redirected(source_type) -> float:
        referrals = Referral.objects.filter(pathway__source_type=source_type)
        above = referrals.filter(decline_reason=DeclineReason.NEEDS_ABOVE_REMIT).count()
        return above / referrals.count()

    assert redirected(SourceType.CRISIS_TEAM) >= 0.2
    assert redirected(SourceType.CRISIS_TEAM) >= 4 * redirected(SourceType.GP_PRACTICE)


# --- 2. How long people waited --------------------------------------------------------------------


def test_waits_lengthen_after_the_crisis_pathway_and_fall_once_the_third_coordinator_is_in():
    opened = dict(
        Pathway.objects.filter(source_type=SourceType.CRISIS_TEAM).values_list(
            "site__slug", "opens_on"
        )
    )
    start = days_ago(400)
    # Powys, with its one coordinator: about two or three weeks before, six or more after.
    before = waits(accepted_between("powys", start, opened["powys"]))
    after = waits(accepted_between("powys", opened["powys"], today()))
    assert len(before) >= 10 and len(after) >= 5
    assert statistics.median(before) <= 28
    assert statistics.median(after) >= 35
    assert statistics.median(after) >= 1.5 * statistics.median(before)
    # Across the service, from when the first crisis pathway opened.
    first = min(opened.values())
    assert statistics.median(waits(accepted_between(None, first, today()))) > statistics.median(
        waits(accepted_between(None, start, first))
    )
    # Rhondda: long once its crisis pathway opened, shorter once Rhys had finished induction.
    rhys = User.objects.get(username="coordinator3")
    inducted = rhys.started_on + datetime.timedelta(days=42)
    crunch = waits(accepted_between("rhondda", opened["rhondda"], inducted))
    later = waits(accepted_between("rhondda", inducted, inducted + datetime.timedelta(days=60)))
    assert len(crunch) >= 5 and len(later) >= 3
    assert statistics.median(later) < statistics.median(crunch)
    # Staff: Rhys started a few months ago, the others with the service; Lowri has left.
    assert days_ago(160) <= rhys.started_on <= days_ago(85)
    for username in ("coordinator", "coordinator2"):
        assert User.objects.get(username=username).started_on <= days_ago(330)
    lowri = User.objects.get(role=Role.COORDINATOR, is_active=False)
    assert lowri.left_on < today() and lowri.allocations.exists()


def test_people_waiting_get_check_in_calls_and_some_give_up():
    history = history_referrals()
    calls = InterimContact.objects.filter(referral__in=history)
    assert calls.filter(by_volunteer=True).count() >= 5
    assert calls.filter(by_volunteer=False).count() >= 5
    for call in calls.select_related("referral"):
        assert call.at > call.referral.accepted_at
        ended = call.referral.status_changes.filter(from_status=S.WAITING).first()
        assert call.at < ended.at
    withdrawn = StatusChange.objects.filter(
        referral__in=history, from_status=S.WAITING, to_status=S.WITHDRAWN
    )
    assert 3 <= withdrawn.count() <= 0.35 * history.filter(accepted_at__isnull=False).count()


def test_the_timeline_has_the_services_own_events():
    titles = {e.title: e for e in ServiceEvent.objects.prefetch_related("sites")}
    lockdown = titles["Lockdown: telephone support only"]
    eased = titles["Restrictions eased: face to face again alongside telephone"]
    widened = titles["Frequent-attender rule dropped for GP referrals"]
    assert lockdown.on < eased.on
    assert {s.slug for s in lockdown.sites.all()} == {"powys", "rhondda"}
    assert widened.on in set(
        Pathway.objects.filter(source_type=SourceType.GP_PRACTICE).values_list(
            "opens_on", flat=True
        )
    )
    rhondda_list = [t for t in titles if t.startswith("Waiting list over")]
    assert rhondda_list
    assert titles[rhondda_list[0]].on < User.objects.get(username="coordinator3").started_on
    assert all(e.created_by.username == "manager" for e in titles.values())


# --- 3. Contact modes in lockdown ----------------------------------------------------------------


def test_contacts_are_by_telephone_or_video_in_lockdown_and_face_to_face_before():
    events = {e.title: e.on for e in ServiceEvent.objects.all()}
    lockdown = events["Lockdown: telephone support only"]
    eased = events["Restrictions eased: face to face again alongside telephone"]
    modes = defaultdict(Counter)
    for contact in Contact.objects.exclude(outcome=ContactOutcome.BOOKED):
        modes[month(timezone.localdate(contact.at))][contact.mode] += 1

    def remote(months) -> float:
        counts = sum((modes[m] for m in months), Counter())
        return sum(counts[m] for m in REMOTE) / sum(counts.values())

    during = full_months(lockdown, eased)
    assert during
    assert remote(during) > 0.8
    first = min(modes)
    assert remote([m for m in modes if first <= m < month(lockdown)]) < 0.3
    after = [m for m in modes if m > month(eased)]
    assert 0.25 < remote(after) < 0.7


# --- 4. Wellbeing -------------------------------------------------------------------------------


def test_wellbeing_improves_on_average_with_reliable_change_both_ways():
    changes, verdicts = [], Counter()
    for referral in Referral.objects.filter(status=S.CLOSED):
        found = {
            m.timepoint: m
            for m in referral.measures.filter(
                instrument="swemwbs", timepoint__in=[Timepoint.BASELINE, Timepoint.END]
            )
        }
        if len(found) == 2:
            baseline, end = found[Timepoint.BASELINE], found[Timepoint.END]
            changes.append(float(end.total - baseline.total))
            verdicts[reliable_change("swemwbs", baseline.total, end.total).direction] += 1
    assert len(changes) >= 40
    assert 1.5 <= statistics.mean(changes) <= 4.0
    assert verdicts[NO_RELIABLE_CHANGE] + verdicts[IMPROVED] >= 0.85 * len(changes)
    assert verdicts[IMPROVED] >= 5 and verdicts[DETERIORATED] >= 1
    # Scored as the instruments score them; follow-up for some.
    history = history_referrals()
    for measure in Measure.objects.filter(referral__in=history):
        score = get_instrument(measure.instrument).score(measure.answers)
        assert measure.total == score.total and measure.raw == score.raw
        assert "phq9_item9" not in measure.flags  # not without its safeguarding prompt
    assert Measure.objects.filter(referral__in=history, timepoint=Timepoint.FOLLOW_UP).count() >= 5


# --- 5. Practices that have stopped referring, and the one that refers ---------------------------


def test_one_practice_stopped_referring_and_one_sends_most():
    gp = Referral.objects.filter(pathway__source_type=SourceType.GP_PRACTICE)
    by_practice = Counter(gp.values_list("referring_organisation__name", flat=True))
    last = {
        name: max(
            timezone.localdate(r.received_at) for r in gp.filter(referring_organisation__name=name)
        )
        for name in by_practice
    }
    stopped = [name for name, n in by_practice.items() if n >= 8 and last[name] < days_ago(60)]
    assert stopped
    (_top, most), (_second, next_most) = by_practice.most_common(2)
    assert most >= 0.4 * gp.count() and most >= 1.5 * next_most


# --- The other figures ---------------------------------------------------------------------------


def test_the_rest_of_the_service_has_something_to_show():
    history = history_referrals()
    declined = Referral.objects.filter(status=S.DECLINED)
    assert set(declined.values_list("decline_reason", flat=True)) == set(DeclineReason)
    reasons = set(declined.filter(pk__in=history).values_list("decline_reason", flat=True))
    assert len(reasons) >= len(DeclineReason) - 1
    # Information requested, answered, then accepted.
    asked = StatusChange.objects.filter(
        referral__in=history, from_status=S.INFORMATION_REQUESTED, to_status=S.RECEIVED
    ).values_list("referral_id", flat=True)
    assert history.filter(pk__in=asked, accepted_at__isnull=False).exists()
    # Contacts: weekly to fortnightly, about one in ten missed.
    contacts = Contact.objects.filter(referral__in=history)
    missed = contacts.filter(outcome=ContactOutcome.DID_NOT_ATTEND).count() / contacts.count()
    assert 0.05 <= missed <= 0.16
    closed = history.filter(status=S.CLOSED)
    per_person = contacts.count() / closed.count()
    assert 4 <= per_person <= 14
    # Twelve-week plans, a few extended with a reason.
    extensions = PlanExtension.objects.filter(plan__referral__in=history)
    assert 2 <= extensions.count() <= 0.3 * closed.count()
    assert all(e.reason for e in extensions)
    for plan in SupportPlan.objects.filter(referral__in=history).prefetch_related("extensions"):
        assert (plan.ends_on - plan.starts_on).days == 84 or plan.extensions.all()
    goals = Goal.objects.filter(referral__in=history)
    assert {GoalStatus.ACHIEVED, GoalStatus.PARTLY_ACHIEVED, GoalStatus.NOT_ACHIEVED,
            GoalStatus.CHANGED} <= set(goals.values_list("status", flat=True))  # fmt: skip
    assert not goals.filter(status=GoalStatus.ACTIVE).exists()
    assert goals.filter(ratings__isnull=False).distinct().count() >= 0.5 * goals.count()
    prescriptions = SocialPrescription.objects.filter(referral__in=history)
    assert prescriptions.count() >= 10
    assert set(prescriptions.values_list("status", flat=True)) <= FINAL_STATUSES
    feedback = ClientFeedback.objects.filter(referral__in=history)
    assert set(feedback.values_list("preferred_mode", flat=True)) == set(PreferredMode)
    assert {c.reason for c in Closure.objects.filter(referral__in=history)} >= {
        "goals_achieved",
        "person_chose_to_end",
        "disengaged",
    }
    # Who they are: adults of all ages, where each site is, more frequent attenders while
    # only they could be referred.
    people = history.select_related("person", "site")
    ages = [r.person.age_on(timezone.localdate(r.received_at)) for r in people]
    assert min(ages) < 30 and max(ages) > 70
    for referral in people:
        district = referral.person.postcode.split()[0]
        assert district[:2] in ({"LD", "SY"} if referral.site.slug == "powys" else {"CF"})
    frequent = history.filter(pathway__frequent_attender_required=False)
    assert frequent.filter(frequent_attender=True).count() < 0.5 * frequent.count()
    assert (
        history.filter(frequent_attender=True).count()
        > frequent.filter(frequent_attender=True).count()
    )

"""The demo's research trials, as the service in the evaluation report ran them.

- At the Rhondda site, a waitlist trial on the frequent-attender pathways (GP practices and the
  ambulance service) ran for four months from eleven months ago, and was closed "for COVID-19"
  when all non-COVID research stopped. It has everything a CONSORT diagram needs: people not
  eligible and people who declined (coded), people consented but not randomised when it closed,
  both arms with support received or not, a withdrawal, losses to follow-up, support ended
  early, a protocol deviation and an early start, and GP attendance counts from the practices
  (one sends them, the other mostly does not).
- At the Powys site, a second trial opened seven weeks ago on its GP and ambulance pathways.
  Three people have been randomised, one is waiting to give consent, and everyone else on those
  pathways' waiting list is waiting to be offered it: a coordinator can enrol someone. The two
  randomised to wait are still on the waiting list, with their 4-week trial measures due.

Everything goes through the real actions (`trials.actions`, `referrals.actions`,
`casework.actions`, `outcomes.actions`), back-dated as the rest of the demo is. The allocation
lists come from fixed seeds, so the demo is the same on every load; a real trial's seed always
comes from `secrets`.
"""

import datetime
import hashlib
import random

from django.db.models import QuerySet
from django.utils import timezone

from linkwork.audit.guard import suspended
from linkwork.casework import actions as casework
from linkwork.casework.models import ClosureReason
from linkwork.demo.outcomes import swemwbs_answers
from linkwork.outcomes import actions as outcomes
from linkwork.partners.models import SourceType
from linkwork.referrals import actions as referrals
from linkwork.referrals.models import Allocation, Pathway, Referral
from linkwork.referrals.status import ReferralStatus, WithdrawalReason
from linkwork.trials import actions
from linkwork.trials.models import (
    AllocationNote,
    AllocationSeed,
    AllocationSlot,
    Arm,
    AttendancePeriod,
    AttendanceReport,
    ConsentItem,
    DataKept,
    EligibilityCriterion,
    IneligibleOther,
    NoteKind,
    Participant,
    Stratum,
    Trial,
    TrialDocument,
    TrialTimepoint,
)
from linkwork.trials.models import WithdrawalReason as TrialWithdrawal

# Children before parents, for `demo.service.wipe`.
TRIAL_MODELS = (
    AttendanceReport,
    AllocationNote,
    AllocationSlot,
    Participant,
    Stratum,
    AllocationSeed,
    ConsentItem,
    TrialDocument,
    EligibilityCriterion,
    TrialTimepoint,
    Arm,
    Trial,
)

SEED = 3110  # this module's own generator

CRITERIA = (
    "Aged 18 or over",
    "Mild to moderate mental health problems (not in the care of secondary mental health services)",
    "A frequent attender at their GP practice or a frequent caller to the ambulance service",
    "Able to take part in English or Welsh",
)
CONSENT_ITEMS = (
    ("I have read and understood the participant information sheet, and had the chance to ask "
     "questions.", True, False),
    ("I understand that taking part is voluntary and that I can withdraw at any time without "
     "my care being affected.", True, False),
    ("I understand that I may be asked to wait four weeks before my support starts.", True,
     False),
    ("I agree to take part in the study.", True, False),
    ("I agree that my GP practice may tell the research team how often I attended the "
     "practice before, during and after my support.", False, True),
    ("I agree to be contacted about future research.", False, False),
)  # fmt: skip

CLOSURE_SUMMARIES = {
    ClosureReason.GOALS_ACHIEVED: "Twelve weeks of support; goals met. Knows how to come back.",
    ClosureReason.DISENGAGED: "No reply to three calls and a letter. Closed, with a letter "
    "explaining how to come back.",
}

COVID = (
    "Closed for COVID-19. The sponsor and the health board stopped all research not about "
    "COVID-19. Nobody else will be enrolled; people already randomised stay on their path."
)


def _seed(name: str) -> bytes:
    return hashlib.sha256(f"linkwork-demo-trial:{name}".encode()).digest()


class TrialStory:
    def __init__(self, demo):
        self.demo = demo
        self.rng = random.Random(SEED)
        self.manager = demo.users["manager"]
        self.trial_manager = demo.users["trialmanager"]
        self.researcher = demo.users["researcher"]
        self.taken: list[tuple] = []  # (coordinator id, from, to): people in the story, by day

    def at(self, days_ago: int, hour: int = 10) -> datetime.datetime:
        return self.demo.at_day(self.day(days_ago)).replace(hour=hour)

    def day(self, days_ago: int) -> datetime.date:
        return self.demo.today - datetime.timedelta(days=days_ago)

    def pathways(self, site: str) -> list[Pathway]:
        return [
            p
            for p in self.demo.pathways
            if p.site.slug == site
            and p.source_type in (SourceType.GP_PRACTICE, SourceType.AMBULANCE)
        ]

    # --- Set-up -------------------------------------------------------------------------------

    def set_up(self, *, name, registration, site, pathways, opened, ends, seed, stratify_by=()):
        spec = actions.TrialSpec(
            name=name,
            registration=registration,
            sites=[self.demo.sites[site]],
            pathways=pathways,
            starts_on=self.day(opened),
            ends_on=self.day(ends),
            stratify_by=list(stratify_by),
            instruments=["swemwbs"],
            primary_instrument="swemwbs",
            timepoints=[4, 12],
            primary_weeks=12,
            criteria=list(CRITERIA),
            consent_items=list(CONSENT_ITEMS),
            information_sheet=("2.1", self.day(opened + 40)),
            consent_form=("2.0", self.day(opened + 40)),
        )
        with self.demo.as_of(self.at(opened + 7)):
            trial = actions.create_trial(spec, by=self.trial_manager)
            trial.team.add(self.researcher)
        with self.demo.as_of(self.at(opened)):
            trial = actions.open_trial(trial, by=self.trial_manager, seed=_seed(seed))
        Trial.objects.filter(pk=trial.pk).update(
            created_at=self.at(opened + 7), opened_at=self.at(opened)
        )
        trial.refresh_from_db()
        return trial

    # --- A person's way through ---------------------------------------------------------------

    def referral(self, site: str, received: int, source: str) -> Referral:
        from linkwork.demo.service import STORIES, Case

        routine = [key for key, story in STORIES.items() if story.routine]
        case = Case(
            site,
            source,
            ReferralStatus.WAITING,
            received,
            story=self.rng.choice(routine),
            triage=2,
            waited=0,
        )
        return self.demo.build_referral(case)

    def screen(self, trial, referral, days_ago, *, unmet=(), other="", by=None):
        by = by or self.coordinator(referral)
        with self.demo.as_of(self.at(days_ago)):
            participant = actions.screen(trial, referral, by=by, unmet=list(unmet), other=other)
        Participant.objects.filter(pk=participant.pk).update(screened_at=self.at(days_ago))
        participant.refresh_from_db()
        return participant

    def consent(self, participant, days_ago, *, gp=True, by=None):
        trial = participant.trial
        by = by or participant.screened_by
        answers = {}
        for item in trial.consent_items.all():
            answers[item.pk] = True if item.required else (gp if item.gp_attendance else False)
        with self.demo.as_of(self.at(days_ago)):
            actions.record_consent(
                participant,
                by=by,
                consented_on=self.day(days_ago),
                information_sheet=trial.documents.get(kind="information_sheet", in_use=True),
                consent_form=trial.documents.get(kind="consent_form", in_use=True),
                answers=answers,
            )
        participant.refresh_from_db()
        return participant

    def measure(self, referral, days_ago, raw, *, timepoint, by):
        with self.demo.as_of(self.at(days_ago, 11)):
            measure = outcomes.record_measure(
                referral,
                by=by,
                instrument="swemwbs",
                timepoint=timepoint,
                answers=swemwbs_answers(self.rng, raw),
                completed_on=self.day(days_ago),
            )
        QuerySet(type(measure)).filter(pk=measure.pk).update(created_at=self.at(days_ago, 11))
        return measure

    def randomise(self, participant, days_ago):
        with self.demo.as_of(self.at(days_ago, 12)):
            slot = actions.randomise(participant, by=participant.screened_by)
        when = self.at(days_ago, 12)
        participant.refresh_from_db()
        not_before = self.day(days_ago) + datetime.timedelta(days=participant.arm.delay_days)
        Participant.objects.filter(pk=participant.pk).update(
            randomised_at=when, not_before=not_before
        )
        AllocationSlot.objects.filter(pk=slot.pk).update(used_at=when)
        participant.refresh_from_db()
        return participant

    def note(self, participant, days_ago, kind, text, *, by):
        with self.demo.as_of(self.at(days_ago, 14)):
            if kind == NoteKind.EARLY_START:
                note = actions.allow_early_start(participant, by=by, text=text)
            elif kind == NoteKind.RELEASED:
                note = actions.release_from_path(participant, by=by, text=text)
            else:
                note = actions.add_note(participant, by=by, kind=kind, text=text)
        with suspended(AllocationNote):
            QuerySet(AllocationNote).filter(pk=note.pk).update(at=self.at(days_ago, 14))

    def coordinator(self, referral):
        return self.with_room(referral.site.slug)

    def with_room(self, site: str):
        """A coordinator at the site with room on their caseload today (the story's people
        are allocated and closed one after another, so one place is enough)."""
        for coordinator in self.demo.site_coordinators(site):
            if coordinator.current_caseload() < coordinator.caseload_cap:
                return coordinator
        raise RuntimeError(f"No coordinator at {site} has room for the trial's story.")

    def working_then(self, site: str, started_ago: int, until_ago: int, *, keep: bool = True):
        """Who supported someone from `started_ago` to `until_ago` (days ago): of the site's
        coordinators at work all that time (leavers included: today's staff are no guide to the
        past), the one with the fewest people at the busiest point of it, in the story. `keep`:
        count that time as theirs (not for a one-off, such as screening)."""
        start, end = self.day(started_ago), self.day(until_ago)
        working = [
            c
            for c in self.demo.coordinators_on(site, start)
            if c in self.demo.coordinators_on(site, end)
        ]
        if not working:
            raise RuntimeError(f"No coordinator at {site} was working {started_ago} days ago.")
        if not self.taken:
            for allocation in Allocation.objects.filter(referral__site__slug=site):
                started = timezone.localdate(allocation.started_at)
                ended = allocation.ended_at and timezone.localdate(allocation.ended_at)
                self.taken.append((allocation.coordinator_id, started, ended or self.demo.today))

        def busiest(coordinator) -> int:
            theirs = [(s, e) for pk, s, e in self.taken if pk == coordinator.pk]
            days = {start, *(s for s, _e in theirs if start <= s < end)}
            return max(sum(1 for s, e in theirs if s <= day < e) for day in days)

        chosen = min(working, key=busiest)
        if keep:
            self.taken.append((chosen.pk, start, end))
        return chosen

    def support(self, referral, started_ago, *, until_ago, coordinator=None):
        """Allocate, with a support plan starting two days later, to `coordinator` or whoever
        had room then (`working_then`). Returns the coordinator. The caseload on the day is the
        story's to keep, not the action's to check today (when it is full)."""
        coordinator = coordinator or self.working_then(referral.site.slug, started_ago, until_ago)
        with self.demo.as_of(self.at(started_ago)), self.demo.cap_lifted(coordinator):
            referrals.allocate_referral(referral, coordinator=coordinator, by=self.manager)
        with self.demo.as_of(self.at(started_ago - 2)):
            casework.set_support_plan(
                referral,
                by=coordinator,
                starts_on=self.day(started_ago - 2),
                planned_sessions=self.rng.choice([6, 8]),
            )
        return coordinator

    def attendance(self, participant, *, practice, periods, by):
        randomised = participant.randomised_at.date()
        spans = {
            AttendancePeriod.BEFORE: (randomised - datetime.timedelta(days=182), randomised),
            AttendancePeriod.DURING: (randomised, randomised + datetime.timedelta(days=112)),
            AttendancePeriod.AFTER: (
                randomised + datetime.timedelta(days=113),
                randomised + datetime.timedelta(days=295),
            ),
        }
        for period in periods:
            starts, ends = spans[period]
            # By yesterday at the latest: the demo's past is stamped at 10:00 on its day, which
            # today may not have reached (and must not look like this hour's work).
            received = min(
                ends + datetime.timedelta(days=21), self.demo.today - datetime.timedelta(days=1)
            )
            count = {"before": 9, "during": 6, "after": 4}[period] + self.rng.randint(-3, 3)
            with self.demo.as_of(self.demo.at_day(received)):
                actions.record_attendance(
                    participant,
                    by=by,
                    practice=practice,
                    period=period,
                    starts_on=starts,
                    ends_on=ends,
                    attendances=max(0, count),
                    sent_by="Practice manager",
                    received_on=received,
                )
            AttendanceReport.objects.filter(participant=participant, period=period).update(
                recorded_at=self.demo.at_day(received)
            )

    # --- The closed trial ---------------------------------------------------------------------

    def closed_trial(self) -> Trial:
        site = "rhondda"
        trial = self.set_up(
            name="Cysylltu: link coordination for frequent attenders (waitlist trial)",
            registration="ISRCTN43215678",
            site=site,
            pathways=self.pathways(site),
            opened=330,
            ends=150,
            seed="rhondda",
            stratify_by=["source_type"],
        )
        criteria = list(trial.criteria.all())
        # (days ago received, plan). Plans: "in" (randomised), "x<criterion>" not eligible,
        # "other" not able to consent, "d<reason>" declined, "late" consented, not randomised.
        plans = (
            ["in"] * 32
            + ["x1", "x1", "x1", "x2", "x3", "other"]
            + ["dno_wait", "dno_wait", "dno_research", "dno_research", "dquestionnaires"]
            + ["late", "late"]
        )
        self.rng.shuffle(plans)
        plans = [p for p in plans if p != "late"] + ["late", "late"]
        received = [326 - round(i * 100 / len(plans)) for i in range(len(plans))]
        randomised = []
        for plan, days_ago in zip(plans, received, strict=True):
            source = SourceType.GP_PRACTICE if self.rng.random() < 0.75 else SourceType.AMBULANCE
            referral = self.referral(site, days_ago, source)
            offered = days_ago - 4
            # Whoever screens them; their support goes to whoever has room when it starts.
            coordinator = self.working_then(site, offered, offered, keep=False)
            if plan.startswith("x"):
                self.screen(
                    trial, referral, offered, unmet=[criteria[int(plan[1])]], by=coordinator
                )
                self.usual_support(referral, offered - 20)
            elif plan == "other":
                self.screen(
                    trial, referral, offered, other=IneligibleOther.CANNOT_CONSENT, by=coordinator
                )
                self.usual_support(referral, offered - 25)
            elif plan.startswith("d"):
                participant = self.screen(trial, referral, offered, by=coordinator)
                with self.demo.as_of(self.at(offered)):
                    actions.record_decline(
                        participant, by=coordinator, reason=plan[1:], on=self.day(offered)
                    )
                self.usual_support(referral, offered - 30)
            elif plan == "late":
                participant = self.screen(trial, referral, 219, by=coordinator)
                self.consent(participant, 218)
                self.measure(
                    referral, 218, self.rng.randint(14, 22), timepoint="baseline", by=coordinator
                )
            else:
                participant = self.screen(trial, referral, offered, by=coordinator)
                self.consent(participant, offered - 1, gp=self.rng.random() < 0.75)
                raw = self.rng.randint(13, 22)
                self.measure(referral, offered - 1, raw, timepoint="baseline", by=coordinator)
                participant = self.randomise(participant, offered - 2)
                randomised.append((participant, raw, coordinator))
        with self.demo.as_of(self.at(215)):
            actions.close_trial(trial, by=self.trial_manager, closed_on=self.day(215), reason=COVID)
        Trial.objects.filter(pk=trial.pk).update(closed_at=self.at(215))
        # After closing: the two consented but not randomised go on as usual.
        for participant in Participant.objects.filter(trial=trial, status="consented"):
            self.usual_support(participant.referral, 200)
        self.follow_randomised(trial, randomised)
        return trial

    def usual_support(self, referral, started_ago):
        """Someone not in the trial, supported as the service usually does."""
        started_ago = max(started_ago, 120)
        coordinator = self.support(referral, started_ago, until_ago=started_ago - 84)
        self.close(referral, started_ago - 84, ClosureReason.GOALS_ACHIEVED, coordinator)

    def follow_randomised(self, trial, randomised) -> None:
        """Support and measures for the randomised, with the trial's events along the way."""
        waitlist_seen = immediate_seen = 0
        practices = {p.referral.referring_organisation_id: p.referral.referring_organisation
                     for p, _raw, _c in randomised}  # fmt: skip
        for participant, raw, coordinator in randomised:
            referral = participant.referral
            r_ago = (self.demo.today - participant.randomised_at.date()).days
            waitlist = participant.arm.delay_days > 0
            gain = 3 if waitlist else 5
            index = waitlist_seen if waitlist else immediate_seen
            if waitlist:
                waitlist_seen += 1
            else:
                immediate_seen += 1
            # The trial's events, spread over both arms.
            if waitlist and index == 1:
                # Did not receive support: found help elsewhere while waiting.
                with self.demo.as_of(self.at(r_ago - 18)):
                    referrals.withdraw_referral(
                        referral,
                        by=self.manager,
                        reason=WithdrawalReason.SUPPORTED_ELSEWHERE,
                        note="Started counselling through work while waiting.",
                    )
                continue
            if waitlist and index == 3:
                # The action asks whether the delay is still to run, today; in the demo's past
                # it was, so it is put back to run while the deviation is recorded.
                not_before = participant.not_before
                Participant.objects.filter(pk=participant.pk).update(
                    not_before=self.demo.today + datetime.timedelta(days=1)
                )
                self.note(
                    participant,
                    r_ago - 9,
                    NoteKind.EARLY_START,
                    "Lost her job and is struggling; the trial team agreed support should "
                    "start now rather than in three weeks.",
                    by=self.manager,
                )
                Participant.objects.filter(pk=participant.pk).update(not_before=not_before)
                start = r_ago - 10
            else:
                start = r_ago - (participant.arm.delay_days + 1 if waitlist else 2)
            if not waitlist and index == 2:
                self.note(
                    participant,
                    r_ago - 1,
                    NoteKind.DEVIATION,
                    "Baseline SWEMWBS completed by phone the day before randomisation, not "
                    "face to face.",
                    by=coordinator,
                )
            lost = (waitlist and index in (5, 9)) or (not waitlist and index in (4, 11))
            withdrew = not waitlist and index == 6
            early_end = (waitlist and index == 7) or (not waitlist and index == 8)
            end_ago = r_ago - 86 if not waitlist else start - 84
            reason = ClosureReason.DISENGAGED if early_end else ClosureReason.GOALS_ACHIEVED
            if early_end:
                end_ago = start - 40
            coordinator = self.support(referral, start, until_ago=end_ago)
            # The 4-week measure (everyone but the lost and the withdrawn).
            if not lost:
                self.measure(
                    referral, r_ago - 29, raw + gain // 2, timepoint="review", by=coordinator
                )
            if withdrew:
                with self.demo.as_of(self.at(r_ago - 40)):
                    actions.withdraw(
                        participant,
                        by=coordinator,
                        on=self.day(r_ago - 40),
                        reason=TrialWithdrawal.QUESTIONNAIRES,
                        data_kept=DataKept.COLLECTED,
                    )
            # The 12-week measure: the end-of-support measure where support ends then.
            twelve = r_ago - 84
            end_raw = None
            if not (lost or withdrew or early_end):
                if abs(end_ago - twelve) <= 7:
                    end_raw = raw + gain + self.rng.randint(-2, 2)
                else:
                    self.measure(
                        referral,
                        twelve,
                        raw + gain + self.rng.randint(-2, 2),
                        timepoint="review",
                        by=coordinator,
                    )
            self.close(referral, end_ago, reason, coordinator, end_raw)
            if participant.gp_data_consent:
                practice = referral.referring_organisation
                if practice is None or practice.source_type != SourceType.GP_PRACTICE:
                    practice = next(
                        (o for o in practices.values() if o and o.source_type == "gp_practice"),
                        None,
                    )
                if practice is not None:
                    complete = practice.name.startswith("Treorchy")
                    periods = (
                        list(AttendancePeriod)
                        if complete
                        else [AttendancePeriod.BEFORE]
                        if self.rng.random() < 0.4
                        else []
                    )
                    self.attendance(
                        participant, practice=practice, periods=periods, by=self.manager
                    )

    def close(self, referral, end_ago, reason, coordinator, end_raw=None):
        """End support, with an end-of-support measure if `end_raw`."""
        if end_raw is not None:
            self.measure(referral, end_ago, end_raw, timepoint="end", by=coordinator)
        with self.demo.as_of(self.at(end_ago, 15)):
            casework.close_case(
                referral,
                by=coordinator,
                reason=reason,
                summary=CLOSURE_SUMMARIES[reason],
                closed_on=self.day(end_ago),
            )

    # --- The open trial -----------------------------------------------------------------------

    def open_trial(self) -> Trial:
        site = "powys"
        pathways = [p for p in self.pathways(site) if p.is_open_on(self.demo.today)]
        trial = self.set_up(
            name="Linkwork at home: link coordination in rural Powys (waitlist trial)",
            registration="ISRCTN55512340",
            site=site,
            pathways=pathways,
            opened=49,
            ends=-300,
            seed="powys",
        )
        waiting = list(
            Referral.objects.filter(
                site__slug=site, status=ReferralStatus.WAITING, pathway__in=pathways
            ).order_by("accepted_at", "pk")
        )
        coordinator = self.with_room(site)
        # (offered, consented, randomised), days ago, in waiting-list order. The two randomised
        # to wait are still on the waiting list with their 4-week measures due, one overdue:
        # the managers' home page chases them ("Trial measures due while waiting").
        plans = ((47, 46, 46), (46, 45, 44), (40, 39, 38), (2, None, None))
        for referral, (offered, consented, randomised) in zip(waiting, plans, strict=False):
            participant = self.screen(trial, referral, offered, by=coordinator)
            if consented is None:
                continue
            self.consent(participant, consented)
            self.measure(
                referral, consented, self.rng.randint(14, 22), timepoint="baseline", by=coordinator
            )
            participant = self.randomise(participant, randomised)
            if participant.arm.delay_days == 0:
                with self.demo.as_of(self.at(randomised - 1)):
                    referrals.allocate_referral(referral, coordinator=coordinator, by=self.manager)
        return trial


def build_demo_trials(demo) -> list[Trial]:
    story = TrialStory(demo)
    return [story.closed_trial(), story.open_trial()]

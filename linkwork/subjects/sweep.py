"""The retention sweep (decision 0027): finds what each rule in `retention.rules()` says is due,
and either lists it (a dry run: nothing changes) or anonymises and deletes it, writing a
`RetentionRun` report and an audit line.

A person is due when none of their referrals is open, no safeguarding concern about them is
open, and every referral's period has passed since it ended (the day of its last status
change): `RETENTION_SUPPORTED_YEARS` for a referral whose person was allocated a link
coordinator, `RETENTION_NOT_SUPPORTED_YEARS` for one declined, withdrawn or never started. They
are counted under the supported rule if any of their referrals was supported.

Each person is anonymised in a transaction of their own (`anonymise.anonymise`), which checks
again, under a lock, that they are still due and not anonymised already: a failure leaves each
person whole, and two sweeps at once anonymise each person once.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.sessions.models import Session
from django.db import DatabaseError, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from linkwork.audit.models import AuditAction
from linkwork.audit.service import record
from linkwork.casework.models import FeedbackLink
from linkwork.outcomes.models import MeasureLink
from linkwork.referrals.models import Allocation, Person, Referral, referral_reference
from linkwork.referrals.status import OPEN_STATUSES
from linkwork.safeguarding.models import SafeguardingConcern

from . import retention
from .anonymise import anonymise
from .models import Anonymisation, RetentionRun, RunStatus, SubjectAccessRequest

logger = logging.getLogger(__name__)

ATTEMPTS = 3  # a deadlock with a page's audited write is broken by failing one: try again


@dataclass
class Due:
    """What one rule found due: people to anonymise (with their referrals' references), or
    rows to delete."""

    rule: retention.Rule
    people: dict[int, list[str]] = field(default_factory=dict)
    rows: int = 0

    @property
    def count(self) -> int:
        return len(self.people) if self.rule.action == retention.ANONYMISED else self.rows

    @property
    def references(self) -> list[str]:
        return sorted(ref for refs in self.people.values() for ref in refs)


def _held_people():
    """People who can't be anonymised yet: an open referral or an open safeguarding concern."""
    open_referrals = Referral.objects.filter(status__in=OPEN_STATUSES).values("person_id")
    open_concerns = SafeguardingConcern.objects.filter(closed_at__isnull=True).values(
        "referral__person_id"
    )
    return open_referrals, open_concerns


def ended_referrals(person_ids=None):
    """Finished referrals of people not anonymised and with nothing open: each with when it
    ended and whether its person was supported."""
    open_referrals, open_concerns = _held_people()
    referrals = (
        Referral.objects.exclude(status__in=OPEN_STATUSES)
        .exclude(person_id__in=open_referrals)
        .exclude(person_id__in=open_concerns)
        .exclude(person_id__in=Anonymisation.objects.values("person_id"))
    )
    if person_ids is not None:
        referrals = referrals.filter(person_id__in=person_ids)
    return referrals.annotate(
        ended=Max("status_changes__at"),
        supported=Exists(Allocation.objects.filter(referral=OuterRef("pk"))),
    ).values_list("pk", "person_id", "received_at", "ended", "supported")


def people_due(now: datetime.datetime, person_ids=None) -> dict[str, dict[int, list[str]]]:
    """By rule key (supported, not supported): the people due and their referrals' references."""
    supported = retention.rule(retention.SUPPORTED)
    not_supported = retention.rule(retention.NOT_SUPPORTED)
    by_person: dict[int, list[tuple[int, datetime.datetime, bool]]] = defaultdict(list)
    for pk, person_id, received_at, ended, was_supported in ended_referrals(person_ids):
        by_person[person_id].append((pk, ended or received_at, was_supported))
    due: dict[str, dict[int, list[str]]] = {supported.key: {}, not_supported.key: {}}
    for person_id, referrals in by_person.items():
        keep_until = max(
            ended + (supported if was_supported else not_supported).keep_for
            for _pk, ended, was_supported in referrals
        )
        if keep_until > now:
            continue
        key = supported.key if any(s for _p, _e, s in referrals) else not_supported.key
        due[key][person_id] = [referral_reference(pk) for pk, _e, _s in referrals]
    return due


def _deletable(now: datetime.datetime) -> dict[str, list]:
    files = retention.rule(retention.SUBJECT_ACCESS_FILES)
    links = retention.rule(retention.EXPIRED_LINKS)
    sessions = retention.rule(retention.SESSIONS)
    return {
        files.key: [
            SubjectAccessRequest.objects.filter(
                finished_at__lt=files.due_before(now), files_deleted_at__isnull=True
            ).exclude(json=b"", pdf=b"")
        ],
        links.key: [
            model.objects.filter(expires_at__lt=links.due_before(now))
            for model in (FeedbackLink, MeasureLink)
        ],
        sessions.key: [Session.objects.filter(expire_date__lt=sessions.due_before(now))],
    }


def find_due(now: datetime.datetime | None = None) -> list[Due]:
    """What every rule finds due now, changing nothing."""
    now = now or timezone.now()
    people = people_due(now)
    deletable = _deletable(now)
    found = []
    for rule in retention.rules():
        due = Due(rule)
        if rule.key in people:
            due.people = people[rule.key]
        elif rule.key in deletable:
            due.rows = sum(queryset.count() for queryset in deletable[rule.key])
        found.append(due)
    return found


def start(*, dry_run: bool, by=None) -> RetentionRun:
    return RetentionRun.objects.create(dry_run=dry_run, by=by)


def run(
    *, dry_run: bool, by=None, now: datetime.datetime | None = None, report=None
) -> RetentionRun:
    """One sweep: a dry run lists what is due in its report; a real run anonymises and deletes
    it. Either way the report is kept and audited."""
    now = now or timezone.now()
    report = report or start(dry_run=dry_run, by=by)
    try:
        found = find_due(now)
        report.counts = {due.rule.key: due.count for due in found}
        report.references = {due.rule.key: due.references for due in found if due.people}
        if not dry_run:
            _act(report, found, now)
        report.status = RunStatus.DONE
    except Exception as error:  # the report says it failed; the error's text may be personal
        logger.error("Retention sweep failed: %s", type(error).__name__)
        report.errors = [*report.errors, {"error": type(error).__name__}]
        report.status = RunStatus.FAILED
    report.finished_at = timezone.now()
    with transaction.atomic():
        report.save()
        record(
            by=by,
            action=AuditAction.CREATE if dry_run else AuditAction.DELETE,
            obj=report,
            detail=(
                "retention dry run"
                if dry_run
                else f"retention sweep: {report.people_anonymised} people anonymised, "
                f"{report.rows_deleted} rows deleted, "
                f"{report.audit_lines_rewritten} audit lines rewritten"
            ),
        )
    return report


def _act(report: RetentionRun, found: list[Due], now: datetime.datetime) -> None:
    acted: dict[str, int] = {}
    for due in found:
        if due.rule.action == retention.ANONYMISED and due.people:
            acted[due.rule.key] = _anonymise_all(report, due, now)
    deletable = _deletable(now)
    for key, querysets in deletable.items():
        deleted = 0
        for queryset in querysets:
            if key == retention.SUBJECT_ACCESS_FILES:
                with transaction.atomic():
                    deleted += queryset.update(json=b"", pdf=b"", files_deleted_at=timezone.now())
            else:
                with transaction.atomic():
                    deleted += queryset.delete()[0]
        acted[key] = deleted
        report.rows_deleted += deleted
    report.counts = {key: acted.get(key, 0) for key in report.counts}


def _anonymise_all(report: RetentionRun, due: Due, now: datetime.datetime) -> int:
    done = 0
    references = {}
    for person_id, refs in due.people.items():

        def still_due(person: Person, rule=due.rule.key) -> bool:
            return person.pk in people_due(now, person_ids=[person.pk]).get(rule, {})

        for attempt in range(ATTEMPTS):
            try:
                made = anonymise(
                    person_id,
                    why=f"retention, {due.rule.key} (run {report.pk})",
                    rule=due.rule.key,
                    run=report,
                    still_wanted=still_due,
                )
            except Exception as error:  # that person stays whole; the next run tries again
                if isinstance(error, DatabaseError) and attempt + 1 < ATTEMPTS:
                    continue
                logger.error("Retention: could not anonymise a person: %s", type(error).__name__)
                report.errors = [
                    *report.errors,
                    {"person": Person(pk=person_id).reference, "error": type(error).__name__},
                ]
                break
            if made is not None:
                done += 1
                references[person_id] = refs
                report.people_anonymised += 1
                report.audit_lines_rewritten += made.audit_lines_rewritten
            break
    report.references[due.rule.key] = sorted(r for refs in references.values() for r in refs)
    return done

"""Retention (decision 0027): the sweep anonymises exactly the people whose period has passed,
keeps every figure the service reports, leaves the audit chain verifiable and the append-only
guard in place; a dry run changes nothing; two sweeps do what one does."""

import datetime
import io

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from linkwork.audit import guard
from linkwork.audit.models import AuditEvent, ChainRewrite
from linkwork.audit.verify import verify
from linkwork.casework import actions as casework
from linkwork.referrals.models import Person, Referral, StatusChange
from linkwork.referrals.status import ClosureReason, DeclineReason, ReferralStatus
from linkwork.safeguarding import actions as safeguarding
from linkwork.subjects import retention, sweep
from linkwork.subjects.anonymise import age_keeping_birthday, blanking_plan, outward_code
from linkwork.subjects.models import Anonymisation, RetentionRun, RunStatus
from tests.factories import make_referral

pytestmark = pytest.mark.django_db

NAMES = {"given_name": "Bethan", "family_name": "Quarrington", "nhs_number": "9434765919"}


def closed(pathway, referrer, manager, coordinator, **person):
    referral = make_referral(
        ReferralStatus.ALLOCATED,
        pathway=pathway,
        by=referrer,
        staff=manager,
        coordinator=coordinator,
        person=person,
        known_risks="Lives with Quarrington's brother.",
    )
    casework.log_contact(
        referral,
        by=coordinator,
        at=timezone.now() - datetime.timedelta(days=1),
        mode="telephone",
        outcome="attended",
        minutes=30,
        note="Bethan Quarrington talked about the allotment.",
    )
    casework.close_case(
        referral, by=coordinator, reason=ClosureReason.GOALS_ACHIEVED, summary="Bethan did well."
    )
    referral.refresh_from_db()
    return referral


@pytest.fixture
def people(pathway_a, gp_referrer, manager, coordinator_a):
    """A supported person whose case closed today, one declined today, and one still waiting."""
    return {
        "supported": closed(pathway_a, gp_referrer, manager, coordinator_a, **NAMES),
        "declined": make_referral(
            ReferralStatus.DECLINED,
            pathway=pathway_a,
            by=gp_referrer,
            staff=manager,
            decline_reason=DeclineReason.OUTSIDE_CRITERIA,
            person={"given_name": "Dai", "family_name": "Pryderi"},
        ),
        "waiting": make_referral(
            ReferralStatus.WAITING,
            pathway=pathway_a,
            by=gp_referrer,
            staff=manager,
            person={"given_name": "Gwen", "family_name": "Oakley"},
        ),
    }


def years(n: int) -> datetime.datetime:
    return timezone.now() + relativedelta(years=n, days=1)


def test_rules_keep_the_record_of_processing_contract():
    found = retention.rules()
    assert {r.key for r in found} >= {"supported", "not_supported", "subject_access_files"}
    for rule in found:
        for attribute in ("key", "label", "period", "starts", "action"):
            assert str(getattr(rule, attribute))
    assert retention.rule("supported").period == "8 years"
    assert str(retention.rule("supported").action) == "anonymised"


def test_the_dry_run_lists_what_would_go_and_changes_nothing(people):
    before = AuditEvent.objects.count()
    report = sweep.run(dry_run=True, now=years(3))
    assert report.status == RunStatus.DONE and report.dry_run
    assert report.counts["not_supported"] == 1 and report.counts["supported"] == 0
    assert report.references["not_supported"] == [people["declined"].reference]
    assert not Anonymisation.objects.exists()
    assert Person.objects.filter(given_name="Dai").exists()
    assert AuditEvent.objects.count() == before + 1  # the run itself
    assert not ChainRewrite.objects.exists()


def test_a_real_run_anonymises_exactly_those_past_their_period(people):
    report = sweep.run(dry_run=False, now=years(3))
    assert report.people_anonymised == 1, report.errors
    assert Person.objects.get(pk=people["declined"].person_id).given_name == "Anonymised"
    assert Person.objects.get(pk=people["supported"].person_id).given_name == "Bethan"
    assert Person.objects.get(pk=people["waiting"].person_id).given_name == "Gwen"

    report = sweep.run(dry_run=False, now=years(9))
    assert report.people_anonymised == 1 and report.counts["supported"] == 1
    assert report.references["supported"] == [people["supported"].reference]
    person = Person.objects.get(pk=people["supported"].person_id)
    assert person.given_name == "Anonymised" and person.nhs_number == "" and person.phone == ""
    # Nobody waiting is ever due, however long it takes.
    assert Person.objects.get(pk=people["waiting"].person_id).given_name == "Gwen"
    assert "chain intact" in verify_audit()


def verify_audit() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_the_person_and_their_free_text_are_gone_everywhere(people):
    referral = people["supported"]
    # A detail naming them, as a line written by an older version might.
    AuditEvent.objects.create(
        action="view", object_type="referrals.referral", object_id=str(referral.pk),
        person_id=referral.person_id, detail="opened Bethan Quarrington's file",
    )  # fmt: skip
    sweep.run(dry_run=False, now=years(9))
    assert Anonymisation.objects.get(person_id=referral.person_id).audit_lines_rewritten > 0
    for label, fields in blanking_plan():
        from django.apps import apps

        model = apps.get_model(label)
        for row in model._base_manager.values(*fields) if fields else []:
            for value in row.values():
                assert "Quarrington" not in value and "Bethan" not in value, (label, row)
    for row in Person.objects.values():
        assert "Quarrington" not in str(row) and "9434765919" not in str(row)
    assert not StatusChange.objects.exclude(note="").filter(referral=referral).exists()
    assert not AuditEvent.objects.filter(person_id=referral.person_id).exists()
    assert not AuditEvent.objects.filter(detail__icontains="Quarrington").exists()
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.CLOSED
    assert verify().intact


def test_the_guard_is_back_after_a_sweep(people):
    tables = guard.guarded_tables()
    sweep.run(dry_run=False, now=years(9))
    assert guard.guarded_tables() == tables
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE referrals_statuschange SET note = 'x'")


def test_two_sweeps_do_what_one_does(people):
    first = sweep.run(dry_run=False, now=years(9))
    second = sweep.run(dry_run=False, now=years(9))
    assert first.people_anonymised == 2 and second.people_anonymised == 0
    assert Anonymisation.objects.count() == 2
    assert verify().intact


def test_an_open_safeguarding_concern_holds_the_person(people, manager):
    referral = people["declined"]
    safeguarding.raise_concern(referral, by=manager, kind="abuse", summary="Worried.")
    report = sweep.run(dry_run=True, now=years(9))
    assert referral.reference not in report.references.get("not_supported", [])


def test_the_command_runs_dry_and_for_real(people):
    out = io.StringIO()
    call_command("retention_sweep", "--dry-run", stdout=out)
    assert "supported: 0 would go" in out.getvalue()
    call_command("retention_sweep", stdout=out)
    assert RetentionRun.objects.filter(dry_run=False).count() == 1


@pytest.mark.parametrize(
    ("born", "days", "kept"),
    [
        (datetime.date(1980, 3, 15), [], datetime.date(1980, 1, 1)),
        (datetime.date(1980, 3, 15), [datetime.date(2020, 2, 10)], datetime.date(1980, 2, 11)),
        (
            datetime.date(1980, 3, 15),
            [datetime.date(2020, 2, 10), datetime.date(2021, 5, 20)],
            datetime.date(1980, 2, 11),
        ),
        (datetime.date(1981, 3, 15), [datetime.date(2020, 2, 28)], datetime.date(1981, 3, 1)),
        (datetime.date(1981, 3, 15), [datetime.date(2020, 2, 29)], datetime.date(1981, 3, 1)),
    ],
)
def test_the_date_of_birth_keeps_the_age_at_each_referral(born, days, kept):
    assert age_keeping_birthday(born, days) == kept
    for day in days:
        age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        assert day.year - kept.year - ((day.month, day.day) < (kept.month, kept.day)) == age


def test_the_postcode_keeps_its_district():
    assert outward_code("sy18 6qp") == "SY18"
    assert outward_code("CF101AA") == "CF10"
    assert outward_code("SY18") == "SY18"


def test_the_worker_queues_one_real_run_a_day(people, django_capture_on_commit_callbacks):
    from linkwork.core.sweeps import registered_sweeps
    from linkwork.subjects.sweeps import queue_retention_sweep

    assert any(name.endswith("queue_retention_sweep") for name in registered_sweeps())
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_retention_sweep() == 1
    report = RetentionRun.objects.get()
    assert not report.dry_run and report.status == RunStatus.DONE and report.by is None
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_retention_sweep() == 0
    assert RetentionRun.objects.count() == 1


def test_old_export_files_and_expired_links_go(people, manager):
    from linkwork.casework.models import FeedbackLink
    from linkwork.subjects import actions as subject_actions
    from linkwork.subjects import exports
    from linkwork.subjects.models import SubjectAccessRequest

    referral = people["supported"]
    made = subject_actions.request_subject_access(
        referral, by=manager, received_on=timezone.localdate(), note="By letter."
    )
    exports.make(made.pk)
    FeedbackLink.objects.create(
        referral=referral,
        by=manager,
        token_hash="a" * 64,
        created_at=timezone.now() - datetime.timedelta(days=30),
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    report = sweep.run(dry_run=True, now=timezone.now() + relativedelta(months=13))
    assert report.counts["subject_access_files"] == 1
    assert report.counts["expired_links"] == 1
    assert SubjectAccessRequest.objects.get().json != b""
    report = sweep.run(dry_run=False, now=timezone.now() + relativedelta(months=13))
    assert report.counts["subject_access_files"] == 1 and report.rows_deleted == 2
    kept = SubjectAccessRequest.objects.get()
    assert kept.json == b"" and kept.pdf == b"" and kept.files_deleted_at
    assert not FeedbackLink.objects.exists()


def test_a_person_who_fails_stays_whole_and_the_others_go_on(people, monkeypatch):
    from linkwork.subjects import anonymise as anonymise_module

    real = anonymise_module._anonymise
    failing = people["declined"].person_id

    def sometimes(person, **kwargs):
        result = real(person, **kwargs)
        if person.pk == failing:
            raise ValueError("half way")
        return result

    monkeypatch.setattr(anonymise_module, "_anonymise", sometimes)
    report = sweep.run(dry_run=False, now=years(9))
    assert report.people_anonymised == 1 and report.status == RunStatus.DONE
    assert report.errors == [{"person": Person(pk=failing).reference, "error": "ValueError"}]
    assert Person.objects.get(pk=failing).given_name == "Dai"
    assert not Anonymisation.objects.filter(person_id=failing).exists()
    assert verify().intact


def test_nothing_about_them_is_left_in_any_record_even_what_their_details_were(
    people, manager, coordinator_a
):
    """Every kind of record about a person (`collect.SECTIONS`), every column, after the sweep:
    including the before and after of a change to their details, and a corrected note."""
    from linkwork.referrals import actions as referral_actions
    from linkwork.referrals.models import CorrectionReason
    from linkwork.subjects.collect import SECTIONS, model_of

    referral = people["supported"]
    referral_actions.change_person_details(
        referral,
        by=manager,
        details={"phone": "07700 900123"},
        reason=CorrectionReason.DETAILS_CHANGED,
    )
    referral_actions.change_person_details(
        referral,
        by=manager,
        details={"phone": "07700 900999", "family_name": "Quarrington-Hughes"},
        reason=CorrectionReason.RECORDED_WRONGLY,
    )
    contact = referral.contacts.get()
    casework.correct_contact_note(
        contact,
        by=coordinator_a,
        note="Bethan Quarrington-Hughes talked about the allotment.",
        reason=CorrectionReason.RECORDED_WRONGLY,
    )
    sweep.run(dry_run=False, now=years(9))
    identifiers = ("Quarrington", "Bethan", "9434765919", "07700 900123", "07700 900999")
    for spec in SECTIONS:
        for row in model_of(spec)._base_manager.filter(**{spec.to_person: referral.person_id}):
            held = str({f.name: getattr(row, f.attname) for f in row._meta.concrete_fields})
            for value in identifiers:
                assert value not in held, (spec.model, value)
    # What changed, and why, is still told.
    changes = list(referral.person.details_changes.order_by("at", "pk"))
    assert [c["field"] for c in changes[1].changes] == ["family_name", "phone"]
    assert verify().intact

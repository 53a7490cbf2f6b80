"""Enrolment through the actions: the eligibility checklist, consent with its optional items,
refusal with coded reasons, baseline before randomisation, randomisation once and for good,
allocation notes, withdrawal and GP attendance."""

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from linkwork.audit.models import AuditEvent
from linkwork.core.errors import ActionRefused
from linkwork.trials import actions
from linkwork.trials.models import (
    AllocationNote,
    AllocationSlot,
    AttendancePeriod,
    DataKept,
    DeclineReason,
    IneligibleOther,
    NoteKind,
    ParticipantStatus,
    TrialStatus,
    WithdrawalReason,
)
from tests.trials.conftest import consent, documents, enrol, spec

pytestmark = pytest.mark.django_db
S = ParticipantStatus


def test_setting_up_refuses_what_a_trials_unit_would(site_a, pathway_a, trial_manager):
    cases = [
        ({"arms": [actions.ArmSpec("Only", is_control=True)]}, "arms"),
        (
            {"arms": [actions.ArmSpec("A"), actions.ArmSpec("B")]},
            "arms",
        ),  # no comparison arm
        ({"primary_instrument": "phq9"}, "primary_instrument"),
        ({"primary_weeks": 8}, "primary_weeks"),
        ({"block_multiples": []}, "block_multiples"),
        ({"stratify_by": ["star_sign"]}, "stratify_by"),
    ]
    for overrides, field in cases:
        with pytest.raises(ActionRefused) as refused:
            actions.create_trial(spec([site_a], [pathway_a], **overrides), by=trial_manager)
        assert refused.value.field == field, overrides


def test_a_trial_opens_only_when_it_has_what_enrolment_needs(site_a, pathway_a, trial_manager):
    bare = actions.create_trial(
        spec([site_a], [pathway_a], criteria=[], consent_items=[], consent_form=None),
        by=trial_manager,
    )
    problems = actions.opening_problems(bare)
    assert len(problems) == 3
    with pytest.raises(ActionRefused):
        actions.open_trial(bare, by=trial_manager)
    bare.refresh_from_db()
    assert bare.status == TrialStatus.DRAFT
    assert not bare.strata.exists()


def test_opening_twice_is_refused(trial, trial_manager):
    with pytest.raises(ActionRefused):
        actions.open_trial(trial, by=trial_manager)


def test_strata_cross_the_site_with_the_other_factors(
    site_a, site_b, pathway_a, pathway_b, trial_manager
):
    trial = actions.create_trial(
        spec([site_a, site_b], [pathway_a, pathway_b], stratify_by=["frequent_attender"]),
        by=trial_manager,
    )
    actions.open_trial(trial, by=trial_manager)
    from linkwork.trials.strata import labels as stratum_labels

    labels = sorted(stratum_labels(trial.strata.all()).values())
    assert labels == [
        "Powys Rural · Frequent attender: no",
        "Powys Rural · Frequent attender: yes",
        "Rhondda Valleys · Frequent attender: no",
        "Rhondda Valleys · Frequent attender: yes",
    ]
    # The words come from the key each time: a Welsh reader sees them in Welsh.
    from django.utils import translation

    with translation.override("cy"):
        welsh = sorted(stratum_labels(trial.strata.all()).values())
    assert "Frequent attender" not in " ".join(welsh) and welsh[0].startswith("Powys Rural · ")


def test_the_trial_is_offered_only_to_people_waiting_on_its_pathways(
    in_support, trial, coordinator_a, waiting_at_a, site_b, pathway_b, gp_referrer
):
    from tests.factories import make_referral

    elsewhere = make_referral("waiting", pathway=pathway_b, by=gp_referrer)
    for referral in (in_support, elsewhere):
        with pytest.raises(ActionRefused):
            actions.screen(trial, referral, by=coordinator_a, unmet=[])
    person = waiting_at_a()
    actions.screen(trial, person, by=coordinator_a, unmet=[])
    with pytest.raises(ActionRefused, match="already been offered"):
        actions.screen(trial, person, by=coordinator_a, unmet=[])


def test_the_checklist_records_which_criteria_were_not_met(trial, coordinator_a, waiting_at_a):
    criterion = trial.criteria.first()
    ineligible = actions.screen(trial, waiting_at_a(), by=coordinator_a, unmet=[criterion])
    assert ineligible.status == S.INELIGIBLE
    assert list(ineligible.unmet_criteria.all()) == [criterion]
    other = actions.screen(
        trial, waiting_at_a(), by=coordinator_a, unmet=[], other=IneligibleOther.CANNOT_CONSENT
    )
    assert other.status == S.INELIGIBLE
    # Someone not eligible cannot be consented or randomised.
    with pytest.raises(ActionRefused):
        consent(ineligible, coordinator_a)


def test_consent_records_versions_who_when_and_each_optional_item(
    trial, coordinator_a, waiting_at_a
):
    participant = actions.screen(trial, waiting_at_a(), by=coordinator_a, unmet=[])
    participant = consent(participant, coordinator_a, gp=False)
    sheet, form = documents(trial)
    assert participant.status == S.CONSENTED
    assert participant.information_sheet == sheet and participant.consent_form == form
    assert participant.consent_taken_by == coordinator_a
    assert participant.consented_on == timezone.localdate()
    optional = trial.consent_items.get(required=False)
    assert participant.consent_answers[str(optional.pk)] is False
    assert participant.gp_data_consent is False


def test_consent_needs_every_required_item(trial, coordinator_a, waiting_at_a):
    participant = actions.screen(trial, waiting_at_a(), by=coordinator_a, unmet=[])
    sheet, form = documents(trial)
    with pytest.raises(ActionRefused, match="record that they declined"):
        actions.record_consent(
            participant,
            by=coordinator_a,
            consented_on=timezone.localdate(),
            information_sheet=sheet,
            consent_form=form,
            answers={},
        )
    with pytest.raises(ActionRefused) as wrong_document:
        actions.record_consent(
            participant,
            by=coordinator_a,
            consented_on=timezone.localdate(),
            information_sheet=form,  # the consent form offered as the information sheet
            consent_form=form,
            answers={item.pk: True for item in trial.consent_items.all()},
        )
    assert wrong_document.value.field == "information_sheet"
    participant.refresh_from_db()
    assert participant.status == S.ELIGIBLE


def test_declining_is_coded_and_final(trial, coordinator_a, waiting_at_a):
    participant = actions.screen(trial, waiting_at_a(), by=coordinator_a, unmet=[])
    with pytest.raises(ActionRefused):
        actions.record_decline(participant, by=coordinator_a, reason="because")
    participant = actions.record_decline(
        participant, by=coordinator_a, reason=DeclineReason.NO_WAIT
    )
    assert participant.status == S.DECLINED
    with pytest.raises(ActionRefused):
        consent(participant, coordinator_a)


def test_randomisation_needs_consent_and_a_complete_baseline(trial, coordinator_a, waiting_at_a):
    eligible = enrol(trial, waiting_at_a(), coordinator_a, until=S.ELIGIBLE)
    with pytest.raises(ActionRefused, match="consented"):
        actions.randomise(eligible, by=coordinator_a)
    no_baseline = enrol(trial, waiting_at_a(), coordinator_a, baseline=False)
    with pytest.raises(ActionRefused, match="baseline"):
        actions.randomise(no_baseline, by=coordinator_a)
    assert not AllocationSlot.objects.filter(participant__isnull=False).exists()


def test_randomising_takes_the_next_allocation_once_and_records_who_when_and_stratum(
    trial, coordinator_a, waiting_at_a
):
    participant = enrol(trial, waiting_at_a(), coordinator_a)
    stratum = trial.strata.get()
    first = AllocationSlot.objects.get(stratum=stratum, position=1)
    slot = actions.randomise(participant, by=coordinator_a)
    assert slot.pk == first.pk
    participant.refresh_from_db()
    assert participant.status == S.RANDOMISED
    assert participant.arm_id == first.arm_id
    assert participant.stratum == stratum
    assert slot.used_by == coordinator_a and slot.used_at is not None
    expected = timezone.localdate() + datetime.timedelta(days=participant.arm.delay_days)
    assert participant.not_before == expected
    stratum.refresh_from_db()
    assert stratum.next_position == 2
    with pytest.raises(ActionRefused, match="already been randomised"):
        actions.randomise(participant, by=coordinator_a)
    assert AuditEvent.objects.filter(object_type="trials.allocationslot").count() == 1


def test_an_allocation_cannot_be_edited_deleted_or_its_notes_changed(
    trial, coordinator_a, waiting_at_a
):
    participant = enrol(trial, waiting_at_a(), coordinator_a, until=S.RANDOMISED)
    slot = participant.allocation
    other_arm = trial.arms.exclude(pk=slot.arm_id).get()
    slot.arm = other_arm
    with pytest.raises(RuntimeError):
        slot.save()
    with pytest.raises(RuntimeError):
        slot.delete()
    note = actions.add_note(
        participant, by=coordinator_a, kind=NoteKind.DEVIATION, text="Baseline a day late."
    )
    note.text = "Nothing happened."
    with pytest.raises(RuntimeError):
        note.save()
    with pytest.raises(RuntimeError):
        AllocationNote.objects.filter(pk=note.pk).update(text="x")
    with pytest.raises(RuntimeError):
        AllocationNote.objects.filter(pk=note.pk).delete()
    with pytest.raises(ActionRefused):
        actions.add_note(participant, by=coordinator_a, kind=NoteKind.RELEASED, text="Sneaky.")


def test_allocations_across_many_people_follow_the_list_and_balance_in_blocks(
    trial, coordinator_a, waiting_at_a
):
    for _ in range(14):
        enrol(trial, waiting_at_a(), coordinator_a, until=S.RANDOMISED)
    used = list(AllocationSlot.objects.filter(participant__isnull=False).order_by("position"))
    assert [s.position for s in used] == list(range(1, 15))
    blocks = {}
    for slot in AllocationSlot.objects.filter(stratum__trial=trial, block__lte=used[-1].block):
        blocks.setdefault(slot.block, []).append(slot)
    for number, slots in blocks.items():
        if all(s.participant_id for s in slots):
            assert len(set(Counter(s.arm_id for s in slots).values())) == 1, number


def test_withdrawal_keeps_the_allocation_and_says_what_data_may_be_kept(
    trial, coordinator_a, waiting_at_a
):
    participant = enrol(trial, waiting_at_a(), coordinator_a, until=S.RANDOMISED)
    with pytest.raises(ActionRefused) as refused:
        actions.withdraw(
            participant,
            by=coordinator_a,
            on=timezone.localdate(),
            reason=WithdrawalReason.UNWELL,
            data_kept="everything",
        )
    assert refused.value.field == "data_kept"
    actions.withdraw(
        participant,
        by=coordinator_a,
        on=timezone.localdate(),
        reason=WithdrawalReason.UNWELL,
        data_kept=DataKept.COLLECTED,
    )
    participant.refresh_from_db()
    assert participant.is_withdrawn and participant.status == S.RANDOMISED
    assert participant.allocation.arm_id == participant.arm_id


def test_gp_attendance_is_recorded_only_with_consent_and_a_second_report_replaces_the_first(
    trial, coordinator_a, waiting_at_a, gp_practice
):
    consented = enrol(trial, waiting_at_a(), coordinator_a, until=S.RANDOMISED)
    today = timezone.localdate()
    report = {
        "practice": gp_practice,
        "period": AttendancePeriod.BEFORE,
        "starts_on": today - datetime.timedelta(days=180),
        "ends_on": today,
        "attendances": 9,
        "sent_by": "Practice manager",
        "received_on": today,
    }
    actions.record_attendance(consented, by=coordinator_a, **report)
    actions.record_attendance(consented, by=coordinator_a, **{**report, "attendances": 11})
    assert consented.attendance_reports.get().attendances == 11
    assert AuditEvent.objects.filter(object_type="trials.attendancereport").count() == 2

    referral = waiting_at_a()
    participant = actions.screen(trial, referral, by=coordinator_a, unmet=[])
    consent(participant, coordinator_a, gp=False)
    from linkwork.outcomes import actions as outcomes
    from tests.trials.conftest import GAD7_ANSWERS

    outcomes.record_measure(
        referral, by=coordinator_a, instrument="gad7", timepoint="baseline", answers=GAD7_ANSWERS
    )
    actions.randomise(participant, by=coordinator_a)
    with pytest.raises(ActionRefused, match="did not consent"):
        actions.record_attendance(participant, by=coordinator_a, **report)


def test_closing_needs_a_reason_and_a_date_not_in_the_future(trial, trial_manager):
    with pytest.raises(ActionRefused):
        actions.close_trial(trial, by=trial_manager, closed_on=timezone.localdate(), reason=" ")
    with pytest.raises(ActionRefused):
        actions.close_trial(
            trial,
            by=trial_manager,
            closed_on=timezone.localdate() + datetime.timedelta(days=1),
            reason="COVID-19",
        )
    actions.close_trial(
        trial,
        by=trial_manager,
        closed_on=timezone.localdate(),
        reason="All non-COVID research stopped",
    )
    trial.refresh_from_db()
    assert trial.status == TrialStatus.CLOSED and trial.closed_by == trial_manager

"""The trial's pages through the real HTTP stack: setting a trial up, offering it, consent,
baseline and randomisation (the result shown once), the waiting list's "not before" date,
closing, and the reports."""

import datetime
import random
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.trials import actions
from linkwork.trials.models import DocumentKind, ParticipantStatus, Trial, TrialStatus
from tests.trials.conftest import GAD7_ANSWERS, enrol

pytestmark = pytest.mark.django_db
S = ParticipantStatus


def date_fields(name, day):
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def set_up_form(site, pathway, **overrides):
    today = timezone.localdate()
    data = {
        "name": "Cysylltu waitlist trial",
        "registration": "isrctn 87654321",
        "sites": [site.pk],
        "pathways": [pathway.pk],
        **date_fields("starts_on", today),
        **date_fields("ends_on", today + datetime.timedelta(days=365)),
        "immediate_name": "Immediate support",
        "immediate_ratio": 1,
        "waitlist_name": "Waitlist",
        "waitlist_ratio": 1,
        "delay_weeks": 4,
        "block_multiples": [1, 2, 3],
        "instruments": ["gad7", "ons4"],
        "primary_instrument": "gad7",
        "timepoints": "4, 12",
        "primary_weeks": 12,
        "criteria": "Aged 18 or over\nMild to moderate needs\n",
        "required_items": "I have read the information sheet\nI agree to take part",
        "optional_items": "I may be contacted about future research",
        "gp_attendance_item": "My GP practice may share my attendance",
        "information_sheet_version": "v1.0",
        **date_fields("information_sheet_dated", today),
        "consent_form_version": "v1.0",
        **date_fields("consent_form_dated", today),
    }
    data.update(overrides)
    return data


def test_a_trial_manager_sets_a_trial_up_and_opens_it(client_for, trial_manager, site_a, pathway_a):
    browser = client_for(trial_manager)
    response = browser.post(reverse("trials:new"), set_up_form(site_a, pathway_a))
    trial = Trial.objects.get()
    assert response["Location"] == reverse("trials:detail", args=[trial.pk])
    assert trial.registration == "ISRCTN87654321"
    assert [(a.name, a.delay_days, a.is_control) for a in trial.arms.all()] == [
        ("Immediate support", 0, False),
        ("Waitlist", 28, True),
    ]
    assert list(trial.timepoints.values_list("weeks", flat=True)) == [4, 12]
    items = list(trial.consent_items.values_list("required", "gp_attendance"))
    assert items == [(True, False), (True, False), (False, False), (False, True)]
    assert trial.team.filter(pk=trial_manager.pk).exists()
    page = browser.get(response["Location"]).content.decode()
    assert "Open the trial" in page
    browser.post(reverse("trials:open", args=[trial.pk]))
    trial.refresh_from_db()
    assert trial.status == TrialStatus.OPEN
    assert trial.strata.count() == 1


def test_the_set_up_can_change_until_the_trial_opens(
    client_for, trial_manager, site_a, pathway_a, site_b, pathway_b
):
    browser = client_for(trial_manager)
    browser.post(reverse("trials:new"), set_up_form(site_a, pathway_a))
    trial = Trial.objects.get()
    url = reverse("trials:change_set_up", args=[trial.pk])
    page = browser.get(url).content.decode()
    assert 'value="Cysylltu waitlist trial"' in page and "Aged 18 or over" in page
    changed = set_up_form(
        site_a,
        pathway_a,
        sites=[site_a.pk, site_b.pk],
        pathways=[pathway_a.pk, pathway_b.pk],
        delay_weeks=6,
        criteria="Aged 18 or over",
    )
    browser.post(url, changed)
    trial.refresh_from_db()
    assert trial.sites.count() == 2
    assert trial.arms.get(is_control=True).delay_days == 42
    assert list(trial.criteria.values_list("text", flat=True)) == ["Aged 18 or over"]
    browser.post(reverse("trials:open", args=[trial.pk]))
    # Once open, the set-up page sends them back to the trial, and the action refuses.
    assert browser.get(url)["Location"] == reverse("trials:detail", args=[trial.pk])
    browser.post(url, set_up_form(site_a, pathway_a, delay_weeks=1))
    trial.refresh_from_db()
    assert trial.arms.get(is_control=True).delay_days == 42


def test_a_set_up_form_with_mistakes_keeps_what_was_typed(
    client_for, trial_manager, site_a, pathway_a, pathway_b
):
    browser = client_for(trial_manager)
    data = set_up_form(
        site_a,
        pathway_a,
        registration="12345",
        pathways=[pathway_b.pk],  # a pathway at another site
        timepoints="4, twelve",
        primary_instrument="phq9",  # not among the instruments
    )
    response = browser.post(reverse("trials:new"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "ISRCTN followed by 8 digits" in page or "ISRCTN" in page
    assert "Choose pathways at the trial&#x27;s sites only" in page
    assert "Enter whole numbers of weeks" in page
    assert 'value="Cysylltu waitlist trial"' in page
    assert "Aged 18 or over" in page
    assert not Trial.objects.exists()


def test_the_referral_page_offers_the_trial_and_the_waiting_list_holds_them(
    trial, waiting_at_a, client_for, coordinator_a, manager
):
    person = waiting_at_a()
    browser = client_for(manager)
    detail = browser.get(reverse("referrals:detail", args=[person.pk])).content.decode()
    offer = reverse("trials:offer", args=[person.pk, trial.pk])
    assert "Offer the trial" in detail and offer in detail
    waiting = browser.get(reverse("referrals:waiting_list")).content.decode()
    assert "Trial: offer it first" in waiting
    assert reverse("referrals:allocate", args=[person.pk]) not in waiting
    allocate = browser.get(reverse("referrals:allocate", args=[person.pk])).content.decode()
    assert "offer them the trial before allocating" in allocate
    assert 'name="coordinator"' not in allocate


def test_a_coordinator_enrols_consents_and_randomises_and_sees_the_arm_once(
    trial, waiting_at_a, client_for, coordinator_a, manager
):
    person = waiting_at_a()
    browser = client_for(coordinator_a)
    criteria = {f"criterion_{c.pk}": "yes" for c in trial.criteria.all()}
    response = browser.post(reverse("trials:offer", args=[person.pk, trial.pk]), criteria)
    participant = trial.participants.get(referral=person)
    assert response["Location"] == reverse("trials:participant", args=[participant.pk])
    assert participant.status == S.ELIGIBLE

    sheet = trial.documents.get(kind=DocumentKind.INFORMATION_SHEET)
    form = trial.documents.get(kind=DocumentKind.CONSENT_FORM)
    consent = {
        **date_fields("consented_on", timezone.localdate()),
        "information_sheet": sheet.pk,
        "consent_form": form.pk,
        **{
            f"item_{item.pk}": "yes" if item.required else "no"
            for item in trial.consent_items.all()
        },
    }
    browser.post(reverse("trials:consent", args=[participant.pk]), consent)
    participant.refresh_from_db()
    assert participant.status == S.CONSENTED and participant.gp_data_consent is False

    # Randomising before the baseline is refused.
    browser.post(reverse("trials:randomise", args=[participant.pk]))
    participant.refresh_from_db()
    assert participant.status == S.CONSENTED

    baseline = {f"item_{n}": a for n, a in enumerate(GAD7_ANSWERS, start=1)}
    baseline.update(date_fields("completed_on", timezone.localdate()))
    browser.post(reverse("trials:baseline", args=[participant.pk, "gad7"]), baseline)
    measure = person.measures.get()
    assert measure.timepoint == "baseline" and measure.instrument == "gad7"

    response = browser.post(reverse("trials:randomise", args=[participant.pk]))
    assert response["Location"] == reverse("trials:allocation", args=[participant.pk])
    participant.refresh_from_db()
    shown = browser.get(response["Location"]).content.decode()
    arm = re.search(r'data-testid="allocated-arm">([^<]+)<', shown).group(1)
    assert arm == participant.arm.name
    assert participant.allocation.reference in shown
    # Shown once: coming back goes to their trial page, which records it as a fact.
    again = browser.get(response["Location"])
    assert again["Location"] == reverse("trials:participant", args=[participant.pk])
    record = browser.get(again["Location"]).content.decode()
    assert participant.arm.name in record and "Randomised on" in record
    # Randomising again changes nothing.
    browser.post(reverse("trials:randomise", args=[participant.pk]))
    assert trial.strata.get().next_position == 2
    assert AuditEvent.objects.filter(
        object_type="trials.participant", action=AuditAction.VIEW, user=coordinator_a
    ).exists()


def test_a_waitlisted_person_appears_for_allocation_only_after_the_delay(
    trial, waiting_at_a, client_for, coordinator_a, manager
):
    import time_machine

    while True:
        participant = enrol(trial, waiting_at_a(), coordinator_a, until=S.RANDOMISED)
        if participant.arm.delay_days:
            break
    referral = participant.referral
    browser = client_for(manager)
    allocate_url = reverse("referrals:allocate", args=[referral.pk])
    waiting = browser.get(reverse("referrals:waiting_list")).content.decode()
    assert "Trial: not before" in waiting and allocate_url not in waiting
    with time_machine.travel(timezone.now() + datetime.timedelta(days=28), tick=False):
        browser = client_for(manager)
        waiting = browser.get(reverse("referrals:waiting_list")).content.decode()
        assert allocate_url in waiting


def test_a_form_with_mistakes_keeps_what_was_typed(trial, waiting_at_a, client_for, coordinator_a):
    participant = enrol(trial, waiting_at_a(), coordinator_a, until=S.ELIGIBLE)
    browser = client_for(coordinator_a)
    first_required = trial.consent_items.filter(required=True).first()
    response = browser.post(
        reverse("trials:consent", args=[participant.pk]),
        {f"item_{first_required.pk}": "no", **date_fields("consented_on", timezone.localdate())},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Say whether the person agreed to this statement" in page
    assert f'name="item_{first_required.pk}" value="no" checked' in page or "checked" in page


def test_closing_through_the_page(trial, client_for, trial_manager):
    browser = client_for(trial_manager)
    response = browser.post(
        reverse("trials:close", args=[trial.pk]),
        {**date_fields("closed_on", timezone.localdate()), "reason": " "},
    )
    assert "Say why the trial is closing" in response.content.decode()
    browser.post(
        reverse("trials:close", args=[trial.pk]),
        {
            **date_fields("closed_on", timezone.localdate()),
            "reason": "All non-COVID-19 research stopped",
        },
    )
    trial.refresh_from_db()
    assert trial.is_closed
    page = browser.get(reverse("trials:detail", args=[trial.pk])).content.decode()
    assert "All non-COVID-19 research stopped" in page


def test_the_consort_page_draws_the_diagram_and_links_counts_to_their_records(
    trial, waiting_at_a, coordinator_a, manager, researcher, client_for
):
    ineligible = waiting_at_a(person={"family_name": "Ineligible-Person"})
    actions.screen(trial, ineligible, by=coordinator_a, unmet=[trial.criteria.first()])
    for _ in range(4):
        enrol(trial, waiting_at_a(), coordinator_a, until=S.RANDOMISED)
    page = client_for(researcher).get(reverse("trials:consort", args=[trial.pk])).content.decode()
    assert "<svg" in page and "Assessed for eligibility (n=5)" in page
    assert "Randomised (n=4)" in page
    records = reverse("trials:records", args=[trial.pk])
    assert f"{records}?group=ineligible" in page
    rows = client_for(researcher).get(f"{records}?group=ineligible").content.decode()
    assert "P-" in rows and "Ineligible-Person" not in rows
    named = client_for(manager).get(f"{records}?group=ineligible").content.decode()
    assert "Ineligible-Person" in named


def test_the_analysis_page_reports_the_ancova_for_each_arm(
    trial, waiting_at_a, coordinator_a, researcher, client_for
):
    import time_machine

    from linkwork.outcomes import actions as outcomes
    from tests.factories import allocate

    participants = [
        enrol(
            trial,
            waiting_at_a(),
            coordinator_a,
            until=S.RANDOMISED,
            answers=[random.Random(i * 7 + k).randint(0, 3) for k in range(7)],
        )
        for i in range(8)
    ]
    later = timezone.now() + datetime.timedelta(weeks=12)
    with time_machine.travel(later, tick=False):
        for i, participant in enumerate(participants):
            referral = participant.referral
            allocate(referral, coordinator=coordinator_a)
            rng = random.Random(100 + i)
            answers = [rng.randint(0, 3) for _ in range(7)]
            outcomes.record_measure(
                referral, by=coordinator_a, instrument="gad7", timepoint="review", answers=answers
            )
        page = client_for(researcher).get(reverse("trials:analysis", args=[trial.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "cannot be run yet" not in text
    assert "Immediate support" in text
    assert "95% confidence interval" in text and "%%" not in text


def test_the_analysis_says_plainly_when_there_is_not_enough_data(trial, researcher, client_for):
    page = client_for(researcher).get(reverse("trials:analysis", args=[trial.pk])).content.decode()
    assert "The analysis cannot be run yet" in page


def test_without_a_pseudonym_key_the_team_is_told_who_must_set_it(
    trial, researcher, client_for, settings
):
    settings.TRIAL_PSEUDONYM_KEY = ""
    response = client_for(researcher).get(reverse("trials:analysis", args=[trial.pk]))
    assert response.status_code == 503
    assert "TRIAL_PSEUDONYM_KEY" in response.content.decode()


def test_the_reports_take_a_fixed_number_of_queries_however_many_took_part(
    trial, waiting_at_a, coordinator_a, researcher, client_for
):
    from linkwork.trials import dataset
    from linkwork.trials.flow import groups

    def cost():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            dataset.rows(trial)
            groups(trial)
            client_for(researcher).get(reverse("trials:consort", args=[trial.pk]))
        return len(captured)

    enrol(trial, waiting_at_a(), coordinator_a, until=S.RANDOMISED)
    few = cost()
    for _ in range(6):
        enrol(trial, waiting_at_a(), coordinator_a, until=S.RANDOMISED)
    assert cost() == few


def test_the_trial_manager_keeps_the_team(
    trial, client_for, trial_manager, researcher, coordinator_a, manager
):
    from tests.factories import ResearcherFactory

    statistician = ResearcherFactory(username="statistician", first_name="Ioan")
    browser = client_for(trial_manager)
    page = browser.get(reverse("trials:team", args=[trial.pk])).content.decode()
    assert "Ioan" in page and "Gareth" not in page  # only trial managers and researchers offered
    # Someone else's post changes nothing, and does not say the trial exists.
    response = client_for(manager).post(
        reverse("trials:team", args=[trial.pk]), {"member": statistician.pk}
    )
    assert response.status_code == 404
    refused = browser.post(reverse("trials:team", args=[trial.pk]), {"member": coordinator_a.pk})
    assert "Select a valid choice" in refused.content.decode()
    browser.post(reverse("trials:team", args=[trial.pk]), {"member": statistician.pk})
    assert trial.team.filter(pk=statistician.pk).exists()
    assert (
        client_for(statistician).get(reverse("trials:consort", args=[trial.pk])).status_code == 200
    )
    # The last trial manager cannot be taken off; a researcher can.
    browser.post(reverse("trials:remove_member", args=[trial.pk, trial_manager.pk]), follow=True)
    assert trial.team.filter(pk=trial_manager.pk).exists()
    browser.post(reverse("trials:remove_member", args=[trial.pk, statistician.pk]))
    assert not trial.team.filter(pk=statistician.pk).exists()
    assert (
        client_for(statistician).get(reverse("trials:consort", args=[trial.pk])).status_code == 404
    )
    assert (
        AuditEvent.objects.filter(object_type="trials.trial", detail__startswith="team").count()
        == 2
    )

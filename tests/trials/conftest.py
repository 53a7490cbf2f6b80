"""A trial at site A on its GP pathway, the trial team, and people walked through enrolment by
the real actions (tests/conftest.py has the sites, pathways and staff)."""

import datetime

import pytest
from django.utils import timezone

from linkwork.accounts.models import Role
from linkwork.outcomes import actions as outcomes
from linkwork.referrals.status import ReferralStatus
from linkwork.trials import actions
from linkwork.trials.models import DocumentKind, ParticipantStatus
from tests.factories import UserFactory, make_referral

GAD7_ANSWERS = [1, 1, 2, 1, 0, 1, 2]


@pytest.fixture
def trial_manager(db):
    return UserFactory(
        role=Role.TRIAL_MANAGER, username="trial_manager", first_name="Mair", last_name="Owen"
    )


def spec(sites, pathways, **overrides) -> actions.TrialSpec:
    today = timezone.localdate()
    values = {
        "name": "Linkwork waitlist trial",
        "registration": "ISRCTN12345678",
        "sites": sites,
        "pathways": pathways,
        "starts_on": today - datetime.timedelta(days=30),
        "ends_on": today + datetime.timedelta(days=300),
        "instruments": ["gad7"],
        "primary_instrument": "gad7",
        "criteria": ["Aged 18 or over", "Mild to moderate mental health problems"],
        "consent_items": [
            ("I have read the information sheet (version above).", True, False),
            ("I agree to take part.", True, False),
            ("I agree that my GP practice may share how often I attended.", False, True),
        ],
        "information_sheet": ("v2.1", today - datetime.timedelta(days=60)),
        "consent_form": ("v2.0", today - datetime.timedelta(days=60)),
    }
    values.update(overrides)
    return actions.TrialSpec(**values)


@pytest.fixture
def draft_trial(site_a, pathway_a, trial_manager, researcher):
    trial = actions.create_trial(spec([site_a], [pathway_a]), by=trial_manager)
    trial.team.add(researcher)
    return trial


@pytest.fixture
def trial(draft_trial, trial_manager):
    """Open at site A on its GP pathway: immediate support, or wait four weeks."""
    return actions.open_trial(draft_trial, by=trial_manager)


def documents(trial):
    return (
        trial.documents.get(kind=DocumentKind.INFORMATION_SHEET, in_use=True),
        trial.documents.get(kind=DocumentKind.CONSENT_FORM, in_use=True),
    )


def consent(participant, by, *, gp=True):
    sheet, form = documents(participant.trial)
    answers = {
        item.pk: (True if item.required else gp) for item in participant.trial.consent_items.all()
    }
    return actions.record_consent(
        participant,
        by=by,
        consented_on=timezone.localdate(),
        information_sheet=sheet,
        consent_form=form,
        answers=answers,
    )


def enrol(trial, referral, by, *, until=ParticipantStatus.CONSENTED, baseline=True, answers=None):
    """Screen (eligible), consent and record the baseline (`answers`, GAD-7's by default):
    ready to randomise."""
    participant = actions.screen(trial, referral, by=by, unmet=[])
    if until == ParticipantStatus.ELIGIBLE:
        return participant
    participant = consent(participant, by)
    if baseline:
        for code in trial.instruments:
            outcomes.record_measure(
                referral,
                by=by,
                instrument=code,
                timepoint="baseline",
                answers=answers or GAD7_ANSWERS,
            )
    if until == ParticipantStatus.RANDOMISED:
        actions.randomise(participant, by=by)
        participant.refresh_from_db()
    return participant


@pytest.fixture
def waiting_at_a(pathway_a, gp_referrer, manager):
    """`waiting_at_a()`: someone new on site A's waiting list, on the trial's pathway."""

    def make(**details):
        return make_referral(
            ReferralStatus.WAITING, pathway=pathway_a, by=gp_referrer, staff=manager, **details
        )

    return make

"""Issue 15, finding 4: every page view was in the log as "Viewed: referral" with nothing more,
so a look at someone's safeguarding concerns could not be told from a look at their referral.
Now each page about a person writes the part of the record it showed (`AuditEvent.part`, a
fixed vocabulary), and the audit log says it in words and can be searched by it."""

import csv
import io

import pytest
from django.urls import reverse

from linkwork.audit.models import AuditAction, AuditEvent, RecordPart
from linkwork.casework import actions as casework
from linkwork.letters import actions as letters
from linkwork.letters.models import LetterKind
from linkwork.outcomes import actions as outcomes
from linkwork.prescriptions import actions as prescriptions
from linkwork.referrals.status import ReferralStatus
from linkwork.safeguarding import actions as safeguarding
from linkwork.safeguarding.models import SafeguardingPrompt
from linkwork.trials import actions as trials
from tests.factories import make_referral, make_service
from tests.outcomes.conftest import instruments_on  # noqa: F401
from tests.trials.conftest import draft_trial, trial, trial_manager  # noqa: F401

pytestmark = pytest.mark.django_db

PHQ9_ITEM9_ONLY = [0, 0, 0, 0, 0, 0, 0, 0, 1]


@pytest.fixture
def ann(in_support, coordinator_a, site_a, instruments_on):  # noqa: F811
    """Someone in support with something in every part of her record."""
    casework.record_what_matters(in_support, by=coordinator_a, what_matters="Walking again")
    in_support.goal = casework.add_goal(
        in_support, by=coordinator_a, description="Walk to the shop", domain="social"
    )
    in_support.concern = safeguarding.raise_concern(
        in_support, by=coordinator_a, kind="falls", summary="Fell twice"
    )
    measure = outcomes.record_measure(
        in_support,
        by=coordinator_a,
        instrument="phq9",
        timepoint="baseline",
        answers=PHQ9_ITEM9_ONLY,
    )
    in_support.prompt = SafeguardingPrompt.objects.get(measure=measure)
    in_support.prescription = prescriptions.make_prescription(
        in_support,
        by=coordinator_a,
        service=make_service(name="Walking group", sites=[site_a]),
        asked_for="A place on the walk",
    )
    in_support.letter = letters.make_letter(
        in_support,
        by=coordinator_a,
        kind=LetterKind.NO_CONTACT,
        language="en",
        recipient_name="Ann",
        recipient_address="1 Stryd Fawr",
    )
    return in_support


def _pages(ann):
    """Each page about Ann, and the part of her record it shows."""
    pk = ann.pk
    return [
        (reverse("referrals:detail", args=[pk]), RecordPart.REFERRAL),
        (reverse("casework:record", args=[pk]), RecordPart.RECORD),
        (reverse("casework:timeline", args=[pk]), RecordPart.TIMELINE),
        (reverse("casework:what_matters", args=[pk]), RecordPart.WHAT_MATTERS),
        (reverse("casework:goal", args=[pk, ann.goal.pk]), RecordPart.GOAL),
        (reverse("outcomes:measures", args=[pk]), RecordPart.MEASURES),
        (reverse("prescriptions:list", args=[pk]), RecordPart.PRESCRIPTIONS),
        (
            reverse("prescriptions:detail", args=[pk, ann.prescription.pk]),
            RecordPart.PRESCRIPTION,
        ),
        (reverse("directory:search") + f"?referral={pk}", RecordPart.FINDING_A_SERVICE),
        (reverse("safeguarding:person", args=[pk]), RecordPart.SAFEGUARDING),
        (reverse("safeguarding:concern", args=[ann.concern.pk]), RecordPart.CONCERN),
        (reverse("safeguarding:prompt", args=[ann.prompt.pk]), RecordPart.PROMPT),
        (reverse("letters:letter", args=[pk, ann.letter.pk]), RecordPart.LETTER),
        (reverse("letters:pdf", args=[pk, ann.letter.pk]), RecordPart.LETTER_PDF),
        (
            reverse("letters:write", args=[pk, LetterKind.NO_CONTACT]),
            RecordPart.LETTER_PREVIEW,
        ),
    ]


def test_each_page_about_a_person_names_the_part_it_showed(client_for, manager, ann):
    browser = client_for(manager)
    for url, part in _pages(ann):
        before = set(AuditEvent.objects.values_list("pk", flat=True))
        assert browser.get(url).status_code == 200, url
        new = AuditEvent.objects.exclude(pk__in=before).filter(action=AuditAction.VIEW)
        assert [(e.user, e.person_id, e.part) for e in new] == [(manager, ann.person_id, part)], url


def test_triage_and_a_trial_are_parts_too(client_for, manager, coordinator_a, waiting, trial):  # noqa: F811
    browser = client_for(manager)
    browser.get(reverse("referrals:triage", args=[waiting.pk]))
    participant = trials.screen(trial, waiting, by=coordinator_a, unmet=[])
    client_for(coordinator_a).get(reverse("trials:participant", args=[participant.pk]))
    parts = AuditEvent.objects.filter(action=AuditAction.VIEW, person_id=waiting.person_id)
    assert {(e.user, e.part) for e in parts} == {
        (manager, RecordPart.TRIAGE),
        (coordinator_a, RecordPart.TRIAL),
    }


def test_no_view_of_a_person_goes_without_its_part(client_for, manager, ann):
    browser = client_for(manager)
    for url, _part in _pages(ann):
        browser.get(url)
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, person_id__isnull=False)
    assert views.exists()
    assert not views.filter(part="").exists()


def test_the_log_says_what_was_viewed_in_words(client_for, administrator, manager, ann):
    browser = client_for(manager)
    browser.get(reverse("safeguarding:person", args=[ann.pk]))
    browser.get(reverse("casework:record", args=[ann.pk]))
    admin = client_for(administrator)
    cell = '<td class="govuk-table__cell">'
    page = admin.get(reverse("audit:log"), {"person": ann.person.reference}).content.decode()
    assert cell + "Safeguarding: risk flags and concerns" in page
    assert cell + "The person&#x27;s record" in page
    # Searched for one part only.
    only = admin.get(
        reverse("audit:log"), {"person": ann.person.reference, "part": RecordPart.SAFEGUARDING}
    ).content.decode()
    assert cell + "Safeguarding: risk flags and concerns" in only
    assert cell + "The person&#x27;s record" not in only
    assert 'value="safeguarding" selected' in only
    # And the download says it in its Detail column.
    download = admin.get(reverse("audit:export"), {"part": RecordPart.SAFEGUARDING})
    (header, *lines) = list(csv.reader(io.StringIO(download.content.decode())))
    assert [line[7] for line in lines] == ["Safeguarding: risk flags and concerns"]


def test_a_letter_read_says_both_the_part_and_the_detail(client_for, administrator, manager, ann):
    client_for(manager).get(reverse("letters:pdf", args=[ann.pk, ann.letter.pk]))
    download = client_for(administrator).get(
        reverse("audit:export"), {"part": RecordPart.LETTER_PDF}
    )
    (header, *lines) = list(csv.reader(io.StringIO(download.content.decode())))
    assert [line[7] for line in lines] == ["A letter, downloaded to print – Downloaded as a PDF"]


def test_an_unknown_part_is_a_form_error(client_for, administrator):
    page = client_for(administrator).get(reverse("audit:log"), {"part": "everything"})
    assert page.status_code == 200
    assert "govuk-error-summary" in page.content.decode()


def test_lines_written_before_parts_still_read(client_for, administrator, coordinator_a):
    referral = make_referral(ReferralStatus.RECEIVED)
    AuditEvent.objects.create(
        user=coordinator_a,
        action=AuditAction.VIEW,
        object_type="referrals.referral",
        object_id=str(referral.pk),
        person_id=referral.person_id,
    )
    page = client_for(administrator).get(reverse("audit:log")).content.decode()
    assert "Viewed: referral" in page

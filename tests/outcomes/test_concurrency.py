"""At the same moment: the person submits their questionnaire twice (a double tap on a slow
phone), and two coordinators record the same baseline. Exactly one measure is recorded each time,
and the loser gets a clear refusal, never an error. Real threads, each with its own connection.

PostgreSQL only: SQLite serialises writers for the whole database, so a race there proves
nothing.
"""

from linkwork.core.errors import ActionRefused
from linkwork.outcomes import actions
from linkwork.outcomes.models import Measure, MeasureLink
from linkwork.referrals.models import Referral
from linkwork.safeguarding.models import SafeguardingPrompt
from tests.postgres import postgresql_only
from tests.referrals.test_concurrency import race

ROUNDS = 10

pytestmark = postgresql_only("concurrency tests need PostgreSQL's row locks")


def test_a_link_submitted_twice_at_once_records_one_measure(
    in_support, coordinator_a, instruments_on
):
    answers = [0, 1, 1, 0, 1, 0, 1, 0, 1]  # item 9 positive: one prompt, not two
    for _round in range(ROUNDS):
        Measure.objects.filter(referral=in_support).update(withdrawn_at="2026-01-01T00:00Z")
        SafeguardingPrompt.objects.update(handled_at="2026-01-01T00:00Z", action="other")
        link, _signed = actions.create_measure_link(
            in_support, by=coordinator_a, instrument="phq9", timepoint="baseline"
        )

        def submit(pk=link.pk):
            return actions.complete_measure_through_link(
                MeasureLink.objects.get(pk=pk), answers=answers, language="cy"
            )

        results = race(submit, submit)
        recorded = [r for r in results if isinstance(r, Measure)]
        refused = [r for r in results if isinstance(r, ActionRefused)]
        assert len(recorded) == 1 and len(refused) == 1, results
        assert SafeguardingPrompt.objects.filter(measure=recorded[0]).count() == 1


def test_two_coordinators_recording_the_same_baseline(
    in_support, coordinator_a, manager, instruments_on
):
    for _round in range(ROUNDS):
        Measure.objects.filter(referral=in_support).update(withdrawn_at="2026-01-01T00:00Z")

        def record(by):
            referral = Referral.objects.get(pk=in_support.pk)
            return actions.record_measure(
                referral, by=by, instrument="swemwbs", timepoint="baseline", answers=[3] * 7
            )

        results = race(lambda: record(coordinator_a), lambda: record(manager))
        assert sum(isinstance(r, Measure) for r in results) == 1, results
        assert sum(isinstance(r, ActionRefused) for r in results) == 1, results

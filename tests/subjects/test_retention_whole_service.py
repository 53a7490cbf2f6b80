"""Retention on the demo service (decision 0027): a sweep far enough in the future anonymises
everyone whose support has ended, and every figure the service reports (each dashboard, the
funder report's data quality, the trial's research dataset) is the same before and after; the
audit chain still verifies."""

import datetime
import io

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from linkwork.audit.verify import verify
from linkwork.demo.service import wipe
from linkwork.partners.models import Site
from linkwork.referrals.models import Person, Referral
from linkwork.referrals.status import OPEN_STATUSES
from linkwork.reports.dashboards import DASHBOARDS
from linkwork.reports.dashboards.context import Context
from linkwork.reports.figures import Figures
from linkwork.reports.filters import Filters
from linkwork.reports.funder import data_quality
from linkwork.reports.scope import sites_scope
from linkwork.reports.timeline import service_timeline
from linkwork.subjects import sweep
from linkwork.subjects.models import Anonymisation
from linkwork.trials import dataset
from linkwork.trials.models import Trial

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        mail.outbox = []
        call_command("load_demo", force=True, stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        wipe()


def figures() -> str:
    """Everything the dashboards, the funder report's checks and the trials' datasets say."""
    first = Referral.objects.order_by("received_at").first().received_at.date().replace(day=1)
    last = timezone.localdate().replace(day=1)
    scope = sites_scope(Site.objects.order_by("name"), exact=False, names=False)
    filters = Filters(first, last)
    events = service_timeline(scope, first=filters.first_month, last=filters.end_date)
    made = Figures(scope, lambda **_link: "")
    ctx = Context(scope, filters, made, [e.marker for e in events])
    boards = [build(ctx) for _title, build in DASHBOARDS.values()]
    quality = data_quality(scope, filters, made)
    trials = [dataset.rows(trial) for trial in Trial.objects.order_by("pk")]
    return repr((boards, quality, trials))


def test_a_sweep_keeps_every_figure_and_the_chain(demo):
    before = figures()
    ended = set(
        Person.objects.exclude(referrals__status__in=OPEN_STATUSES).values_list("pk", flat=True)
    )
    started = timezone.now()
    report = sweep.run(dry_run=False, now=timezone.now() + relativedelta(years=20))
    took = timezone.now() - started
    assert not report.errors, report.errors
    assert report.people_anonymised > 20
    anonymised = set(Anonymisation.objects.values_list("person_id", flat=True))
    assert anonymised <= ended and len(anonymised) == report.people_anonymised
    print(f"\n{report.people_anonymised} people anonymised in {took}")  # noqa: T201
    assert figures() == before
    assert verify().intact
    assert took < datetime.timedelta(minutes=5)

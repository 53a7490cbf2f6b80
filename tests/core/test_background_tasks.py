"""Reminder sweeps and the worker: idempotent, and one broken sweep does not stop the rest."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from linkwork.core import sweeps
from linkwork.core.tasks import reminder_sweep
from linkwork.messaging.models import ReferrerMessage
from linkwork.messaging.referrer import tell_referrer
from linkwork.messaging.tasks import send_referrer_message
from linkwork.referrals.models import Referral
from linkwork.referrals.status import ReferralStatus
from tests.factories import make_referral

S = ReferralStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_these_sweeps(monkeypatch):
    """Replace the registry with the test's own sweeps for the length of the test."""
    monkeypatch.setattr(sweeps, "_sweeps", {})
    return sweeps.register_sweep


def test_running_the_reminder_sweep_twice_sends_nothing_twice(
    only_these_sweeps, pathway_a, gp_referrer, manager
):
    reminded: set[int] = set()  # what a real sweep records in the database

    @only_these_sweeps
    def remind_about_people_waiting() -> int:
        sent = 0
        for referral in Referral.objects.filter(status=S.WAITING).exclude(pk__in=reminded):
            mail.send_mail("Still waiting", "A reminder", None, ["team@linkwork.test"])
            reminded.add(referral.pk)
            sent += 1
        return sent

    make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer, staff=manager)
    make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer, staff=manager)
    mail.outbox.clear()

    first = reminder_sweep.enqueue()
    second = reminder_sweep.enqueue()

    name = f"{__name__}.test_running_the_reminder_sweep_twice_sends_nothing_twice.<locals>"
    assert first.return_value == {f"{name}.remind_about_people_waiting": 2}
    assert second.return_value == {f"{name}.remind_about_people_waiting": 0}
    assert len(mail.outbox) == 2


def test_a_failing_sweep_does_not_stop_the_others_or_log_personal_data(only_these_sweeps, caplog):
    ran = []

    @only_these_sweeps
    def broken() -> int:
        raise ValueError("Person1 Example, 07700 900123")

    @only_these_sweeps
    def fine() -> int:
        ran.append(True)
        return 1

    done = sweeps.run_sweeps()
    assert list(done.values()) == ["failed", 1]
    assert ran == [True]
    assert "ValueError" in caplog.text
    assert "Person1" not in caplog.text
    assert "07700" not in caplog.text


def test_sweeps_are_found_in_each_apps_sweeps_module():
    registered = sweeps.registered_sweeps()
    assert "linkwork.messaging.sweeps.send_unsent_referrer_messages" in registered
    assert "linkwork.prescriptions.actions.chase_unanswered_links" in registered


def test_the_unanswered_links_sweep_is_the_prescriptions_apps_own():
    # The platform's registry knows nothing of prescriptions: the app registers its sweep.
    from linkwork.prescriptions.actions import chase_unanswered_links

    chase = sweeps.registered_sweeps()["linkwork.prescriptions.actions.chase_unanswered_links"]
    assert chase is chase_unanswered_links


def test_a_registered_sweep_replaces_one_of_the_same_name(only_these_sweeps):
    only_these_sweeps(lambda: 1, name="reviews")
    only_these_sweeps(lambda: 2, name="reviews")
    assert sweeps.run_sweeps() == {"reviews": 2}
    sweeps.unregister_sweep("reviews")
    assert sweeps.run_sweeps() == {}


def test_run_reminders_queues_the_sweep_or_runs_it_now(only_these_sweeps):
    calls = []
    only_these_sweeps(lambda: calls.append(1) or 1, name="counting")

    out = io.StringIO()
    call_command("run_reminders", stdout=out)
    assert "Reminder sweep queued" in out.getvalue()
    assert calls == [1]  # the test backend runs a queued task at once

    out = io.StringIO()
    call_command("run_reminders", "--now", stdout=out)
    assert "counting: 1" in out.getvalue()
    assert calls == [1, 1]


# --- The database-backed worker ----------------------------------------------------------------

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_a_queued_message_once(
    monkeypatch, pathway_a, gp_referrer, manager, only_these_sweeps
):
    """Through the real queue: the message is queued as the action commits, and the worker
    (the command `make run` starts) sends it."""
    monkeypatch.setattr(db_worker.Worker, "configure_signals", lambda self: None)
    referral = make_referral(
        S.RECEIVED, pathway=pathway_a, by=gp_referrer, staff=manager, consent_to_share_feedback=True
    )
    with override_settings(TASKS=DATABASE_TASKS):
        from linkwork.referrals import actions

        actions.accept_referral(referral, by=manager, priority="routine")
        assert mail.outbox == []  # queued, not sent
        queued = DBTaskResult.objects.get()
        assert queued.task_path == "linkwork.messaging.tasks.send_referrer_message"
        message = ReferrerMessage.objects.get(referral=referral)
        assert queued.args_kwargs == {"args": [message.pk], "kwargs": {}}  # an id, no details

        # Queued twice (say, by a retry): sent once.
        send_referrer_message.enqueue(message.pk)
        call_command(
            "linkwork_worker",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
            "--sweep-every=0",
            stdout=io.StringIO(),
            verbosity=0,
        )

    assert [email.to for email in mail.outbox] == [[gp_referrer.email]]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    message.refresh_from_db()
    assert message.sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_nothing_is_queued_when_the_transaction_rolls_back(pathway_a, gp_referrer, manager):
    referral = make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer, staff=manager)
    with override_settings(TASKS=DATABASE_TASKS):
        with pytest.raises(RuntimeError), transaction.atomic():
            tell_referrer(referral, "accepted", by=manager)
            raise RuntimeError
        assert not DBTaskResult.objects.exists()
        assert not ReferrerMessage.objects.exists()

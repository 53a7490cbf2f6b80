"""Email leaves one way: queued by an action for after its commit, sent by the `send_email`
task, forgotten a day later; in development it is printed whole."""

import datetime
import io
import logging

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from linkwork.core import email
from linkwork.core.mail import ReadableConsoleBackend

pytestmark = pytest.mark.django_db


def test_an_email_goes_only_once_its_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as queued, transaction.atomic():
        email.email_after_commit(to=["ann@example.org"], subject="Hello", body="A link")
        assert mail.outbox == []
    assert len(queued) == 1
    (sent,) = mail.outbox
    assert sent.to == ["ann@example.org"] and sent.subject == "Hello" and sent.body == "A link"


def test_nothing_goes_for_a_change_that_was_rolled_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                email.email_after_commit(to=["ann@example.org"], subject="Hello", body="A link")
                raise RuntimeError("the action failed")
        except RuntimeError:
            pass
    assert mail.outbox == []


def test_nothing_is_queued_without_an_address(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        email.email_after_commit(to=["", None], subject="Hello", body="A link")
    assert queued == [] and mail.outbox == []


def test_a_failure_is_logged_by_its_kind_only(monkeypatch, caplog):
    def refuse(self, fail_silently=False):
        raise OSError("550 no such user ann@example.org")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with caplog.at_level(logging.ERROR):
        assert email.send_email.call(subject="Hi", body="x", to=["ann@example.org"]) == "failed"
    assert "OSError" in caplog.text
    assert "ann@example.org" not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_sent_emails_are_forgotten_after_a_day(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    email.send_email.enqueue(subject="Hello", body="A link", to=["ann@example.org"])
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["kwargs"]["to"] == ["ann@example.org"]
    now = timezone.now()
    DBTaskResult.objects.update(finished_at=now - datetime.timedelta(hours=2))
    assert email.forget_sent_emails(now=now) == 0  # less than a day ago: kept
    assert email.forget_sent_emails(now=now + datetime.timedelta(days=1)) == 1
    assert not DBTaskResult.objects.exists()


def test_the_development_console_prints_links_whole():
    link = "http://127.0.0.1:8000/measures/questionnaire/" + "x" * 120 + "/"
    stream = io.StringIO()
    message = EmailMessage(subject="Your questionnaire", body=f"Open {link} to start.", to=["a@b"])
    ReadableConsoleBackend(stream=stream).send_messages([message])
    printed = stream.getvalue()
    assert link in printed
    assert "Subject: Your questionnaire" in printed and "To: a@b" in printed
    assert "=\n" not in printed  # no quoted-printable soft line breaks


def test_held_emails_are_not_queued(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as queued, email.emails_held():
        email.email_after_commit(to=["ann@example.org"], subject="Hello", body="A link")
    assert queued == [] and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        email.email_after_commit(to=["ann@example.org"], subject="Hello", body="A link")
    assert len(mail.outbox) == 1  # held only inside


def test_sent_texts_are_forgotten_a_day_after_like_emails(settings):
    """A text's number and words are task arguments: the sweep removes them a day after."""
    import datetime

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from linkwork.core import sms

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    result = sms.send_text.enqueue(to="07700900123", message="Hello", reference="r")
    DBTaskResult.objects.filter(id=result.id).update(
        status="SUCCESSFUL", finished_at=timezone.now() - datetime.timedelta(days=2)
    )
    assert sms.forget_sent_texts() == 1
    assert not DBTaskResult.objects.filter(id=result.id).exists()

"""SQLite under real use: many saves at once, through a real server on a database file, with the
background worker running beside it. Every save either lands or is refused with a reason; none
fails with "database is locked" (a 500), and nothing is saved twice.

The server is gunicorn with three processes of four threads each: more writers at once than the
development server (`make run`, one process, a thread per request) ever has. The worker polls for
tasks and runs the reminder sweep every few seconds, as `make run` starts it.

SQLite only: it is the database that has one writer at a time.
"""

import concurrent.futures
import datetime
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.utils import timezone

from tests.core.same_post import (
    SWEMWBS,
    assert_one_result,
    contact_form,
    post_at_once,
    self_referral_form,
)
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 120
COORDINATORS = 2
PEOPLE_EACH = 8
CONTACTS_EACH = 24  # per coordinator, six at a time
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SQLite's single writer is what this test is about",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _manage(environment, *arguments, module=None) -> str:
    command = [sys.executable, "-m", module] if module else [sys.executable, "manage.py"]
    done = subprocess.run(  # noqa: S603 - our own interpreter and commands
        [*command, *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    here = tmp_path_factory.mktemp("sqlite-load")
    port = _free_port()
    database = here / "linkwork.sqlite3"
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": str(here),
        "DJANGO_SETTINGS_MODULE": "linkwork.config.settings.dev",
        "DEBUG": "off",
        "DATABASE_URL": f"sqlite:///{database}",
        "LINKWORK_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "3",
        "WEB_THREADS": "4",
        "WEB_ACCESS_LOG": "off",
        "MEASURE_LINK_RATE": "10000/h",
        "SELF_REFERRAL_RATE": "10000/h",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    _manage(environment, "migrate", "--verbosity", "0")
    built = json.loads(
        _manage(
            environment, str(COORDINATORS), str(PEOPLE_EACH), module="tests.core.sqlite_service"
        )
    )
    log = (here / "server.log").open("w+")
    processes = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "--config", "linkwork/config/gunicorn.conf.py"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "manage.py",
                "linkwork_worker",
                "--no-reload",
                "--sweep-every",
                "0.05",
            ],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        ),
    ]
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
            log.seek(0)
            pytest.fail(f"the server did not start:\n{log.read()[-3000:]}")
        time.sleep(0.5)
    yield {"base": base, "built": built, "database": database, "log": log}
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    log.close()


def _sign_in(client: httpx.Client, username: str) -> None:
    page = client.get("/sign-in/")
    token = CSRF.search(page.text).group(1)
    signed_in = client.post(
        "/sign-in/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert signed_in.status_code == 302, signed_in.text[:500]


def _log_contact(base: str, username: str, person: int, number: int) -> int:
    with httpx.Client(base_url=base, timeout=60) as client:
        _sign_in(client, username)
        form = client.get(f"/casework/referrals/{person}/contacts/new/")
        assert form.status_code == 200
        # Yesterday: a contact must be in the past, at whatever time the test runs.
        day = timezone.localdate() - datetime.timedelta(days=1)
        response = client.post(
            f"/casework/referrals/{person}/contacts/new/",
            data={
                "csrfmiddlewaretoken": CSRF.search(form.text).group(1),
                "contact_date_day": day.day,
                "contact_date_month": day.month,
                "contact_date_year": day.year,
                "contact_time": f"{number % 10:02d}:{number % 60:02d}",
                "mode": "telephone",
                "outcome": "attended",
                "minutes": "20",
                "note": f"Contact number {number}",
            },
        )
        return response.status_code


def _answer(base: str, signed: str) -> int:
    with httpx.Client(base_url=base, timeout=60) as client:
        form = client.get(f"/measures/questionnaire/{signed}/")
        if form.status_code != 200:
            return form.status_code
        answers = {f"item_{n}": "3" for n in range(1, 8)}
        response = client.post(
            f"/measures/questionnaire/{signed}/",
            data={"csrfmiddlewaretoken": CSRF.search(form.text).group(1), **answers},
        )
        return response.status_code


def _count(database: Path, sql: str, *params) -> int:
    import sqlite3

    with sqlite3.connect(database) as connection:
        return connection.execute(sql, params).fetchone()[0]


def test_many_saves_at_once_all_land_and_none_fails(service):
    base, built = service["base"], service["built"]
    jobs = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        for coordinator in built["coordinators"]:
            for number in range(CONTACTS_EACH):
                person = coordinator["people"][number % PEOPLE_EACH]
                jobs.append(
                    pool.submit(_log_contact, base, coordinator["username"], person, number)
                )
        # Each questionnaire sent twice at once: a double tap on a slow phone.
        answers = [pool.submit(_answer, base, signed) for signed in built["links"] * 2]
        contact_statuses = [job.result() for job in jobs]
        answer_statuses = [job.result() for job in answers]

    service["log"].flush()
    service["log"].seek(0)
    log = service["log"].read()
    assert "database is locked" not in log
    assert "Internal Server Error" not in log
    # Every contact was saved: a redirect back to the record, and a row each.
    assert contact_statuses == [302] * len(contact_statuses)
    spare = service["built"]["spare"]["person"]
    assert _count(
        service["database"], "SELECT count(*) FROM casework_contact WHERE referral_id != ?", spare
    ) == len(jobs)
    # Each questionnaire was recorded once: one submission thanked, the other told the link is
    # spent (or, if it came second, shown the page that says so).
    assert 500 not in answer_statuses
    assert answer_statuses.count(302) == len(built["links"])
    assert _count(
        service["database"],
        "SELECT count(*) FROM outcomes_measure WHERE withdrawn_at IS NULL AND referral_id != ?",
        built["spare"]["person"],
    ) == len(built["links"])


# --- The same submission six times at once (issue 15: a double click on /refer/ gave a 500, and
# six answers to one questionnaire link gave four): one record, every answer leads to it.


def _no_errors_logged(service) -> None:
    service["log"].flush()
    service["log"].seek(0)
    log = service["log"].read()
    assert "database is locked" not in log
    assert "Internal Server Error" not in log


def test_a_self_referral_sent_six_times_at_once_is_received_once(service):
    spare = service["built"]["spare"]
    responses = post_at_once(
        service["base"], f"/referrals/self-referral/{spare['site']}/", self_referral_form()
    )
    assert_one_result(responses, leads_to=f"/referrals/self-referral/{spare['site']}/sent/")
    assert (
        _count(
            service["database"],
            "SELECT count(*) FROM referrals_referral WHERE received_via = 'self_referral'",
        )
        == 1
    )
    _no_errors_logged(service)


def test_a_contact_sent_six_times_at_once_is_logged_once(service):
    spare = service["built"]["spare"]
    responses = post_at_once(
        service["base"],
        f"/casework/referrals/{spare['person']}/contacts/new/",
        contact_form(),
        username=spare["username"],
    )
    assert_one_result(responses)
    assert (
        _count(
            service["database"],
            "SELECT count(*) FROM casework_contact WHERE referral_id = ?",
            spare["person"],
        )
        == 1
    )
    _no_errors_logged(service)


def test_a_questionnaire_sent_six_times_at_once_is_recorded_once(service):
    spare = service["built"]["spare"]
    responses = post_at_once(service["base"], f"/measures/questionnaire/{spare['link']}/", SWEMWBS)
    assert_one_result(responses, leads_to="/measures/questionnaire/thank-you/")
    assert (
        _count(
            service["database"],
            "SELECT count(*) FROM outcomes_measure WHERE referral_id = ?",
            spare["person"],
        )
        == 1
    )
    _no_errors_logged(service)

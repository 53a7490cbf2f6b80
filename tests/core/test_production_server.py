"""The production server (`manage.py linkwork_serve`, `make serve`) starts from nothing but the
documented environment variables, serves the health check, the sign-in page and its static
files through gunicorn with the production settings, keeps query strings out of its logs, and
stops cleanly on SIGTERM together with its background worker."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 180


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, **headers) -> tuple[int, dict, bytes]:
    class NoRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirects)
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our own server
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    here = tmp_path_factory.mktemp("serve")
    port = _free_port()
    environment = {
        # What docs/admin/running.md asks for, and nothing else from the test's environment.
        "PATH": os.environ["PATH"],
        "HOME": str(here),
        "DJANGO_SETTINGS_MODULE": "linkwork.config.settings.production",
        "SECRET_KEY": "a-test-only-secret-key-that-is-long-enough-for-check-deploy-0123456789",
        "EMAIL_HOST": "127.0.0.1",
        "SITE_URL": "https://linkwork.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/9",
        "DATABASE_URL": f"sqlite:///{here / 'linkwork.sqlite3'}",
        # A small service on one machine may run on SQLite, when its operator says so.
        "ALLOW_SQLITE_IN_PRODUCTION": "true",
        "STATIC_ROOT": str(here / "static"),
        "LINKWORK_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "TASK_WORKERS": "1",
    }
    log = (here / "server.log").open("w+")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [sys.executable, "manage.py", "linkwork_serve"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while True:
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"the server stopped while starting:\n{log.read()[-3000:]}")
        try:
            if _get(f"{base}/healthz")[0] == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            log.seek(0)
            pytest.fail(f"the server did not answer in {START_SECONDS} s:\n{log.read()[-3000:]}")
        time.sleep(0.5)
    yield {"base": base, "process": process, "log": log}
    if process.poll() is None:
        process.kill()
        process.wait()
    log.close()


def _log(server) -> str:
    server["log"].flush()
    server["log"].seek(0)
    return server["log"].read()


def test_health_check_answers_over_plain_http_for_a_load_balancer(server):
    status, headers, body = _get(f"{server['base']}/healthz")
    assert status == 200
    assert b'"database": "ok"' in body
    assert headers["Content-Type"] == "application/json"


def test_pages_redirect_to_https_unless_the_proxy_says_the_request_came_over_it(server):
    status, headers, _body = _get(f"{server['base']}/sign-in/")
    assert status == 301
    assert headers["Location"].startswith("https://")


def test_sign_in_page_and_its_static_files_are_served_with_production_settings(server):
    status, headers, body = _get(f"{server['base']}/sign-in/", **{"X-Forwarded-Proto": "https"})
    assert status == 200
    page = body.decode()
    assert "Sign in" in page
    assert "Strict-Transport-Security" in headers
    # Secure cookies only (production settings).
    assert "secure" in headers["Set-Cookie"].lower()
    # The stylesheet comes from the collected, hashed (manifest) static files.
    start = page.index("/static/dist/linkwork.")
    stylesheet = page[start : page.index('"', start)]
    assert stylesheet != "/static/dist/linkwork.css"
    status, headers, css = _get(server["base"] + stylesheet, **{"X-Forwarded-Proto": "https"})
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert len(css) > 1000


def test_welsh_is_served(server):
    status, _headers, body = _get(
        f"{server['base']}/sign-in/", **{"X-Forwarded-Proto": "https", "Accept-Language": "cy"}
    )
    assert status == 200
    assert 'lang="cy"' in body.decode()


def test_the_access_log_keeps_out_query_strings_and_client_addresses(server):
    marker = "Angharad-Pritchard-SA99-9ZZ"
    _get(f"{server['base']}/sign-in/?next=/search/?q={marker}", **{"X-Forwarded-Proto": "https"})
    time.sleep(0.5)
    log = _log(server)
    assert '"GET /sign-in/" 200' in log
    assert marker not in log
    assert "127.0.0.1 -" not in log


def test_sigterm_stops_the_web_server_and_the_worker(server):
    process = server["process"]
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    log = _log(server)
    assert "Shutting down: Master" in log
    with pytest.raises(OSError):
        _get(f"{server['base']}/healthz")


def test_refuses_to_serve_with_debug_on(settings):
    from django.core.management import CommandError, call_command

    settings.DEBUG = True
    with pytest.raises(CommandError, match="DEBUG is on"):
        call_command("linkwork_serve")


def test_refuses_to_serve_without_the_compiled_welsh_catalogue(settings, tmp_path):
    from django.core.management import CommandError, call_command

    settings.DEBUG = False
    settings.LOCALE_PATHS = [tmp_path]  # no cy/LC_MESSAGES/django.mo here
    with pytest.raises(CommandError, match="cy translations are not compiled"):
        call_command("linkwork_serve")


@pytest.mark.parametrize("name", ["WEB_THREADS", "WEB_TIMEOUT", "WEB_MAX_REQUESTS"])
@pytest.mark.parametrize("value", ["many", "0", "-2"])
def test_gunicorn_settings_refuse_a_bad_number(name, value):
    environment = {**os.environ, name: value}
    checked = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "linkwork/config/gunicorn.conf.py",
            "--check-config",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode != 0
    assert f"{name} must be" in checked.stdout + checked.stderr

"""One-time link secrets never reach the logs (issue 15): the error log recorded them in
request paths. `linkwork.core.log_scrubbing`, wired in LOGGING and gunicorn.conf.py."""

import datetime
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core import signing
from django.urls import URLPattern, URLResolver, get_resolver

from linkwork.core.log_scrubbing import REDACTED, SECRET_PARAMETERS, redact

pytestmark = pytest.mark.django_db

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "linkwork" / "config" / "gunicorn.conf.py"


@pytest.fixture
def captured(caplog):
    """caplog, also on the loggers that do not pass their records up to the root."""
    names = ["django.request", "django.server", "gunicorn.access"]
    loggers = [logging.getLogger(name) for name in names]
    for logger in loggers:
        logger.addHandler(caplog.handler)
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.WARNING)  # "Gone" and "Not Found" too, not only errors
    with caplog.at_level(logging.INFO):
        yield caplog
    request_log.setLevel(level)
    for logger in loggers:
        logger.removeHandler(caplog.handler)


def signed_value() -> str:
    return signing.dumps([12345, "a-secret-token-nobody-should-read"], salt="not.a.real.salt")


@pytest.mark.parametrize(
    "prefix", ["/casework/feedback/", "/measures/questionnaire/", "/prescriptions/service-links/"]
)
def test_a_request_to_a_one_time_link_is_logged_with_its_secret_redacted(client, captured, prefix):
    value = signed_value()

    response = client.get(f"{prefix}{value}/")

    assert response.status_code in (404, 410)
    assert value not in captured.text
    assert "a-secret-token" not in captured.text
    assert f"{prefix}{REDACTED}/" in captured.text


def test_a_calendar_feed_token_is_redacted(client, captured):
    token = "Zq3vX9tK2mP8rL5wN1yB7cD4fH6jG0sA"

    client.get(f"/casework/diary/calendar/{token}.ics")

    assert token not in captured.text
    assert f"/casework/diary/calendar/{REDACTED}.ics" in captured.text


def test_the_development_servers_request_line_is_redacted(captured):
    value = signed_value()
    # What django.core.servers.basehttp.WSGIRequestHandler.log_message writes.
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"POST /casework/feedback/{value}/?x=1 HTTP/1.1", "302", "0"
    )

    assert value not in captured.text
    assert f'"POST /casework/feedback/{REDACTED}/?x=1 HTTP/1.1" 302 0' in captured.text


def test_gunicorns_access_log_is_redacted(captured):
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    settings = runpy.run_path(str(GUNICORN_CONF))
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", settings["access_log_format"])
    gunicorn_log = Logger(config)
    value = signed_value()
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/measures/questionnaire/{value}/",
        "PATH_INFO": f"/measures/questionnaire/{value}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    try:
        gunicorn_log.access(response, SimpleNamespace(headers=[]), environ, datetime.timedelta(0))
    finally:
        for handler in list(gunicorn_log.access_log.handlers):
            if getattr(handler, "_gunicorn", False):
                gunicorn_log.access_log.removeHandler(handler)

    assert value not in captured.text
    assert f'"GET /measures/questionnaire/{REDACTED}/" 200 512' in captured.text


def test_ordinary_paths_and_messages_are_left_alone():
    for text in [
        "Not Found: /referrals/123/",
        "GET /casework/feedback/thank-you/ HTTP/1.1",
        "2026-12-05 02:48:55,433 INFO something happened",
    ]:
        assert redact(text) == text


def test_every_route_with_a_secret_in_its_path_is_redacted():
    """A new kind of link with a `signed` or `token` parameter is covered without a change."""

    def routes(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from routes(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern)

    secret_routes = [
        route
        for route in routes(get_resolver().url_patterns)
        if any(f":{name}>" in route for name in SECRET_PARAMETERS)
    ]
    assert len(secret_routes) >= 4
    for route in secret_routes:
        path = "/" + route
        for name in SECRET_PARAMETERS:
            path = path.replace(f"<str:{name}>", "S3cretValueOfThirtyTwoCharacters")
        path = path.replace("<int:pk>", "7")
        assert "S3cretValueOfThirtyTwoCharacters" in path, route
        assert "S3cretValueOfThirtyTwoCharacters" not in redact(f"Not Found: {path}"), route

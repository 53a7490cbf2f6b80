"""Production settings refuse to start unless configured safely.

Each case imports the settings in a fresh interpreter with a controlled environment, because
settings are read once per process.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Settings never connect on import: any PostgreSQL address will do.
POSTGRES = "postgres://linkwork@db.example.org:5432/linkwork"
CONFIGURED = {
    "SECRET_KEY": "k" * 50,
    "EMAIL_HOST": "smtp.example.org",
    "SITE_URL": "https://linkwork.example.org",
    "REDIS_URL": "redis://127.0.0.1:6379/9",
}

SETUP = (
    "import django\n"
    "django.setup()\n"
    "from django.conf import settings\n"
    "print('DEBUG', settings.DEBUG)\n"
    "print('SESSION_COOKIE_SECURE', settings.SESSION_COOKIE_SECURE)\n"
    "print('CSRF_COOKIE_SECURE', settings.CSRF_COOKIE_SECURE)\n"
)


def in_production(*arguments: str, **env: str) -> subprocess.CompletedProcess:
    """This Python with `arguments`, under the production settings and only `env`."""
    clean_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(PROJECT_ROOT),
        "DJANGO_SETTINGS_MODULE": "linkwork.config.settings.production",
        **env,
    }
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, *arguments],
        cwd=PROJECT_ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def start_production(**env: str) -> subprocess.CompletedProcess:
    return in_production("-c", SETUP, **env)


@pytest.mark.parametrize("secret", [None, ""], ids=["unset", "empty"])
def test_production_refuses_to_start_without_a_secret_key(secret):
    env = {} if secret is None else {"SECRET_KEY": secret}
    result = start_production(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("debug", ["true", "1", "on", "yes"])
def test_production_refuses_to_start_with_debug_on(debug):
    result = start_production(SECRET_KEY="k" * 50, DEBUG=debug)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEBUG must be off in production" in result.stderr


def test_production_refuses_a_malformed_debug_value_rather_than_guessing():
    result = start_production(SECRET_KEY="k" * 50, DEBUG="maybe")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEBUG must be one of" in result.stderr


@pytest.mark.parametrize("debug", [None, "false", "0", "off"], ids=["unset", "false", "0", "off"])
def test_production_starts_with_a_secret_key_and_debug_off(debug):
    env = {
        "SECRET_KEY": "k" * 50,
        "EMAIL_HOST": "smtp.example.org",
        "SITE_URL": "https://linkwork.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/9",
        "DATABASE_URL": POSTGRES,
    }
    if debug is not None:
        env["DEBUG"] = debug
    result = start_production(**env)
    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout
    # Cookies only travel over HTTPS in production.
    assert "SESSION_COOKIE_SECURE True" in result.stdout
    assert "CSRF_COOKIE_SECURE True" in result.stdout


def test_production_refuses_to_start_without_a_mail_server():
    # Without one, messages to referrers (personal data) would go to the console, and the logs.
    result = start_production(SECRET_KEY="k" * 50)
    assert result.returncode != 0
    assert "EMAIL_HOST must be set in production" in result.stderr


def test_production_refuses_to_start_without_its_address():
    # Without it, links emailed and texted to people would lead somewhere else.
    result = start_production(SECRET_KEY="k" * 50, EMAIL_HOST="smtp.example.org")
    assert result.returncode != 0
    assert "SITE_URL must be set in production" in result.stderr


def test_production_refuses_to_start_without_a_shared_cache_for_its_limits():
    result = start_production(
        SECRET_KEY="k" * 50, EMAIL_HOST="smtp.example.org", SITE_URL="https://linkwork.example.org"
    )
    assert result.returncode != 0
    assert "REDIS_URL must be set in production" in result.stderr


@pytest.mark.parametrize("allowed", [None, "false"], ids=["unset", "false"])
def test_production_refuses_sqlite_unless_the_operator_allows_it(allowed):
    env = {**CONFIGURED, "DATABASE_URL": "sqlite:////tmp/linkwork.sqlite3"}
    if allowed is not None:
        env["ALLOW_SQLITE_IN_PRODUCTION"] = allowed
    result = start_production(**env)
    assert result.returncode != 0
    assert "DATABASE_URL must name a PostgreSQL database in production" in result.stderr
    # With no DATABASE_URL at all, the default is SQLite: refused the same way.
    result = start_production(**CONFIGURED)
    assert "DATABASE_URL must name a PostgreSQL database in production" in result.stderr


def test_production_runs_on_sqlite_when_the_operator_allows_it():
    result = start_production(
        **CONFIGURED,
        DATABASE_URL="sqlite:////tmp/linkwork.sqlite3",
        ALLOW_SQLITE_IN_PRODUCTION="true",
    )
    assert result.returncode == 0, result.stderr


def check_deploy(**env: str) -> subprocess.CompletedProcess:
    return in_production(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **{
            **CONFIGURED,
            # check --deploy wants a long, random-looking key.
            "SECRET_KEY": "a-test-only-secret-key-that-is-long-enough-for-check-deploy-0123456789",
            "DATABASE_URL": POSTGRES,
            **env,
        },
    )


def test_check_deploy_is_clean_as_documented():
    # Clean means no warning at all: a new one (a setting changed, a Django upgrade) then fails
    # here instead of scrolling past in a deployment log. HSTS preloading is off (decision 0022).
    result = check_deploy()
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_is_clean_with_hsts_preloading_chosen():
    result = check_deploy(SECURE_HSTS_PRELOAD="true")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_still_warns_about_what_was_not_chosen():
    # Only the preload reminder is silenced: turning the HTTPS redirect off is still reported.
    result = check_deploy(SECURE_SSL_REDIRECT="false")
    assert result.returncode != 0
    assert "security.W008" in result.stderr

"""`scripts/backup.sh` and `scripts/restore-check.sh` for real, on the machine's PostgreSQL: a
backup of the test database restores into a scratch database whose audit chain checks out,
and a backup of a tampered log fails the check. The scratch database is gone afterwards."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from linkwork.audit import guard
from linkwork.audit.models import AuditAction
from linkwork.audit.service import record
from tests.postgres import postgresql_only

pytestmark = [
    *postgresql_only("backups are of PostgreSQL"),
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs pg_dump and pg_restore"),
]

SCRIPTS = Path(settings.BASE_DIR) / "scripts"


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def run(script: str, *args) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "linkwork.config.settings.test",
    }
    return subprocess.run(  # noqa: S603 - our own scripts
        [str(SCRIPTS / script), *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def scratch_databases() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE 'linkwork_restore%%'")
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def log(manager, site_a):
    for detail in ("one", "two", "three"):
        record(by=manager, action=AuditAction.VIEW, obj=site_a, detail=detail)


def backup(tmp_path) -> Path:
    made = run("backup.sh", tmp_path)
    assert made.returncode == 0, made.stderr
    path = Path(made.stdout.strip())
    assert path.parent == tmp_path and path.name.startswith("linkwork-")
    assert path.suffix == ".dump" and path.stat().st_size > 0
    assert path.stat().st_mode & 0o077 == 0  # the owner's only
    return path


def test_a_backup_restores_and_its_audit_chain_is_intact(log, tmp_path):
    before = scratch_databases()
    checked = run("restore-check.sh", backup(tmp_path))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "3 events, chain intact." in checked.stdout
    assert "System check identified no issues" in checked.stdout
    assert "Restore check passed" in checked.stdout
    assert scratch_databases() == before


def test_a_backup_of_a_tampered_log_fails_the_check(log, tmp_path):
    with guard.suspended(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET detail = 'changed' WHERE detail = 'two'")
    before = scratch_databases()
    checked = run("restore-check.sh", backup(tmp_path))
    assert checked.returncode == 1
    assert "its contents don't match its hash" in checked.stderr
    assert "Restore check FAILED" in checked.stderr
    assert scratch_databases() == before


def test_backup_needs_a_postgresql_database(tmp_path):
    refused = subprocess.run(  # noqa: S603
        [str(SCRIPTS / "backup.sh"), str(tmp_path)],
        env={**os.environ, "DATABASE_URL": "sqlite:///db.sqlite3"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2
    assert "not a postgres:// URL" in refused.stderr

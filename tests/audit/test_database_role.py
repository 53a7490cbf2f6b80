"""The least-privilege database role, as `docs/admin/security.md` ("The database role") sets it
up: its SQL is read from the document and run against the test database (role names made
unique to this run; all of it rolled back with the test's transaction), then each claim the
document makes is tried as the application's role."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from linkwork.audit import guard
from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.audit.service import record
from linkwork.referrals.models import Referral, StatusChange
from linkwork.referrals.status import ReferralStatus
from tests.factories import make_referral

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="roles are PostgreSQL's"),
]

DOC = Path(settings.BASE_DIR) / "docs" / "admin" / "security.md"
OWNER = f"lw_owner_{os.getpid()}"
APP = f"lw_app_{os.getpid()}"


def documented_sql() -> tuple[list[str], str]:
    """The section's two SQL blocks: the superuser's statements, and the owner's script."""
    section = DOC.read_text().split("## The database role", 1)[1].split("\n## ", 1)[0]
    once, after_migrate = re.findall(r"```sql\n(.*?)```", section, re.DOTALL)

    def ours(sql: str) -> str:
        name = connection.settings_dict["NAME"]
        sql = sql.replace("linkwork_owner", OWNER).replace("linkwork_app", APP)
        return sql.replace("DATABASE linkwork", f'DATABASE "{name}"')

    statements = [s.strip() for s in ours(once).split(";\n") if s.strip()]
    return statements, ours(after_migrate)


@pytest.fixture
def app_role(manager, pathway_a, gp_referrer):
    referral = make_referral(
        ReferralStatus.WAITING, pathway=pathway_a, by=gp_referrer, staff=manager
    )
    once, after_migrate = documented_sql()
    with connection.cursor() as cursor:
        for statement in once:
            if statement.startswith("CREATE DATABASE"):
                continue  # the test database exists; CREATE DATABASE can't run in a transaction
            cursor.execute(statement)
        cursor.execute(after_migrate)
    return referral


def as_app(sql: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {APP}")
        cursor.execute(sql)


def refused(sql: str, message: str) -> None:
    with pytest.raises(DatabaseError, match=message):
        as_app(sql)


def test_the_documented_sql_has_both_blocks():
    once, after_migrate = documented_sql()
    assert any(s.startswith("CREATE ROLE") for s in once)
    assert "REVOKE UPDATE, DELETE, TRUNCATE" in after_migrate


def test_the_app_role_reads_and_writes_records(app_role):
    as_app(f"UPDATE referrals_referral SET status = status WHERE id = {app_role.pk}")  # noqa: S608
    as_app("SELECT count(*) FROM audit_auditevent")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {APP}")
        event = record(by=None, action=AuditAction.VIEW, obj=app_role)  # lock, head, INSERT
        assert Referral.objects.filter(pk=app_role.pk).exists()
    assert AuditEvent.objects.filter(pk=event.pk, seq__isnull=False).exists()


@pytest.mark.parametrize("table", ["audit_auditevent", "referrals_statuschange"])
def test_the_app_role_cannot_update_delete_or_truncate_history_even_without_triggers(
    app_role, table
):
    assert StatusChange.objects.exists()
    record(by=None, action=AuditAction.VIEW, obj=app_role)
    # The triggers are off for this transaction: what refuses now is the role's grants alone.
    with guard.suspended():
        for sql in (
            f"UPDATE {table} SET id = id",  # noqa: S608 - fixed names
            f"DELETE FROM {table}",  # noqa: S608
            f"TRUNCATE {table} CASCADE",
        ):
            refused(sql, f"permission denied for table {table}")


def test_the_app_role_cannot_change_the_schema_or_lift_the_guard(app_role):
    refused("ALTER TABLE audit_auditevent DISABLE TRIGGER append_only_row", "must be owner")
    refused("DROP TRIGGER append_only_row ON audit_auditevent", "must be owner")
    refused("DROP TABLE referrals_referral CASCADE", "must be owner")
    refused("CREATE TABLE mine (id int)", "permission denied for schema public")
    refused("TRUNCATE referrals_referral CASCADE", "permission denied")


def test_the_app_role_cannot_anonymise_and_nothing_changes(app_role):
    """Retention and erasure lift the guard, which needs the owner (decision 0027): as the
    application's role the person's transaction fails whole."""
    from linkwork.referrals.models import Person
    from linkwork.subjects.anonymise import anonymise

    name = app_role.person.given_name
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {APP}")
        with pytest.raises(DatabaseError, match="owner"):
            anonymise(app_role.person_id, why="test")
    assert Person.objects.get(pk=app_role.person_id).given_name == name

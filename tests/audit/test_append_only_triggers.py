"""The database itself refuses to change or remove audit lines and status history: what the ORM
guards stop (`AppendOnlyQuerySet`), raw SQL and a plain QuerySet no longer get past either. On
PostgreSQL TRUNCATE is refused too; SQLite has none (its DELETE fires the same triggers)."""

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, models, transaction

from linkwork.audit import guard
from linkwork.audit.append_only import AppendOnlyQuerySet
from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.audit.service import record
from linkwork.referrals.models import StatusChange
from linkwork.referrals.status import ReferralStatus
from tests.factories import make_referral
from tests.postgres import postgresql_only_test

pytestmark = pytest.mark.django_db

TABLES = ["audit_auditevent", "referrals_statuschange"]
UPDATE = {table: f"UPDATE {table} SET id = id" for table in TABLES}  # noqa: S608 - fixed names
DELETE = {table: f"DELETE FROM {table}" for table in TABLES}  # noqa: S608 - fixed names


def append_only_tables() -> set[str]:
    return {
        model._meta.db_table
        for model in apps.get_models()
        if isinstance(model._default_manager.all(), AppendOnlyQuerySet)
    }


@pytest.fixture
def rows(manager, site_a, pathway_a, gp_referrer):
    make_referral(ReferralStatus.WAITING, pathway=pathway_a, by=gp_referrer, staff=manager)
    record(by=manager, action=AuditAction.VIEW, obj=site_a)
    assert AuditEvent.objects.exists() and StatusChange.objects.exists()


def refused(sql: str) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)


def test_every_append_only_table_is_guarded_by_the_database():
    """A new append-only model needs `guard.AppendOnly` in its migration; and on SQLite a later
    migration that rebuilds the table must add it again."""
    assert "audit_auditevent" in append_only_tables()
    assert append_only_tables() <= guard.guarded_tables()


@pytest.mark.parametrize("table", TABLES)
def test_raw_update_is_refused(rows, table):
    refused(UPDATE[table])


@pytest.mark.parametrize("table", TABLES)
def test_raw_delete_is_refused(rows, table):
    refused(DELETE[table])


@postgresql_only_test("TRUNCATE is PostgreSQL's")
@pytest.mark.parametrize("table", TABLES)
def test_truncate_is_refused(rows, table):
    refused(f"TRUNCATE {table} CASCADE")


def test_a_plain_queryset_is_refused(rows):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        models.QuerySet(AuditEvent).filter(action=AuditAction.VIEW).update(detail="changed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        models.QuerySet(StatusChange).all().delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        models.QuerySet(AuditEvent).all().delete()


def test_the_guard_comes_back_after_it_was_suspended(rows):
    with guard.suspended():
        models.QuerySet(AuditEvent).update(detail="the demo's past")
    assert set(AuditEvent.objects.values_list("detail", flat=True)) == {"the demo's past"}
    assert append_only_tables() <= guard.guarded_tables()
    refused("UPDATE audit_auditevent SET detail = 'again'")


def test_the_guard_can_be_suspended_for_one_table_only(rows):
    with guard.suspended(AuditEvent):
        models.QuerySet(AuditEvent).update(detail="the demo's past")
        refused(UPDATE["referrals_statuschange"])
    refused(UPDATE["audit_auditevent"])


def test_the_guard_comes_back_when_the_suspended_work_fails(rows):
    with pytest.raises(ZeroDivisionError), guard.suspended():
        1 / 0  # noqa: B018
    assert append_only_tables() <= guard.guarded_tables()


@pytest.mark.django_db(transaction=True)
def test_the_test_suites_flush_still_empties_guarded_tables(
    manager, site_a, pathway_a, gp_referrer
):
    """This test commits; Django's flush afterwards (TRUNCATE or DELETE) goes round the guard
    only for the test suite (tests/conftest.py), and the next test finds the tables empty."""
    make_referral(ReferralStatus.WAITING, pathway=pathway_a, by=gp_referrer, staff=manager)
    record(by=manager, action=AuditAction.VIEW, obj=site_a)


def test_after_a_committing_test_the_guarded_tables_are_empty_and_guarded():
    assert not AuditEvent.objects.exists()
    assert not StatusChange.objects.exists()
    assert append_only_tables() <= guard.guarded_tables()

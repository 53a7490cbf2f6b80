"""Append-only tables refused by the database itself, not only by the ORM.

`AppendOnlyQuerySet` and the models' `save()`/`delete()` stop the application's own code; a
plain `QuerySet`, raw SQL or a database client get past them. The `AppendOnly` migration
operation adds triggers that refuse UPDATE and DELETE on every row, and on PostgreSQL
TRUNCATE too (SQLite has no TRUNCATE; its `DELETE FROM` fires the row triggers).

`suspended()` is the one way round them, for the test suite's flush between tests, the demo
loader's invented past and a migration that must rewrite history: inside one transaction it
disables the triggers (PostgreSQL: `ALTER TABLE ... DISABLE TRIGGER`, which only the table's
owner may do) or drops them (SQLite), and puts them back before the transaction ends, so no
other connection ever sees the table unguarded. The application's database role does not own
the tables (docs/admin/security.md, "The database role"), so it cannot take this way round.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, transaction
from django.db.migrations.operations.base import Operation

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION linkwork_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING HINT = 'Rows are never changed or removed; see docs/admin/security.md.';
END
$$
"""
# PostgreSQL trigger names are per table; SQLite's are per database, so they carry the table's.
PG_TRIGGERS = ("append_only_row", "append_only_truncate")
SQLITE_PREFIX = "append_only_"


def _quote(connection, name: str) -> str:
    return connection.ops.quote_name(name)


def protect_sql(connection, table: str) -> list[str]:
    quoted = _quote(connection, table)
    if connection.vendor == "postgresql":
        return [
            PG_FUNCTION,
            f"DROP TRIGGER IF EXISTS append_only_row ON {quoted}",
            f"CREATE TRIGGER append_only_row BEFORE UPDATE OR DELETE ON {quoted} "
            "FOR EACH ROW EXECUTE FUNCTION linkwork_append_only()",
            f"DROP TRIGGER IF EXISTS append_only_truncate ON {quoted}",
            f"CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON {quoted} "
            "FOR EACH STATEMENT EXECUTE FUNCTION linkwork_append_only()",
        ]
    if connection.vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {_quote(connection, SQLITE_PREFIX + op + '_' + table)} "
            f"BEFORE {op.upper()} ON {quoted} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op.upper()} refused'); END"
            for op in ("update", "delete")
        ]
    return []


def unprotect_sql(connection, table: str) -> list[str]:
    quoted = _quote(connection, table)
    if connection.vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON {quoted}" for name in PG_TRIGGERS]
    if connection.vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {_quote(connection, SQLITE_PREFIX + op + '_' + table)}"
            for op in ("update", "delete")
        ]
    return []


class AppendOnly(Operation):
    """Migration operation: the database refuses UPDATE, DELETE and TRUNCATE on the model's
    table from now on. Idempotent; reversing it removes the triggers.

    SQLite rebuilds a table for some later schema changes (dropping its triggers with it): a
    migration that alters an append-only table must end with this operation again.
    `tests/audit/test_append_only_triggers.py` checks every append-only table is guarded."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str):
        self.model_name = model_name

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.model_name], {})

    def state_forwards(self, app_label, state):
        pass

    def _run(self, sql_for, app_label, schema_editor, state):
        model = state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        for sql in sql_for(schema_editor.connection, model._meta.db_table):
            schema_editor.execute(sql, params=None)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._run(protect_sql, app_label, schema_editor, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._run(unprotect_sql, app_label, schema_editor, from_state)

    def describe(self):
        return f"Refuse UPDATE, DELETE and TRUNCATE on {self.model_name} in the database"

    @property
    def migration_name_fragment(self):
        return f"{self.model_name.lower()}_append_only"


def guarded_tables(using: str = "default") -> set[str]:
    """The tables the database currently guards (for tests and checks)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger "
                "WHERE tgname = ANY(%s) AND tgenabled <> 'D'",
                [list(PG_TRIGGERS)],
            )
            return {row[0].strip('"') for row in cursor.fetchall()}
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE %s",
                [SQLITE_PREFIX + "%"],
            )
            return {row[0] for row in cursor.fetchall()}
    return set()


@contextmanager
def suspended(*models, using: str = "default") -> Iterator[None]:
    """Inside one transaction, let the append-only tables be changed (those of `models`, or
    all); the guard is back before the transaction ends. Needs the tables' owner on
    PostgreSQL. Not for the application's own code: only the test suite's flush, the demo
    loader and migrations use it."""
    connection = connections[using]
    wanted = {model._meta.db_table for model in models}

    def chosen(rows, table_of):
        return [row for row in rows if not wanted or table_of(row).strip('"') in wanted]

    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # ALTER TABLE waits for no foreign key check still pending from earlier in the
                # transaction (Django defers them to commit): run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(
                    "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
                    "WHERE tgname = ANY(%s) AND tgenabled <> 'D'",
                    [list(PG_TRIGGERS)],
                )
                off = chosen(cursor.fetchall(), lambda row: row[0])
                for table, name in off:
                    cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {name}")
            elif connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT name, sql, tbl_name FROM sqlite_master "
                    "WHERE type = 'trigger' AND name LIKE %s",
                    [SQLITE_PREFIX + "%"],
                )
                off = chosen(cursor.fetchall(), lambda row: row[2])
                for name, _sql, _table in off:
                    cursor.execute(f"DROP TRIGGER {_quote(connection, name)}")
            else:
                off = []
        yield
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for table, name in off:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {name}")
                # Back to Django's way: every constraint it makes deferrable is checked at commit.
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                for _name, sql, _table in off:
                    cursor.execute(sql)

"""Marks for tests that only PostgreSQL can run: row locks raced from several threads, or a
builder that writes with COPY. Each commits for real (`transaction=True`), so what the database
checks at commit is checked."""

import pytest
from django.db import connection


def postgresql_only(needs: str) -> list:
    """The marks: `postgres` (for `-m postgres`), a committing database, and a skip on SQLite
    that says what the test needs (`needs`: "concurrency tests need PostgreSQL's row locks")."""
    return [
        pytest.mark.postgres,
        pytest.mark.django_db(transaction=True),
        pytest.mark.skipif(
            connection.vendor != "postgresql",
            reason=f"{needs}; run with DATABASE_URL=postgres://…",
        ),
    ]


def postgresql_only_test(needs: str):
    """The same marks on one test, as a decorator."""

    def mark(test):
        for each in postgresql_only(needs):
            test = each(test)
        return test

    return mark

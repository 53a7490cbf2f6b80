"""Smoke tests of the benches' builders, at a tiny size."""

import pytest
from django.db import connection

# The builders write with PostgreSQL's COPY, committed (so the foreign keys are checked).
COPY_BUILDER = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the builder uses PostgreSQL COPY; run with DATABASE_URL=postgres://…",
    ),
]

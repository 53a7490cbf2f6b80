"""Smoke tests of the benches' builders, at a tiny size."""

from tests.postgres import postgresql_only

# The builders write with PostgreSQL's COPY, committed (so the foreign keys are checked).
COPY_BUILDER = postgresql_only("the builder uses PostgreSQL COPY")

"""Safeguarding tests use the outcome measures' instruments and schedule (a PHQ-9 item 9 answer
raises a check)."""

from tests.outcomes.conftest import instruments_on, schedule_a  # noqa: F401

"""The home pages show every part of the service: the fixtures of the outcome measures and the
directory (a small directory round the two sites)."""

from tests.directory.conftest import *  # noqa: F403
from tests.outcomes.conftest import instruments_on, schedule_a  # noqa: F401

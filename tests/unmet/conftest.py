"""Unmet needs are recorded against the directory's services and categories: the same small
directory round the two sites as the directory's tests (see tests/directory/conftest.py)."""

from tests.directory.conftest import *  # noqa: F403

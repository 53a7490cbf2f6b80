"""Errors shared by every app's actions."""


class ActionRefused(Exception):
    """The action cannot be done; the message says why, in words for the user."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

"""Errors shared by every app's actions."""


class ActionRefused(Exception):
    """The action cannot be done; the message says why, in words for the user."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def show_on(self, form) -> None:
        """Show the refusal on the form, next to the field it concerns if the form has it."""
        form.add_error(self.field if self.field in form.fields else None, self.message)

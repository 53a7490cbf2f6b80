"""Email for a developer's machine: printed in the `make run` terminal as it would read, with
each header on its own line and the body decoded, so links are whole and can be opened (the
standard console backend prints the quoted-printable wire format, which splits them)."""

from django.core.mail.backends.console import EmailBackend


class ReadableConsoleBackend(EmailBackend):
    def write_message(self, message) -> None:
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            f"Subject: {message.subject}",
            "",
            message.body.rstrip(),
            "-" * 79,
            "",
        ]
        self.stream.write("\n".join(lines))

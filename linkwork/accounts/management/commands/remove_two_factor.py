"""Remove someone's two-factor sign-in (they lost their phone or passkey and their recovery
codes), so they can set it up again at their next sign-in. Audited."""

from django.core.management.base import BaseCommand, CommandError

from linkwork.accounts import actions
from linkwork.accounts.models import User
from linkwork.accounts.queries import has_second_factor


class Command(BaseCommand):
    help = (
        "Remove a user's authenticator app, passkeys and recovery codes, so they can set them up "
        "again."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account is called {username!r}.")
        if not has_second_factor(user):
            self.stdout.write(f"{username} has no two-factor sign-in to remove.")
            return
        actions.remove_second_factor(user, by=None)
        self.stdout.write(
            f"Removed two-factor sign-in from {username}. They set it up again when they next "
            "sign in (if their role needs it) or from Your account."
        )

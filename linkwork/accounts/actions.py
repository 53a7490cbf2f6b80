"""Changes to accounts that their owners make themselves."""

from django.db.models import F

from .models import User
from .signals import signed_out_everywhere


def sign_out_everywhere(user: User, *, request=None) -> None:
    """End every session the user has, on every device (`core.sessions` compares the epoch)."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    signed_out_everywhere.send(sender=User, user=user, request=request)

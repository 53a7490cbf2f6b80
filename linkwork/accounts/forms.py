"""Changing one's own password."""

from django.contrib.auth.forms import PasswordChangeForm

from linkwork.core.forms import GovUKForm

from .models import User
from .signals import password_changed


class ChangeOwnPasswordForm(PasswordChangeForm, GovUKForm):
    """The owner's choice: from now on only they know it."""

    def save(self, commit=True):
        user = super().save(commit=False)
        user.must_change_password = False
        if commit:
            user.save()
            password_changed.send(sender=User, user=user, by=user)
        return user

"""Changing one's own password, and an administrator setting someone else's."""

from django.contrib.auth.forms import AdminPasswordChangeForm, PasswordChangeForm, UserCreationForm

from .models import User
from .signals import password_changed


class ChangeOwnPasswordForm(PasswordChangeForm):
    """The owner's choice: from now on only they know it."""

    def save(self, commit=True):
        user = super().save(commit=False)
        user.must_change_password = False
        if commit:
            user.save()
            password_changed.send(sender=User, user=user, by=user)
        return user


class SetByAdministrator:
    """An administrator who sets a password knows it: its owner must change it when they next
    sign in."""

    def save(self, commit=True):
        user = super().save(commit=False)
        user.must_change_password = True
        if commit:
            user.save()
            if hasattr(self, "save_m2m"):
                self.save_m2m()
        return user


class AdministratorSetsPasswordForm(SetByAdministrator, AdminPasswordChangeForm):
    pass


class AdministratorCreatesUserForm(SetByAdministrator, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User

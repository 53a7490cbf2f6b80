from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from .models import User


class AdministratorSetsPasswordForm(AdminPasswordChangeForm):
    """An administrator who sets a password knows it: its owner must change it when they next
    sign in (`core.sessions`)."""

    def save(self, commit=True):
        user = super().save(commit=False)
        user.must_change_password = True
        if commit:
            user.save()
        return user


LINKWORK_FIELDS = [
    "role",
    "sites",
    "organisation",
    "caseload_cap",
    "started_on",
    "left_on",
    "must_change_password",
]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    # A password an administrator sets must be changed by its owner at their next sign-in.
    change_password_form = AdministratorSetsPasswordForm

    def save_model(self, request, obj, form, change):
        if not change:
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "sites", "is_active"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Linkwork"), {"fields": LINKWORK_FIELDS}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Linkwork"), {"fields": LINKWORK_FIELDS}),
    ]
    filter_horizontal = ["sites", "groups", "user_permissions"]

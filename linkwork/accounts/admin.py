from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .forms import AdministratorCreatesUserForm, AdministratorSetsPasswordForm
from .models import User

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
    add_form = AdministratorCreatesUserForm
    change_password_form = AdministratorSetsPasswordForm
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

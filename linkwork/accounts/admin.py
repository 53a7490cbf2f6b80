from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "sites", "is_active"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Linkwork"), {"fields": ["role", "sites", "organisation", "caseload_cap"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Linkwork"), {"fields": ["role", "sites", "organisation", "caseload_cap"]}),
    ]
    filter_horizontal = ["sites", "groups", "user_permissions"]

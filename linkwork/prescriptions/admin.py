from django.contrib import admin

from .models import CommunityService


@admin.register(CommunityService)
class CommunityServiceAdmin(admin.ModelAdmin):
    """The list of services link coordinators refer on to, and whether each is open."""

    list_display = ["name", "organisation_name", "is_open", "status_note", "contact_email"]
    list_filter = ["is_open", "sites"]
    list_editable = ["is_open", "status_note"]
    search_fields = ["name", "organisation_name", "description"]
    filter_horizontal = ["sites"]

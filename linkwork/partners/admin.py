from django.contrib import admin

from .models import Organisation, Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "health_board",
        "setting",
        "coordinator_access",
        "support_weeks",
        "max_active_goals",
    ]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "source_type", "code"]
    list_filter = ["source_type"]
    search_fields = ["name", "code"]

"""The directory's staff pages. Each area keeps its own `urlpatterns` in its views module."""

from .views import categories, reports, services

app_name = "directory"

urlpatterns = [
    *services.urlpatterns,
    *reports.urlpatterns,
    *categories.urlpatterns,
]

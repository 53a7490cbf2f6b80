"""The directory's staff pages. Each area keeps its own `urlpatterns` in its views module."""

from . import import_views, report_views, views

app_name = "directory"

urlpatterns = [
    *views.urlpatterns,
    *import_views.urlpatterns,
    *report_views.urlpatterns,
]

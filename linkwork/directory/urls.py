"""The directory's staff pages. Each area keeps its own `urlpatterns` in its views module."""

from . import report_views, views

app_name = "directory"

urlpatterns = [
    *views.urlpatterns,
    *report_views.urlpatterns,
]

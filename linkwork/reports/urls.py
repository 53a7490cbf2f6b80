"""Reports, under /reports/: the dashboards (each with `?format=csv` and `?format=json` twins),
the records behind a figure, the service timeline, and the funder report with its case
studies."""

from django.urls import path

from . import capacity_views, funder_views, views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("records/", views.records, name="records"),
    path("timeline/", views.timeline, name="timeline"),
    path("timeline/new/", views.new_event, name="new_event"),
    path("timeline/<int:pk>/", views.change_event, name="change_event"),
    path("timeline/<int:pk>/remove/", views.remove_event, name="remove_event"),
    path("capacity/", capacity_views.capacity_page, name="capacity"),
    path("funder/", funder_views.funder_reports, name="funder_reports"),
    path("funder/<int:pk>/", funder_views.funder_report, name="funder_report"),
    path(
        "funder/<int:pk>/progress/",
        funder_views.funder_report_progress,
        name="funder_report_progress",
    ),
    path(
        "funder/<int:pk>/<str:fmt>/",
        funder_views.funder_report_download,
        name="funder_report_download",
    ),
    path("case-studies/new/", funder_views.new_case_study, name="new_case_study"),
    path("case-studies/<int:pk>/", funder_views.change_case_study, name="change_case_study"),
    path("<slug:key>/", views.dashboard, name="dashboard"),
]

"""Reports, under /reports/: the dashboards (each with `?format=csv` and `?format=json` twins),
the records behind a figure, and the service timeline."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("records/", views.records, name="records"),
    path("timeline/", views.timeline, name="timeline"),
    path("timeline/new/", views.new_event, name="new_event"),
    path("timeline/<int:pk>/", views.change_event, name="change_event"),
    path("timeline/<int:pk>/remove/", views.remove_event, name="remove_event"),
    path("<slug:key>/", views.dashboard, name="dashboard"),
]

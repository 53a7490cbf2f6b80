"""Subject rights, under /subject-access/ (decisions 0024, 0027): subject access requests,
erasure requests and retention."""

from django.urls import path

from . import views

app_name = "subjects"

urlpatterns = [
    path("", views.requests_list, name="list"),
    path("referrals/<int:referral_pk>/new/", views.new_request, name="new"),
    path("retention/", views.retention_rules, name="retention"),
    path("retention/dry-run/", views.retention_dry_run, name="retention_dry_run"),
    path("retention/runs/", views.retention_run_list, name="retention_runs"),
    path("retention/runs/<int:pk>/", views.retention_run_detail, name="retention_run"),
    path("erasure/", views.erasure_list, name="erasure_list"),
    path("erasure/referrals/<int:referral_pk>/new/", views.erasure_new, name="erasure_new"),
    path("erasure/<int:pk>/", views.erasure_detail, name="erasure"),
    path("<int:pk>/", views.request_detail, name="request"),
    path("<int:pk>/progress/", views.request_progress, name="progress"),
    path("<int:pk>/<str:fmt>/", views.download, name="download"),
]

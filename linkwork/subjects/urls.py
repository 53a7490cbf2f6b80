"""Data protection, under /data-protection/ (decisions 0024, 0026 and 0027): subject access
requests, rectification (a person's details changed, a note corrected, rectification requests),
erasure requests, retention and the record of processing."""

from django.urls import path

from . import views

app_name = "subjects"

REFERRAL = "referrals/<int:referral_pk>/"

urlpatterns = [
    path("subject-access/", views.requests_list, name="list"),
    path("subject-access/" + REFERRAL + "new/", views.new_request, name="new"),
    path("subject-access/<int:pk>/", views.request_detail, name="request"),
    path("subject-access/<int:pk>/progress/", views.request_progress, name="progress"),
    path("subject-access/<int:pk>/<str:fmt>/", views.download, name="download"),
    # Rectification (UK GDPR article 16).
    path(REFERRAL + "details/", views.change_details, name="change_details"),
    path(REFERRAL + "details/history/", views.details_history, name="details_history"),
    path(
        REFERRAL + "contacts/<int:contact_pk>/correct/",
        views.correct_contact_note,
        name="correct_contact_note",
    ),
    path(
        REFERRAL + "interim-contacts/<int:contact_pk>/correct/",
        views.correct_interim_note,
        name="correct_interim_note",
    ),
    path(REFERRAL + "rectification/new/", views.new_rectification, name="new_rectification"),
    path("rectification/", views.rectifications, name="rectifications"),
    path("rectification/<int:pk>/", views.rectification, name="rectification"),
    # Erasure on request (article 17), and retention (decision 0027).
    path("erasure/", views.erasure_list, name="erasure_list"),
    path("erasure/" + REFERRAL + "new/", views.erasure_new, name="erasure_new"),
    path("erasure/<int:pk>/", views.erasure_detail, name="erasure"),
    path("retention/", views.retention_rules, name="retention"),
    path("retention/dry-run/", views.retention_dry_run, name="retention_dry_run"),
    path("retention/runs/", views.retention_run_list, name="retention_runs"),
    path("retention/runs/<int:pk>/", views.retention_run_detail, name="retention_run"),
    # The record of processing (UK GDPR article 30).
    path("record-of-processing/", views.record_of_processing, name="record_of_processing"),
    path(
        "record-of-processing/edit/",
        views.edit_record_of_processing,
        name="edit_record_of_processing",
    ),
    path(
        "record-of-processing/pdf/",
        views.record_of_processing_pdf,
        name="record_of_processing_pdf",
    ),
]

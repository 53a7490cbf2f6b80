"""Data protection, under /data-protection/ (decision 0024): subject access requests and the
record of processing."""

from django.urls import path

from . import views

app_name = "subjects"

urlpatterns = [
    path("subject-access/", views.requests_list, name="list"),
    path("subject-access/referrals/<int:referral_pk>/new/", views.new_request, name="new"),
    path("subject-access/<int:pk>/", views.request_detail, name="request"),
    path("subject-access/<int:pk>/progress/", views.request_progress, name="progress"),
    path("subject-access/<int:pk>/<str:fmt>/", views.download, name="download"),
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

"""Subject rights, under /subject-access/ (decisions 0024 and 0026): subject access exports, and
rectification (a person's details changed, a contact note corrected, rectification requests)."""

from django.urls import path

from . import views

app_name = "subjects"

REFERRAL = "referrals/<int:referral_pk>/"

urlpatterns = [
    path("", views.requests_list, name="list"),
    path(REFERRAL + "new/", views.new_request, name="new"),
    path("<int:pk>/", views.request_detail, name="request"),
    path("<int:pk>/progress/", views.request_progress, name="progress"),
    path("<int:pk>/<str:fmt>/", views.download, name="download"),
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
]

"""Subject rights, under /subject-access/ (decision 0024)."""

from django.urls import path

from . import views

app_name = "subjects"

urlpatterns = [
    path("", views.requests_list, name="list"),
    path("referrals/<int:referral_pk>/new/", views.new_request, name="new"),
    path("<int:pk>/", views.request_detail, name="request"),
    path("<int:pk>/progress/", views.request_progress, name="progress"),
    path("<int:pk>/<str:fmt>/", views.download, name="download"),
]

"""Safeguarding pages, under /safeguarding/: about anyone referred (the waiting list included),
so a person's pages take their referral's id."""

from django.urls import path

from . import views

app_name = "safeguarding"

urlpatterns = [
    path("", views.open_escalations, name="open_escalations"),
    path("referrals/<int:pk>/", views.person, name="person"),
    path("referrals/<int:pk>/flags/new/", views.raise_flag, name="raise_flag"),
    path("referrals/<int:pk>/flags/<int:flag_pk>/end/", views.end_flag, name="end_flag"),
    path("referrals/<int:pk>/concerns/new/", views.raise_concern, name="raise_concern"),
    path("concerns/<int:concern_pk>/", views.concern, name="concern"),
    path("concerns/<int:concern_pk>/escalate/", views.escalate, name="escalate"),
    path("concerns/<int:concern_pk>/close/", views.close_concern, name="close_concern"),
    path("escalations/<int:escalation_pk>/chase/", views.chase, name="chase"),
    path(
        "escalations/<int:escalation_pk>/response/", views.record_response, name="record_response"
    ),
    path("prompts/<int:prompt_pk>/", views.prompt, name="prompt"),
]

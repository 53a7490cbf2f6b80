"""Unmet needs pages, under /unmet-needs/."""

from django.urls import path

from . import views

app_name = "unmet"

urlpatterns = [
    path("", views.unmet_needs, name="needs"),
    path("record/", views.record_unmet_need, name="record"),
]

"""Messages to referrers, under /messages/."""

from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("", views.message_list, name="list"),
]

from django.urls import path

from . import public_views, views

app_name = "prescriptions"

PRESCRIPTION = "referrals/<int:pk>/social-prescriptions/<int:prescription>/"

urlpatterns = [
    path("social-prescriptions/services/", views.services, name="services"),
    path(
        "referrals/<int:pk>/social-prescriptions/",
        views.person_prescriptions,
        name="list",
    ),
    path("referrals/<int:pk>/social-prescriptions/new/", views.new_prescription, name="new"),
    path(PRESCRIPTION, views.prescription_detail, name="detail"),
    path(PRESCRIPTION + "update/", views.update_status, name="update"),
    path(PRESCRIPTION + "new-link/", views.new_link, name="new_link"),
    path(PRESCRIPTION + "links/<int:link>/withdraw/", views.revoke_link, name="revoke_link"),
    path("service-links/<str:signed>/", public_views.service_link, name="service_link"),
]

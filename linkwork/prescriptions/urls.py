from django.urls import path

from .views import public, staff

app_name = "prescriptions"

PRESCRIPTION = "referrals/<int:pk>/social-prescriptions/<int:prescription>/"

urlpatterns = [
    path("social-prescriptions/services/", staff.services, name="services"),
    path(
        "referrals/<int:pk>/social-prescriptions/",
        staff.person_prescriptions,
        name="list",
    ),
    path("referrals/<int:pk>/social-prescriptions/new/", staff.new_prescription, name="new"),
    path(PRESCRIPTION, staff.prescription_detail, name="detail"),
    path(PRESCRIPTION + "update/", staff.update_status, name="update"),
    path(PRESCRIPTION + "new-link/", staff.new_link, name="new_link"),
    path(PRESCRIPTION + "links/<int:link>/withdraw/", staff.revoke_link, name="revoke_link"),
    path("service-links/<str:signed>/", public.service_link, name="service_link"),
]

"""Social prescriptions, under /prescriptions/: a referral's prescriptions (`referrals/<pk>/`,
the referral's id), and the public page a service opens from the link emailed to it."""

from django.urls import path

from .views import public, staff

app_name = "prescriptions"

REFERRAL = "referrals/<int:pk>/"
PRESCRIPTION = REFERRAL + "<int:prescription>/"

urlpatterns = [
    # The old services list: redirects to the directory.
    path("services/", staff.services, name="services"),
    path(REFERRAL, staff.person_prescriptions, name="list"),
    path(REFERRAL + "new/", staff.new_prescription, name="new"),
    path(PRESCRIPTION, staff.prescription_detail, name="detail"),
    path(PRESCRIPTION + "update/", staff.update_status, name="update"),
    path(PRESCRIPTION + "new-link/", staff.new_link, name="new_link"),
    path(PRESCRIPTION + "links/<int:link>/withdraw/", staff.revoke_link, name="revoke_link"),
    path("service-links/<str:signed>/", public.service_link, name="service_link"),
]

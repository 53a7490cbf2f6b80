"""Partners and engagement, under /partners/ (decision 0013). A partner's pages take its kind,
`referring` (a `partners.Organisation`) or `receiving` (a `directory.Organization`), and its id."""

from django.urls import path, register_converter

from . import views
from .models import PartnerKind

app_name = "engagement"


class PartnerKindConverter:
    regex = "|".join(PartnerKind.values)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(PartnerKindConverter, "partner_kind")

PARTNER = "<partner_kind:kind>/<int:pk>/"

urlpatterns = [
    path("", views.partners, name="partners"),
    path("settings/", views.engagement_settings, name="settings"),
    path("settings/sites/<int:pk>/", views.site_settings, name="site_settings"),
    path(PARTNER, views.partner, name="partner"),
    path(PARTNER + "activities/new/", views.record_activity, name="record_activity"),
    path(
        PARTNER + "activities/<int:activity_pk>/", views.correct_activity, name="correct_activity"
    ),
    path(PARTNER + "contacts/new/", views.add_contact, name="add_contact"),
    path(PARTNER + "contacts/<int:contact_pk>/", views.change_contact, name="change_contact"),
]

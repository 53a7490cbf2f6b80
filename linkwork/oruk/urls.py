"""The ORUK app's addresses, all in the `oruk` namespace: the managers' imports pages under
/directory/imports/ (`views.py`) and the published read-only API under /api/oruk/ (`api.py`)."""

from django.urls import include, path

from . import api, views

app_name = "oruk"

urlpatterns = [
    path("directory/imports/", include(views.urlpatterns)),
    path("api/oruk/", include(api.urlpatterns)),
]

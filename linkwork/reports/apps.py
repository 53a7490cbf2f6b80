from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Service intelligence: the service timeline, the dashboards and their CSV and JSON twins,
    capacity forecasts and the funder report. It reads every domain app and none reads it;
    only the home pages and the demo sit above it."""

    name = "linkwork.reports"
    verbose_name = _("Reports")

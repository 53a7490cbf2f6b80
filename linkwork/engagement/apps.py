from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    """The service's partners: named contacts at the organisations that refer people in and
    those people are referred on to, the engagement with each (letters, visits, MDT meetings,
    steering groups, training), and whether it is followed by referrals. It reads referrals,
    social prescriptions and the directory; none of them imports it (decision 0013)."""

    name = "linkwork.engagement"
    verbose_name = _("Partners and engagement")

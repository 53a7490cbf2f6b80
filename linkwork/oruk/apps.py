from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrukConfig(AppConfig):
    """Open Referral UK: importing feeds into the community directory, and publishing the
    directory as a read-only API. Sits above `directory`, which never imports it."""

    name = "linkwork.oruk"
    label = "oruk"
    verbose_name = _("Open Referral UK")

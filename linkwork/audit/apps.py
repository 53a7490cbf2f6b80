from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "linkwork.audit"
    verbose_name = _("Audit")

    def ready(self):
        from . import sign_ins

        sign_ins.connect()

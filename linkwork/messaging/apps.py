from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "linkwork.messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        from linkwork.referrals.panels import referral_panels

        from . import referrer, timeline  # noqa: F401  (timeline: messages on the person's timeline)
        from .panels import referral_messages

        referrer.listen()
        referral_panels.register("messaging.messages", referral_messages, slot="side")

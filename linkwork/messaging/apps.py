from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "linkwork.messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        # Each app's sweeps.py registers its reminder sweeps (see messaging/sweeps.py).
        autodiscover_modules("sweeps")
        from . import timeline  # noqa: F401  (puts messages to the referrer on the timeline)

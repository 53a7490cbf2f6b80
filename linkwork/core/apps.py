from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "linkwork.core"
    label = "core"

    def ready(self) -> None:
        # Each app's sweeps.py registers its reminder sweeps (see core/sweeps.py).
        autodiscover_modules("sweeps")
        from . import (  # noqa: F401  (they register the sweeps of sent messages)
            email,
            idempotency,  # noqa: F401  (sweeps old submission keys)
            sessions,  # noqa: F401  (stamps each sign-in)
            sms,
        )

"""Settings for a developer's machine and the `make run` demo."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, env_bool, env_str

DEBUG = env_bool("DEBUG", default=True)
# A fixed, public key is fine for a local demo: it protects nothing of value.
SECRET_KEY = env_str("SECRET_KEY", default="") or "dev-only-insecure-key-" + "x" * 40
TRIAL_PSEUDONYM_KEY = env_str("TRIAL_PSEUDONYM_KEY", default="") or "dev-only-pseudonym-key"

# Serve static files straight from the source folders: no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The demo service (`manage.py load_demo`): never installed in production.
INSTALLED_APPS = [*INSTALLED_APPS, "linkwork.demo"]

# Text messages are printed by the worker, as emails are.
SMS_BACKEND = env_str("SMS_BACKEND", default="linkwork.core.sms.ConsoleBackend")

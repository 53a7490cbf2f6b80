"""Settings for the test suite."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, relying_party

DEBUG = False
SECRET_KEY = "test-only-insecure-key-" + "x" * 40  # noqa: S105
TRIAL_PSEUDONYM_KEY = "test-only-pseudonym-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SELF_REFERRAL_RATE = "5/h"
# Each test process has its own cache, emptied before every test (tests/conftest.py), even where
# REDIS_URL is set for the development server.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Serve static files straight from the source folders: no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Tasks run as soon as they are queued (after the transaction commits), in the test's process.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
SITE_URL = "https://linkwork.test"
OTP_WEBAUTHN_RP_ID, OTP_WEBAUTHN_ALLOWED_ORIGINS = relying_party(SITE_URL)
SILENCED_SYSTEM_CHECKS = []
DEFAULT_FROM_EMAIL = "Linkwork <linkwork@linkwork.test>"

# URL-import tests fetch from a feed served on 127.0.0.1; the refusal has its own test.
DIRECTORY_IMPORT_ALLOW_INTERNAL_HOSTS = True

# The demo service (`manage.py load_demo`): never installed in production.
INSTALLED_APPS = [*INSTALLED_APPS, "linkwork.demo"]
SMS_BACKEND = "linkwork.core.sms.MemoryBackend"

# Most tests sign in with `force_login` and no second factor: enrolment is not demanded of the
# roles that need it, except in the tests that turn this back on (tests/accounts/
# test_two_factor.py, which also checks the production value). Someone who has a second factor
# is still asked for it.
TWO_FACTOR_ENROLMENT_REQUIRED = False

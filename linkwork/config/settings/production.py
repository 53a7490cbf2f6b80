"""Production settings: refuse to start unless configured safely."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    DATABASES,
    DEBUG,
    SECRET_KEY,
    SILENCED_SYSTEM_CHECKS,
    env_bool,
    env_int,
    env_str,
    require_secret_key,
)

SECRET_KEY = require_secret_key(SECRET_KEY)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")

# Messages to referrers carry personal data: without a mail server they would be printed to
# the console backend, and so to the server's logs.
if not env_str("EMAIL_HOST", default=""):
    raise ImproperlyConfigured("EMAIL_HOST must be set in production (see docs/admin).")

# Links emailed and texted to people must lead back to this service, whatever proxy is in front.
if not env_str("SITE_URL", default=""):
    raise ImproperlyConfigured(
        "SITE_URL must be set in production: the address people reach Linkwork at, for example "
        "https://linkwork.example.org (see docs/admin)."
    )

# Rate limits and sign-in throttling count in the cache: with several web processes (gunicorn's
# workers) an in-process cache would give each its own count, so production shares one.
if not env_str("REDIS_URL", default=""):
    raise ImproperlyConfigured(
        "REDIS_URL must be set in production, so that every web process shares the rate limits "
        "(see docs/admin)."
    )

# PostgreSQL is the production database. SQLite serves one instance on one disk (no second web
# machine, no failover, backups by file): allowed only when the operator says so (decision 0022).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not env_bool(
    "ALLOW_SQLITE_IN_PRODUCTION", default=False
):
    raise ImproperlyConfigured(
        "DATABASE_URL must name a PostgreSQL database in production. To run a small service "
        "on SQLite (one instance, one disk), set ALLOW_SQLITE_IN_PRODUCTION=true "
        "(see docs/admin/running.md)."
    )

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
# A load balancer's health check may come over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading binds the whole registered domain and every subdomain to HTTPS in browsers' own
# lists, for months after it is undone; it is the domain owner's decision, not Linkwork's, so it
# is off unless they set it (decision 0022). Off, Django's reminder (W021) is silenced, so that
# `check --deploy` stays clean and any other warning stands out.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [
    *SILENCED_SYSTEM_CHECKS,
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

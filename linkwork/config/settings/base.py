"""Settings shared by every environment.

Secrets and anything that differs between machines come from the environment only; see
`docs/admin/configuration.md`. Environment variables are parsed strictly: a malformed value stops
start-up with a clear message rather than silently falling back.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from linkwork.config.env import env_bool, env_int, env_list, env_str
from linkwork.core.relying_party import relying_party

BASE_DIR = Path(__file__).resolve().parent.parent.parent.parent

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY", default="")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "django_htmx",
    "django_tasks_db",
    "rules.apps.AutodiscoverRulesConfig",
    "linkwork.core",
    "linkwork.accounts",
    "linkwork.partners",
    "linkwork.referrals",
    "linkwork.audit",
    "linkwork.casework",
    "linkwork.directory",
    "linkwork.oruk",
    "linkwork.prescriptions",
    "linkwork.messaging",
    "linkwork.outcomes",
    "linkwork.safeguarding",
    "linkwork.unmet",
    "linkwork.trials",
    "linkwork.engagement",
    "linkwork.letters",
    "linkwork.reports",
    "linkwork.subjects",
    "linkwork.home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Which second factor, if any, this session was verified with (`request.user.is_verified()`).
    "django_otp.middleware.OTPMiddleware",
    # The second factor: a code before any page for those who have one, enrolment first for
    # those who must (before the session limits, so nothing else is reachable until then).
    "linkwork.accounts.two_factor.SecondFactorMiddleware",
    # Inactivity and absolute limits, "sign out everywhere", and no-store on every page.
    "linkwork.core.sessions.SessionLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A coordinator refused a referral they may open with a reason is asked for it (0023).
    "linkwork.referrals.middleware.OpenWithReasonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Turns a rate-limit refusal into a 429 page (RATELIMIT_VIEW) rather than a 403.
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Records a refused look at someone's record (a 404 the lookup raised) in the audit log.
    "linkwork.audit.refusals.RefusedAccessMiddleware",
    # Turns a sign-in refused for too many failures into the "locked out" page (last, per axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "linkwork.config.urls"
WSGI_APPLICATION = "linkwork.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "linkwork" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "linkwork.home.context_processors.navigation",
            ],
        },
    },
]
FORM_RENDERER = "linkwork.core.forms.GovUKFormRenderer"

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one writer at a time. So that saves made together wait their turn instead of
    # failing with "database is locked" (decision 0017):
    # - WAL: readers (pages, the worker's polling) never block a writer, nor a writer them;
    # - IMMEDIATE: a transaction takes the write lock when it begins, so it waits (up to the
    #   timeout) for its turn then, rather than failing when a read turns into a write;
    # - the timeout, in seconds, is how long a writer waits for the lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env_int("SQLITE_BUSY_TIMEOUT", default=20),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL",
        }
    )
elif (
    DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    and env_str("DATABASE_JIT", default="off") != "on"
):
    # PostgreSQL's JIT compiler spent 0.15 to 2.2 s compiling each dashboard query at England
    # scale and saved less than it cost (bench/README.md, "Dashboards at England scale"): off
    # for Linkwork's connections unless DATABASE_JIT=on.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account or address is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Password guessing (django-axes): after SIGN_IN_FAILURE_LIMIT failed sign-ins for one account,
# or from one address, further tries are refused for SIGN_IN_COOLOFF_MINUTES, on the sign-in page
# and Django admin alike; a successful sign-in clears the count. An administrator unlocks early
# in Django admin (Axes → Access attempts: delete) or with `manage.py axes_reset_username`.
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGN_IN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "linkwork.core.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "linkwork.core.client_ip.client_ip"
# Its log lines name the account and address: the audit log records sign-ins instead.
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# The client's address behind the installation's own proxies (`linkwork.core.client_ip`): the
# META key of the header they append to (e.g. HTTP_X_FORWARDED_FOR), and how many there are.
# Empty by default: only REMOTE_ADDR is trusted.
TRUSTED_PROXY_HEADER = env_str("TRUSTED_PROXY_HEADER", default="")
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", default=1)
RATELIMIT_IP_META_KEY = "linkwork.core.client_ip.client_ip"

# Two-factor sign-in (django-otp, decision 0019; `linkwork.accounts.two_factor`). Anyone with an
# authenticator app set up gives a code after their password. Managers, administrators (and
# every staff or superuser account), researchers and trial managers must set one up (each sees
# special-category data or can change who does); link coordinators too where
# TWO_FACTOR_REQUIRED_FOR_COORDINATORS is on. Demo accounts are exempt only while DEBUG is on.
TWO_FACTOR_REQUIRED_ROLES = ["manager", "administrator", "researcher", "trial_manager"]
TWO_FACTOR_REQUIRED_FOR_COORDINATORS = env_bool(
    "TWO_FACTOR_REQUIRED_FOR_COORDINATORS", default=False
)
# Not read from the environment: only the test settings turn it off, for the many tests that
# sign in with `force_login` (tests/accounts/test_two_factor.py turns it back on).
TWO_FACTOR_ENROLMENT_REQUIRED = True
OTP_TOTP_ISSUER = "Linkwork"
# After n wrong codes, the next is refused for 2^(n-1) seconds (django-otp's own throttling).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# How many recovery codes each set has.
RECOVERY_CODES = 10

# Passkeys (WebAuthn, django-otp-webauthn; decision 0025), a second factor beside the app. A
# passkey belongs to one domain (the relying party id) and is used only at the origins listed:
# both come from SITE_URL. Where it is empty (development), from the address a page was requested
# at. Browsers refuse an IP address as the relying party id, so passkeys work at
# http://localhost:8000 but not at http://127.0.0.1:8000 (there the pages do not offer them).
OTP_WEBAUTHN_RP_NAME = "Linkwork"
OTP_WEBAUTHN_RP_ID_CALLABLE = "linkwork.accounts.passkeys.relying_party_id"
OTP_WEBAUTHN_HELPER_CLASS = "linkwork.accounts.passkeys.PasskeyHelper"
# A second factor only: never a sign-in without the password.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_TIMEOUT_SECONDS = 5 * 60
# Each passkey API (starting or finishing adding one, or signing in with one) takes this many
# requests an hour per account and per address; a ceremony is two.
PASSKEY_RATE = env_str("PASSKEY_RATE", default="30/h")

# Password reset by email: how long the link works (seconds), and how many requests one address,
# and one email address typed, may make an hour.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", default=60 * 60)
PASSWORD_RESET_RATE = env_str("PASSWORD_RESET_RATE", default="5/h")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "linkwork.accounts.passwords.ServiceWordsValidator"},
]

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English")), ("cy", _("Welsh"))]
LOCALE_PATHS = [BASE_DIR / "linkwork" / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Where `collectstatic` (run by `manage.py linkwork_serve`) puts the files WhiteNoise serves.
STATIC_ROOT = Path(env_str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "linkwork" / "static"]

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if redis_url := env_str("REDIS_URL", default=""):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url,
    }

# Only our own scripts and styles; the two small inline scripts carry the request's nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
# A sign-in unused this long ends (`linkwork.core.sessions`), after a warning two minutes before.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", default=30)

# How long a link coordinator may read a referral outside their caseload after giving a reason,
# at a site that allows it (`Site.coordinator_access`, decision 0023): a working day.
OPENED_WITH_REASON_HOURS = env_int("OPENED_WITH_REASON_HOURS", default=8)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Public self-referral form: at most this many submissions per client address per hour.
# How long a form that creates something can be sent after it was shown, and how long its
# single-use key is kept once sent, to tell a repeat (`linkwork.core.idempotency`).
SUBMISSION_KEY_HOURS = env_int("SUBMISSION_KEY_HOURS", default=24)
SELF_REFERRAL_RATE = env_str("SELF_REFERRAL_RATE", default="5/h")
RATELIMIT_VIEW = "linkwork.core.views.rate_limited"

# Background tasks (messages to referrers, reminder sweeps) are queued in the database and run
# by `python manage.py linkwork_worker`; see docs/developer/background-tasks.md.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# How often the worker queues the reminder sweep.
REMINDER_SWEEP_MINUTES = env_int("REMINDER_SWEEP_MINUTES", default=15)
# Retention (decision 0027, docs/admin/retention.md): how long each kind of record is kept before
# the daily sweep anonymises or deletes it, and how often the worker runs the sweep (0: never;
# run `manage.py retention_sweep` with the tables' owner instead).
RETENTION_SUPPORTED_YEARS = env_int("RETENTION_SUPPORTED_YEARS", default=8)
RETENTION_NOT_SUPPORTED_YEARS = env_int("RETENTION_NOT_SUPPORTED_YEARS", default=2)
RETENTION_SUBJECT_ACCESS_FILES_MONTHS = env_int("RETENTION_SUBJECT_ACCESS_FILES_MONTHS", default=12)
RETENTION_EXPIRED_LINKS_DAYS = env_int("RETENTION_EXPIRED_LINKS_DAYS", default=90)
RETENTION_SESSIONS_DAYS = env_int("RETENTION_SESSIONS_DAYS", default=1)
RETENTION_SWEEP_HOURS = env_int("RETENTION_SWEEP_HOURS", default=24)
# Background worker processes `manage.py linkwork_serve` starts beside the web server (0: they
# run elsewhere; docs/admin/running.md).
TASK_WORKERS = env_int("TASK_WORKERS", default=1)

# Email to referrers. Without EMAIL_HOST, mail is printed to the console (development only:
# a production server must set EMAIL_HOST, or messages with personal data end up in its logs).
_email_host = env_str("EMAIL_HOST", default="")
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _email_host,
            "port": env_int("EMAIL_PORT", default=587),
            "username": env_str("EMAIL_HOST_USER", default=""),
            "password": env_str("EMAIL_HOST_PASSWORD", default=""),
            "use_tls": env_bool("EMAIL_USE_TLS", default=True),
            "timeout": env_int("EMAIL_TIMEOUT", default=30),
        },
    }
    if _email_host
    else {"BACKEND": "linkwork.core.mail.ReadableConsoleBackend"}
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="Linkwork <linkwork@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address people reach Linkwork at, for every absolute link (emails, text messages, calendar
# feeds, QR codes): `linkwork.core.links`. Required in production; where it is empty
# (development), a page uses the address it was requested at.
SITE_URL = env_str("SITE_URL", default="")
OTP_WEBAUTHN_RP_ID, OTP_WEBAUTHN_ALLOWED_ORIGINS = relying_party(SITE_URL)
# Without SITE_URL, the origin is the request's (`linkwork.accounts.passkeys`), so the library's
# "no allowed origins" check does not apply.
SILENCED_SYSTEM_CHECKS = [] if OTP_WEBAUTHN_ALLOWED_ORIGINS else ["otp_webauthn.E030"]

# The key research pseudonyms are derived from (a keyed hash of the participant): set it once per
# installation and keep it secret; changing it changes every pseudonym. Without it, the pages
# and exports that show pseudonyms say so instead.
TRIAL_PSEUDONYM_KEY = env_str("TRIAL_PSEUDONYM_KEY", default="")

# One-click links for receiving organisations: how many days a link works, and after how many
# days without an answer it is chased.
SERVICE_LINK_DAYS = env_int("SERVICE_LINK_DAYS", default=30)
# How long the person's one-time link to an outcome questionnaire works, and how many answers
# one address may post an hour.
MEASURE_LINK_DAYS = env_int("MEASURE_LINK_DAYS", default=14)
MEASURE_LINK_RATE = env_str("MEASURE_LINK_RATE", default="20/h")
# Text messages (linkwork.core.sms): GOV.UK Notify where a key is given, otherwise off unless
# SMS_BACKEND names a backend (development prints them).
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY", default="")
NOTIFY_SMS_TEMPLATE_ID = env_str("NOTIFY_SMS_TEMPLATE_ID", default="")
SMS_BACKEND = env_str(
    "SMS_BACKEND", default="linkwork.core.sms.NotifyBackend" if NOTIFY_API_KEY else ""
)
SERVICE_LINK_CHASE_DAYS = env_int("SERVICE_LINK_CHASE_DAYS", default=14)

# The published Open Referral UK API (/api/oruk/): requests per minute per client address.
ORUK_API_RATE = env_str("ORUK_API_RATE", default="600/m")

# Directory imports from a URL: the server fetches what a manager types, so addresses inside
# its own network (loopback, private, link-local) are refused unless this is on.
DIRECTORY_IMPORT_ALLOW_INTERNAL_HOSTS = env_bool(
    "DIRECTORY_IMPORT_ALLOW_INTERNAL_HOSTS", default=False
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # The secret in a one-time link's path is written as [redacted] (linkwork.core.log_scrubbing):
    # on the loggers that print request paths (so every handler sees it redacted) and on the
    # console handler for everything else. gunicorn's access log: config/gunicorn.conf.py.
    "filters": {"one_time_links": {"()": "linkwork.core.log_scrubbing.RedactOneTimeLinks"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["one_time_links"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    # Request logs can carry form fields and query strings: never log request bodies or
    # exception variables, which may hold personal data.
    "loggers": {
        "django.request": {
            "handlers": ["console"],
            "level": "ERROR",
            "propagate": False,
            "filters": ["one_time_links"],
        },
        # django-axes says "Deleted 0 failed login attempts by ..." on every sign-in: the audit
        # log records sign-ins (linkwork.audit.sign_ins); only its warnings are worth a line.
        "axes": {"level": "WARNING"},
        # The development server's request lines.
        "django.server": {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
            "filters": ["one_time_links"],
        },
    },
}


def require_secret_key(key: str) -> str:
    if not key:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment.")
    return key

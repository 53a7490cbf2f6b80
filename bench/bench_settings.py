"""Settings for `bench/pages.py`: the test settings, closer to production where it matters.

The database comes from DATABASE_URL, which `pages.py` points at the bench's own database before
Django starts; it never uses the project's db.sqlite3 or an existing PostgreSQL database.
"""

from linkwork.config.settings.test import *  # noqa: F403
from linkwork.config.settings.test import LOGGING

DEBUG = False
# The test client's default host name.
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# As in production: no look-up of static files on each request.
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}

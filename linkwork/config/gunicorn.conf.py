"""Gunicorn's settings for Linkwork's production server (`manage.py linkwork_serve`, `make
serve`). Everything an operator may change comes from the environment (docs/admin/running.md);
decision 0016 says why gunicorn.

Gunicorn reads this file itself, before Django starts; the environment is read as the
settings read it (`linkwork.config.env`).
"""

import logging
import multiprocessing
import os

from django.core.exceptions import ImproperlyConfigured

from linkwork.config.env import env_int
from linkwork.core.log_scrubbing import RedactOneTimeLinks


def _whole(name: str, default: int) -> int:
    value = env_int(name, default=default)
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be 1 or more.")
    return value


wsgi_app = "linkwork.config.wsgi:application"
bind = os.environ.get("LINKWORK_BIND", "127.0.0.1:8000").split(",")

# Sync workers, one request each, by default: Linkwork's requests are short and use the
# database, and a process per request keeps one slow dashboard from holding up others.
# WEB_THREADS above 1 switches to threaded workers (gthread), which hold more idle connections.
workers = _whole("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
threads = _whole("WEB_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
# The dashboards at England scale take a few seconds; nothing in a request takes a minute
# (funder reports and exports are made by the background worker).
timeout = _whole("WEB_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (spread out by the jitter), which bounds the
# memory any slow leak can take.
max_requests = _whole("WEB_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# Django and the apps are imported once, before the workers fork: less memory and faster
# restarts. No database connection is opened while importing, so none is shared.
preload_app = True

# Requests are logged without the client's address or the query string (a search for a name
# would put the name in the log): method, path, status, size and time only.
accesslog = "-" if os.environ.get("WEB_ACCESS_LOG", "on").lower() not in {"0", "off"} else None
access_log_format = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms'
# The secret in a one-time link's path is logged as [redacted]. A filter on the logger, not a
# handler: gunicorn replaces its own handlers when it sets up logging, and keeps filters. Once,
# though a reload reads this file again.
_access_log = logging.getLogger("gunicorn.access")
if not any(isinstance(f, RedactOneTimeLinks) for f in _access_log.filters):
    _access_log.addFilter(RedactOneTimeLinks())
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# X-Forwarded-Proto from the proxy in front: trusted only from the addresses listed here.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "linkwork"
# No control socket: nothing uses it, and instances sharing a home directory would share it.
control_socket_disable = True

"""The daily retention sweep, queued by the worker's reminder sweep (`linkwork.core.sweeps`)
when no real run has started for `RETENTION_SWEEP_HOURS` (0: never; run
`manage.py retention_sweep` as the tables' owner instead, docs/admin/retention.md)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from linkwork.core.sweeps import register_sweep

from . import sweep, tasks
from .models import RetentionRun


@register_sweep
def queue_retention_sweep() -> int:
    hours = settings.RETENTION_SWEEP_HOURS
    if hours <= 0:
        return 0
    since = timezone.now() - datetime.timedelta(hours=hours)
    with transaction.atomic():
        if RetentionRun.objects.filter(dry_run=False, started_at__gte=since).exists():
            return 0
        report = sweep.start(dry_run=False)
        transaction.on_commit(lambda: tasks.retention_sweep.enqueue(report.pk), robust=True)
    return 1

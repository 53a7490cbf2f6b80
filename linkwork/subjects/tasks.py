"""Background tasks of subject rights, run by the worker. Each task takes only ids."""

from django.tasks import task

from . import exports, sweep
from .models import RetentionRun


@task
def make_subject_access_export(request_id: int) -> str:
    """Make one queued subject access export; its files are on its `SubjectAccessRequest`."""
    return exports.make(request_id)


@task
def retention_sweep(run_id: int) -> str:
    """Carry out one retention run already recorded (a dry run asked for on the retention page,
    or the daily real run queued by `subjects.sweeps`); its report is its `RetentionRun`."""
    report = RetentionRun.objects.get(pk=run_id)
    if report.finished:
        return report.status
    return sweep.run(dry_run=report.dry_run, by=report.by, report=report).status

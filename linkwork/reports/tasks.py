"""Background tasks of reports, run by the worker (`python manage.py linkwork_worker`). Each task
takes only ids: its arguments are stored in the task queue."""

from django.tasks import task

from . import funder


@task
def make_funder_report(report_id: int) -> str:
    """Make one queued funder report. Answers its status; the files and the progress are on its
    `FunderReport` row."""
    return funder.make(report_id)

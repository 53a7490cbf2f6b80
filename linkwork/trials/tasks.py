"""Background tasks of research trials, run by the worker (`python manage.py linkwork_worker`).

Each task takes only ids: its arguments are stored in the task queue.
"""

from django.tasks import task

from . import export


@task
def make_export(export_id: int) -> str:
    """Make one queued export of a trial's pseudonymised data set. Answers its status; the file
    and the progress are on its `TrialExport` row."""
    return export.make(export_id)

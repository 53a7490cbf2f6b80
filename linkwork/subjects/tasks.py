"""Background tasks of subject rights, run by the worker. Each task takes only ids."""

from django.tasks import task

from . import exports


@task
def make_subject_access_export(request_id: int) -> str:
    """Make one queued subject access export; its files are on its `SubjectAccessRequest`."""
    return exports.make(request_id)

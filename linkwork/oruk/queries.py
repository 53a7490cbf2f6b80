"""Reading the record of ORUK imports for the import pages (directory data, no personal data;
the pages check IMPORT_DIRECTORY first)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from linkwork.directory.models import DirectoryImport


def imports_newest_first() -> QuerySet[DirectoryImport]:
    """Every import, newest first, without the feeds and reports (which can be large)."""
    return DirectoryImport.objects.defer("payload", "report").select_related("started_by")


def import_with_report(pk: int) -> DirectoryImport:
    """One import with its per-record report (404 if there is none)."""
    return get_object_or_404(
        DirectoryImport.objects.defer("payload").select_related("started_by"), pk=pk
    )


def import_progress_of(pk: int) -> DirectoryImport:
    """One import's progress, without its feed or report (404 if there is none)."""
    return get_object_or_404(DirectoryImport.objects.defer("payload", "report"), pk=pk)

"""Managers' pages for ORUK imports: the list and the form, one import's progress and report.

Starting an import writes a `DirectoryImport` (with the uploaded file's text) and queues the
`run_directory_import` task once that row is committed; the task does the work. The import's
page shows its progress while it runs (htmx asks for the progress fragment every two seconds,
and reloads the page when the import has finished; without JavaScript a link refreshes it).
"""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from linkwork.accounts.permissions import Permission, require
from linkwork.core.form_pages import posted, submit
from linkwork.core.pagination import page_links
from linkwork.directory.models import ImportStatus

from . import actions, importer, queries
from .forms import ImportForm

PER_PAGE = 25

STATUS_COLOURS = {
    ImportStatus.QUEUED: "grey",
    ImportStatus.RUNNING: "blue",
    ImportStatus.SUCCEEDED: "green",
    ImportStatus.FAILED: "red",
}


@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.IMPORT_DIRECTORY)
    form = posted(request, ImportForm)

    def queue(_data):
        directory_import = actions.queue_import(
            source=form.source, payload=form.payload, by=request.user
        )
        return redirect("oruk:import_detail", pk=directory_import.pk)

    if response := submit(request, form, queue):
        return response
    page = Paginator(
        queries.imports_newest_first(),
        PER_PAGE,
    ).get_page(request.GET.get("page"))
    for directory_import in page:
        directory_import.colour = STATUS_COLOURS.get(directory_import.status, "grey")
    return render(
        request,
        "oruk/imports/list.html",
        {"form": form, "page": page, "links": page_links(request, page)},
        status=400 if form.errors else 200,
    )


@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Permission.IMPORT_DIRECTORY)
    directory_import = queries.import_with_report(pk)
    directory_import.colour = STATUS_COLOURS.get(directory_import.status, "grey")
    entries = [_shown(entry) for entry in directory_import.report or []]
    records = [e for e in entries if e["kind"] != "feed"]
    return render(
        request,
        "oruk/imports/detail.html",
        {
            "imp": directory_import,
            "feed_messages": [m for e in entries if e["kind"] == "feed" for m in e["messages"]],
            "rejected": [e for e in records if e["result"] == importer.REJECTED],
            "with_warnings": [
                e for e in records if e["result"] != importer.REJECTED and e["warnings"]
            ],
            "records": records,
            "counts": directory_import.counts or {},
        },
    )


@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment htmx polls. Once the import has finished, htmx is told to reload
    the page, which then shows the report."""
    require(request.user, Permission.IMPORT_DIRECTORY)
    directory_import = queries.import_progress_of(pk)
    if directory_import.finished and request.htmx:
        return HttpResponseClientRefresh()
    return render(request, "oruk/imports/includes/progress.html", {"imp": directory_import})


def _shown(entry: dict) -> dict:
    """A report entry with its messages in the reader's language."""
    messages = [
        {"level": m.get("level"), "text": importer.render_message(m)}
        for m in entry.get("messages") or []
    ]
    return {
        "kind": entry.get("kind", ""),
        "kind_label": importer.kind_label(entry.get("kind", "")),
        "id": entry.get("id", ""),
        "name": entry.get("name", ""),
        "result": entry.get("result", ""),
        "result_label": importer.result_label(entry.get("result", "")),
        "messages": messages,
        "errors": [m["text"] for m in messages if m["level"] == importer.ERROR],
        "warnings": [m["text"] for m in messages if m["level"] == importer.WARNING],
        "notes": [m["text"] for m in messages if m["level"] == importer.INFO],
    }


urlpatterns = [
    path("", imports, name="imports"),
    path("<int:pk>/", import_detail, name="import_detail"),
    path("<int:pk>/progress/", import_progress, name="import_progress"),
]

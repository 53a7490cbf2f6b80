"""The trial team's exports of the pseudonymised data set, for the trial statistician.

- `exports`: what an export holds, the form that asks for one (CSV or Excel), and the trial's
  exports, newest first. Without the installation's pseudonym key the page says so, and who
  must set it, and offers no export.
- `export_detail`: one export: its progress while it is made (htmx asks for the fragment,
  `export_progress`, every two seconds and reloads the page when it has finished; without
  JavaScript a link refreshes the page), then the download, or why there is none.
- `export_download`: the zip, counted and audited.

Every page needs `Permission.ANALYSE_TRIAL` on the trial (the trial team): `queries.trial_for`
answers 404 to someone who cannot see the trial, 403 to staff at its sites.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from linkwork.accounts.permissions import Permission
from linkwork.core.downloads import attachment
from linkwork.core.errors import ActionRefused
from linkwork.core.form_pages import posted, submit

from .. import exports as trial_exports
from ..forms import ExportForm
from ..models import KEEP_EXPORTS_FOR_DAYS, ExportFormat, ExportStatus
from ..pseudonyms import key_is_set
from ..queries import export_of, exports_of, trial_for

#: How many of the trial's exports the list shows.
SHOWN = 50

STATUS_COLOURS = {
    ExportStatus.QUEUED: "grey",
    ExportStatus.RUNNING: "blue",
    ExportStatus.DONE: "green",
    ExportStatus.FAILED: "red",
    ExportStatus.EXPIRED: "grey",
}


def _coloured(made):
    made.colour = STATUS_COLOURS.get(made.status, "grey")
    return made


@require_http_methods(["GET", "POST"])
def exports(request: HttpRequest, pk: int) -> HttpResponse:
    trial = trial_for(request.user, pk, Permission.ANALYSE_TRIAL)
    key_set = key_is_set()
    form = posted(request, ExportForm, initial={"format": ExportFormat.CSV})

    def act(data):
        made = trial_exports.request_export(trial, by=request.user, fmt=data["format"])
        return redirect("trials:export", pk=trial.pk, export_pk=made.pk)

    if key_set and (response := submit(request, form, act)):
        return response
    return render(
        request,
        "trials/exports/list.html",
        {
            "trial": trial,
            "form": form,
            "key_set": key_set,
            "exports": [_coloured(made) for made in exports_of(trial)[:SHOWN]],
            "keep_days": KEEP_EXPORTS_FOR_DAYS,
        },
        status=400 if form.errors else 200,
    )


@require_GET
def export_detail(request: HttpRequest, pk: int, export_pk: int) -> HttpResponse:
    trial = trial_for(request.user, pk, Permission.ANALYSE_TRIAL)
    made = _coloured(export_of(trial, export_pk))
    return render(
        request,
        "trials/exports/detail.html",
        {"trial": trial, "made": made, "keep_days": KEEP_EXPORTS_FOR_DAYS},
    )


@require_GET
def export_progress(request: HttpRequest, pk: int, export_pk: int) -> HttpResponse:
    """The progress fragment htmx polls. Once the export has finished, htmx is told to reload
    the page, which then offers the download (or says why there is none)."""
    trial = trial_for(request.user, pk, Permission.ANALYSE_TRIAL)
    made = export_of(trial, export_pk)
    if made.finished and request.htmx:
        return HttpResponseClientRefresh()
    return render(request, "trials/exports/includes/progress.html", {"made": made})


@require_GET
def export_download(request: HttpRequest, pk: int, export_pk: int) -> HttpResponse:
    trial = trial_for(request.user, pk, Permission.ANALYSE_TRIAL)
    made = export_of(trial, export_pk)
    try:
        made = trial_exports.record_download(made, by=request.user)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("trials:export", pk=trial.pk, export_pk=made.pk)
    return attachment(made.content, content_type="application/zip", filename=made.filename)

"""Reports for the trial team, and for staff at the trial's sites: the CONSORT flow diagram with
the records behind each count, the primary analysis, and how complete the GP attendance data
is per practice.

The trial team (ANALYSE_TRIAL) follow a count to pseudonymised rows; staff at a site
(VIEW_TRIAL_PARTICIPANTS) follow it to the people at their own sites, by name. Nobody else
follows it anywhere.
"""

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from linkwork.accounts.permissions import Permission, has_permission
from linkwork.accounts.queries import sites_for
from linkwork.outcomes.instruments import get_instrument

from .. import dataset, strata
from ..analysis import AnalysisError, ancova, summarise
from ..consort import outline, render_svg
from ..flow import consort_flow
from ..pseudonyms import PseudonymKeyMissing, key_is_set, pseudonym
from ..queries import attendance_completeness, participants_in, trial_for


def _may_follow(user, trial) -> tuple[bool, bool]:
    return (
        has_permission(user, Permission.ANALYSE_TRIAL, trial),
        has_permission(user, Permission.VIEW_TRIAL_PARTICIPANTS, trial),
    )


def consort(request: HttpRequest, pk: int) -> HttpResponse:
    trial = trial_for(request.user, pk, Permission.VIEW_TRIAL)
    analyse, see_people = _may_follow(request.user, trial)
    records = reverse("trials:records", args=[trial.pk])

    def url_for(key: str) -> str | None:
        if not (analyse or see_people):
            return None
        return f"{records}?{urlencode({'group': key})}"

    flow, _groups = consort_flow(trial, url_for=url_for)
    return render(
        request,
        "trials/reports/consort.html",
        {
            "trial": trial,
            "svg": mark_safe(render_svg(flow)),  # noqa: S308  (every text in it is escaped)
            "outline": outline(flow),
            "follows_to_names": see_people and not analyse,
        },
    )


def records(request: HttpRequest, pk: int) -> HttpResponse:
    """The participants behind one count of the diagram."""
    trial = trial_for(request.user, pk, Permission.VIEW_TRIAL)
    analyse, see_people = _may_follow(request.user, trial)
    if not (analyse or see_people):
        raise Http404
    _flow, groups = consort_flow(trial)
    group = groups.get(request.GET.get("group", ""))
    if group is None:
        raise Http404
    label = group.label or request.GET.get("group", "")
    if analyse:
        if not key_is_set():
            return render(request, "trials/reports/no_key.html", {"trial": trial}, status=503)
        people = participants_in(trial, group.ids)
        stratum_labels = strata.labels(trial.strata.all())
        rows = [
            {
                "pseudonym": pseudonym(trial.pk, p.pk),
                "status": p.get_status_display(),
                "arm": p.arm.name if p.arm else "",
                "stratum": stratum_labels.get(p.stratum_id, ""),
                "month": p.screened_at.strftime("%Y-%m"),
                "withdrawn": p.withdrawn_on is not None,
            }
            for p in people
        ]
        template = "trials/reports/records_pseudonymised.html"
    else:
        rows = participants_in(trial, group.ids, sites=sites_for(request.user))
        template = "trials/reports/records_named.html"
    return render(request, template, {"trial": trial, "label": label, "rows": rows})


def analysis(request: HttpRequest, pk: int) -> HttpResponse:
    """The primary analysis: ANCOVA of the primary outcome at the primary time point on the
    allocated arm, adjusted for the baseline and the stratum; per-arm means, SDs and missing
    data at every time point."""
    trial = trial_for(request.user, pk, Permission.ANALYSE_TRIAL)
    if not key_is_set():
        return render(request, "trials/reports/no_key.html", {"trial": trial}, status=503)
    try:
        rows = dataset.rows(trial)
    except PseudonymKeyMissing:  # pragma: no cover - checked above
        return render(request, "trials/reports/no_key.html", {"trial": trial}, status=503)
    primary = trial.primary_instrument
    outcome = f"{primary}_week_{trial.primary_weeks}"
    baseline = f"{primary}_baseline"
    control = trial.arms.filter(is_control=True).first()
    result, error = None, ""
    try:
        result = ancova(
            rows,
            outcome=outcome,
            baseline=baseline,
            arm="arm",
            reference=control.name,
            covariates=("stratum",),
        )
    except AnalysisError as exc:
        error = str(exc)
    estimates = (
        [
            {"arm": arm, **values}
            for arm, values in result.items()
            if isinstance(values, dict) and "estimate" in values
        ]
        if result
        else []
    )
    weeks = list(trial.timepoints.values_list("weeks", flat=True))
    tables = []
    for code in trial.instruments:
        measures = [f"{code}_baseline", *(f"{code}_week_{w}" for w in weeks)]
        labels = dict(zip(measures, ["baseline", *weeks], strict=True))
        tables.append(
            {
                "instrument": get_instrument(code),
                "rows": [
                    {**row, "when": labels[row["measure"]]}
                    for row in summarise(rows, arm="arm", measures=measures)
                ],
            }
        )
    return render(
        request,
        "trials/reports/analysis.html",
        {
            "trial": trial,
            "primary": get_instrument(primary),
            "control": control,
            "estimates": estimates,
            "result": result,
            "error": error,
            "tables": tables,
            "n_rows": len(rows),
            "ci_label": _("%(level)s%% confidence interval") % {"level": 95},
        },
    )


def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """How complete the GP attendance data is, practice by practice: of the participants who
    consented to it, how many periods each practice has sent."""
    trial = trial_for(request.user, pk, Permission.VIEW_TRIAL)
    analyse, see_people = _may_follow(request.user, trial)
    sites = None if analyse else sites_for(request.user)
    return render(
        request,
        "trials/reports/attendance.html",
        {"trial": trial, "practices": attendance_completeness(trial, sites=sites)},
    )

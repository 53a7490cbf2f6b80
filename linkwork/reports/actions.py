"""Recording, correcting and removing the service timeline's own events. Each change is audited
with the fields it touched; an event holds no personal data."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from linkwork.accounts.permissions import Permission, has_permission
from linkwork.audit.models import AuditAction
from linkwork.audit.service import record
from linkwork.core.errors import ActionRefused
from linkwork.referrals.models import Person

from . import tasks
from .identifiers import find_identifiers
from .models import CaseStudy, FunderReport, ReportStatus, ServiceEvent


def _check_sites(by, sites) -> None:
    if not sites:
        raise ActionRefused(_("Select at least one site"), field="sites")
    mine = {site.pk for site in by.sites.all()}
    if any(site.pk not in mine for site in sites):
        raise ActionRefused(_("You can only record events for the sites you manage"), field="sites")


@transaction.atomic
def record_event(*, by, on, title: str, description: str, sites) -> ServiceEvent:
    if not has_permission(by, Permission.RECORD_SERVICE_EVENT):
        raise ActionRefused(_("Only service managers record events on the timeline"))
    _check_sites(by, sites)
    event = ServiceEvent.objects.create(
        on=on, title=title.strip(), description=description.strip(), created_by=by
    )
    event.sites.set(sites)
    record(
        by=by, action=AuditAction.CREATE, obj=event, fields=["on", "title", "description", "sites"]
    )
    return event


@transaction.atomic
def change_event(event: ServiceEvent, *, by, on, title: str, description: str, sites) -> None:
    if not has_permission(by, Permission.RECORD_SERVICE_EVENT, event):
        raise ActionRefused(_("You can only change events recorded for the sites you manage"))
    _check_sites(by, sites)
    changed = [
        name
        for name, value in (
            ("on", on),
            ("title", title.strip()),
            ("description", description.strip()),
        )
        if getattr(event, name) != value
    ]
    before = {site.pk for site in event.sites.all()}
    if before != {site.pk for site in sites}:
        changed.append("sites")
    if not changed:
        return
    event.on, event.title, event.description = on, title.strip(), description.strip()
    event.changed_at = timezone.now()
    event.save()
    event.sites.set(sites)
    record(by=by, action=AuditAction.CHANGE, obj=event, fields=changed)


@transaction.atomic
def remove_event(event: ServiceEvent, *, by) -> None:
    if not has_permission(by, Permission.RECORD_SERVICE_EVENT, event):
        raise ActionRefused(_("You can only remove events recorded for the sites you manage"))
    record(by=by, action=AuditAction.DELETE, obj=event, detail=event.title)
    event.sites.clear()
    event.delete()


# --- Case studies and the funder report -----------------------------------------------------


def _names_at(site) -> set[str]:
    """First and last names of everyone referred at the site, for the identifier check."""
    names = set()
    for given, family in Person.objects.filter(referrals__site=site).values_list(
        "given_name", "family_name"
    ):
        names.update(part for part in f"{given} {family}".replace("-", " ").split() if part)
    return names


def _refuse_identifiers(title: str, text: str, site) -> None:
    findings = find_identifiers(f"{title}\n{text}", _names_at(site))
    if findings:
        listed = "; ".join(f"“{f.text}” ({f.described})" for f in findings[:10])
        raise ActionRefused(
            _(
                "Remove everything that could identify someone before saving the case study: "
                "%(found)s"
            )
            % {"found": listed},
            field="text",
        )


@transaction.atomic
def save_case_study(study: CaseStudy | None, *, by, site, title: str, text: str) -> CaseStudy:
    """Write or correct a case study; refused while it holds a name, a date, an NHS number, a
    postcode or a phone number."""
    if not has_permission(by, Permission.WRITE_FUNDER_REPORT, site):
        raise ActionRefused(
            _("You can only write case studies for the sites you manage"), field="site"
        )
    title, text = title.strip(), text.strip()
    _refuse_identifiers(title, text, site)
    if study is None:
        study = CaseStudy.objects.create(site=site, title=title, text=text, written_by=by)
        record(by=by, action=AuditAction.CREATE, obj=study, fields=["site", "title", "text"])
        return study
    changed = [
        n for n, v in (("site", site), ("title", title), ("text", text)) if getattr(study, n) != v
    ]
    study.site, study.title, study.text, study.changed_at = site, title, text, timezone.now()
    study.save()
    record(by=by, action=AuditAction.CHANGE, obj=study, fields=changed)
    return study


@transaction.atomic
def request_funder_report(*, by, first_month, last_month, sites, case_studies=()) -> FunderReport:
    """Ask for a funder report: queued for the worker once this transaction commits."""
    if not sites:
        raise ActionRefused(_("Select at least one site"), field="sites")
    if any(not has_permission(by, Permission.WRITE_FUNDER_REPORT, site) for site in sites):
        raise ActionRefused(_("You can only report on the sites you manage"), field="sites")
    if last_month < first_month:
        raise ActionRefused(
            _("The last month must be the same as or after the first"), field="to_month"
        )
    site_ids = {site.pk for site in sites}
    if any(study.site_id not in site_ids for study in case_studies):
        raise ActionRefused(
            _("Choose case studies from the sites the report is about"), field="case_studies"
        )
    report = FunderReport.objects.create(
        first_month=first_month,
        last_month=last_month,
        language=get_language() or settings.LANGUAGE_CODE,
        requested_by=by,
    )
    report.sites.set(sites)
    report.case_studies.set(case_studies)
    record(by=by, action=AuditAction.CREATE, obj=report, detail="funder report")
    transaction.on_commit(partial(tasks.make_funder_report.enqueue, report.pk), robust=True)
    return report


@transaction.atomic
def record_report_download(report: FunderReport, *, by, fmt: str) -> FunderReport:
    """Count and audit a download of the report's PDF or spreadsheet."""
    report = FunderReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.DONE:
        raise ActionRefused(_("This report is not ready to download."))
    FunderReport.objects.filter(pk=report.pk).update(downloads=F("downloads") + 1)
    record(by=by, action=AuditAction.VIEW, obj=report, detail=f"funder report {fmt}")
    return report

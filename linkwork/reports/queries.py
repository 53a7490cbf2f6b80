"""Reads for the reports pages that are not figures: a timeline event, the sites a manager may
record one for, case studies and funder reports."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone

from linkwork.accounts.permissions import Permission, require
from linkwork.accounts.queries import sites_for
from linkwork.partners.models import Site
from linkwork.referrals.models import Pathway

from .models import CaseStudy, FunderReport, ServiceEvent


def event_for(user, pk: int, permission: Permission) -> ServiceEvent:
    """A recorded timeline event at one of the user's sites; 404 otherwise (and when the user
    may not do `permission` to it)."""
    event = get_object_or_404(
        ServiceEvent.objects.filter(sites__in=sites_for(user)).distinct().prefetch_related("sites"),
        pk=pk,
    )
    require(user, permission, event)
    return event


def sites_to_record_for(user):
    return sites_for(user).order_by("name")


def case_studies_for(user):
    """Case studies at the manager's sites, newest first."""
    return CaseStudy.objects.filter(site__in=sites_for(user)).select_related("site", "written_by")


def case_study_for(user, pk: int) -> CaseStudy:
    """A case study at one of the manager's sites: 403 for other roles, 404 for another site's."""
    require(user, Permission.WRITE_FUNDER_REPORT)
    study = get_object_or_404(case_studies_for(user), pk=pk)
    require(user, Permission.WRITE_FUNDER_REPORT, study.site)
    return study


def funder_reports_for(user):
    """Funder reports about the user's sites only: one that covers a site they do not manage is
    not theirs to see."""
    mine = sites_for(user)
    return (
        FunderReport.objects.filter(sites__in=mine)
        .exclude(sites__in=Site.objects.exclude(pk__in=mine.values("pk")))
        .distinct()
        .defer("pdf", "xlsx")
        .select_related("requested_by")
        .prefetch_related("sites")
    )


def funder_report_for(user, pk: int, *, with_files: bool = False) -> FunderReport:
    require(user, Permission.WRITE_FUNDER_REPORT)
    reports = funder_reports_for(user)
    if with_files:
        reports = reports.defer(None)
    return get_object_or_404(reports, pk=pk)


def other_sites_pathways(site):
    """Open pathways at other sites whose name this site has no open pathway of: what it could
    "open" in a capacity what-if."""
    today = timezone.localdate()
    here = set(Pathway.objects.filter(site=site).open_on(today).values_list("name", flat=True))
    return [
        p
        for p in Pathway.objects.exclude(site=site).open_on(today).select_related("site")
        if p.name not in here
    ]

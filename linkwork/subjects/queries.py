"""Reads for the subject rights pages: subject access and erasure requests about people with a
referral at one of the manager's sites, the referral a request is made from, and the
retention runs (administrators)."""

from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from linkwork.accounts.permissions import Permission, require
from linkwork.accounts.queries import sites_for
from linkwork.referrals.models import Referral
from linkwork.referrals.queries import referral_for

from .models import ErasureRequest, RetentionRun, SubjectAccessRequest


def requests_for(user) -> QuerySet[SubjectAccessRequest]:
    """Requests about anyone with a referral at one of the user's sites, newest first, without
    their files."""
    require(user, Permission.EXPORT_SUBJECT_ACCESS)
    at_my_sites = Referral.objects.filter(person=OuterRef("person"), site__in=sites_for(user))
    return (
        SubjectAccessRequest.objects.filter(Exists(at_my_sites))
        .defer("json", "pdf")
        .select_related("person", "requested_by", "referral")
    )


def request_for(user, pk: int, *, with_files: bool = False) -> SubjectAccessRequest:
    requests = requests_for(user)
    if with_files:
        requests = requests.defer(None)
    return get_object_or_404(requests, pk=pk)


def referral_to_export(user, pk: int) -> Referral:
    return referral_for(user, pk, Permission.EXPORT_SUBJECT_ACCESS)


def retention_runs(user) -> QuerySet[RetentionRun]:
    """Every retention run, newest first: for administrators (decision 0027)."""
    require(user, Permission.MANAGE_RETENTION)
    return RetentionRun.objects.select_related("by")


def retention_run(user, pk: int) -> RetentionRun:
    return get_object_or_404(retention_runs(user), pk=pk)


def erasure_requests_for(user) -> QuerySet[ErasureRequest]:
    """Erasure requests about anyone with a referral at one of the user's sites, newest first."""
    require(user, Permission.RECORD_ERASURE)
    at_my_sites = Referral.objects.filter(person=OuterRef("person"), site__in=sites_for(user))
    return ErasureRequest.objects.filter(Exists(at_my_sites)).select_related(
        "person", "requested_by", "decided_by", "referral"
    )


def erasure_request_for(user, pk: int) -> ErasureRequest:
    return get_object_or_404(erasure_requests_for(user), pk=pk)


def referral_to_erase(user, pk: int) -> Referral:
    return referral_for(user, pk, Permission.RECORD_ERASURE)

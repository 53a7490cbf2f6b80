"""Reads for the subject access pages: requests about people with a referral at one of the
manager's sites, and the referral a request is made from."""

from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from linkwork.accounts.permissions import Permission, require
from linkwork.accounts.queries import sites_for
from linkwork.referrals.models import Referral
from linkwork.referrals.queries import referral_for

from .models import SubjectAccessRequest


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

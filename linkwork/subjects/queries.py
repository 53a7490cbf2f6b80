"""Reads for the subject rights pages: subject access and erasure requests about people with a
referral at one of the manager's sites, the referral a request is made from, and the
retention runs (administrators)."""

from django.db.models import Case, Exists, OuterRef, QuerySet, When
from django.shortcuts import get_object_or_404

from linkwork.accounts.permissions import Permission, require
from linkwork.accounts.queries import sites_for
from linkwork.audit.refusals import visible_or_404
from linkwork.casework.models import Contact
from linkwork.casework.queries import person_in_support_for
from linkwork.referrals.models import InterimContact, NoteCorrection, PersonDetailsChange, Referral
from linkwork.referrals.queries import referral_for

from .models import (
    ErasureRequest,
    RectificationRequest,
    RectificationStatus,
    RetentionRun,
    SubjectAccessRequest,
)


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


# --- Rectification (decision 0026) ---------------------------------------------------------------


def referral_to_change(user, pk: int) -> Referral:
    """The referral whose person's details the user would change."""
    return referral_for(user, pk, Permission.CHANGE_PERSON_DETAILS)


def contact_to_correct(user, pk: int, contact_pk: int) -> tuple[Referral, Contact]:
    """The referral of someone in support (or whose support closed), and one of its contacts,
    whose note the user would correct."""
    referral = person_in_support_for(user, pk, Permission.CORRECT_CONTACT_NOTE)
    contact = visible_or_404(
        referral.contacts.select_related("by"), pk=contact_pk, person="referral__person_id"
    )
    return referral, contact


def interim_contact_to_correct(user, pk: int, contact_pk: int) -> tuple[Referral, InterimContact]:
    """The referral, and one of its interim support contacts, whose note the user would correct
    (whoever may log interim support on it)."""
    referral = referral_for(user, pk, Permission.LOG_INTERIM_CONTACT)
    contact = visible_or_404(
        referral.interim_contacts.select_related("by"),
        pk=contact_pk,
        person="referral__person_id",
    )
    return referral, contact


def corrections_of(entry: Contact | InterimContact) -> QuerySet[NoteCorrection]:
    """A note's corrections, oldest first (the first keeps the note as written)."""
    return entry.corrections.select_related("by").order_by("at", "pk")


def referral_with_corrections(user, pk: int) -> Referral:
    """A referral whose person's history of changes the user would read (the site's managers)."""
    return referral_for(user, pk, Permission.VIEW_CORRECTIONS)


def details_changes_of(referral: Referral) -> QuerySet[PersonDetailsChange]:
    """Every change to the person's details, from any of their referrals, newest first."""
    return PersonDetailsChange.objects.filter(person_id=referral.person_id).select_related(
        "by", "referral"
    )


def rectification_requests_for(user) -> QuerySet[RectificationRequest]:
    """Rectification requests about anyone with a referral at one of the manager's sites: open
    ones first, soonest deadline first, then those answered, newest first."""
    require(user, Permission.HANDLE_RECTIFICATION)
    at_my_sites = Referral.objects.filter(person=OuterRef("person"), site__in=sites_for(user))
    return (
        RectificationRequest.objects.filter(Exists(at_my_sites))
        .select_related("person", "referral", "recorded_by", "decided_by")
        .order_by(
            Case(When(status=RectificationStatus.OPEN, then=0), default=1),
            "received_on",
            "pk",
        )
    )


def rectification_request_for(user, pk: int) -> RectificationRequest:
    return get_object_or_404(rectification_requests_for(user), pk=pk)


def referral_for_rectification(user, pk: int) -> Referral:
    """The referral a manager records a rectification request from."""
    return referral_for(user, pk, Permission.HANDLE_RECTIFICATION)


def open_rectification_requests(referral: Referral) -> QuerySet[RectificationRequest]:
    return RectificationRequest.objects.filter(
        person_id=referral.person_id, status=RectificationStatus.OPEN
    ).order_by("received_on", "pk")


def requests_about(referral: Referral) -> QuerySet[RectificationRequest]:
    """Every rectification request about the referral's person, newest first."""
    return RectificationRequest.objects.filter(person_id=referral.person_id).select_related(
        "recorded_by", "decided_by", "statement_recorded_by"
    )


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

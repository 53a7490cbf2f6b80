"""Reads for letters. A person's letters are reached only through their record: the referral
comes from `casework.queries.person_in_support_for` (so whoever may not open the record gets a
404 for its letters too), then the letter from that referral's own letters."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from linkwork.accounts.permissions import Permission
from linkwork.audit.refusals import visible_or_404
from linkwork.casework.models import Closure, Contact, ContactOutcome, SupportPlan
from linkwork.casework.queries import person_in_support_for
from linkwork.partners.models import Site
from linkwork.referrals.models import Referral

from .defaults import DEFAULT_TEMPLATES
from .models import Letter, Letterhead, LetterKind, LetterTemplate


def letters_of(referral: Referral) -> QuerySet[Letter]:
    """The person's letters, newest first, with who made them."""
    return referral.letters.select_related("created_by").order_by("-created_at", "-pk")


def person_for(user, pk: int, permission: Permission) -> Referral:
    """The person whose letters a page is about: as their record finds them, 404 otherwise."""
    return person_in_support_for(user, pk, permission)


def letter_for(user, pk: int, letter_pk: int) -> Letter:
    """One of the person's letters, for someone who may open their record; 404 otherwise."""
    referral = person_for(user, pk, Permission.VIEW_PERSON_RECORD)
    return visible_or_404(
        letters_of(referral).select_related("referral__person"),
        pk=letter_pk,
        person="referral__person_id",
    )


def booked_contacts(referral: Referral, *, now: datetime.datetime | None = None) -> list[Contact]:
    """Contacts booked with the person and still to come, soonest first."""
    now = now or timezone.now()
    return list(
        Contact.objects.filter(referral=referral, outcome=ContactOutcome.BOOKED, at__gt=now)
        .select_related("by")
        .order_by("at", "pk")
    )


def attended_count(referral: Referral) -> int:
    return Contact.objects.filter(referral=referral, outcome=ContactOutcome.ATTENDED).count()


def closure_of(referral: Referral) -> Closure | None:
    """Why and when support ended, if it has (and was not reopened since)."""
    return (
        Closure.objects.filter(referral=referral, reopened_at__isnull=True)
        .order_by("-closed_on", "-pk")
        .first()
    )


def plan_of(referral: Referral) -> SupportPlan | None:
    return SupportPlan.objects.filter(referral=referral).first()


def allocations_of(referral: Referral) -> list:
    """The person's allocations, newest first, with their coordinators."""
    return list(referral.allocations.select_related("coordinator").order_by("-started_at", "-pk"))


def letterhead_of(site: Site) -> Letterhead | None:
    return Letterhead.objects.filter(site=site).first()


def letterheads_for(sites) -> dict[int, Letterhead]:
    return {head.site_id: head for head in Letterhead.objects.filter(site__in=sites)}


def template_for(kind: str, language: str) -> LetterTemplate:
    """The wording in use for this kind and language: the saved template, or (where none is
    saved yet, as in a database emptied by a test) the default wording, unsaved."""
    found = LetterTemplate.objects.filter(kind=kind, language=language).first()
    if found is not None:
        return found
    subject, body = DEFAULT_TEMPLATES[(kind, language)]
    return LetterTemplate(kind=kind, language=language, subject=subject, body=body)


def all_templates() -> list[LetterTemplate]:
    """Every kind in every language, in the order of `LetterKind`, English first."""
    saved = {(t.kind, t.language): t for t in LetterTemplate.objects.select_related("updated_by")}
    templates = []
    for kind in LetterKind.values:
        for language in ("en", "cy"):
            if (kind, language) in saved:
                templates.append(saved[(kind, language)])
            else:
                subject, body = DEFAULT_TEMPLATES[(kind, language)]
                templates.append(
                    LetterTemplate(kind=kind, language=language, subject=subject, body=body)
                )
    return templates

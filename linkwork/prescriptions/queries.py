"""Reading social prescriptions. Views reach them only through a referral the user may see
(`referrals.queries.referrals_for`), or, for a service, through a valid link."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet

from linkwork.accounts.queries import sites_for
from linkwork.audit.refusals import visible_or_404
from linkwork.directory.models import Service
from linkwork.directory.queries import availability_rank
from linkwork.partners.models import Site
from linkwork.referrals.models import Referral
from linkwork.referrals.status import ReferralStatus

from . import tokens
from .actions import LinkRefused
from .models import PrescriptionUpdate, ServiceLink, SocialPrescription
from .status import TAG_COLOURS, PrescriptionStatus


def prescriptions_for(referral: Referral) -> QuerySet[SocialPrescription]:
    """A person's social prescriptions, newest first, with service, history and links loaded.

    For `prescriptions/includes/person_prescriptions.html`: each has `last_update` and
    `needs_attention` without further queries.
    """
    return (
        SocialPrescription.objects.filter(referral=referral)
        .select_related("service__organization", "referral")
        .prefetch_related(
            Prefetch("updates", queryset=PrescriptionUpdate.objects.select_related("by")),
        )
        .order_by("-created_at", "-pk")
    )


def needing_attention_for(coordinator) -> QuerySet[SocialPrescription]:
    """Social prescriptions of the people the coordinator supports now whose service did not
    answer and was chased (`actions.chase_unanswered_links`), the longest waiting first: their
    home page lists them until someone records what happened."""
    return (
        SocialPrescription.objects.filter(
            needs_attention_since__isnull=False,
            referral__status=ReferralStatus.ALLOCATED,
            referral__allocations__coordinator=coordinator,
            referral__allocations__ended_at__isnull=True,
        )
        .select_related("service", "referral__person")
        .order_by("needs_attention_since", "pk")
    )


def awaiting_an_answer(referral: Referral) -> QuerySet[SocialPrescription]:
    """The person's social prescriptions sent to a service that has not answered yet, the
    oldest first, with the service."""
    return (
        SocialPrescription.objects.filter(referral=referral, status=PrescriptionStatus.SENT)
        .select_related("service")
        .order_by("status_changed_at", "pk")
    )


def prescription_of(referral: Referral, pk: int) -> SocialPrescription:
    """One of the person's social prescriptions, with its service and who made it; 404 if it is
    not theirs. The caller has found `referral` with `referral_for` (so checked the permission)."""
    return visible_or_404(
        SocialPrescription.objects.select_related("service", "referral", "created_by"),
        referral=referral,
        pk=pk,
        person="referral__person_id",
    )


def services_serving(site: Site) -> QuerySet[Service]:
    """Every service that serves the site, open ones first."""
    return (
        Service.objects.serving(site)
        .select_related("organization")
        .order_by(availability_rank(), "name")
    )


def find_link(signed: str) -> ServiceLink:
    """The link a signed value stands for, if it can be used; otherwise `LinkRefused`.

    The signature is checked before the database is asked. "invalid" covers tampered, garbled
    and unknown links alike, so a refusal reveals nothing.
    """
    parsed = tokens.unsign(signed)
    if parsed is None:
        raise LinkRefused("invalid")
    link_id, token = parsed
    link = (
        ServiceLink.objects.select_related(
            "prescription__service",
            "prescription__referral__person",
            "prescription__referral__site",
        )
        .filter(pk=link_id)
        .first()
    )
    if link is None or not tokens.token_matches(token, link.token_hash):
        raise LinkRefused("invalid")
    state = link.state()
    if state != "open":
        raise LinkRefused(state, link=link)
    return link


@dataclass
class PrescriptionCount:
    status: str
    label: str
    colour: str
    count: int


@dataclass
class PrescriptionCounts:
    total: int = 0
    by_status: list[PrescriptionCount] = field(default_factory=list)


def prescription_counts(service: Service, user) -> PrescriptionCounts:
    """How many social prescriptions were made to the service at the user's sites, by status.
    Counts only: no names, no referrals."""
    rows = (
        SocialPrescription.objects.filter(service=service, referral__site__in=sites_for(user))
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    counted = {row["status"]: row["n"] for row in rows}
    by_status = [
        PrescriptionCount(
            status.value, status.label, TAG_COLOURS.get(status, "grey"), counted[status]
        )
        for status in PrescriptionStatus
        if counted.get(status)
    ]
    return PrescriptionCounts(total=sum(counted.values()), by_status=by_status)


# --- In words ----------------------------------------------------------------------------------

"""Reading social prescriptions. Views reach them only through a referral the user may see
(`referrals.queries.referrals_for`), or, for a service, through a valid link."""

from django.db.models import Prefetch, QuerySet

from linkwork.partners.models import Site
from linkwork.referrals.models import Referral

from . import tokens
from .actions import LinkRefused
from .models import CommunityService, PrescriptionUpdate, ServiceLink, SocialPrescription


def prescriptions_for(referral: Referral) -> QuerySet[SocialPrescription]:
    """A person's social prescriptions, newest first, with service, history and links loaded.

    For `prescriptions/includes/person_prescriptions.html`: each has `last_update` and
    `needs_attention` without further queries.
    """
    return (
        SocialPrescription.objects.filter(referral=referral)
        .select_related("service", "referral")
        .prefetch_related(
            Prefetch("updates", queryset=PrescriptionUpdate.objects.select_related("by")),
        )
        .order_by("-created_at", "-pk")
    )


def services_serving(site: Site) -> QuerySet[CommunityService]:
    """Every service that serves the site, open ones first."""
    return CommunityService.objects.serving(site).order_by("-is_open", "name")


def services_for_sites(sites) -> QuerySet[CommunityService]:
    """Services that serve any of these sites (or every site), for the services list."""
    links = CommunityService.sites.through.objects
    return (
        (
            CommunityService.objects.filter(
                pk__in=links.filter(site__in=sites).values("communityservice_id")
            )
            | CommunityService.objects.exclude(pk__in=links.values("communityservice_id"))
        )
        .prefetch_related("sites")
        .order_by("-is_open", "name")
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

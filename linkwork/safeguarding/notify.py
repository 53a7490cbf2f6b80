"""Emails about a person's safeguarding to the staff responsible: their link coordinator (now,
or the last one) and every manager at their site. They carry a reference and a link, never a
name: the details are in Linkwork."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from linkwork.accounts.models import Role, User
from linkwork.core.email import email_after_commit
from linkwork.core.links import absolute_url
from linkwork.referrals.models import Allocation, Referral


def responsible_staff(referral: Referral, *, fallback: User | None = None) -> list[str]:
    """Email addresses of the person's coordinator (or `fallback` if they have none) and the
    site's managers."""
    last = (
        Allocation.objects.filter(referral=referral)
        .order_by("-started_at", "-pk")
        .select_related("coordinator")
        .first()
    )
    people = list(
        User.objects.filter(role=Role.MANAGER, is_active=True, sites=referral.site_id).exclude(
            email=""
        )
    )
    if last is not None and last.coordinator.is_active and last.coordinator.email:
        people.append(last.coordinator)
    elif fallback is not None and fallback.is_active and fallback.email:
        people.append(fallback)
    return sorted({person.email for person in people})


def _absolute(url: str) -> str:
    return absolute_url(url)


def tell_about_prompt(prompt) -> None:
    """Once the transaction that raised it commits: a PHQ-9 question 9 answer sent through a link
    needs someone to act now, whenever it arrives."""
    referral = prompt.referral
    recipients = responsible_staff(referral)
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "safeguarding/email/prompt_raised.txt",
            {
                "reference": referral.reference,
                "url": _absolute(reverse("safeguarding:prompt", args=[prompt.pk])),
            },
        )
        subject = _("Linkwork: a safeguarding check is needed now")
    email_after_commit(to=recipients, subject=subject, body=body)

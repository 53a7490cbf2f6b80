"""Everything that changes a social prescription, by staff or by a service through a link.

Each action is one transaction: it checks the state machine (`status.TRANSITIONS`), makes the
change, appends a `PrescriptionUpdate`, writes the audit log and queues any email to the
service for after the commit.

Links follow the status: a sent prescription holds a "respond" link, an accepted or attending
one an "outcome" link, and a final one none. `_sync_links` withdraws what no longer fits and
issues what is missing, emailing each new link to the service.

For the background worker: `chase_unanswered_links(now=None)` is safe to run as often as you
like (say hourly); see its docstring.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from linkwork.audit import service as audit
from linkwork.audit.models import AuditAction, RecordPart
from linkwork.core.email import email_after_commit
from linkwork.core.errors import ActionRefused
from linkwork.core.links import absolute_url
from linkwork.directory.models import Availability, Service
from linkwork.referrals.models import Referral
from linkwork.referrals.queries import current_allocation
from linkwork.referrals.status import ReferralStatus

from . import tokens
from .models import (
    LinkPurpose,
    PrescriptionUpdate,
    ServiceLink,
    SocialPrescription,
)
from .status import (
    LINK_FOR_STATUS,
    OUTCOME_STATUSES,
    PrescriptionStatus,
    can_transition,
)

logger = logging.getLogger(__name__)

P = PrescriptionStatus

DEFAULT_LINK_DAYS = 30
DEFAULT_CHASE_DAYS = 14


class LinkRefused(Exception):
    """A service link that cannot be used: why ("invalid", "used", "revoked", "expired")."""

    def __init__(self, reason: str, *, link: ServiceLink | None = None):
        super().__init__(reason)
        self.reason = reason
        self.link = link


# --- Settings ---------------------------------------------------------------------------------


def link_days() -> int:
    """How long a service link works (setting `SERVICE_LINK_DAYS`, default 30)."""
    return int(getattr(settings, "SERVICE_LINK_DAYS", DEFAULT_LINK_DAYS))


def chase_days() -> int:
    """After how long an unanswered link is chased (`SERVICE_LINK_CHASE_DAYS`, default 14)."""
    return int(getattr(settings, "SERVICE_LINK_CHASE_DAYS", DEFAULT_CHASE_DAYS))


def link_url(signed: str) -> str:
    """The absolute URL of a link, for emails (`core.links`: the service's address)."""
    return absolute_url(reverse("prescriptions:service_link", args=[signed]))


# --- Helpers ---------------------------------------------------------------------------------


def coordinator_of(prescription: SocialPrescription):
    """The person's link coordinator now, or whoever made the prescription."""
    allocation = current_allocation(prescription.referral)
    return allocation.coordinator if allocation else prescription.created_by


def _locked(prescription: SocialPrescription) -> SocialPrescription:
    return SocialPrescription.objects.select_for_update().get(pk=prescription.pk)


def availability_warning(service: Service) -> str:
    """What a coordinator must be told before referring to a limited or temporarily closed
    service ("" when it is open)."""
    if service.availability == Availability.LIMITED:
        message = _("%(service)s is open but limited.") % {"service": service}
    elif service.availability == Availability.TEMPORARILY_CLOSED:
        message = _("%(service)s is temporarily closed.") % {"service": service}
        if service.expected_reopening:
            message += " " + _("It is expected to reopen on %(date)s.") % {
                "date": date_format(service.expected_reopening, "j F Y")
            }
    else:
        return ""
    if service.availability_note:
        message += " " + _("(%(note)s)") % {"note": service.availability_note}
    return message


def _check_service(service: Service, referral: Referral, *, availability_confirmed: bool) -> None:
    """A permanently closed service is refused; a limited or temporarily closed one needs the
    coordinator to confirm they know, so nobody is sent somewhere closed without being told."""
    if service.availability == Availability.CLOSED:
        message = _("%(service)s has closed and is not taking referrals.") % {"service": service}
        if service.availability_note:
            message += " " + _("(%(note)s)") % {"note": service.availability_note}
        raise ActionRefused(message + " " + _("Choose another service."), field="service")
    warning = availability_warning(service)
    if warning and not availability_confirmed:
        raise ActionRefused(
            warning
            + " "
            + _("Confirm that you still want to refer them here, or choose an open service."),
            field="availability_confirmed",
        )
    if not Service.objects.serving(referral.site).filter(pk=service.pk).exists():
        raise ActionRefused(
            _("%(service)s does not serve %(site)s.") % {"service": service, "site": referral.site},
            field="service",
        )


def _email(to: str, subject: str, template: str, context: dict) -> None:
    """Queue an email to a service for after the commit. Never names the person."""
    if not to:
        return
    email_after_commit(to=[to], subject=subject, body=render_to_string(template, context))


def _email_link(link: ServiceLink, *, reminder_for: ServiceLink | None = None) -> None:
    prescription = link.prescription
    coordinator = coordinator_of(prescription)
    context = {
        "service": prescription.service,
        "site": prescription.referral.site,
        "coordinator_first_name": coordinator.first_name,
        "coordinator_email": coordinator.email,
        "url": link.url,
        "purpose": link.purpose,
        "expires_at": link.expires_at,
        "reminder_for": reminder_for,
    }
    if reminder_for is not None:
        subject = _("Reminder: a referral from %(site)s is waiting for your answer")
    elif link.purpose == LinkPurpose.OUTCOME:
        subject = _("Tell %(site)s how a referral went")
    else:
        subject = _("A referral from %(site)s social prescribing")
    _email(
        prescription.service.referral_email,
        subject % {"site": prescription.referral.site},
        "prescriptions/email/link.txt",
        context,
    )


def _issue_link(
    prescription: SocialPrescription, purpose: str, *, now: datetime.datetime, reminder=False
) -> ServiceLink:
    """A new link; the returned object carries its signed value and URL (never stored)."""
    token = tokens.new_token()
    link = ServiceLink.objects.create(
        prescription=prescription,
        purpose=purpose,
        token_hash=tokens.hash_token(token),
        created_at=now,
        expires_at=now + datetime.timedelta(days=link_days()),
        is_reminder=reminder,
    )
    link.signed = tokens.sign(link.pk, token)
    link.url = link_url(link.signed)
    return link


def _sync_links(prescription: SocialPrescription, *, now: datetime.datetime) -> ServiceLink | None:
    """Withdraw open links that no longer fit the status; issue (and email) the one it needs."""
    wanted = LINK_FOR_STATUS.get(prescription.status)
    open_links = prescription.links.open(now)
    stale = open_links if wanted is None else open_links.exclude(purpose=wanted)
    stale.update(revoked_at=now)
    if wanted is None or not prescription.service.referral_email:
        return None
    if open_links.filter(purpose=wanted).exists():
        return None
    link = _issue_link(prescription, wanted, now=now)
    _email_link(link)
    return link


def _move(
    prescription: SocialPrescription,
    to_status: str,
    *,
    by,
    note: str = "",
    via_link: ServiceLink | None = None,
    now: datetime.datetime,
) -> ServiceLink | None:
    """Change the status, append the history row, audit, and bring the links in line."""
    if not can_transition(prescription.status, to_status):
        raise ActionRefused(
            _("This social prescription is %(status)s, so it cannot be moved to %(to)s.")
            % {
                "status": prescription.get_status_display().lower(),
                "to": PrescriptionStatus(to_status).label.lower(),
            },
            field="status",
        )
    from_status = prescription.status
    PrescriptionUpdate.objects.create(
        prescription=prescription,
        from_status=from_status,
        to_status=to_status,
        at=now,
        by=by,
        via_link=via_link,
        note=note.strip(),
    )
    prescription.status = to_status
    prescription.status_changed_at = now
    prescription.needs_attention_since = None
    prescription.save(update_fields=["status", "status_changed_at", "needs_attention_since"])
    audit.record(
        by=by,
        action=AuditAction.TRANSITION,
        obj=prescription,
        person_id=prescription.referral.person_id,
        fields=["status"],
        detail=f"{from_status} -> {to_status}" + (" (service link used)" if via_link else ""),
    )
    return _sync_links(prescription, now=now)


# --- Staff actions ---------------------------------------------------------------------------


@transaction.atomic
def make_prescription(
    referral: Referral,
    *,
    by,
    service: Service,
    asked_for: str,
    accompany_first_visit: bool = False,
    share_contact_details: bool = False,
    send: bool = False,
    availability_confirmed: bool = False,
) -> SocialPrescription:
    """Refer a person on to a community service: suggested, or sent straight away.

    Sending issues a "respond" link and emails it to the service (if it has an email address).
    The returned prescription's `new_link` is that link, with its URL, or None.
    """
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.ALLOCATED:
        raise ActionRefused(_("Social prescriptions are made for people on a caseload."))
    service = Service.objects.get(pk=service.pk)
    _check_service(service, referral, availability_confirmed=availability_confirmed)
    if not asked_for.strip():
        raise ActionRefused(_("Enter what you are asking the service for"), field="asked_for")
    now = timezone.now()
    prescription = SocialPrescription.objects.create(
        referral=referral,
        service=service,
        asked_for=asked_for.strip(),
        accompany_first_visit=accompany_first_visit,
        share_contact_details=share_contact_details,
        status=P.SUGGESTED,
        created_at=now,
        created_by=by,
        status_changed_at=now,
    )
    PrescriptionUpdate.objects.create(
        prescription=prescription, from_status="", to_status=P.SUGGESTED, at=now, by=by
    )
    audit.record(
        by=by,
        action=AuditAction.CREATE,
        obj=prescription,
        person_id=referral.person_id,
        fields=["service", "asked_for", "accompany_first_visit", "share_contact_details"],
        detail=f"service {service.pk}",
    )
    prescription.new_link = _move(prescription, P.SENT, by=by, now=now) if send else None
    return prescription


@transaction.atomic
def change_status(
    prescription: SocialPrescription,
    *,
    by,
    to_status: str,
    note: str = "",
    availability_confirmed: bool = False,
) -> SocialPrescription:
    """Record a change the coordinator knows of (sent, accepted by phone, completed...).

    The prescription's `new_link` is any link issued because of it (with its URL), or None.
    """
    prescription = _locked(prescription)
    if to_status == P.SENT:
        _check_service(
            prescription.service,
            prescription.referral,
            availability_confirmed=availability_confirmed,
        )
    prescription.new_link = _move(prescription, to_status, by=by, note=note, now=timezone.now())
    return prescription


@transaction.atomic
def send_new_link(prescription: SocialPrescription, *, by) -> ServiceLink:
    """Withdraw the service's open links and email them a fresh one (lost or expired email)."""
    prescription = _locked(prescription)
    purpose = LINK_FOR_STATUS.get(prescription.status)
    if purpose is None:
        raise ActionRefused(
            _("The service has nothing to answer while the prescription is %(status)s.")
            % {"status": prescription.get_status_display().lower()}
        )
    if not prescription.service.referral_email:
        raise ActionRefused(
            _(
                "%(service)s has no email address, so a link cannot be sent. Phone them and "
                "record their answer here."
            )
            % {"service": prescription.service}
        )
    now = timezone.now()
    prescription.links.open(now).update(revoked_at=now)
    link = _issue_link(prescription, purpose, now=now)
    _email_link(link)
    prescription.needs_attention_since = None
    prescription.save(update_fields=["needs_attention_since"])
    audit.record(
        by=by,
        action=AuditAction.CHANGE,
        obj=prescription,
        person_id=prescription.referral.person_id,
        fields=["links"],
        detail="new service link sent",
    )
    return link


@transaction.atomic
def revoke_link(link: ServiceLink, *, by) -> ServiceLink:
    """Withdraw a link so it no longer works (sent to the wrong address, say)."""
    link = ServiceLink.objects.select_for_update().select_related("prescription").get(pk=link.pk)
    if link.state() != "open":
        raise ActionRefused(_("This link cannot be withdrawn: it is no longer open."))
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    audit.record(
        by=by,
        action=AuditAction.CHANGE,
        obj=link.prescription,
        person_id=link.prescription.referral.person_id,
        fields=["links"],
        detail=f"service link {link.pk} withdrawn",
    )
    return link


# --- What a service does through a link ------------------------------------------------------


def _use(link: ServiceLink, purpose: str, now: datetime.datetime) -> ServiceLink:
    """Lock the link, check it can still be used for this, and spend it."""
    link = ServiceLink.objects.select_for_update().get(pk=link.pk)
    state = link.state(now)
    if state != "open":
        raise LinkRefused(state, link=link)
    if link.purpose != purpose:
        raise LinkRefused("invalid", link=link)
    link.used_at = now
    link.save(update_fields=["used_at"])
    # One answer per prescription: any other open link (say, a reminder's) is spent too.
    link.prescription.links.open(now).update(revoked_at=now)
    return link


@transaction.atomic
def respond_through_link(
    link: ServiceLink, *, accept: bool, reason: str = "", now: datetime.datetime | None = None
) -> ServiceLink | None:
    """The service accepts or declines the referral. Returns the outcome link, if one is issued."""
    now = now or timezone.now()
    if not accept and not reason.strip():
        raise ActionRefused(_("Tell the link coordinator why you cannot accept"), field="reason")
    link = _use(link, LinkPurpose.RESPOND, now)
    prescription = _locked(link.prescription)
    to_status = P.ACCEPTED if accept else P.DECLINED_BY_SERVICE
    return _move(prescription, to_status, by=None, note=reason, via_link=link, now=now)


@transaction.atomic
def record_outcome_through_link(
    link: ServiceLink, *, outcome: str, note: str = "", now: datetime.datetime | None = None
) -> ServiceLink | None:
    """The service says how it went. Returns the next outcome link while the person attends."""
    now = now or timezone.now()
    if outcome not in OUTCOME_STATUSES:
        raise ActionRefused(_("Select what happened"), field="outcome")
    link = _use(link, LinkPurpose.OUTCOME, now)
    prescription = _locked(link.prescription)
    return _move(prescription, outcome, by=None, note=note, via_link=link, now=now)


def record_link_opened(link: ServiceLink) -> None:
    """Attribute the service's read of what was shared with it, in the audit log."""
    audit.record(
        by=None,
        action=AuditAction.VIEW,
        obj=link.prescription,
        person_id=link.prescription.referral.person_id,
        detail="service link opened",
        part=RecordPart.SERVICE_LINK,
    )


# --- Chasing ---------------------------------------------------------------------------------


def chase_unanswered_links(now: datetime.datetime | None = None) -> int:
    """Remind services about links unanswered for `SERVICE_LINK_CHASE_DAYS` (default 14).

    For each open link older than that which has not been chased: email the service once more
    with a fresh link (the first keeps working until it expires; answering through either spends
    both), set the link's `chased_at`, and flag the prescription as needing the coordinator's
    attention. A reminder's link is never chased itself.

    Idempotent: run it as often as you like (for example hourly, from the background worker);
    a link is chased once. Returns how many links were chased.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=chase_days())
    due = (
        ServiceLink.objects.open(now)
        .filter(chased_at__isnull=True, is_reminder=False, created_at__lte=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(_chase(link_id, now=now, cutoff=cutoff) for link_id in list(due))


@transaction.atomic
def _chase(link_id: int, *, now: datetime.datetime, cutoff: datetime.datetime) -> bool:
    link = ServiceLink.objects.select_for_update().filter(pk=link_id).first()
    # Re-checked under the lock: another run, or an answer, may have got there first.
    if (
        link is None
        or link.chased_at is not None
        or link.state(now) != "open"
        or link.created_at > cutoff
    ):
        return False
    link.chased_at = now
    link.save(update_fields=["chased_at"])
    prescription = _locked(link.prescription)
    prescription.needs_attention_since = now
    prescription.save(update_fields=["needs_attention_since"])
    reminder = _issue_link(prescription, link.purpose, now=now, reminder=True)
    _email_link(reminder, reminder_for=link)
    audit.record(
        by=None,
        action=AuditAction.CHANGE,
        obj=prescription,
        person_id=prescription.referral.person_id,
        fields=["needs_attention_since", "links"],
        detail="service link chased",
    )
    return True

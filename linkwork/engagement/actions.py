"""Every change to partners' contacts, the engagement log and the gone-quiet settings: each one
transaction that writes the audit line with it.

Permission checks are the views' (`MANAGE_PARTNER_CONTACTS`, `RECORD_ENGAGEMENT` and
`CORRECT_ENGAGEMENT` with the partner or the activity, `CONFIGURE_ENGAGEMENT` with the site);
the rules of the records themselves are checked here.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linkwork.audit import service as audit
from linkwork.audit.models import AuditAction
from linkwork.core.errors import ActionRefused
from linkwork.partners.models import Site

from .models import (
    MAX_QUIET_AFTER_DAYS,
    MIN_QUIET_AFTER_DAYS,
    ActivityKind,
    EngagementActivity,
    PartnerContact,
    SiteEngagementSettings,
)
from .queries import Partner

SUMMARY_LENGTH = EngagementActivity._meta.get_field("summary").max_length
CONTACT_FIELDS = ("name", "role", "email", "phone", "notes", "is_current")
ACTIVITY_FIELDS = ("site", "kind", "happened_on", "summary")


# --- Contacts ---------------------------------------------------------------------------------


def _tidy_contact(details: dict) -> dict:
    tidy = {name: (details.get(name) or "").strip() for name in CONTACT_FIELDS[:-1]}
    tidy["is_current"] = bool(details.get("is_current", True))
    if not tidy["name"]:
        raise ActionRefused(_("Enter the contact's name"), field="name")
    return tidy


@transaction.atomic
def add_contact(partner: Partner, *, by, details: dict) -> PartnerContact:
    """Add a named contact at the partner: `details` has the name, and optionally the role,
    email, phone and notes."""
    tidy = _tidy_contact({**details, "is_current": True})
    now = timezone.now()
    contact = PartnerContact.objects.create(**partner.key, **tidy, created_at=now, changed_at=now)
    audit.record(
        by=by,
        action=AuditAction.CREATE,
        obj=contact,
        fields=[name for name in CONTACT_FIELDS if tidy[name]],
    )
    return contact


@transaction.atomic
def change_contact(contact: PartnerContact, *, by, details: dict) -> PartnerContact:
    """Change a contact's details, or say they are no longer a current contact. Returns the
    contact; nothing is written if nothing changed."""
    contact = PartnerContact.objects.select_for_update().get(pk=contact.pk)
    tidy = _tidy_contact(details)
    changed = [name for name in CONTACT_FIELDS if getattr(contact, name) != tidy[name]]
    if not changed:
        return contact
    for name in changed:
        setattr(contact, name, tidy[name])
    contact.changed_at = timezone.now()
    contact.save(update_fields=[*changed, "changed_at"])
    audit.record(by=by, action=AuditAction.CHANGE, obj=contact, fields=changed)
    return contact


# --- The engagement log -----------------------------------------------------------------------


def _checked_activity(
    *, site: Site | None, kind: str, happened_on: datetime.date | None, summary: str, sites
) -> dict:
    summary = (summary or "").strip()
    if kind not in ActivityKind.values:
        raise ActionRefused(_("Choose what was done"), field="kind")
    if happened_on is None:
        raise ActionRefused(_("Enter the date"), field="happened_on")
    if happened_on > timezone.localdate():
        raise ActionRefused(_("The date must be today or in the past"), field="happened_on")
    if site is None or site.pk not in {s.pk for s in sites}:
        raise ActionRefused(
            _("Choose one of the sites this organisation is a partner of"), field="site"
        )
    if not summary:
        raise ActionRefused(_("Enter a short summary"), field="summary")
    if len(summary) > SUMMARY_LENGTH:
        raise ActionRefused(
            _("Keep the summary to %(limit)d characters or fewer") % {"limit": SUMMARY_LENGTH},
            field="summary",
        )
    return {"site": site, "kind": kind, "happened_on": happened_on, "summary": summary}


@transaction.atomic
def record_activity(
    partner: Partner,
    *,
    by,
    site: Site,
    kind: str,
    happened_on: datetime.date,
    summary: str,
    sites,
) -> EngagementActivity:
    """Record engagement with the partner, for `site`: one of `sites`, those the partner is a
    partner of that the user works at."""
    checked = _checked_activity(
        site=site, kind=kind, happened_on=happened_on, summary=summary, sites=sites
    )
    activity = EngagementActivity.objects.create(
        **partner.key, **checked, recorded_by=by, recorded_at=timezone.now()
    )
    audit.record(by=by, action=AuditAction.CREATE, obj=activity, fields=ACTIVITY_FIELDS)
    return activity


@transaction.atomic
def correct_activity(
    activity: EngagementActivity,
    *,
    by,
    site: Site,
    kind: str,
    happened_on: datetime.date,
    summary: str,
    sites,
) -> EngagementActivity:
    """Correct what was recorded: the record says it was corrected, by whom and when, and the
    audit log names the fields. Nothing is written if nothing changed."""
    activity = EngagementActivity.objects.select_for_update().get(pk=activity.pk)
    checked = _checked_activity(
        site=site, kind=kind, happened_on=happened_on, summary=summary, sites=sites
    )
    changed = [
        name
        for name in ACTIVITY_FIELDS
        if (activity.site_id if name == "site" else getattr(activity, name))
        != (checked["site"].pk if name == "site" else checked[name])
    ]
    if not changed:
        return activity
    for name in changed:
        setattr(activity, name, checked[name])
    activity.corrected_by = by
    activity.corrected_at = timezone.now()
    activity.save(update_fields=[*changed, "corrected_by", "corrected_at"])
    audit.record(by=by, action=AuditAction.CHANGE, obj=activity, fields=changed)
    return activity


# --- When a referrer has gone quiet -----------------------------------------------------------


@transaction.atomic
def set_quiet_after_days(site: Site, *, by, days: int) -> SiteEngagementSettings:
    """Set the number of days without a referral after which a referrer at the site has gone
    quiet."""
    if not MIN_QUIET_AFTER_DAYS <= days <= MAX_QUIET_AFTER_DAYS:
        raise ActionRefused(
            _("Enter a number of days between %(min)d and %(max)d")
            % {"min": MIN_QUIET_AFTER_DAYS, "max": MAX_QUIET_AFTER_DAYS},
            field="quiet_after_days",
        )
    settings_row, created = SiteEngagementSettings.objects.select_for_update().get_or_create(
        site=site, defaults={"quiet_after_days": days}
    )
    previous = None if created else settings_row.quiet_after_days
    if not created:
        if previous == days:
            return settings_row
        settings_row.quiet_after_days = days
        settings_row.save(update_fields=["quiet_after_days"])
    audit.record(
        by=by,
        action=AuditAction.CREATE if created else AuditAction.CHANGE,
        obj=settings_row,
        fields=["quiet_after_days"],
        detail=f"gone quiet after {previous} -> {days} days" if previous else "",
    )
    return settings_row

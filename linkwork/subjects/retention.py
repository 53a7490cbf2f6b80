"""How long Linkwork keeps each kind of record, and what happens to it then (decision 0027,
docs/admin/retention.md).

`rules()` is the list the record of processing and the retention pages read: for each kind of
record its name, how long it is kept, from when, and whether it is then anonymised or deleted.
The periods come from settings (`RETENTION_*`), so an administrator changes them in the
environment without a release; the defaults are justified in the decision.

The daily sweep (`linkwork.subjects.sweep`) acts on these rules.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

ANONYMISED = _("anonymised")
DELETED = _("deleted")

SUPPORTED = "supported"
NOT_SUPPORTED = "not_supported"
SUBJECT_ACCESS_FILES = "subject_access_files"
EXPIRED_LINKS = "expired_links"
SESSIONS = "sessions"
AUDIT_PERSON_LINK = "audit_person_link"


@dataclass(frozen=True)
class Rule:
    """One kind of record: how long it is kept, from when, and what happens to it then."""

    key: str
    label: str
    period: str  # human text, e.g. "8 years"
    starts: str  # human text, e.g. "after the referral closes"
    action: str  # "anonymised" or "deleted"
    keep_for: relativedelta | None = None  # None: no period of its own (see `starts`)

    def due_before(self, now: datetime.datetime) -> datetime.datetime:
        """Records whose clock started before this are due."""
        return now - self.keep_for


def _years(n: int) -> str:
    return ngettext("%(n)s year", "%(n)s years", n) % {"n": n}


def _months(n: int) -> str:
    if n % 12 == 0:
        return _years(n // 12)
    return ngettext("%(n)s month", "%(n)s months", n) % {"n": n}


def _days(n: int) -> str:
    return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}


def rules() -> list[Rule]:
    """Every retention rule, in the order the pages show them."""
    supported = settings.RETENTION_SUPPORTED_YEARS
    not_supported = settings.RETENTION_NOT_SUPPORTED_YEARS
    files = settings.RETENTION_SUBJECT_ACCESS_FILES_MONTHS
    links = settings.RETENTION_EXPIRED_LINKS_DAYS
    sessions = settings.RETENTION_SESSIONS_DAYS
    return [
        Rule(
            SUPPORTED,
            _("Records of people supported by a link coordinator"),
            _years(supported),
            _("after their last referral closed"),
            ANONYMISED,
            relativedelta(years=supported),
        ),
        Rule(
            NOT_SUPPORTED,
            _("Referrals declined, withdrawn or never started (the person was never supported)"),
            _years(not_supported),
            _("after the last referral was declined or withdrawn"),
            ANONYMISED,
            relativedelta(years=not_supported),
        ),
        Rule(
            SUBJECT_ACCESS_FILES,
            _("Subject access export files (the request itself is kept)"),
            _months(files),
            _("after the export was made"),
            DELETED,
            relativedelta(months=files),
        ),
        Rule(
            EXPIRED_LINKS,
            _("One-time links for feedback and questionnaires"),
            _days(links),
            _("after the link expired"),
            DELETED,
            relativedelta(days=links),
        ),
        Rule(
            SESSIONS,
            _("Sign-in sessions"),
            _days(sessions),
            _("after the session expired"),
            DELETED,
            relativedelta(days=sessions),
        ),
        Rule(
            AUDIT_PERSON_LINK,
            _("Audit log lines: the link to the person (the line itself is kept)"),
            _("As long as the person's record"),
            _("removed when the person's record is anonymised"),
            ANONYMISED,
        ),
    ]


def rule(key: str) -> Rule:
    return next(r for r in rules() if r.key == key)

"""The record of processing activities (UK GDPR article 30), for the data protection officer.

Article 30 asks a controller to keep, and show the ICO on request: who is responsible, why it
processes personal data, whose and what data, who receives it, transfers abroad, how long it is
kept, and how it is kept safe. Most of that Linkwork knows better than any document kept beside
it, so this page reads it live:

- what is held comes from the subject access export's list of every kind of record
  (`collect.SECTIONS`, which a test keeps complete), grouped by the part of the service;
- whose, and how many, from counts of the records themselves (counts only: no one is named);
- who receives it, from the service's own settings and partners;
- how long it is kept, from the retention rules the daily sweep enforces (`retention.rules()`);
- how it is kept safe, from the settings in force (two-factor sign-in, session limits, what
  coordinators may read at each site);
- requests from people, from the subject access, rectification and erasure requests.

What only the controller knows (its name, its data protection officer, its processors, its own
view of the lawful bases) is kept in `ProcessingRecord` and edited by an administrator. The
purposes and the lawful bases below are Linkwork's suggestion for a social prescribing service
commissioned by the NHS: the data protection officer confirms or corrects them in their notes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from linkwork.accounts.models import Role
from linkwork.partners.models import Organisation, Site
from linkwork.referrals.models import Person
from linkwork.referrals.status import OPEN_STATUSES

from . import retention
from .collect import SECTIONS
from .models import (
    ErasureDecision,
    ErasureRequest,
    ExportStatus,
    ProcessingRecord,
    RectificationRequest,
    RectificationStatus,
    SubjectAccessRequest,
    one_calendar_month_after,
)

DATABASES = {"postgresql": "PostgreSQL", "sqlite3": "SQLite"}

# A record not reviewed for this long is flagged on the page.
REVIEW_EVERY = datetime.timedelta(days=365)


@dataclass(frozen=True)
class Purpose:
    title: str
    what: str
    article_6: str
    article_9: str


PURPOSES = (
    Purpose(
        _("Social prescribing support"),
        _(
            "Taking referrals, triage, the waiting list, link coordination, what matters to "
            "the person, goals, contacts, social prescriptions to community services, and "
            "closing support."
        ),
        _(
            "Article 6(1)(e), a task in the public interest (the service is commissioned by the "
            "NHS), or 6(1)(f), legitimate interests, for a charity that is not."
        ),
        _(
            "Article 9(2)(h), health or social care, with the Data Protection Act 2018, "
            "schedule 1, part 1, paragraph 2."
        ),
    ),
    Purpose(
        _("Safeguarding"),
        _(
            "Recording risks and concerns, escalating them to the crisis team, GP or social "
            "services, and following them up."
        ),
        _("Article 6(1)(e), a task in the public interest, or 6(1)(c), a legal obligation."),
        _(
            "Article 9(2)(g), substantial public interest, with the Data Protection Act 2018, "
            "schedule 1, part 2, paragraph 18 (safeguarding of individuals at risk)."
        ),
    ),
    Purpose(
        _("Measuring outcomes and reporting to funders"),
        _(
            "Wellbeing and mental health questionnaires, and the service's figures: funders "
            "and commissioners receive counts and charts, never people's records."
        ),
        _("Article 6(1)(e) or 6(1)(f), as for support."),
        _("Article 9(2)(h), as for support."),
    ),
    Purpose(
        _("Research and evaluation"),
        _(
            "Trials and evaluations of the service, with the person's consent to take part. "
            "Researchers see pseudonyms only, never names or contact details."
        ),
        _("Article 6(1)(e) or 6(1)(f), with consent to take part as an ethical safeguard."),
        _(
            "Article 9(2)(j), research, with the safeguards of article 89 (pseudonymisation) "
            "and the Data Protection Act 2018, schedule 1, part 1, paragraph 4."
        ),
    ),
    Purpose(
        _("Keeping in touch"),
        _(
            "Letters, emails, and text messages to people who agreed to them; updates to the "
            "referrer where the person agreed."
        ),
        _("As for support; text messages only with the person's agreement."),
        _("As for support."),
    ),
    Purpose(
        _("Accountability and security"),
        _(
            "The audit log of who read or changed each record, sign-in records, and answering "
            "people's requests about their data."
        ),
        _("Article 6(1)(c), a legal obligation (articles 5(2), 15 to 22 and 32)."),
        _("Article 9(2)(h) or (g), as for the records it is about."),
    ),
)

# The parts of the service, in the order a person's journey goes through them: each kind of
# record the subject access export covers belongs to one, by its app.
PARTS = {
    "referrals": _("Referrals: the person's details, the referral and its history"),
    "casework": _("Support: what matters, the plan, goals, contacts and closure"),
    "outcomes": _("Outcome measures: questionnaire answers and scores"),
    "prescriptions": _("Social prescriptions: referrals on to community services"),
    "safeguarding": _("Safeguarding: risks, concerns and escalations"),
    "letters": _("Letters sent"),
    "messaging": _("Messages with referrers"),
    "unmet": _("Needs no service could meet"),
    "trials": _("Research: trial participation"),
    "subjects": _("Requests about their data"),
    "audit": _("The audit log: who read or changed the record"),
}


@dataclass(frozen=True)
class Part:
    title: str
    kinds: list[str]
    reviewed: bool  # some of it is free text or safeguarding, to check before release


def parts_held() -> list[Part]:
    """Every kind of record held about a person, grouped by the part of the service."""
    grouped: dict[str, list] = {}
    for spec in SECTIONS:
        grouped.setdefault(spec.model.split(".")[0], []).append(spec)
    parts = []
    for app_label, specs in grouped.items():
        kinds = [
            str(spec.title or capfirst(apps.get_model(spec.model)._meta.verbose_name_plural))
            for spec in specs
        ]
        title = PARTS.get(app_label) or apps.get_app_config(app_label).verbose_name
        parts.append(Part(str(title), kinds, any(spec.review for spec in specs)))
    return parts


@dataclass(frozen=True)
class Tally:
    label: str
    number: int


def whose() -> list[Tally]:
    """The people whose data is held, counted (no one named)."""
    User = get_user_model()
    people = Person.objects.aggregate(
        everyone=Count("pk"),
        open=Count("pk", filter=Q(referrals__status__in=OPEN_STATUSES), distinct=True),
    )
    staff = User.objects.filter(is_active=True).aggregate(
        staff=Count("pk", filter=Q(role__in=(Role.COORDINATOR, Role.MANAGER, Role.ADMINISTRATOR))),
        referrers=Count("pk", filter=Q(role=Role.REFERRER)),
        research=Count("pk", filter=Q(role__in=(Role.RESEARCHER, Role.TRIAL_MANAGER))),
    )
    contacts = apps.get_model("engagement", "PartnerContact").objects.count()
    participants = apps.get_model("trials", "Participant").objects.count()
    return [
        Tally(str(_("People referred to the service")), people["everyone"]),
        Tally(str(_("… of whom with a referral open now")), people["open"]),
        Tally(str(_("Trial participants")), participants),
        Tally(str(_("Referrers with an account")), staff["referrers"]),
        Tally(
            str(_("Staff with an account (coordinators, managers, administrators)")), staff["staff"]
        ),
        Tally(str(_("Researchers and trial managers with an account")), staff["research"]),
        Tally(str(_("Contacts at partner organisations")), contacts),
    ]


@dataclass(frozen=True)
class Recipient:
    who: str
    what: str


def recipients() -> list[Recipient]:
    year_ago = timezone.now() - datetime.timedelta(days=365)
    organisations = Organisation.objects.count()
    services = (
        apps.get_model("prescriptions", "SocialPrescription")
        .objects.filter(created_at__gte=year_ago)
        .values("service")
        .distinct()
        .count()
    )
    reports = apps.get_model("reports", "FunderReport").objects.count()
    trials = apps.get_model("trials", "Trial").objects.count()
    email = settings.MAILERS["default"].get("OPTIONS", {}).get("host", "")
    return [
        Recipient(
            str(_("Referring organisations (%(count)s)") % {"count": organisations}),
            str(
                _(
                    "Whether the referral was accepted, and updates and messages about support "
                    "where the person agreed."
                )
            ),
        ),
        Recipient(
            str(
                _("Community services that received people in the last year (%(count)s)")
                % {"count": services}
            ),
            str(
                _(
                    "What is asked of them, and the person's first name and contact details "
                    "where the person agreed to share them."
                )
            ),
        ),
        Recipient(
            str(_("Funders and commissioners (%(count)s reports made)") % {"count": reports}),
            str(_("Counts and charts only: no one's record.")),
        ),
        Recipient(
            str(_("Researchers and evaluators (%(count)s trials)") % {"count": trials}),
            str(_("Pseudonymised data only, for people who consented to take part.")),
        ),
        Recipient(
            str(_("Email")),
            str(_("Sent through %(host)s.") % {"host": email})
            if email
            else str(_("Not set up: emails are printed, not sent (development).")),
        ),
        Recipient(
            str(_("Text messages")),
            str(_("Sent through GOV.UK Notify, to people who agreed to texts."))
            if settings.NOTIFY_API_KEY
            else str(_("Not set up: no text messages are sent.")),
        ),
    ]


@dataclass(frozen=True)
class Measure:
    title: str
    what: str


def safeguards() -> list[Measure]:
    """How the data is kept safe, from the settings in force."""
    roles = [str(Role(role).label) for role in settings.TWO_FACTOR_REQUIRED_ROLES]
    if settings.TWO_FACTOR_REQUIRED_FOR_COORDINATORS:
        roles.append(str(Role.COORDINATOR.label))
    access = dict(Site.CoordinatorAccess.choices)
    sites = Site.objects.order_by("name").values_list("name", "coordinator_access")
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return [
        Measure(
            str(_("Signing in")),
            str(
                _(
                    "Passwords of at least 12 characters, checked against common ones. After "
                    "%(failures)s wrong passwords an account or address waits %(minutes)s "
                    "minutes. Two-factor sign-in (an authenticator app or a passkey) is required "
                    "for: %(roles)s."
                )
                % {
                    "failures": settings.AXES_FAILURE_LIMIT,
                    "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
                    "roles": ", ".join(roles),
                }
            ),
        ),
        Measure(
            str(_("Sessions")),
            str(
                _(
                    "Signed out after %(idle)s minutes without use and after %(hours)s hours "
                    "in all; no page with personal data is kept in the browser's cache."
                )
                % {
                    "idle": settings.SESSION_IDLE_MINUTES,
                    "hours": settings.SESSION_COOKIE_AGE // 3600,
                }
            ),
        ),
        Measure(
            str(_("Who may read a record")),
            str(
                _(
                    "Staff see the people at their own sites only; referrers see their own "
                    "referrals; researchers see pseudonyms. What link coordinators may read, by "
                    "site: %(sites)s."
                )
                % {
                    "sites": "; ".join(f"{name}: {access[rule]}" for name, rule in sites)
                    or str(_("no sites yet"))
                }
            ),
        ),
        Measure(
            str(_("The audit log")),
            str(
                _(
                    "Every reading and change of a person's record is recorded, with refused "
                    "attempts and sign-ins. The log cannot be changed through the application "
                    "and each line carries the hash of the one before, checked by "
                    "manage.py verify_audit."
                )
            ),
        ),
        Measure(
            str(_("Storage and transit")),
            str(
                _(
                    "Database: %(database)s. %(https)s Backups and restoring them are described "
                    "in docs/admin/security.md."
                )
                % {
                    "database": DATABASES.get(database, database),
                    "https": _("Pages are served over HTTPS only, enforced in browsers for a year.")
                    if getattr(settings, "SECURE_HSTS_SECONDS", 0)
                    else _("HTTPS is not enforced on this installation (a development server)."),
                }
            ),
        ),
    ]


@dataclass(frozen=True)
class Requests:
    kind: str
    received: int  # in the last year
    answered: int  # of those, answered
    late: int  # still unanswered after their deadline (any year)


def people_s_requests() -> list[Requests]:
    """Requests from people about their data, in the last year, and any past their deadline."""
    today = timezone.localdate()
    year_ago = today - datetime.timedelta(days=365)

    def tally(kind, model, answered: Q, waiting: Q) -> Requests:
        counts = model.objects.filter(received_on__gte=year_ago).aggregate(
            received=Count("pk"), answered=Count("pk", filter=answered)
        )
        # Unanswered: few at any time, so their deadlines are worked out here.
        late = sum(
            1
            for received in model.objects.filter(waiting).values_list("received_on", flat=True)
            if one_calendar_month_after(received) < today
        )
        return Requests(str(kind), counts["received"], counts["answered"], late)

    made = Q(status=ExportStatus.DONE)
    open_ = Q(status=RectificationStatus.OPEN)
    pending = Q(decision=ErasureDecision.PENDING)
    return [
        tally(_("Subject access (a copy of their data)"), SubjectAccessRequest, made, ~made),
        tally(_("Rectification (correcting it)"), RectificationRequest, ~open_, open_),
        tally(_("Erasure (erasing it)"), ErasureRequest, ~pending, pending),
    ]


@dataclass(frozen=True)
class RecordOfProcessing:
    controller: ProcessingRecord
    due_for_review: bool
    purposes: tuple[Purpose, ...]
    parts: list[Part]
    whose: list[Tally]
    retention: list[retention.Rule]
    recipients: list[Recipient]
    safeguards: list[Measure]
    requests: list[Requests]
    made_at: datetime.datetime

    @property
    def controller_rows(self) -> list[tuple[str, str]]:
        """The controller's part, label and value (empty where not recorded yet)."""
        names = [
            "controller_name",
            "controller_address",
            "controller_contact",
            "ico_registration",
            "dpo_name",
            "dpo_contact",
            "dpia",
        ]
        fields = {f.name: f for f in ProcessingRecord._meta.get_fields() if f.name in names}
        return [
            (capfirst(fields[name].verbose_name), getattr(self.controller, name)) for name in names
        ]


def record_of_processing() -> RecordOfProcessing:
    controller = ProcessingRecord.current()
    reviewed = controller.reviewed_on
    return RecordOfProcessing(
        controller=controller,
        due_for_review=reviewed is None or reviewed < timezone.localdate() - REVIEW_EVERY,
        purposes=PURPOSES,
        parts=parts_held(),
        whose=whose(),
        retention=retention.rules(),
        recipients=recipients(),
        safeguards=safeguards(),
        requests=people_s_requests(),
        made_at=timezone.localtime(),
    )

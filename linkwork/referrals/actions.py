"""Everything that changes a referral, from arrival to allocation.

Each action is one transaction: it checks the state machine, makes the change, appends to the
status history and writes the audit log. This file is where a referral becomes a case.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linkwork.accounts.models import Role, User
from linkwork.accounts.permissions import Permission, has_permission
from linkwork.audit import service as audit
from linkwork.audit.models import AuditAction, RecordPart
from linkwork.core.errors import ActionRefused
from linkwork.partners.models import Organisation, SourceType

from . import derived
from .eligibility import eligibility_problems
from .holds import hold_on
from .models import (
    Allocation,
    CorrectionReason,
    InterimContact,
    InterimContactCorrection,
    NoteCorrection,
    OpenedWithReason,
    Pathway,
    PathwayVersion,
    Person,
    PersonDetailsChange,
    ReceivedVia,
    Referral,
    StatusChange,
    detail_value,
)
from .queries import possible_duplicates
from .signals import announce_to_referrer
from .status import DeclineReason, Priority, ReferralStatus, WithdrawalReason, can_transition


def move_to(
    referral: Referral,
    to_status: ReferralStatus,
    *,
    by,
    reason: str = "",
    note: str = "",
    message_to_referrer: str = "",
    at: datetime.datetime | None = None,
) -> StatusChange:
    if not can_transition(referral.status, to_status):
        raise ActionRefused(
            _("This referral is %(status)s, so it cannot be moved to %(to)s.")
            % {
                "status": referral.get_status_display().lower(),
                "to": ReferralStatus(to_status).label.lower(),
            }
        )
    change = StatusChange.objects.create(
        referral=referral,
        from_status=referral.status,
        to_status=to_status,
        at=at or timezone.now(),
        by=by,
        reason=reason,
        note=note,
        message_to_referrer=message_to_referrer,
    )
    derived.record(referral, change)
    referral.status = to_status
    audit.record(
        by=by,
        action=AuditAction.TRANSITION,
        obj=referral,
        person_id=referral.person_id,
        fields=["status"],
        detail=f"{change.from_status} -> {to_status}",
    )
    return change


def _locked(referral: Referral) -> Referral:
    """Re-read the referral under a row lock, so concurrent actions queue behind each other."""
    return Referral.objects.select_for_update().get(pk=referral.pk)


@transaction.atomic
def submit_referral(
    *,
    pathway: Pathway,
    person: dict,
    details: dict,
    by: User | None,
    organisation: Organisation | None,
    received_via: ReceivedVia,
    received_at: datetime.datetime | None = None,
    referrer_name: str = "",
    referrer_contact: str = "",
) -> Referral:
    """Record a new referral through a pathway, checking the pathway is open and eligible."""
    received_at = received_at or timezone.now()
    day = timezone.localdate(received_at)
    if not pathway.is_open_on(day):
        raise ActionRefused(_("The %(pathway)s pathway is not open.") % {"pathway": pathway.label})
    if not pathway.accepts_organisation(organisation):
        raise ActionRefused(
            _("%(organisation)s cannot refer through the %(pathway)s pathway.")
            % {
                "organisation": organisation or _("A member of the public"),
                "pathway": pathway.label,
            }
        )
    problems = eligibility_problems(
        pathway,
        date_of_birth=person["date_of_birth"],
        frequent_attender=details.get("frequent_attender", False),
        on=day,
    )
    if problems:
        field, message = next(iter(problems.items()))
        raise ActionRefused(message, field=field)
    if not details.get("consent_to_referral"):
        raise ActionRefused(
            _("The person must agree to being referred"), field="consent_to_referral"
        )

    new_person = Person(**person)
    new_person.full_clean()
    new_person.save()
    referral = Referral.objects.create(
        person=new_person,
        pathway=pathway,
        pathway_version=current_version(pathway),
        site=pathway.site,
        referring_organisation=organisation,
        referred_by=by,
        referrer_name=referrer_name,
        referrer_contact=referrer_contact,
        received_via=received_via,
        received_at=received_at,
        status=ReferralStatus.RECEIVED,
        **details,
    )
    StatusChange.objects.create(
        referral=referral, from_status="", to_status=ReferralStatus.RECEIVED, at=received_at, by=by
    )
    audit.record(by=by, action=AuditAction.CREATE, obj=new_person, person_id=new_person.pk)
    audit.record(
        by=by,
        action=AuditAction.CREATE,
        obj=referral,
        person_id=new_person.pk,
        detail=f"pathway {pathway.pk} via {received_via}",
    )
    return referral


@transaction.atomic
def request_information(referral: Referral, *, by: User, request: str) -> Referral:
    referral = _locked(referral)
    move_to(
        referral,
        ReferralStatus.INFORMATION_REQUESTED,
        by=by,
        note=request,
        message_to_referrer=request,
    )
    referral.information_requested = request
    referral.save(update_fields=["status", "information_requested"])
    return referral


@transaction.atomic
def provide_information(referral: Referral, *, by: User, response: str) -> Referral:
    """The referrer answers a request for information; the referral goes back to triage."""
    referral = _locked(referral)
    move_to(referral, ReferralStatus.RECEIVED, by=by, note=response)
    referral.information_requested = ""
    referral.save(update_fields=["status", "information_requested"])
    return referral


@transaction.atomic
def accept_referral(
    referral: Referral, *, by: User, priority: Priority, note: str = "", message: str = ""
) -> Referral:
    """Accept the referral and put the person on their site's waiting list."""
    referral = _locked(referral)
    now = timezone.now()
    move_to(
        referral, ReferralStatus.ACCEPTED, by=by, note=note, message_to_referrer=message, at=now
    )
    move_to(referral, ReferralStatus.WAITING, by=by, at=now)
    referral.priority = priority
    referral.accepted_at = now
    referral.save(update_fields=["status", "priority", "accepted_at"])
    announce_to_referrer(referral, "accepted", by=by, extra={"message": message})
    return referral


@transaction.atomic
def decline_referral(
    referral: Referral,
    *,
    by: User,
    reason: DeclineReason,
    note: str = "",
    redirected_to: str = "",
    message: str = "",
    duplicate_of: Referral | None = None,
) -> Referral:
    """Decline, or redirect to another service, with a coded reason the referrer is told.

    Declined as a duplicate, the referral is linked to the one it repeats (`duplicate_of`),
    which must be a possible duplicate of it (`queries.possible_duplicates`): the same NHS
    number, or the same name and date of birth.
    """
    if reason == DeclineReason.NEEDS_ABOVE_REMIT and not redirected_to.strip():
        raise ActionRefused(
            _("Enter the service the person was redirected to"), field="redirected_to"
        )
    if reason == DeclineReason.OTHER and not note.strip():
        raise ActionRefused(_("Explain the reason in the note"), field="note")
    if reason == DeclineReason.DUPLICATE:
        if duplicate_of is None:
            raise ActionRefused(_("Select the referral this one duplicates"), field="duplicate_of")
        if not possible_duplicates(
            referral, within=Referral.objects.filter(pk=duplicate_of.pk)
        ).exists():
            raise ActionRefused(
                _("%(reference)s is not a referral for the same person")
                % {"reference": duplicate_of.reference},
                field="duplicate_of",
            )
        # Link to the referral that was kept, so duplicates never form a chain.
        kept = Referral.objects.filter(pk=duplicate_of.pk).values_list("duplicate_of", flat=True)
        if kept[0] is not None:
            duplicate_of = Referral.objects.get(pk=kept[0])
    else:
        duplicate_of = None
    referral = _locked(referral)
    move_to(
        referral,
        ReferralStatus.DECLINED,
        by=by,
        reason=reason,
        note=note,
        message_to_referrer=message,
    )
    referral.decline_reason = reason
    referral.redirected_to = redirected_to.strip()
    referral.duplicate_of = duplicate_of
    referral.save(update_fields=["status", "decline_reason", "redirected_to", "duplicate_of"])
    announce_to_referrer(referral, "declined", by=by, extra={"message": message})
    return referral


@transaction.atomic
def withdraw_referral(
    referral: Referral, *, by: User, reason: WithdrawalReason, note: str = ""
) -> Referral:
    """Take someone off the waiting list or a caseload before support starts."""
    referral = _locked(referral)
    move_to(referral, ReferralStatus.WITHDRAWN, by=by, reason=reason, note=note)
    end_current_allocation(referral, by=by, note=note)
    referral.save(update_fields=["status"])
    return referral


@transaction.atomic
def log_interim_contact(
    referral: Referral,
    *,
    by: User,
    at: datetime.datetime,
    mode: str,
    minutes: int | None = None,
    by_volunteer: bool = False,
    note: str = "",
) -> InterimContact:
    referral = _locked(referral)
    if referral.status != ReferralStatus.WAITING:
        raise ActionRefused(_("Interim support is logged for people on the waiting list."))
    if at > timezone.now():
        raise ActionRefused(_("The contact must be in the past"), field="at")
    contact = InterimContact.objects.create(
        referral=referral,
        by=by,
        at=at,
        mode=mode,
        minutes=minutes,
        by_volunteer=by_volunteer,
        note=note,
    )
    audit.record(by=by, action=AuditAction.CREATE, obj=contact, person_id=referral.person_id)
    return contact


def end_current_allocation(referral: Referral, *, by: User, note: str = "") -> Allocation | None:
    current = referral.allocations.filter(ended_at__isnull=True).first()
    if current is None:
        return None
    current.ended_at = timezone.now()
    current.ended_by = by
    current.end_note = note
    current.save(update_fields=["ended_at", "ended_by", "end_note"])
    audit.record(
        by=by,
        action=AuditAction.CHANGE,
        obj=current,
        person_id=referral.person_id,
        fields=["ended_at"],
    )
    return current


@transaction.atomic
def allocate_referral(
    referral: Referral,
    *,
    coordinator: User,
    by: User,
    replacing: Allocation | None = None,
    note: str = "",
) -> Allocation:
    """Put a person on a link coordinator's caseload, within the coordinator's cap.

    `replacing` is the allocation the manager saw when they chose to re-allocate. If someone
    else allocated the person in the meantime, the action refuses rather than overwrite it.
    Locks the referral, then the coordinator, so that two managers racing for the same person
    or for a coordinator's last place queue up and the second sees the first's result.
    """
    referral = _locked(referral)
    current = referral.allocations.filter(ended_at__isnull=True).first()
    if current is None and (hold := hold_on(referral)) is not None:
        # Another part of the service holds the person on the waiting list (a trial's waitlist
        # delay): settle it there first.
        raise ActionRefused(hold.message)
    if (current.pk if current else None) != (replacing.pk if replacing else None):
        raise ActionRefused(
            _("%(person)s was allocated to %(coordinator)s a moment ago.")
            % {"person": referral.person.full_name, "coordinator": current.coordinator}
            if current
            else _("This person is no longer allocated. Reload the page and try again.")
        )
    if current is not None and current.coordinator_id == coordinator.pk:
        raise ActionRefused(
            _("%(person)s is already on %(coordinator)s's caseload.")
            % {"person": referral.person.full_name, "coordinator": coordinator},
            field="coordinator",
        )
    coordinator = User.objects.select_for_update().get(pk=coordinator.pk)
    if coordinator.role != Role.COORDINATOR or not coordinator.is_active:
        raise ActionRefused(_("Choose a link coordinator"), field="coordinator")
    if not coordinator.sites.filter(pk=referral.site_id).exists():
        raise ActionRefused(
            _("%(coordinator)s does not work at %(site)s.")
            % {"coordinator": coordinator, "site": referral.site},
            field="coordinator",
        )
    caseload = coordinator.current_caseload()
    if caseload >= coordinator.caseload_cap:
        raise ActionRefused(
            _(
                "%(coordinator)s's caseload is full (%(caseload)s of %(cap)s). Choose another "
                "link coordinator, or raise their cap on the Caseloads page."
            )
            % {"coordinator": coordinator, "caseload": caseload, "cap": coordinator.caseload_cap},
            field="coordinator",
        )

    move_to(
        referral,
        ReferralStatus.ALLOCATED,
        by=by,
        note=note,
        reason="reallocated" if current else "",
    )
    end_current_allocation(referral, by=by, note=note)
    try:
        with transaction.atomic():
            allocation = Allocation.objects.create(
                referral=referral, coordinator=coordinator, by=by
            )
    except IntegrityError:  # pragma: no cover - the row lock above makes this unreachable
        raise ActionRefused(_("This person has just been allocated by someone else.")) from None
    referral.save(update_fields=["status"])
    audit.record(
        by=by,
        action=AuditAction.CREATE,
        obj=allocation,
        person_id=referral.person_id,
        detail=f"coordinator {coordinator.pk}",
    )
    if current is None:  # the referrer hears of the first allocation, not of re-allocations
        announce_to_referrer(referral, "allocated", by=by)
    return allocation


def current_version(pathway: Pathway) -> PathwayVersion:
    """The version of the pathway's rules in force: the latest. The first is made when first
    needed, from the rules as they are (pathways made before versions were kept, or in bulk)."""
    version = pathway.versions.order_by("-number").first()
    if version is None:
        version, _created = PathwayVersion.objects.get_or_create(
            pathway=pathway,
            number=1,
            defaults={"valid_from": pathway.opens_on, **PathwayVersion.rules_of(pathway)},
        )
    return version


def _same_rules(a: dict, b: dict) -> bool:
    """Renaming an organisation does not change who may refer: compare them by id."""

    def key(rules):
        return {**rules, "organisations": [o["id"] for o in rules["organisations"]]}

    return key(a) == key(b)


@transaction.atomic
def save_pathway(
    pathway: Pathway,
    *,
    organisations,
    by: User,
    changed_fields: list[str],
    reason: str = "",
) -> Pathway:
    """Create or change a pathway's configuration, keeping an audit trail of what changed.

    Who may refer and who is eligible are versioned (`PathwayVersion`): once a referral has come
    through the rules in force, changing them makes a new version, in force from today, and
    needs a reason; the referrals keep the version they came through. A version no referral has
    used yet is corrected in place. The name, and when the pathway opens and closes, are not
    rules a referral was judged by: they change in place (and in the audit log).
    """
    if pathway.source_type == SourceType.SELF_REFERRAL and pathway.frequent_attender_required:
        raise ActionRefused(
            _("A self-referral pathway cannot require frequent attendance"),
            field="frequent_attender_required",
        )
    creating = pathway.pk is None
    version = None
    if not creating:
        before = Pathway.objects.select_for_update().get(pk=pathway.pk)
        latest = current_version(before)
        used = Referral.objects.filter(pathway=before).filter(
            Q(pathway_version=latest) | Q(pathway_version__isnull=True)
        )
        if pathway.source_type != before.source_type and before.referrals.exists():
            raise ActionRefused(
                _(
                    "Referrals have come through this pathway, so who it is for cannot change. "
                    "Close it and add a new pathway instead."
                ),
                field="source_type",
            )
        rules = PathwayVersion.rules_of(pathway, organisations)
        if not _same_rules(rules, latest.rules()):
            if used.exists():
                if not reason.strip():
                    raise ActionRefused(
                        _(
                            "Say why the rules are changing: referrals have come through "
                            "this pathway, so the change makes a new version"
                        ),
                        field="change_reason",
                    )
                version = PathwayVersion.objects.create(
                    pathway=before,
                    number=latest.number + 1,
                    valid_from=timezone.localdate(),
                    reason=reason.strip(),
                    created_by=by,
                    **rules,
                )
            else:
                for field, value in rules.items():
                    setattr(latest, field, value)
                if reason.strip():
                    latest.reason = reason.strip()
                latest.save()
    pathway.save()
    pathway.organisations.set(organisations)
    if creating:
        version = PathwayVersion.objects.create(
            pathway=pathway,
            number=1,
            valid_from=pathway.opens_on,
            reason=reason.strip(),
            created_by=by,
            **PathwayVersion.rules_of(pathway, organisations),
        )
    audit.record(
        by=by,
        action=AuditAction.CREATE if creating else AuditAction.CHANGE,
        obj=pathway,
        fields=changed_fields,
        detail=f"version {version.number}" if version else "",
    )
    return pathway


def record_view(*, by: User, obj, person_id: int | None, part: RecordPart) -> None:
    """Attribute a read of someone's record to the user who opened it, naming the part of the
    record the page showed."""
    audit.record(by=by, action=AuditAction.VIEW, obj=obj, person_id=person_id, part=part)


# --- Caseload caps -------------------------------------------------------------------------------

MAX_CASELOAD_CAP = 100


@transaction.atomic
def set_caseload_cap(coordinator: User, *, cap: int, by: User) -> User:
    """Change how many people a link coordinator may hold (checked at allocation).

    People already allocated stay."""
    if coordinator.role != Role.COORDINATOR:
        raise ActionRefused(_("Only link coordinators have a caseload cap."))
    if not 1 <= cap <= MAX_CASELOAD_CAP:
        raise ActionRefused(
            _("Enter a cap between 1 and %(max)s") % {"max": MAX_CASELOAD_CAP}, field="cap"
        )
    coordinator = User.objects.select_for_update().get(pk=coordinator.pk)
    previous = coordinator.caseload_cap
    coordinator.caseload_cap = cap
    coordinator.save(update_fields=["caseload_cap"])
    audit.record(
        by=by,
        action=AuditAction.CHANGE,
        obj=coordinator,
        fields=["caseload_cap"],
        detail=f"caseload cap {previous} -> {cap}",
    )
    return coordinator


@transaction.atomic
def open_with_reason(referral: Referral, *, by: User, reason: str) -> OpenedWithReason:
    """A link coordinator opens the referral of someone outside their caseload, saying why
    (decision 0023). They may read it for `OPENED_WITH_REASON_HOURS`; the site's managers see
    the reason, and the audit log has the opening and every read after it."""
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("Say why you need to open this record"), field="reason")
    now = timezone.now()
    opened = OpenedWithReason.objects.create(
        referral=referral,
        by=by,
        at=now,
        until=now + datetime.timedelta(hours=settings.OPENED_WITH_REASON_HOURS),
        reason=reason,
    )
    audit.record(
        by=by,
        action=AuditAction.CREATE,
        obj=opened,
        person_id=referral.person_id,
        fields=["reason"],
        detail="opened outside their caseload with a reason",
    )
    return opened


# --- Changing a person's details (rectification, decision 0026) ---------------------------------

#: The person's details that staff may change, in the order of the form.
CHANGEABLE_DETAILS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "nhs_number",
    "phone",
    "email",
    "address",
    "postcode",
    "best_time_to_call",
    "texts_agreed",
    "preferred_language",
)


@transaction.atomic
def change_person_details(
    referral: Referral,
    *,
    by: User,
    details: dict,
    reason: str,
    reason_detail: str = "",
) -> PersonDetailsChange | None:
    """Change the person's details to `details` (any of `CHANGEABLE_DETAILS`), keeping each
    changed field's old and new value, who, when and why in the append-only history. Nothing
    changed: no history, no audit line, and None. The audit line names the fields changed and
    the reason's code, never the values."""
    if not has_permission(by, Permission.CHANGE_PERSON_DETAILS, referral):
        raise ActionRefused(_("You cannot change this person's details."))
    if reason not in CorrectionReason.values:
        raise ActionRefused(_("Select why the details are changing"), field="reason")
    reason_detail = reason_detail.strip()
    if reason == CorrectionReason.OTHER and not reason_detail:
        raise ActionRefused(_("Say why the details are changing"), field="reason_detail")
    unknown = set(details) - set(CHANGEABLE_DETAILS)
    if unknown:
        raise ValueError(f"not a changeable detail: {sorted(unknown)}")
    person = Person.objects.select_for_update().get(pk=referral.person_id)
    changes = [
        {"field": name, "old": detail_value(getattr(person, name)), "new": detail_value(value)}
        for name, value in ((n, details[n]) for n in CHANGEABLE_DETAILS if n in details)
        if getattr(person, name) != value
    ]
    if not changes:
        return None
    for name in (c["field"] for c in changes):
        setattr(person, name, details[name])
    person.save(update_fields=[c["field"] for c in changes])
    change = PersonDetailsChange.objects.create(
        person=person,
        referral=referral,
        by=by,
        reason=reason,
        reason_detail=reason_detail,
        changes=changes,
    )
    audit.record(
        by=by,
        action=AuditAction.CHANGE,
        obj=person,
        person_id=person.pk,
        fields=[c["field"] for c in changes],
        detail=f"details changed ({reason})",
    )
    return change


def correct_note(
    entry,
    *,
    by: User,
    may: Permission,
    kept_in: type[NoteCorrection],
    note: str,
    reason: str,
    reason_detail: str = "",
) -> NoteCorrection | None:
    """Correct the note of an entry on a referral (a contact, interim support; decision 0026):
    the corrected text becomes the note, and the text it replaces is kept in `kept_in` with
    who, when and why. Only for someone with permission `may` on the referral. The same text
    again changes nothing and returns None. Run inside the caller's transaction."""
    referral = entry.referral
    if not has_permission(by, may, referral):
        raise ActionRefused(_("You cannot correct this record."))
    if reason not in NoteCorrection.REASONS:
        raise ActionRefused(_("Select why the note is being corrected"), field="reason")
    reason_detail = reason_detail.strip()
    if reason == CorrectionReason.OTHER and not reason_detail:
        raise ActionRefused(_("Say why the note is being corrected"), field="reason_detail")
    Referral.objects.select_for_update().get(pk=referral.pk)
    entry = type(entry).objects.select_for_update().get(pk=entry.pk)
    note = note.strip()
    if note == entry.note.strip():
        return None
    (to_entry,) = [
        f.name
        for f in kept_in._meta.concrete_fields
        if f.many_to_one and f.related_model is type(entry)
    ]
    correction = kept_in.objects.create(
        **{to_entry: entry},
        original=entry.note,
        corrected=note,
        reason=reason,
        reason_detail=reason_detail,
        by=by,
    )
    entry.note = note
    entry.save(update_fields=["note"])
    audit.record(
        by=by,
        action=AuditAction.CHANGE,
        obj=entry,
        person_id=referral.person_id,
        fields=["note"],
        detail=f"note corrected ({reason})",
    )
    return correction


@transaction.atomic
def correct_interim_note(
    contact: InterimContact, *, by: User, note: str, reason: str, reason_detail: str = ""
) -> InterimContactCorrection | None:
    """Correct the note of interim support, for whoever may log interim support on the referral
    (`correct_note`)."""
    return correct_note(
        contact,
        by=by,
        may=Permission.LOG_INTERIM_CONTACT,
        kept_in=InterimContactCorrection,
        note=note,
        reason=reason,
        reason_detail=reason_detail,
    )

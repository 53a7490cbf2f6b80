"""Who may do what: every permission in one enum, every rule in one table, one entry point.

Views call `has_permission(user, Permission.X, obj)` or `require(...)`. Objects outside the
user's scope answer 404 (their existence is not revealed); pages a role may never use answer 403.
"""

from enum import StrEnum

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from linkwork.partners.models import Site

from .models import Role

# `referrals.status.ReferralStatus.WAITING`, which this lower app may not import.
WAITING = "waiting"


class Permission(StrEnum):
    REFER = "refer"
    RECORD_REFERRAL = "record_referral"
    VIEW_REFERRALS = "view_referrals"
    VIEW_REFERRAL = "view_referral"
    VIEW_REFERRAL_IN_FULL = "view_referral_in_full"
    PROVIDE_INFORMATION = "provide_information"
    TRIAGE_REFERRAL = "triage_referral"
    VIEW_WAITING_LIST = "view_waiting_list"
    LOG_INTERIM_CONTACT = "log_interim_contact"
    ALLOCATE_REFERRAL = "allocate_referral"
    VIEW_OWN_CASELOAD = "view_own_caseload"
    VIEW_CASELOADS = "view_caseloads"
    SET_CASELOAD_CAP = "set_caseload_cap"
    MANAGE_PATHWAYS = "manage_pathways"
    VIEW_AUDIT_LOG = "view_audit_log"
    VIEW_PERSON_RECORD = "view_person_record"
    WORK_WITH_PERSON = "work_with_person"
    REOPEN_CASE = "reopen_case"
    VIEW_DIRECTORY = "view_directory"
    UPDATE_SERVICE_AVAILABILITY = "update_service_availability"
    ADD_LOCAL_NOTE = "add_local_note"
    EDIT_DIRECTORY = "edit_directory"
    IMPORT_DIRECTORY = "import_directory"
    RECORD_UNMET_NEED = "record_unmet_need"
    VIEW_UNMET_NEEDS = "view_unmet_needs"
    VIEW_SOCIAL_PRESCRIPTIONS = "view_social_prescriptions"
    MAKE_SOCIAL_PRESCRIPTION = "make_social_prescription"
    UPDATE_SOCIAL_PRESCRIPTION = "update_social_prescription"
    VIEW_PEOPLE_IN_SUPPORT = "view_people_in_support"
    RECORD_CLIENT_FEEDBACK = "record_client_feedback"
    VIEW_REFERRER_MESSAGES = "view_referrer_messages"
    RECORD_OUTCOME_MEASURE = "record_outcome_measure"
    CONFIGURE_INSTRUMENTS = "configure_instruments"
    CONFIGURE_MEASURE_SCHEDULE = "configure_measure_schedule"
    VIEW_SAFEGUARDING = "view_safeguarding"
    SAFEGUARD = "safeguard"
    HANDLE_SAFEGUARDING_PROMPT = "handle_safeguarding_prompt"
    VIEW_SAFEGUARDING_LIST = "view_safeguarding_list"
    VIEW_TRIALS = "view_trials"
    SET_UP_TRIALS = "set_up_trials"
    MANAGE_TRIAL = "manage_trial"
    VIEW_TRIAL = "view_trial"
    ANALYSE_TRIAL = "analyse_trial"
    VIEW_TRIAL_PARTICIPANTS = "view_trial_participants"
    ENROL_IN_TRIAL = "enrol_in_trial"
    RELEASE_FROM_TRIAL_PATH = "release_from_trial_path"
    RECORD_GP_ATTENDANCE = "record_gp_attendance"
    VIEW_DASHBOARDS = "view_dashboards"
    RECORD_SERVICE_EVENT = "record_service_event"
    FOLLOW_FIGURES_TO_RECORDS = "follow_figures_to_records"
    WRITE_FUNDER_REPORT = "write_funder_report"
    PLAN_CAPACITY = "plan_capacity"
    VIEW_PARTNERS = "view_partners"
    RECORD_ENGAGEMENT = "record_engagement"
    CORRECT_ENGAGEMENT = "correct_engagement"
    MANAGE_PARTNER_CONTACTS = "manage_partner_contacts"
    CONFIGURE_ENGAGEMENT = "configure_engagement"
    SEARCH_PEOPLE = "search_people"
    VIEW_DIARY = "view_diary"
    WRITE_LETTER = "write_letter"
    EDIT_LETTER_TEMPLATES = "edit_letter_templates"
    OPEN_WITH_REASON = "open_with_reason"
    REVIEW_REASONS_GIVEN = "review_reasons_given"
    EXPORT_SUBJECT_ACCESS = "export_subject_access"
    VIEW_RECORD_OF_PROCESSING = "view_record_of_processing"
    EDIT_RECORD_OF_PROCESSING = "edit_record_of_processing"
    CHANGE_PERSON_DETAILS = "change_person_details"
    CORRECT_CONTACT_NOTE = "correct_contact_note"
    VIEW_CORRECTIONS = "view_corrections"
    HANDLE_RECTIFICATION = "handle_rectification"
    MANAGE_RETENTION = "manage_retention"
    RECORD_ERASURE = "record_erasure"


def _has_role(*roles: Role):
    @rules.predicate(name=f"has_role({','.join(roles)})")
    def predicate(user) -> bool:
        return user.is_authenticated and user.is_active and user.role in roles

    return predicate


is_coordinator = _has_role(Role.COORDINATOR)
is_manager = _has_role(Role.MANAGER)
is_referrer = _has_role(Role.REFERRER)
is_administrator = _has_role(Role.ADMINISTRATOR)
is_site_staff = _has_role(Role.COORDINATOR, Role.MANAGER)
is_trial_manager = _has_role(Role.TRIAL_MANAGER)
is_trial_team_role = _has_role(Role.TRIAL_MANAGER, Role.RESEARCHER)


def site_access_of(user) -> dict[int, str]:
    """The user's sites, each with what its link coordinators may read (decision 0023), read
    once per user object (in a view: once per request)."""
    access = getattr(user, "_linkwork_site_access", None)
    if access is None:
        access = dict(user.sites.values_list("pk", "coordinator_access"))
        user._linkwork_site_access = access
    return access


def site_ids_of(user) -> frozenset[int]:
    """The user's sites, read once per user object (in a view: once per request)."""
    return frozenset(site_access_of(user))


@rules.predicate
def works_at_site_of(user, obj) -> bool:
    """The object (a referral, pathway or site) belongs to one of the user's sites."""
    if obj is None:
        return False
    site_id = getattr(obj, "site_id", None) or getattr(obj, "pk", None)
    return site_id in site_ids_of(user)


@rules.predicate
def no_object(user, obj) -> bool:
    return obj is None


@rules.predicate
def shares_a_site_with(user, other) -> bool:
    """The other user (a link coordinator) works at one of the user's sites."""
    return other is not None and other.sites.filter(pk__in=site_ids_of(user)).exists()


@rules.predicate
def is_themselves(user, other) -> bool:
    return other is not None and other.pk == user.pk


@rules.predicate
def is_their_coordinator(user, referral) -> bool:
    """The person is on the user's caseload now."""
    return (
        referral is not None
        and referral.allocations.filter(coordinator=user, ended_at__isnull=True).exists()
    )


@rules.predicate
def was_ever_their_coordinator(user, referral) -> bool:
    """The user supports, or supported, this person (a closed case stays readable to them)."""
    return referral is not None and referral.allocations.filter(coordinator=user).exists()


@rules.predicate
def was_their_last_coordinator(user, referral) -> bool:
    """The user is, or was when support ended, the person's link coordinator."""
    if referral is None:
        return False
    last = referral.allocations.order_by("-started_at", "-pk").values("coordinator_id").first()
    return last is not None and last["coordinator_id"] == user.pk


def _access_at(referral) -> str:
    return referral.site.coordinator_access


@rules.predicate
def coordinator_may_read(user, referral) -> bool:
    """A link coordinator may read this referral in full under its site's rule (decision 0023):
    everyone's at a site that says so; otherwise the people they support or supported and the
    site's waiting list (whose interim support, trial offers and safeguarding the site's
    coordinators share), and, at a site that takes a reason, anyone they opened with one that
    has not run out."""
    if referral is None:
        return False
    access = _access_at(referral)
    if access == Site.CoordinatorAccess.SITE or referral.status == WAITING:
        return True
    # A page checks several permissions on one referral: ask the database once per user.
    answers = referral.__dict__.setdefault("_linkwork_coordinator_may_read", {})
    if user.pk not in answers:
        answers[user.pk] = referral.allocations.filter(coordinator=user).exists() or (
            access == Site.CoordinatorAccess.REASON
            and referral.opened_with_reason.filter(by=user, until__gt=timezone.now()).exists()
        )
    return answers[user.pk]


@rules.predicate
def site_takes_a_reason(user, referral) -> bool:
    return referral is not None and _access_at(referral) == Site.CoordinatorAccess.REASON


@rules.predicate
def serves_users_site(user, service) -> bool:
    """The directory service serves one of the user's sites (or every site)."""
    if service is None:
        return False
    served = {site.pk for site in service.sites.all()}
    return not served or bool(served & site_ids_of(user))


@rules.predicate
def from_users_organisation(user, referral) -> bool:
    return (
        referral is not None
        and user.organisation_id is not None
        and referral.referring_organisation_id == user.organisation_id
    )


@rules.predicate
def on_trial_team(user, trial) -> bool:
    """The user is on the trial's team (its managers and researchers)."""
    return trial is not None and trial.team.filter(pk=user.pk).exists()


@rules.predicate
def works_at_a_trial_site(user, trial) -> bool:
    """The trial runs at one of the user's sites."""
    return trial is not None and trial.sites.filter(pk__in=site_ids_of(user)).exists()


@rules.predicate
def covers_only_users_sites(user, event) -> bool:
    """Every site the service-timeline event is recorded for is one of the user's."""
    if event is None:
        return False
    return {site.pk for site in event.sites.all()} <= site_ids_of(user)


@rules.predicate
def partner_at_users_site(user, partner) -> bool:
    """The partner organisation (an `engagement.queries.Partner`) refers to, receives from or
    is engaged by one of the user's sites."""
    return partner is not None and bool(set(partner.site_ids) & site_ids_of(user))


@rules.predicate
def recorded_it(user, record) -> bool:
    """The user recorded it (an engagement activity, say)."""
    return record is not None and record.recorded_by_id == user.pk


@rules.predicate
def waiting_for_information(user, referral) -> bool:
    return referral is not None and referral.status == "information_requested"


# Staff at the referral's site who may read it in full: its managers, and its link coordinators
# as the site's rule allows (`coordinator_may_read`).
reads_in_full = (is_manager & works_at_site_of) | (
    is_coordinator & works_at_site_of & coordinator_may_read
)

# What `reads_in_full` guards: a coordinator refused one of these at a site that takes a reason
# is asked for the reason (`ReasonRequired`) rather than told there is nothing there.
READS_IN_FULL = frozenset(
    {
        Permission.VIEW_REFERRAL_IN_FULL,
        Permission.LOG_INTERIM_CONTACT,
        Permission.VIEW_SOCIAL_PRESCRIPTIONS,
        Permission.VIEW_SAFEGUARDING,
        Permission.SAFEGUARD,
        Permission.ENROL_IN_TRIAL,
        Permission.RECORD_GP_ATTENDANCE,
        Permission.CHANGE_PERSON_DETAILS,
    }
)

RULES = {
    Permission.REFER: is_referrer,
    Permission.RECORD_REFERRAL: is_site_staff,
    Permission.VIEW_REFERRALS: is_site_staff | is_referrer,
    Permission.VIEW_REFERRAL: (is_site_staff & works_at_site_of)
    | (is_referrer & from_users_organisation),
    Permission.VIEW_REFERRAL_IN_FULL: reads_in_full,
    Permission.PROVIDE_INFORMATION: is_referrer & from_users_organisation & waiting_for_information,
    Permission.TRIAGE_REFERRAL: is_manager & works_at_site_of,
    Permission.VIEW_WAITING_LIST: is_site_staff,
    Permission.LOG_INTERIM_CONTACT: reads_in_full,
    Permission.ALLOCATE_REFERRAL: is_manager & works_at_site_of,
    Permission.VIEW_OWN_CASELOAD: is_coordinator,
    Permission.VIEW_CASELOADS: is_manager,
    Permission.SET_CASELOAD_CAP: is_manager & (no_object | shares_a_site_with),
    # Without an object: may open the pathway settings at all. With one: that site's pathway.
    Permission.MANAGE_PATHWAYS: is_administrator | (is_manager & (no_object | works_at_site_of)),
    Permission.VIEW_AUDIT_LOG: is_administrator,
    # Coordinators see their own caseload (and people they supported); managers their sites.
    Permission.VIEW_PERSON_RECORD: (is_coordinator & was_ever_their_coordinator)
    | (is_manager & works_at_site_of),
    Permission.WORK_WITH_PERSON: (is_coordinator & is_their_coordinator)
    | (is_manager & works_at_site_of),
    Permission.REOPEN_CASE: is_manager & works_at_site_of,
    # The community directory. Site staff read it, say when a service's availability changes,
    # mark an entry checked and add local notes. Managers (for services serving their sites)
    # and administrators (for all) create and edit entries; both import ORUK feeds.
    Permission.VIEW_DIRECTORY: is_site_staff | is_administrator,
    Permission.UPDATE_SERVICE_AVAILABILITY: is_site_staff & (no_object | serves_users_site)
    | is_administrator,
    Permission.ADD_LOCAL_NOTE: is_site_staff & (no_object | serves_users_site),
    Permission.EDIT_DIRECTORY: (is_manager & (no_object | serves_users_site)) | is_administrator,
    Permission.IMPORT_DIRECTORY: is_manager | is_administrator,
    # Unmet needs: without an object, may record one at all; with a site, at that site.
    Permission.RECORD_UNMET_NEED: is_site_staff & (no_object | works_at_site_of),
    Permission.VIEW_UNMET_NEEDS: is_manager,
    # Social prescriptions, with the referral as the object: staff who may read the referral in
    # full may read them; the person's own link coordinator, or a manager at the site, may make
    # and update them.
    Permission.VIEW_SOCIAL_PRESCRIPTIONS: reads_in_full,
    Permission.MAKE_SOCIAL_PRESCRIPTION: (is_coordinator & is_their_coordinator)
    | (is_manager & works_at_site_of),
    Permission.UPDATE_SOCIAL_PRESCRIPTION: (is_coordinator & is_their_coordinator)
    | (is_manager & works_at_site_of),
    # The "People in support" list: each sees only their own (coordinators) or sites' (managers).
    Permission.VIEW_PEOPLE_IN_SUPPORT: is_site_staff,
    # Feedback at closure is filled in with the coordinator who supported the person last.
    Permission.RECORD_CLIENT_FEEDBACK: (is_coordinator & was_their_last_coordinator)
    | (is_manager & works_at_site_of),
    # The messages page lists what was told to the referrer's own organisation; staff read a
    # referral's messages on the referral page.
    Permission.VIEW_REFERRER_MESSAGES: is_referrer,
    # Outcome measures, with the referral as the object. Reading them is part of reading the
    # record (VIEW_PERSON_RECORD). Recording one (or sending the person a link) is for their
    # coordinator, or the one who supported them last (end and follow-up measures fall after
    # closure), and managers at the site.
    Permission.RECORD_OUTCOME_MEASURE: (is_coordinator & was_their_last_coordinator)
    | (is_manager & works_at_site_of),
    # Which instruments the installation uses (the licensed ones once registered): administrators.
    Permission.CONFIGURE_INSTRUMENTS: is_administrator,
    # Which are due when at a site: its managers (without an object: may open the settings).
    Permission.CONFIGURE_MEASURE_SCHEDULE: is_manager & (no_object | works_at_site_of),
    # Safeguarding, with the referral as the object: staff at the site who may read the referral
    # in full (managers; coordinators as the site's rule allows) may read and raise flags and
    # concerns, the waiting list included, escalate them, chase and record responses.
    Permission.VIEW_SAFEGUARDING: reads_in_full,
    Permission.SAFEGUARD: reads_in_full,
    # A positive PHQ-9 item 9: handled by the person's coordinator (now or last) or a manager.
    Permission.HANDLE_SAFEGUARDING_PROMPT: (is_coordinator & was_ever_their_coordinator)
    | (is_manager & works_at_site_of),
    # The list of open escalations and prompts: each sees their own scope.
    Permission.VIEW_SAFEGUARDING_LIST: is_site_staff,
    # Research trials. The list of trials: the trial team's roles, and staff at the sites.
    Permission.VIEW_TRIALS: is_trial_team_role | is_site_staff,
    # Setting a trial up (without an object: may start one), opening and closing it: a trial
    # manager on its team.
    Permission.SET_UP_TRIALS: is_trial_manager,
    Permission.MANAGE_TRIAL: is_trial_manager & on_trial_team,
    # A trial's overview and CONSORT diagram: its team, and staff at its sites (who see the
    # people behind the counts at their own sites).
    Permission.VIEW_TRIAL: (is_trial_team_role & on_trial_team)
    | (is_site_staff & works_at_a_trial_site),
    # The analysis, the pseudonymised records behind the counts and the export: the team only.
    # They never see a name, a contact detail, an NHS number or free text.
    Permission.ANALYSE_TRIAL: is_trial_team_role & on_trial_team,
    # Who took part, by name, at the user's sites (a trial as the object).
    Permission.VIEW_TRIAL_PARTICIPANTS: is_site_staff & works_at_a_trial_site,
    # With the referral as the object: offering the trial, consent, baseline, randomisation,
    # withdrawal and allocation notes are for staff at the person's site; releasing someone
    # from their allocated path (an early start, or after the trial closed) for its managers.
    Permission.ENROL_IN_TRIAL: reads_in_full,
    Permission.RELEASE_FROM_TRIAL_PATH: is_manager & works_at_site_of,
    Permission.RECORD_GP_ATTENDANCE: reads_in_full,
    # Dashboards: managers see their sites' figures exactly; coordinators their own caseload's;
    # the research roles every site's, with small numbers suppressed (reports.scope).
    Permission.VIEW_DASHBOARDS: is_site_staff | is_trial_team_role,
    # The service timeline's own events: managers, for their sites (an event as the object:
    # one recorded only for sites they manage).
    Permission.RECORD_SERVICE_EVENT: is_manager & (no_object | covers_only_users_sites),
    # From a figure to the list of people behind it, by name: staff, within their own scope.
    Permission.FOLLOW_FIGURES_TO_RECORDS: is_site_staff,
    # The funder report and its case studies: managers (with a site: one they manage).
    Permission.WRITE_FUNDER_REPORT: is_manager & (no_object | works_at_site_of),
    # Capacity forecasts and what-ifs: managers, for their sites.
    Permission.PLAN_CAPACITY: is_manager & (no_object | works_at_site_of),
    # Partners and engagement. Without an object: the partners list. With a partner (an
    # `engagement.queries.Partner`): its page, and recording engagement with it, for staff at a
    # site it is a partner of (coordinators attend MDT meetings too); its contacts are kept by
    # the managers there. An engagement activity (the object) is corrected by whoever recorded
    # it while they work at its site, or by a manager there. When a referrer has gone quiet is
    # set per site by its managers (without an object: may open the settings).
    Permission.VIEW_PARTNERS: is_site_staff & (no_object | partner_at_users_site),
    Permission.RECORD_ENGAGEMENT: is_site_staff & (no_object | partner_at_users_site),
    Permission.CORRECT_ENGAGEMENT: (is_manager & works_at_site_of)
    | (is_coordinator & works_at_site_of & recorded_it),
    Permission.MANAGE_PARTNER_CONTACTS: is_manager & (no_object | partner_at_users_site),
    Permission.CONFIGURE_ENGAGEMENT: is_manager & (no_object | works_at_site_of),
    # The search in the header: site staff, finding only referrals they may see.
    Permission.SEARCH_PEOPLE: is_site_staff,
    # A coordinator's diary (the coordinator as the object): their own; managers read those of
    # the coordinators at their sites.
    Permission.VIEW_DIARY: (is_coordinator & (no_object | is_themselves))
    | (is_manager & (no_object | shares_a_site_with)),
    # Letters, with the referral as the object: made by the person's coordinator (now, or when
    # support ended: the end-of-support letter comes after closing) or a manager at the site.
    # Reading them is part of reading the record (VIEW_PERSON_RECORD).
    Permission.WRITE_LETTER: (is_coordinator & was_their_last_coordinator)
    | (is_manager & works_at_site_of),
    # Letter wording and letterheads: whoever may manage pathways (without an object: the
    # service's templates; with a site: that site's letterhead).
    Permission.EDIT_LETTER_TEMPLATES: is_administrator
    | (is_manager & (no_object | works_at_site_of)),
    # Someone outside a coordinator's caseload, at a site that takes a reason (decision 0023):
    # the coordinator may open their referral after saying why. The site's managers review the
    # reasons given (without an object: the list of them, for their sites).
    Permission.OPEN_WITH_REASON: is_coordinator & works_at_site_of & site_takes_a_reason,
    Permission.REVIEW_REASONS_GIVEN: is_manager & (no_object | works_at_site_of),
    # Subject access (decision 0024): a manager at the referral's site exports everything held
    # about its person, from every referral and site (without an object: the list of requests
    # about people at their sites).
    Permission.EXPORT_SUBJECT_ACCESS: is_manager & (no_object | works_at_site_of),
    # The record of processing (UK GDPR article 30), for the data protection officer: counts
    # and settings, no one's record. Managers read it; administrators keep the controller's part.
    Permission.VIEW_RECORD_OF_PROCESSING: is_manager | is_administrator,
    Permission.EDIT_RECORD_OF_PROCESSING: is_administrator,
    # Rectification (UK GDPR article 16, decision 0026), with the referral as the object. A
    # person's details are changed by whoever may read the referral in full (its managers; its
    # link coordinators as the site's rule allows: their own people and the waiting list, or
    # after a reason). A contact note is corrected by the person's coordinator (now, or when
    # support ended) or a manager at the site. What was held before a change or correction
    # (old values, original notes) is read by the site's managers, who also keep the
    # rectification requests (without an object: the list of them, for their sites).
    Permission.CHANGE_PERSON_DETAILS: reads_in_full,
    Permission.CORRECT_CONTACT_NOTE: (is_coordinator & was_their_last_coordinator)
    | (is_manager & works_at_site_of),
    Permission.VIEW_CORRECTIONS: is_manager & works_at_site_of,
    Permission.HANDLE_RECTIFICATION: is_manager & (no_object | works_at_site_of),
    # Retention (decision 0027): the rules, what is due, dry runs and past runs' reports are
    # the administrators' (who act for the data protection officer).
    Permission.MANAGE_RETENTION: is_administrator,
    # Erasure on request (article 17): a manager at one of the person's sites records the
    # request and the decision (without an object: the list, for people at their sites).
    Permission.RECORD_ERASURE: is_manager & (no_object | works_at_site_of),
}


def has_permission(user, perm: Permission, obj=None) -> bool:
    """The single entry point for permission checks."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(RULES[perm].test(user, obj))


class ReasonRequired(Http404):
    """The referral can be read once the coordinator says why (decision 0023). A 404 to anything
    that does not know better; `referrals.middleware` turns it into the page that asks."""

    def __init__(self, referral_id: int):
        super().__init__()
        self.referral_id = referral_id


def ask_for_a_reason(user, perm: Permission, referral) -> None:
    """Raise `ReasonRequired` if the user, refused `perm` on the referral, may read it once
    they say why; otherwise return, and the caller answers 404."""
    if perm in READS_IN_FULL and has_permission(user, Permission.OPEN_WITH_REASON, referral):
        raise ReasonRequired(referral.pk)


def require(user, perm: Permission, obj=None) -> None:
    """Raise 404 for an object outside the user's scope, 403 for a page they may not use, and
    `ReasonRequired` where a coordinator may read the referral after giving a reason."""
    if has_permission(user, perm, obj):
        return
    if obj is not None:
        ask_for_a_reason(user, perm, obj)
        raise Http404
    raise PermissionDenied

"""Who may open which page, and every way we could think of to get at someone else's referral.

Pages a role may never use answer 403; referrals (and pathways) outside a user's scope answer 404,
so their existence is not revealed; anonymous visitors are sent to sign in, except on the public
pages (health check, sign-in, self-referral). Addresses pages had before they moved redirect for
everyone (301), anonymous visitors too: the page they lead to does the checking.
"""

import datetime
import re
import uuid
from urllib.parse import unquote, urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django_otp_webauthn.models import WebAuthnCredential

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.casework import actions as casework
from linkwork.casework.models import GoalStep
from linkwork.directory.models import (
    DirectoryImport,
    Location,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from linkwork.letters import actions as letter_actions
from linkwork.outcomes import actions as outcome_actions
from linkwork.outcomes.models import InstrumentSetting
from linkwork.prescriptions import actions as prescription_actions
from linkwork.referrals import actions as referral_actions
from linkwork.referrals.models import (
    Allocation,
    InterimContact,
    Pathway,
    Person,
    Referral,
    StatusChange,
)
from linkwork.referrals.status import DeclineReason, ReferralStatus
from linkwork.safeguarding import actions as safeguarding
from linkwork.subjects import actions as subject_actions
from linkwork.subjects import erasure as subject_erasure
from linkwork.subjects import exports as subject_exports
from linkwork.subjects import sweep as retention_sweep
from tests.engagement.test_permissions import MATRIX as ENGAGEMENT_MATRIX
from tests.engagement.test_permissions import VARIANTS as ENGAGEMENT_VARIANTS
from tests.factories import ManagerFactory, make_referral, make_service
from tests.reports.test_permissions import PAGES as REPORT_PAGES
from tests.trials.test_permissions import MATRIX as TRIAL_MATRIX

S = ReferralStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


# --- The matrix --------------------------------------------------------------------------------
#
# login       302 to the sign-in page
# home        302 to the home page (already signed in)
# form        302 to the only open self-referral form
# adm-login   302 to the Django admin's own sign-in (signed in, but not staff)
# reason      302 to the page asking a coordinator why they need someone else's referral (0023)
# 2fa         302 to setting up two-factor sign-in (removing it, with none to remove)
#
# passkey_remove is someone else's passkey (404 for all: only its owner may remove it); the
# passkey API answers only POSTs, and its refusals in each sign-in state are tested in
# tests/accounts/test_passkeys.py.
#
# Two-factor sign-in's own gate (enrolment first, the code after the password) is tested in
# tests/accounts/test_two_factor.py; here nobody has a second factor and none is demanded, as
# in the test settings. A reset link that is not a real one shows "This link does not work".
#
# "outsider" is an active link coordinator who works at no site: role pages open, empty.

MATRIX = """
page                    anon       coord_a    manager    gp_ref     research   admin      outsider
home                    login      200        200        200        200        200        200
healthz                 200        200        200        200        200        200        200
search                  login      200        200        403        403        403        200
account                 login      200        200        200        200        200        200
keep_alive              login      405        405        405        405        405        405
sign_out_everywhere     login      405        405        405        405        405        405
password_change         login      200        200        200        200        200        200
two_factor              login      200        200        200        200        200        200
two_factor_verify       login      home       home       home       home       home       home
two_factor_codes        login      405        405        405        405        405        405
two_factor_remove       login      2fa        2fa        2fa        2fa        2fa        2fa
passkey_add             login      200        200        200        200        200        200
passkey_remove          login      404        404        404        404        404        404
passkey_register_begin  login      405        405        405        405        405        405
passkey_register_done   login      405        405        405        405        405        405
passkey_sign_in_begin   login      405        405        405        405        405        405
passkey_sign_in_done    login      405        405        405        405        405        405
passkey_words           login      200        200        200        200        200        200
password_reset          200        200        200        200        200        200        200
password_reset_sent     200        200        200        200        200        200        200
password_reset_bad_link 200        200        200        200        200        200        200
password_reset_done     200        200        200        200        200        200        200
sign_in                 200        home       home       home       home       home       home
referral_list           login      200        200        200        403        403        200
record                  login      200        200        403        403        403        200
refer                   login      403        403        200        403        403        403
detail                  login      reason     200        200        404        404        404
triage                  login      404        200        404        404        404        404
provide_information     login      404        404        200        404        404        404
allocate                login      404        200        404        404        404        404
interim_contact         login      200        200        404        404        404        404
withdraw                login      404        200        404        404        404        404
open_with_reason        login      200        404        404        404        404        404
reasons_given           login      403        200        403        403        403        403
waiting_list            login      200        200        403        403        403        200
my_caseload             login      200        403        403        403        403        200
diary                   login      200        200        403        403        403        200
diary_feed              404        404        404        404        404        404        404
caseloads               login      403        200        403        403        403        403
caseload_cap            login      403        200        403        403        403        403
pathways                login      403        200        403        403        200        403
pathway_new             login      403        200        403        403        200        403
pathway_edit            login      403        200        403        403        200        403
audit_log               login      403        403        403        403        200        403
audit_export            login      403        403        403        403        200        403
referrer_messages       login      403        403        200        403        403        403
django_admin            adm-login  adm-login  adm-login  adm-login  adm-login  adm-login  adm-login
self_referral_sites     form       form       form       form       form       form       form
self_referral_open      200        200        200        200        200        200        200
self_referral_not_open  404        404        404        404        404        404        404
self_referral_sent      200        200        200        200        200        200        200
sp_services             login      301        301        403        403        301        301
sp_list                 login      200        200        404        404        404        404
sp_new                  login      302        302        404        404        404        404
sp_detail               login      200        200        404        404        404        404
sp_update               login      200        200        404        404        404        404
sp_new_link             login      405        405        405        405        405        405
sp_revoke_link          login      405        405        405        405        405        405
service_link            200        200        200        200        200        200        200
service_link_tampered   404        404        404        404        404        404        404
people                  login      200        200        403        403        403        200
person_record           login      200        200        404        404        404        404
person_timeline         login      200        200        404        404        404        404
what_matters            login      200        200        404        404        404        404
support_plan            login      200        200        404        404        404        404
extend_support          login      200        200        404        404        404        404
add_goal                login      200        200        404        404        404        404
goal                    login      200        200        404        404        404        404
rate_goal               login      200        200        404        404        404        404
add_goal_step           login      405        405        405        405        405        405
complete_goal_step      login      405        405        405        405        405        405
end_goal                login      200        200        404        404        404        404
log_contact             login      200        200        404        404        404        404
contact_outcome         login      200        200        404        404        404        404
close                   login      200        200        404        404        404        404
reopen                  login      404        200        404        404        404        404
feedback                login      200        200        404        404        404        404
feedback_link           login      405        405        405        405        405        405
public_feedback_bad     410        410        410        410        410        410        410
feedback_thanks         200        200        200        200        200        200        200
dir_search              login      200        200        403        403        200        200
dir_search_for_person   login      200        200        403        403        404        404
dir_service             login      200        200        403        403        200        200
dir_new_service         login      403        200        403        403        200        403
dir_edit_service        login      403        200        403        403        200        403
dir_change_availability login      405        405        405        405        405        405
dir_mark_checked        login      405        405        405        405        405        405
dir_add_note            login      405        405        405        405        405        405
dir_availability_report login      403        200        403        403        403        403
dir_categories          login      403        200        403        403        200        403
dir_category_edit       login      403        200        403        403        200        403
dir_record_unmet_need   login      200        200        403        403        403        403
dir_unmet_needs         login      403        200        403        403        403        403
dir_imports             login      403        200        403        403        200        403
dir_import_detail       login      403        200        403        403        200        403
dir_import_progress     login      403        200        403        403        200        403
oruk_root               200        200        200        200        200        200        200
oruk_services           200        200        200        200        200        200        200
oruk_service            200        200        200        200        200        200        200
oruk_unknown_service    404        404        404        404        404        404        404
oruk_sal_list           200        200        200        200        200        200        200
oruk_sal                200        200        200        200        200        200        200
oruk_location           200        200        200        200        200        200        200
oruk_organizations      200        200        200        200        200        200        200
oruk_organization       200        200        200        200        200        200        200
oruk_taxonomies         200        200        200        200        200        200        200
oruk_taxonomy           200        200        200        200        200        200        200
oruk_terms              200        200        200        200        200        200        200
oruk_term               200        200        200        200        200        200        200
oruk_not_found          404        404        404        404        404        404        404
oc_measures             login      200        200        404        404        404        404
oc_record_measure       login      200        200        404        404        404        404
oc_withdraw_measure     login      200        200        404        404        404        404
oc_measure_link         login      405        405        405        405        405        405
oc_revoke_measure_link  login      405        405        405        405        405        405
oc_public_measure_bad   410        410        410        410        410        410        410
oc_measure_thanks       200        200        200        200        200        200        200
oc_instruments          login      403        403        403        403        200        403
oc_instrument           login      403        403        403        403        200        403
oc_schedules            login      403        200        403        403        403        403
oc_site_schedule        login      403        200        403        403        403        403
sg_list                 login      200        200        403        403        403        200
sg_person               login      200        200        404        404        404        404
sg_raise_flag           login      200        200        404        404        404        404
sg_end_flag             login      200        200        404        404        404        404
sg_raise_concern        login      200        200        404        404        404        404
sg_concern              login      200        200        404        404        404        404
sg_escalate             login      200        200        404        404        404        404
sg_close_concern        login      200        200        404        404        404        404
sg_chase                login      200        200        404        404        404        404
sg_record_response      login      200        200        404        404        404        404
sg_prompt               login      200        200        404        404        404        404
letters_write           login      200        200        404        404        404        404
letters_letter          login      200        200        404        404        404        404
letters_pdf             login      200        200        404        404        404        404
letters_settings        login      403        200        403        403        200        403
letters_template        login      403        200        403        403        200        403
letters_letterhead      login      403        200        403        403        200        403
sar_list                login      403        200        403        403        403        403
sar_new                 login      404        200        404        404        404        404
sar_request             login      403        200        403        403        403        403
sar_progress            login      403        200        403        403        403        403
sar_download            login      403        200        403        403        403        403
processing              login      403        200        403        403        200        403
processing_edit         login      403        403        403        403        200        403
processing_pdf          login      403        200        403        403        200        403
rect_change_details     login      200        200        404        404        404        404
rect_details_history    login      404        200        404        404        404        404
rect_correct_note       login      200        200        404        404        404        404
rect_correct_interim    login      200        200        404        404        404        404
rect_new                login      404        200        404        404        404        404
rect_list               login      403        200        403        403        403        403
rect_request            login      403        200        403        403        403        403
ret_rules               login      403        403        403        403        200        403
ret_dry_run             login      405        405        405        405        405        405
ret_runs                login      403        403        403        403        200        403
ret_run                 login      403        403        403        403        200        403
er_list                 login      403        200        403        403        403        403
er_new                  login      404        200        404        404        404        404
er_request              login      403        200        403        403        403        403
old_person_record       301        301        301        301        301        301        301
old_questionnaire       301        301        301        301        301        301        301
"""


def _parse(table: str) -> list[tuple[str, str, str]]:
    lines = [line.split() for line in table.strip().splitlines()]
    users, rows = lines[0][1:], lines[1:]
    cases = []
    for page, *expected in rows:
        assert len(expected) == len(users), f"row {page} has {len(expected)} columns"
        cases.extend((page, user, outcome) for user, outcome in zip(users, expected, strict=True))
    return cases


# Column headings -> the cast's fixture names.
WHO = {
    "anon": "anonymous",
    "coord_a": "coordinator_a",
    "manager": "manager",
    "gp_ref": "gp_referrer",
    "research": "researcher",
    "admin": "administrator",
    "outsider": "outsider",
}
CASES = [(page, WHO[who], outcome) for page, who, outcome in _parse(MATRIX)]


@pytest.fixture
def url_of(site_a, site_b, gp_practice, gp_referrer, manager, coordinator_a, pathway_a, pathway_b):
    """`url_of(page)`: the page's URL, making the object it is about in a suitable state.

    Object pages use a referral from `gp_practice` (sent by `gp_referrer`) to site A.
    """

    def referral(status):
        return make_referral(status, pathway=pathway_a, by=gp_referrer, staff=manager).pk

    def prescription():
        service = make_service(name="Valleys walking group", referral_email="walks@example.org")
        allocated = make_referral(
            S.ALLOCATED, pathway=pathway_a, by=gp_referrer, staff=manager, coordinator=coordinator_a
        )
        return prescription_actions.make_prescription(
            allocated, by=coordinator_a, service=service, asked_for="A walk", send=True
        )

    def prescription_args():
        made = prescription()
        return [made.referral_id, made.pk]

    def in_support():
        """Someone on coordinator_a's caseload at site A."""
        return make_referral(
            S.ALLOCATED, pathway=pathway_a, by=gp_referrer, staff=manager, coordinator=coordinator_a
        )

    def with_plan():
        person = in_support()
        casework.set_support_plan(
            person, by=coordinator_a, starts_on=datetime.date.today(), planned_sessions=6
        )
        return person.pk

    def with_goal():
        person = in_support()
        goal = casework.add_goal(
            person, by=coordinator_a, description="Walk", domain="activity", steps=["Out"]
        )
        return [person.pk, goal.pk]

    def with_step():
        person, goal = with_goal()
        return [person, goal, GoalStep.objects.get(goal_id=goal).pk]

    def booked_contact():
        person = in_support()
        contact = casework.log_contact(
            person,
            by=coordinator_a,
            at=timezone.now() + datetime.timedelta(days=2),
            mode="telephone",
            outcome="booked",
        )
        return [person.pk, contact.pk]

    def closed():
        person = in_support()
        casework.close_case(person, by=coordinator_a, reason="goals_achieved", summary="Done")
        return person.pk

    def self_referral_site():
        Pathway.objects.create(
            site=site_b,
            name="Self-referral",
            source_type="self_referral",
            opens_on=pathway_b.opens_on,
        )
        return site_b.slug

    def site_a_service():
        return make_service(name="Llanidloes choir", sites=[site_a]).pk

    def directory_import():
        return DirectoryImport.objects.create(source="feed.json", status="succeeded").pk

    def listed():
        """A published service at a location, in a category of a taxonomy."""
        taxonomy = Taxonomy.objects.create(name="Local categories")
        term = TaxonomyTerm.objects.create(name="Singing", taxonomy=taxonomy)
        service = make_service(name="Treorchy choir", terms=[term])
        location = Location.objects.create(name="Park and Dare Theatre")
        at = ServiceAtLocation.objects.create(service=service, location=location)
        return {
            "service": service.uuid,
            "organization": service.organization.uuid,
            "location": location.uuid,
            "service_at_location": at.uuid,
            "taxonomy": taxonomy.uuid,
            "term": term.uuid,
        }

    def oruk(name, kind=None):
        args = [listed()[kind]] if kind else []
        return reverse(f"oruk:{name}", args=args)

    def measured():
        """coordinator_a's person at site A with a SWEMWBS baseline (licence confirmed)."""
        person = in_support()
        setting_up_instruments()
        measure = outcome_actions.record_measure(
            person, by=coordinator_a, instrument="swemwbs", timepoint="baseline", answers=[3] * 7
        )
        return [person.pk, measure.pk]

    def setting_up_instruments():
        InstrumentSetting.objects.update_or_create(
            instrument="swemwbs",
            defaults={"enabled": True, "registration_confirmed_at": timezone.now()},
        )

    def waiting_concern():
        """A concern about someone on site A's waiting list, escalated to social services."""
        waiting = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer, staff=manager)
        concern = safeguarding.raise_concern(
            waiting, by=coordinator_a, kind="falls", summary="Fell twice"
        )
        escalation = safeguarding.escalate(
            concern,
            by=coordinator_a,
            to="social_services",
            at=timezone.now(),
            method="phone",
            response_due=timezone.localdate() + datetime.timedelta(days=3),
        )
        return waiting, concern, escalation

    def open_prompt():
        person = in_support()
        measure = outcome_actions.record_measure(
            person,
            by=coordinator_a,
            instrument="phq9",
            timepoint="baseline",
            answers=[0, 0, 0, 0, 0, 0, 0, 0, 1],
        )
        return measure.safeguarding_prompt.pk

    def flagged():
        waiting, _concern, _escalation = waiting_concern()
        return [waiting.pk, waiting.person.risk_flags.get().pk]

    def letter_args():
        """A letter made for coordinator_a's person at site A."""
        person = in_support()
        letter = letter_actions.make_letter(
            person,
            by=coordinator_a,
            kind="no_contact",
            language="en",
            recipient_name=person.person.full_name,
            recipient_address="1 Heol y Test\nLlanidloes",
        )
        return [person.pk, letter.pk]

    def someone_elses_passkey():
        owner = ManagerFactory(username="passkey_owner", sites=[site_a])
        return WebAuthnCredential.objects.create(
            user=owner, name="Their laptop", credential_id=b"x" * 32, public_key=b"k"
        ).pk

    def subject_access():
        made = subject_actions.request_subject_access(
            in_support(),
            by=manager,
            received_on=timezone.localdate(),
            note="The person, by letter; photo ID seen.",
        )
        subject_exports.make(made.pk)
        return made.pk

    def contact_args():
        person = in_support()
        contact = casework.log_contact(
            person,
            by=coordinator_a,
            at=timezone.now() - datetime.timedelta(days=1),
            mode="telephone",
            outcome="attended",
            note="Talked about the allotment.",
        )
        return [person.pk, contact.pk]

    def interim_contact_args():
        """Interim support for someone on site A's waiting list, by coordinator_a."""
        waiting = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer, staff=manager)
        contact = referral_actions.log_interim_contact(
            waiting,
            by=coordinator_a,
            at=timezone.now() - datetime.timedelta(days=1),
            mode="telephone",
            note="Rang to check in.",
        )
        return [waiting.pk, contact.pk]

    def rectification():
        return subject_actions.record_request(
            in_support(), by=manager, received_on=timezone.localdate(), asked_for="Wrong address."
        ).pk

    def erasure_request():
        return subject_erasure.request_erasure(
            in_support(),
            by=manager,
            received_on=timezone.localdate(),
            note="The person, by phone; identity checked by a call back.",
        ).pk

    pages = {
        "home": lambda: reverse("home"),
        "healthz": lambda: reverse("healthz"),
        "search": lambda: reverse("search") + "?q=example",
        "account": lambda: reverse("account"),
        "keep_alive": lambda: reverse("keep_alive"),
        "sign_out_everywhere": lambda: reverse("sign_out_everywhere"),
        "password_change": lambda: reverse("password_change"),
        "two_factor": lambda: reverse("two_factor"),
        "two_factor_verify": lambda: reverse("two_factor_verify"),
        "two_factor_codes": lambda: reverse("two_factor_recovery_codes"),
        "two_factor_remove": lambda: reverse("two_factor_remove"),
        "passkey_add": lambda: reverse("passkeys:add"),
        "passkey_remove": lambda: reverse("passkeys:remove", args=[someone_elses_passkey()]),
        "passkey_register_begin": lambda: reverse("passkeys:register_begin"),
        "passkey_register_done": lambda: reverse("passkeys:register_complete"),
        "passkey_sign_in_begin": lambda: reverse("passkeys:sign_in_begin"),
        "passkey_sign_in_done": lambda: reverse("passkeys:sign_in_complete"),
        "passkey_words": lambda: reverse("passkeys:catalog"),
        "password_reset": lambda: reverse("password_reset"),
        "password_reset_sent": lambda: reverse("password_reset_done"),
        "password_reset_bad_link": lambda: reverse(
            "password_reset_confirm", kwargs={"uidb64": "MQ", "token": "not-a-token"}
        ),
        "password_reset_done": lambda: reverse("password_reset_complete"),
        "sign_in": lambda: reverse("login"),
        "referral_list": lambda: reverse("referrals:list"),
        "record": lambda: reverse("referrals:record"),
        "refer": lambda: reverse("referrals:refer"),
        "detail": lambda: reverse("referrals:detail", args=[referral(S.RECEIVED)]),
        "triage": lambda: reverse("referrals:triage", args=[referral(S.RECEIVED)]),
        "provide_information": lambda: reverse(
            "referrals:provide_information", args=[referral(S.INFORMATION_REQUESTED)]
        ),
        "allocate": lambda: reverse("referrals:allocate", args=[referral(S.WAITING)]),
        "interim_contact": lambda: reverse("referrals:interim_contact", args=[referral(S.WAITING)]),
        "withdraw": lambda: reverse("referrals:withdraw", args=[referral(S.WAITING)]),
        # Awaiting triage at site A, which takes a reason (decision 0023): on no one's caseload.
        "open_with_reason": lambda: reverse(
            "referrals:open_with_reason", args=[referral(S.RECEIVED)]
        ),
        "reasons_given": lambda: reverse("referrals:reasons_given"),
        "waiting_list": lambda: reverse("referrals:waiting_list"),
        "my_caseload": lambda: reverse("referrals:my_caseload"),
        "diary": lambda: reverse("casework:diary"),
        # A calendar address nobody was given (the real ones: tests/casework/test_diary.py).
        "diary_feed": lambda: reverse("casework:diary_feed", args=["not-a-real-address"]),
        "caseloads": lambda: reverse("referrals:caseloads"),
        "caseload_cap": lambda: reverse("referrals:caseload_cap", args=[coordinator_a.pk]),
        "pathways": lambda: reverse("referrals:pathways"),
        "pathway_new": lambda: reverse("referrals:pathway_new"),
        "pathway_edit": lambda: reverse("referrals:pathway_edit", args=[pathway_a.pk]),
        "audit_log": lambda: reverse("audit:log"),
        "audit_export": lambda: reverse("audit:export"),
        "referrer_messages": lambda: reverse("messaging:list"),
        "django_admin": lambda: reverse("admin:index"),
        "self_referral_sites": lambda: (
            self_referral_site(),
            reverse("referrals:self_referral_sites"),
        )[1],
        "self_referral_open": lambda: reverse(
            "referrals:self_referral", args=[self_referral_site()]
        ),
        # Site A has no self-referral pathway.
        "self_referral_not_open": lambda: reverse("referrals:self_referral", args=[site_a.slug]),
        "self_referral_sent": lambda: reverse("referrals:self_referral_sent", args=[site_b.slug]),
        # Social prescriptions: a person allocated to coordinator_a, sent to a service.
        "sp_services": lambda: reverse("prescriptions:services"),
        "sp_list": lambda: reverse("prescriptions:list", args=[prescription().referral_id]),
        "sp_new": lambda: reverse("prescriptions:new", args=[prescription().referral_id]),
        "sp_detail": lambda: reverse("prescriptions:detail", args=prescription_args()),
        "sp_update": lambda: reverse("prescriptions:update", args=prescription_args()),
        "sp_new_link": lambda: reverse("prescriptions:new_link", args=prescription_args()),
        "sp_revoke_link": lambda: reverse(
            "prescriptions:revoke_link", args=[*prescription_args(), 1]
        ),
        "service_link": lambda: reverse(
            "prescriptions:service_link", args=[prescription().new_link.signed]
        ),
        "service_link_tampered": lambda: reverse(
            "prescriptions:service_link", args=[prescription().new_link.signed[:-2] + "xx"]
        ),
        # The person's record: someone allocated to coordinator_a (closed for reopen, feedback).
        "people": lambda: reverse("casework:people"),
        "person_record": lambda: reverse("casework:record", args=[in_support().pk]),
        "person_timeline": lambda: reverse("casework:timeline", args=[in_support().pk]),
        "what_matters": lambda: reverse("casework:what_matters", args=[in_support().pk]),
        "support_plan": lambda: reverse("casework:support_plan", args=[in_support().pk]),
        "extend_support": lambda: reverse("casework:extend_support", args=[with_plan()]),
        "add_goal": lambda: reverse("casework:add_goal", args=[in_support().pk]),
        "goal": lambda: reverse("casework:goal", args=with_goal()),
        "rate_goal": lambda: reverse("casework:rate_goal", args=with_goal()),
        "add_goal_step": lambda: reverse("casework:add_goal_step", args=with_goal()),
        "complete_goal_step": lambda: reverse("casework:complete_goal_step", args=with_step()),
        "end_goal": lambda: reverse("casework:end_goal", args=with_goal()),
        "log_contact": lambda: reverse("casework:log_contact", args=[in_support().pk]),
        "contact_outcome": lambda: reverse("casework:contact_outcome", args=booked_contact()),
        "close": lambda: reverse("casework:close", args=[in_support().pk]),
        "reopen": lambda: reverse("casework:reopen", args=[closed()]),
        "feedback": lambda: reverse("casework:feedback", args=[closed()]),
        "feedback_link": lambda: reverse("casework:feedback_link", args=[closed()]),
        # A link that was never made: refused the same way for everyone.
        "public_feedback_bad": lambda: reverse("casework:public_feedback", args=["not-a-link"]),
        "feedback_thanks": lambda: reverse("casework:feedback_thanks"),
        # The directory: a service serving site A only.
        "dir_search": lambda: reverse("directory:search"),
        "dir_search_for_person": lambda: (
            reverse("directory:search") + f"?referral={in_support().pk}"
        ),
        "dir_service": lambda: reverse("directory:service", args=[site_a_service()]),
        "dir_new_service": lambda: reverse("directory:new_service"),
        "dir_edit_service": lambda: reverse("directory:edit_service", args=[site_a_service()]),
        "dir_change_availability": lambda: reverse(
            "directory:change_availability", args=[site_a_service()]
        ),
        "dir_mark_checked": lambda: reverse("directory:mark_checked", args=[site_a_service()]),
        "dir_add_note": lambda: reverse("directory:add_note", args=[site_a_service()]),
        "dir_availability_report": lambda: reverse("directory:availability_report"),
        "dir_categories": lambda: reverse("directory:categories"),
        "dir_category_edit": lambda: reverse(
            "directory:category_edit", args=[TaxonomyTerm.objects.create(name="Gardening").pk]
        ),
        "dir_record_unmet_need": lambda: (
            TaxonomyTerm.objects.create(name="Walking"),
            reverse("unmet:record"),
        )[1],
        "dir_unmet_needs": lambda: reverse("unmet:needs"),
        "dir_imports": lambda: reverse("oruk:imports"),
        "dir_import_detail": lambda: reverse("oruk:import_detail", args=[directory_import()]),
        "dir_import_progress": lambda: reverse("oruk:import_progress", args=[directory_import()]),
        # The published Open Referral UK API: open to anyone.
        "oruk_root": lambda: reverse("oruk:root"),
        "oruk_services": lambda: oruk("services"),
        "oruk_service": lambda: oruk("service", "service"),
        "oruk_unknown_service": lambda: reverse("oruk:service", args=[uuid.uuid4()]),
        "oruk_sal_list": lambda: oruk("service_at_locations"),
        "oruk_sal": lambda: oruk("service_at_location", "service_at_location"),
        "oruk_location": lambda: oruk("location", "location"),
        "oruk_organizations": lambda: oruk("organizations"),
        "oruk_organization": lambda: oruk("organization", "organization"),
        "oruk_taxonomies": lambda: oruk("taxonomies"),
        "oruk_taxonomy": lambda: oruk("taxonomy", "taxonomy"),
        "oruk_terms": lambda: oruk("taxonomy_terms"),
        "oruk_term": lambda: oruk("taxonomy_term", "term"),
        "oruk_not_found": lambda: "/api/oruk/no-such-thing",
        # Outcome measures: coordinator_a's person at site A.
        "oc_measures": lambda: reverse("outcomes:measures", args=[in_support().pk]),
        "oc_record_measure": lambda: reverse("outcomes:record_measure", args=[in_support().pk]),
        "oc_withdraw_measure": lambda: reverse("outcomes:withdraw_measure", args=measured()),
        "oc_measure_link": lambda: reverse("outcomes:measure_link", args=[in_support().pk]),
        "oc_revoke_measure_link": lambda: reverse(
            "outcomes:revoke_measure_link", args=[in_support().pk, 1]
        ),
        "oc_public_measure_bad": lambda: reverse("outcomes:public_measure", args=["not-a-link"]),
        "oc_measure_thanks": lambda: reverse("outcomes:measure_thanks"),
        "oc_instruments": lambda: reverse("outcomes:instruments"),
        "oc_instrument": lambda: reverse("outcomes:instrument", args=["swemwbs"]),
        "oc_schedules": lambda: reverse("outcomes:schedules"),
        "oc_site_schedule": lambda: reverse("outcomes:site_schedule", args=[site_a.pk]),
        # Safeguarding: someone on site A's waiting list (the prompt: coordinator_a's person).
        "sg_list": lambda: reverse("safeguarding:open_escalations"),
        "sg_person": lambda: reverse("safeguarding:person", args=[waiting_concern()[0].pk]),
        "sg_raise_flag": lambda: reverse("safeguarding:raise_flag", args=[waiting_concern()[0].pk]),
        "sg_end_flag": lambda: reverse("safeguarding:end_flag", args=flagged()),
        "sg_raise_concern": lambda: reverse(
            "safeguarding:raise_concern", args=[waiting_concern()[0].pk]
        ),
        "sg_concern": lambda: reverse("safeguarding:concern", args=[waiting_concern()[1].pk]),
        "sg_escalate": lambda: reverse("safeguarding:escalate", args=[waiting_concern()[1].pk]),
        "sg_close_concern": lambda: reverse(
            "safeguarding:close_concern", args=[waiting_concern()[1].pk]
        ),
        "sg_chase": lambda: reverse("safeguarding:chase", args=[waiting_concern()[2].pk]),
        "sg_record_response": lambda: reverse(
            "safeguarding:record_response", args=[waiting_concern()[2].pk]
        ),
        "sg_prompt": lambda: reverse("safeguarding:prompt", args=[open_prompt()]),
        # Letters: coordinator_a's person at site A; the settings of site A (manager's).
        "letters_write": lambda: reverse("letters:write", args=[in_support().pk, "no_contact"]),
        "letters_letter": lambda: reverse("letters:letter", args=letter_args()),
        "letters_pdf": lambda: reverse("letters:pdf", args=letter_args()),
        "letters_settings": lambda: reverse("letters:settings"),
        "letters_template": lambda: reverse("letters:template", args=["appointment", "cy"]),
        "letters_letterhead": lambda: reverse("letters:letterhead", args=[site_a.pk]),
        # Subject access (decision 0024): a request about coordinator_a's person at site A,
        # made by its manager, and its export made.
        "sar_list": lambda: reverse("subjects:list"),
        "sar_new": lambda: reverse("subjects:new", args=[in_support().pk]),
        "sar_request": lambda: reverse("subjects:request", args=[subject_access()]),
        "sar_progress": lambda: reverse("subjects:progress", args=[subject_access()]),
        "sar_download": lambda: reverse("subjects:download", args=[subject_access(), "json"]),
        "processing": lambda: reverse("subjects:record_of_processing"),
        "processing_edit": lambda: reverse("subjects:edit_record_of_processing"),
        "processing_pdf": lambda: reverse("subjects:record_of_processing_pdf"),
        # Rectification (decision 0026): coordinator_a's person at site A, one of their
        # contacts, and a request recorded by the site's manager.
        "rect_change_details": lambda: reverse("subjects:change_details", args=[in_support().pk]),
        "rect_details_history": lambda: reverse("subjects:details_history", args=[in_support().pk]),
        "rect_correct_note": lambda: reverse("subjects:correct_contact_note", args=contact_args()),
        "rect_correct_interim": lambda: reverse(
            "subjects:correct_interim_note", args=interim_contact_args()
        ),
        "rect_new": lambda: reverse("subjects:new_rectification", args=[in_support().pk]),
        "rect_list": lambda: reverse("subjects:rectifications"),
        "rect_request": lambda: reverse("subjects:rectification", args=[rectification()]),
        # Retention (decision 0027): a dry run's report; erasure: a request about
        # coordinator_a's person at site A, recorded by its manager.
        "ret_rules": lambda: reverse("subjects:retention"),
        "ret_dry_run": lambda: reverse("subjects:retention_dry_run"),
        "ret_runs": lambda: reverse("subjects:retention_runs"),
        "ret_run": lambda: reverse(
            "subjects:retention_run", args=[retention_sweep.run(dry_run=True).pk]
        ),
        "er_list": lambda: reverse("subjects:erasure_list"),
        "er_new": lambda: reverse("subjects:erasure_new", args=[in_support().pk]),
        "er_request": lambda: reverse("subjects:erasure", args=[erasure_request()]),
        # Old addresses (linkwork/config/moved.py): the record took a referral's id at /people/.
        "old_person_record": lambda: f"/people/{in_support().pk}/",
        "old_questionnaire": lambda: "/questionnaire/not-a-link/",
    }
    return lambda page: pages[page]()


def _redirect_path(response) -> str:
    return urlsplit(response["Location"]).path


def assert_outcome(response, outcome: str, url: str) -> None:
    if outcome.isdigit():
        assert response.status_code == int(outcome), (
            f"{url}: expected {outcome}, got {response.status_code}"
        )
        return
    assert response.status_code == 302, f"{url}: expected a redirect, got {response.status_code}"
    if outcome == "reason":
        assert re.fullmatch(r"/referrals/\d+/open/", _redirect_path(response)), response["Location"]
        assert f"next={url}" in unquote(response["Location"])
        return
    expected_path = {
        "login": reverse("login"),
        "home": reverse("home"),
        "adm-login": reverse("admin:login"),
        "2fa": reverse("two_factor"),
        "form": reverse("referrals:self_referral", args=["rhondda"]),
    }[outcome]
    assert _redirect_path(response) == expected_path
    if outcome in ("login", "adm-login"):
        assert f"next={url}" in unquote(response["Location"])


@pytest.mark.parametrize(("page", "who", "outcome"), CASES, ids=[f"{p}-{u}" for p, u, _ in CASES])
def test_page_access(page, who, outcome, url_of, client, client_for, request):
    url = url_of(page)
    browser = client if who == "anonymous" else client_for(request.getfixturevalue(who))
    response = browser.get(url)
    assert_outcome(response, outcome, url)


TRIAL_PAGES = {
    f"trials:{line.split()[0]}"
    for line in TRIAL_MATRIX.strip().splitlines()[1:]
    if line.split()[0] != "records_unknown"
}

ENGAGEMENT_PAGES = {
    f"engagement:{line.split()[0]}"
    for line in ENGAGEMENT_MATRIX.strip().splitlines()[1:]
    if line.split()[0] not in ENGAGEMENT_VARIANTS
}


def test_the_matrix_covers_every_url_in_the_app():
    from django.urls import get_resolver

    def names(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                ns = f"{pattern.namespace}:" if pattern.namespace else ""
                yield from names(pattern, prefix + ns)
            elif pattern.name:
                yield prefix + pattern.name

    all_names = set(names(get_resolver()))
    app_names = {n for n in all_names if not n.startswith("admin:")}
    covered = {
        "home",
        "healthz",
        "search",
        "login",
        "account",
        "keep_alive",
        "sign_out_everywhere",
        "password_change",
        "two_factor",
        "two_factor_verify",
        "two_factor_recovery_codes",
        "two_factor_remove",
        "passkeys:add",
        "passkeys:remove",
        "passkeys:register_begin",
        "passkeys:register_complete",
        "passkeys:sign_in_begin",
        "passkeys:sign_in_complete",
        "passkeys:catalog",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "referrals:list",
        "referrals:record",
        "referrals:refer",
        "referrals:detail",
        "referrals:triage",
        "referrals:provide_information",
        "referrals:allocate",
        "referrals:interim_contact",
        "referrals:withdraw",
        "referrals:open_with_reason",
        "referrals:reasons_given",
        "referrals:waiting_list",
        "referrals:my_caseload",
        "referrals:caseloads",
        "referrals:caseload_cap",
        "referrals:pathways",
        "referrals:pathway_new",
        "referrals:pathway_edit",
        "audit:log",
        "audit:export",
        "messaging:list",
        "referrals:self_referral_sites",
        "referrals:self_referral",
        "referrals:self_referral_sent",
        "prescriptions:services",
        "prescriptions:list",
        "prescriptions:new",
        "prescriptions:detail",
        "prescriptions:update",
        "prescriptions:new_link",
        "prescriptions:revoke_link",
        "prescriptions:service_link",
        "casework:people",
        "casework:diary",
        "casework:diary_feed",
        "casework:record",
        "casework:timeline",
        "casework:what_matters",
        "casework:support_plan",
        "casework:extend_support",
        "casework:add_goal",
        "casework:goal",
        "casework:rate_goal",
        "casework:add_goal_step",
        "casework:complete_goal_step",
        "casework:end_goal",
        "casework:log_contact",
        "casework:contact_outcome",
        "casework:close",
        "casework:reopen",
        "casework:feedback",
        "casework:feedback_link",
        "casework:public_feedback",
        "casework:feedback_thanks",
        "directory:search",
        "directory:service",
        "directory:new_service",
        "directory:edit_service",
        "directory:change_availability",
        "directory:mark_checked",
        "directory:add_note",
        "directory:availability_report",
        "directory:categories",
        "directory:category_edit",
        "unmet:record",
        "unmet:needs",
        "oruk:imports",
        "oruk:import_detail",
        "oruk:import_progress",
        "oruk:root",
        "oruk:services",
        "oruk:service",
        "oruk:service_at_locations",
        "oruk:service_at_location",
        "oruk:location",
        "oruk:organizations",
        "oruk:organization",
        "oruk:taxonomies",
        "oruk:taxonomy",
        "oruk:taxonomy_terms",
        "oruk:taxonomy_term",
        "oruk:not_found",
        "outcomes:measures",
        "outcomes:record_measure",
        "outcomes:withdraw_measure",
        "outcomes:measure_link",
        "outcomes:revoke_measure_link",
        "outcomes:public_measure",
        "outcomes:measure_thanks",
        "outcomes:instruments",
        "outcomes:instrument",
        "outcomes:schedules",
        "outcomes:site_schedule",
        "safeguarding:open_escalations",
        "safeguarding:person",
        "safeguarding:raise_flag",
        "safeguarding:end_flag",
        "safeguarding:raise_concern",
        "safeguarding:concern",
        "safeguarding:escalate",
        "safeguarding:close_concern",
        "safeguarding:chase",
        "safeguarding:record_response",
        "safeguarding:prompt",
        "letters:write",
        "letters:letter",
        "letters:pdf",
        "letters:settings",
        "letters:template",
        "letters:letterhead",
        "subjects:list",
        "subjects:new",
        "subjects:request",
        "subjects:progress",
        "subjects:download",
        "subjects:record_of_processing",
        "subjects:edit_record_of_processing",
        "subjects:record_of_processing_pdf",
        "subjects:change_details",
        "subjects:details_history",
        "subjects:correct_contact_note",
        "subjects:correct_interim_note",
        "subjects:new_rectification",
        "subjects:rectifications",
        "subjects:rectification",
        "subjects:retention",
        "subjects:retention_dry_run",
        "subjects:retention_runs",
        "subjects:retention_run",
        "subjects:erasure_list",
        "subjects:erasure_new",
        "subjects:erasure",
        # Research trials: their own matrix, with the trial team's roles, in
        # tests/trials/test_permissions.py.
        *TRIAL_PAGES,
        # Reports: their own matrix, in tests/reports/test_permissions.py.
        *REPORT_PAGES,
        # Partners and engagement: their own matrix, with a second coordinator and manager at
        # each site and the trial manager, in tests/engagement/test_permissions.py.
        *ENGAGEMENT_PAGES,
        # POST-only: tested below, and the diary's in tests/casework/test_diary.py.
        "logout",
        "casework:diary_feed_start",
        "casework:diary_feed_stop",
        # tests/outcomes/test_texted_links.py:
        "casework:texts",
        "set_language",
    }
    assert app_names == covered, "a URL was added: give it a row in MATRIX"
    assert "admin:index" in all_names


def test_a_staff_superuser_reaches_the_django_admin(client_for, administrator):
    administrator.is_staff = True
    administrator.is_superuser = True
    administrator.save()
    assert client_for(administrator).get(reverse("admin:index")).status_code == 200


def test_signing_out_is_a_post_and_ends_the_session(client_for, coordinator_a):
    browser = client_for(coordinator_a)
    assert browser.get(reverse("logout")).status_code == 405
    response = browser.post(reverse("logout"))
    assert response.status_code == 302
    assert _redirect_path(response) == reverse("login")
    after = browser.get(reverse("referrals:list"))
    assert _redirect_path(after) == reverse("login")


def test_anyone_can_switch_language_without_signing_in(client):
    response = client.post(
        reverse("set_language"),
        {"language": "cy", "next": reverse("referrals:self_referral_sites")},
    )
    assert response.status_code == 302
    assert _redirect_path(response) == reverse("referrals:self_referral_sites")


# --- Break-in attempts ---------------------------------------------------------------------------


@pytest.fixture
def site_b_referral(pathway_b, gp_referrer, manager_b):
    """A referral from gp_practice to site B, on the waiting list."""
    return make_referral(S.WAITING, pathway=pathway_b, by=gp_referrer, staff=manager_b)


@pytest.fixture
def site_b_received(pathway_b, gp_referrer):
    return make_referral(S.RECEIVED, pathway=pathway_b, by=gp_referrer)


@pytest.mark.parametrize("page", ["detail", "interim_contact"])
def test_coordinator_at_site_a_cannot_open_a_site_b_referral(
    page, client_for, coordinator_a, site_b_referral
):
    url = reverse(f"referrals:{page}", args=[site_b_referral.pk])
    assert client_for(coordinator_a).get(url).status_code == 404


@pytest.mark.parametrize(
    ("page", "fixture"),
    [
        ("triage", "site_b_received"),
        ("allocate", "site_b_referral"),
        ("withdraw", "site_b_referral"),
    ],
)
def test_manager_of_site_a_cannot_act_on_a_site_b_referral(
    page, fixture, client_for, manager, request
):
    referral = request.getfixturevalue(fixture)
    url = reverse(f"referrals:{page}", args=[referral.pk])
    assert client_for(manager).get(url).status_code == 404


def test_manager_of_both_sites_can_act_on_either(
    client_for, manager_both, site_b_received, pathway_a, gp_referrer
):
    site_a_received = make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer)
    browser = client_for(manager_both)
    for referral in (site_a_received, site_b_received):
        assert browser.get(reverse("referrals:triage", args=[referral.pk])).status_code == 200


@pytest.mark.parametrize("page", ["detail", "provide_information"])
def test_referrer_cannot_open_another_practices_referral(
    page, client_for, gp_referrer, other_referrer, pathway_a
):
    theirs = make_referral(S.INFORMATION_REQUESTED, pathway=pathway_a, by=other_referrer)
    url = reverse(f"referrals:{page}", args=[theirs.pk])
    assert client_for(gp_referrer).get(url).status_code == 404
    # ...while the practice that sent it can.
    assert client_for(other_referrer).get(url).status_code == 200


def test_a_colleague_at_the_same_practice_sees_the_practices_referrals(
    client_for, gp_referrer, gp_practice, pathway_a
):
    from tests.factories import ReferrerFactory

    colleague = ReferrerFactory(organisation=gp_practice)
    referral = make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer)
    response = client_for(colleague).get(reverse("referrals:detail", args=[referral.pk]))
    assert response.status_code == 200


def test_referrer_may_view_their_referral_but_not_triage_allocate_or_withdraw_it(
    client_for, gp_referrer, pathway_a
):
    received = make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer)
    waiting = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)
    browser = client_for(gp_referrer)
    assert browser.get(reverse("referrals:detail", args=[received.pk])).status_code == 200
    # In scope for viewing, out of scope for the action: `require` answers 404 for an object.
    assert browser.get(reverse("referrals:triage", args=[received.pk])).status_code == 404
    assert browser.get(reverse("referrals:allocate", args=[waiting.pk])).status_code == 404
    assert browser.get(reverse("referrals:withdraw", args=[waiting.pk])).status_code == 404
    assert browser.get(reverse("referrals:interim_contact", args=[waiting.pk])).status_code == 404


def test_a_referral_that_does_not_exist_is_404_for_staff(client_for, manager):
    assert client_for(manager).get(reverse("referrals:detail", args=[999999])).status_code == 404


def test_researcher_cannot_see_any_referral(
    client_for, researcher, pathway_a, pathway_b, gp_referrer
):
    referrals = [
        make_referral(status, pathway=pathway, by=gp_referrer)
        for pathway in (pathway_a, pathway_b)
        for status in (S.RECEIVED, S.WAITING, S.DECLINED)
    ]
    browser = client_for(researcher)
    assert browser.get(reverse("referrals:list")).status_code == 403
    assert browser.get(reverse("referrals:waiting_list")).status_code == 403
    home = browser.get(reverse("home"))
    assert home.status_code == 200
    for referral in referrals:
        assert browser.get(reverse("referrals:detail", args=[referral.pk])).status_code == 404
        assert referral.person.full_name not in home.content.decode()
    # Nothing but the refusals, one for each referral asked for.
    assert sorted(
        AuditEvent.objects.filter(user=researcher).values_list("action", "object_id")
    ) == sorted((AuditAction.REFUSED, str(referral.pk)) for referral in referrals)


def test_outsider_coordinator_sees_no_one_on_the_pages_they_may_open(
    client_for, outsider, pathway_a, gp_referrer
):
    referral = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)
    browser = client_for(outsider)
    for name in ("home", "referrals:list", "referrals:waiting_list", "referrals:my_caseload"):
        response = browser.get(reverse(name))
        assert response.status_code == 200
        assert referral.person.full_name not in response.content.decode()
        assert referral.reference not in response.content.decode()


def test_lists_show_only_referrals_in_scope(
    client_for, coordinator_a, manager_both, gp_referrer, other_referrer, pathway_a, pathway_b
):
    ours_at_a = make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer)
    ours_at_b = make_referral(S.RECEIVED, pathway=pathway_b, by=gp_referrer)
    theirs_at_a = make_referral(S.RECEIVED, pathway=pathway_a, by=other_referrer)

    def listed(user):
        response = client_for(user).get(reverse("referrals:list"))
        assert response.status_code == 200
        return {r.pk for r in response.context["page"].object_list}

    assert listed(coordinator_a) == {ours_at_a.pk, theirs_at_a.pk}
    assert listed(manager_both) == {ours_at_a.pk, ours_at_b.pk, theirs_at_a.pk}
    assert listed(gp_referrer) == {ours_at_a.pk, ours_at_b.pk}
    assert listed(other_referrer) == {theirs_at_a.pk}


def test_waiting_list_shows_only_the_users_sites(
    client_for, coordinator_a, pathway_a, pathway_b, gp_referrer
):
    at_a = make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer)
    at_b = make_referral(S.WAITING, pathway=pathway_b, by=gp_referrer)
    response = client_for(coordinator_a).get(reverse("referrals:waiting_list"))
    content = response.content.decode()
    assert at_a.person.full_name in content
    assert at_b.person.full_name not in content


def test_manager_cannot_edit_another_sites_pathway(client_for, manager, pathway_b):
    url = reverse("referrals:pathway_edit", args=[pathway_b.pk])
    assert client_for(manager).get(url).status_code == 404


# --- What a referrer is shown -------------------------------------------------------------------

INTERNAL_NOTE = "Internal: spoke to the practice nurse about her housing"
KNOWN_RISK = "History of self-harm; lives with a controlling partner"
DECLINE_NOTE = "Internal: declined because the CMHT already holds her case"


def test_referrer_detail_page_leaves_out_internal_notes_risks_and_staff_names(
    client_for, gp_referrer, manager, coordinator_a, pathway_a
):
    from linkwork.referrals import actions

    allocated = make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer, known_risks=KNOWN_RISK)
    actions.accept_referral(
        allocated, by=manager, priority="urgent", note=INTERNAL_NOTE, message="Accepted."
    )
    actions.allocate_referral(allocated, coordinator=coordinator_a, by=manager, note=INTERNAL_NOTE)
    declined = make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer)
    actions.decline_referral(
        declined,
        by=manager,
        reason=DeclineReason.SUPPORTED_ELSEWHERE,
        note=DECLINE_NOTE,
        message="She is already supported by the CMHT.",
    )

    browser = client_for(gp_referrer)
    for referral in (allocated, declined):
        response = browser.get(reverse("referrals:detail", args=[referral.pk]))
        assert response.status_code == 200
        assert [t.name for t in response.templates][0] == "referrals/detail_for_referrer.html"
        content = response.content.decode()
        for secret in (INTERNAL_NOTE, KNOWN_RISK, DECLINE_NOTE):
            assert secret not in content
        for name in (coordinator_a.get_full_name(), manager.get_full_name()):
            assert name not in content
        assert referral.person.nhs_number not in content
        assert referral.person.phone not in content

    declined_page = browser.get(reverse("referrals:detail", args=[declined.pk])).content.decode()
    # What the service chose to tell the referrer is there (consent was given).
    assert "She is already supported by the CMHT." in declined_page
    assert str(DeclineReason.SUPPORTED_ELSEWHERE.label) in declined_page


def test_without_consent_the_referrer_sees_no_messages_except_requests_for_information(
    client_for, gp_referrer, manager, pathway_a
):
    from linkwork.referrals import actions

    referral = make_referral(
        S.RECEIVED, pathway=pathway_a, by=gp_referrer, consent_to_share_feedback=False
    )
    actions.request_information(referral, by=manager, request="What is her phone number?")
    actions.provide_information(referral, by=gp_referrer, response="07700 900123")
    actions.accept_referral(
        referral,
        by=manager,
        priority="routine",
        note="Team only: lives with her sister.",
        message="She starts with Gareth on Monday.",
    )

    response = client_for(gp_referrer).get(reverse("referrals:detail", args=[referral.pk]))
    content = response.content.decode()
    assert "What is her phone number?" in content
    assert "She starts with Gareth on Monday." not in content
    assert "lives with her sister" not in content
    # Each step of the pathway is still shown, with its date.
    steps = [change.to_status for change in response.context["history"]]
    assert steps == [S.RECEIVED, S.INFORMATION_REQUESTED, S.RECEIVED, S.ACCEPTED, S.WAITING]
    assert "Accepted" in content


def test_with_consent_the_referrer_sees_the_services_messages(
    client_for, gp_referrer, manager, pathway_a
):
    from linkwork.referrals import actions

    referral = make_referral(
        S.RECEIVED, pathway=pathway_a, by=gp_referrer, consent_to_share_feedback=True
    )
    actions.accept_referral(
        referral, by=manager, priority="routine", message="She starts with Gareth on Monday."
    )
    content = client_for(gp_referrer).get(reverse("referrals:detail", args=[referral.pk]))
    assert "She starts with Gareth on Monday." in content.content.decode()


# --- POSTs by the wrong person change nothing --------------------------------------------------


def _snapshot() -> dict:
    return {
        "referrals": sorted(
            Referral.objects.values_list(
                "pk", "status", "priority", "decline_reason", "information_requested"
            )
        ),
        "status_changes": StatusChange.objects.count(),
        "allocations": sorted(Allocation.objects.values_list("pk", "coordinator_id", "ended_at")),
        "interim_contacts": InterimContact.objects.count(),
        "pathways": sorted(
            Pathway.objects.values_list("pk", "site_id", "name", "closes_on", "minimum_age")
        ),
        "people": Person.objects.count(),
        # A refused attempt is itself recorded (`audit.refusals`); nothing else may be.
        "audit_events": AuditEvent.objects.exclude(action=AuditAction.REFUSED).count(),
    }


@pytest.fixture
def scene(pathway_a, pathway_b, gp_referrer, manager, manager_b, coordinator_a, site_a, site_b):
    return {
        "received_a": make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer, staff=manager),
        "info_a": make_referral(
            S.INFORMATION_REQUESTED, pathway=pathway_a, by=gp_referrer, staff=manager
        ),
        "waiting_a": make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer, staff=manager),
        "waiting_b": make_referral(S.WAITING, pathway=pathway_b, by=gp_referrer, staff=manager_b),
        "pathway_a": pathway_a,
        "pathway_b": pathway_b,
        "site_a": site_a,
        "site_b": site_b,
    }


def _referral_form(scene, **extra):
    data = {
        "pathway": scene["pathway_a"].pk,
        "given_name": "Intruder",
        "family_name": "Example",
        "date_of_birth_day": "1",
        "date_of_birth_month": "2",
        "date_of_birth_year": "1980",
        "phone": "07700 900999",
        "preferred_language": "en",
        "needs": ["loneliness"],
        "frequent_attender": "no",
        "consent_to_referral": "on",
        "received_via": "phone",
        "received_on_day": "1",
        "received_on_month": "1",
        "received_on_year": "2025",
    }
    data.update(extra)
    return data


def _pathway_form(scene, site, **extra):
    data = {
        "site": scene[site].pk,
        "name": "Hijacked pathway",
        "source_type": "gp_practice",
        "opens_on_day": "1",
        "opens_on_month": "1",
        "opens_on_year": "2024",
        "closes_on_day": "2",
        "closes_on_month": "1",
        "closes_on_year": "2024",
        "minimum_age": "16",
    }
    data.update(extra)
    return data


ACCEPT = {"decision": "accept", "priority": "urgent", "message": "Accepted"}
DECLINE = {"decision": "decline", "decline_reason": "outside_criteria"}
INTERIM = {
    "contact_date_day": "1",
    "contact_date_month": "1",
    "contact_date_year": "2025",
    "mode": "telephone",
    "note": "Called",
}
WITHDRAW = {"reason": "moved_away"}

# who, page, referral or pathway in `scene` (or None), data, expected status
WRONG_POSTS = [
    ("anonymous", "triage", "received_a", ACCEPT, 302),
    ("coordinator_a", "triage", "received_a", ACCEPT, 404),
    ("gp_referrer", "triage", "received_a", ACCEPT, 404),
    ("manager_b", "triage", "received_a", DECLINE, 404),
    ("outsider", "triage", "received_a", ACCEPT, 404),
    ("researcher", "triage", "received_a", ACCEPT, 404),
    ("administrator", "triage", "received_a", ACCEPT, 404),
    ("gp_referrer", "allocate", "waiting_a", {"coordinator": "coordinator_a"}, 404),
    ("coordinator_a", "allocate", "waiting_a", {"coordinator": "coordinator_a"}, 404),
    ("manager", "allocate", "waiting_b", {"coordinator": "coordinator_a"}, 404),
    ("researcher", "allocate", "waiting_a", {"coordinator": "coordinator_a"}, 404),
    ("other_referrer", "provide_information", "info_a", {"response": "Hijack"}, 404),
    ("manager", "provide_information", "info_a", {"response": "On their behalf"}, 404),
    ("coordinator_a", "provide_information", "info_a", {"response": "On their behalf"}, 404),
    ("gp_referrer", "interim_contact", "waiting_a", INTERIM, 404),
    ("coordinator_b", "interim_contact", "waiting_a", INTERIM, 404),
    ("coordinator_a", "interim_contact", "waiting_b", INTERIM, 404),
    ("coordinator_a", "withdraw", "waiting_a", WITHDRAW, 404),
    ("gp_referrer", "withdraw", "waiting_a", WITHDRAW, 404),
    ("manager", "withdraw", "waiting_b", WITHDRAW, 404),
    ("researcher", "refer", None, "referral_form", 403),
    ("coordinator_a", "refer", None, "referral_form", 403),
    ("gp_referrer", "record", None, "referral_form", 403),
    ("researcher", "record", None, "referral_form", 403),
    ("administrator", "record", None, "referral_form", 403),
    ("gp_referrer", "pathway_new", None, "pathway_form_a", 403),
    ("coordinator_a", "pathway_new", None, "pathway_form_a", 403),
    ("researcher", "pathway_new", None, "pathway_form_a", 403),
    ("coordinator_a", "pathway_edit", "pathway_a", "pathway_form_a", 403),
    ("manager", "pathway_edit", "pathway_b", "pathway_form_b", 404),
    ("manager_b", "pathway_edit", "pathway_a", "pathway_form_a", 404),
    # A manager may create pathways, but only at their own sites: the form refuses site B.
    ("manager", "pathway_new", None, "pathway_form_b", 200),
]


@pytest.mark.parametrize(
    ("who", "page", "target", "data", "expected"),
    WRONG_POSTS,
    ids=[f"{w}-{p}-{t}" for w, p, t, _d, _e in WRONG_POSTS],
)
def test_posts_by_the_wrong_person_change_nothing(
    who, page, target, data, expected, scene, client, client_for, request
):
    if data == "referral_form":
        data = _referral_form(scene)
    elif data == "pathway_form_a":
        data = _pathway_form(scene, "site_a")
    elif data == "pathway_form_b":
        data = _pathway_form(scene, "site_b")
    elif "coordinator" in data:
        data = {**data, "coordinator": request.getfixturevalue(data["coordinator"]).pk}
    browser = client if who == "anonymous" else client_for(request.getfixturevalue(who))
    args = [scene[target].pk] if target else []
    before = _snapshot()

    response = browser.post(reverse(f"referrals:{page}", args=args), data)

    assert response.status_code == expected
    if expected == 302:
        assert _redirect_path(response) == reverse("login")
    if expected == 200:
        assert response.context["form"].errors
    assert _snapshot() == before


def test_the_wrong_posts_would_have_worked_for_the_right_person(
    scene, client_for, manager, request
):
    """Guards the test above: the same data, posted by someone allowed, does change things."""
    coordinator_a = request.getfixturevalue("coordinator_a")
    response = client_for(coordinator_a).post(
        reverse("referrals:interim_contact", args=[scene["waiting_a"].pk]), INTERIM
    )
    assert response.status_code == 302
    assert InterimContact.objects.filter(referral=scene["waiting_a"]).count() == 1

    browser = client_for(manager)
    received = scene["received_a"]
    response = browser.post(reverse("referrals:triage", args=[received.pk]), ACCEPT)
    assert response.status_code == 302
    received.refresh_from_db()
    assert received.status == S.WAITING

    waiting = scene["waiting_a"]
    response = browser.post(
        reverse("referrals:allocate", args=[waiting.pk]), {"coordinator": coordinator_a.pk}
    )
    assert response.status_code == 302
    assert Allocation.objects.filter(referral=waiting, coordinator=coordinator_a).exists()

    response = browser.post(reverse("referrals:pathway_new"), _pathway_form(scene, "site_a"))
    assert response.status_code == 302
    assert Pathway.objects.filter(name="Hijacked pathway", site=scene["site_a"]).exists()

    info = scene["info_a"]
    response = client_for(request.getfixturevalue("gp_referrer")).post(
        reverse("referrals:provide_information", args=[info.pk]), {"response": "Her number"}
    )
    assert response.status_code == 302
    info.refresh_from_db()
    assert info.status == S.RECEIVED


def test_a_404_for_someone_out_of_scope_leaves_no_view_in_the_audit_log(
    client_for, coordinator_b, scene
):
    client_for(coordinator_b).get(reverse("referrals:detail", args=[scene["received_a"].pk]))
    assert not AuditEvent.objects.filter(user=coordinator_b, action=AuditAction.VIEW).exists()

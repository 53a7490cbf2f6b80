"""Every app answers under its own prefix (decision 0011), so a URL says which part of the
service answers it, and addresses pages had before still lead to them."""

import pytest
from django.urls import URLResolver, get_resolver, resolve, reverse

from linkwork.config import moved

# Each app with pages, and the prefix (or, for ORUK, the two) its pages sit under.
PREFIXES = {
    "referrals": ("referrals/",),
    "casework": ("casework/",),
    "prescriptions": ("prescriptions/",),
    "outcomes": ("measures/",),
    "safeguarding": ("safeguarding/",),
    "messaging": ("messages/",),
    "directory": ("directory/",),
    "unmet": ("unmet-needs/",),
    "audit": ("audit/",),
    "trials": ("trials/",),
    "reports": ("reports/",),
    "engagement": ("partners/",),
    "letters": ("letters/",),
    "subjects": ("data-protection/",),
    # Passkeys (decision 0025): one's own, and the API the library's script calls.
    "passkeys": ("account/passkeys/",),
    # Documented exception (decisions 0008, 0011): the imports pages sit in the directory's
    # pages, and the published API keeps the address other services call.
    "oruk": ("directory/imports/", "api/oruk/"),
}

# Outside any app: the site root, signing in and out, health check, language switch.
SITE_WIDE = {
    "home",
    "search",
    "healthz",
    "login",
    "logout",
    "set_language",
    "account",
    "sign_out_everywhere",
    "keep_alive",
    "password_change",
    "two_factor",
    "two_factor_verify",
    "two_factor_recovery_codes",
    "two_factor_remove",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


def _leaves(patterns, prefix=""):
    """(full route, the pattern) for every page under `patterns`."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern).removeprefix("^")
        if isinstance(pattern, URLResolver):
            yield from _leaves(pattern.url_patterns, route)
        else:
            yield route, pattern


def _top_level():
    return get_resolver().url_patterns


def _mounted_apps():
    return [p for p in _top_level() if isinstance(p, URLResolver) and p.app_name != "admin"]


def test_each_app_is_mounted_once():
    names = [resolver.app_name for resolver in _mounted_apps()]
    assert sorted(names) == sorted(PREFIXES), "give a new app its own prefix in PREFIXES"


@pytest.mark.parametrize("app", sorted(PREFIXES))
def test_every_page_of_an_app_is_under_its_own_prefix(app):
    (resolver,) = [r for r in _mounted_apps() if r.app_name == app]
    mounted_at = str(resolver.pattern)
    if app != "oruk":
        assert (mounted_at,) == PREFIXES[app], f"{app} is mounted at /{mounted_at}"
    routes = [route for route, _ in _leaves(resolver.url_patterns, mounted_at)]
    assert routes
    outside = [r for r in routes if not r.startswith(PREFIXES[app])]
    assert not outside, f"{app} has pages outside {PREFIXES[app]}: {outside}"


def test_no_app_answers_under_another_apps_prefix():
    owners = {prefix: app for app, prefixes in PREFIXES.items() for prefix in prefixes}
    for resolver in _mounted_apps():
        for route, _ in _leaves(resolver.url_patterns, str(resolver.pattern)):
            # The longest prefix the route starts with is the app that should answer it.
            longest = max((p for p in owners if route.startswith(p)), key=len)
            assert owners[longest] == resolver.app_name, f"/{route} is under {owners[longest]}"


def test_nothing_else_is_mounted_at_the_top():
    """Pages outside the apps: the site-wide few, Django admin, and the old addresses."""
    others = [p for p in _top_level() if not isinstance(p, URLResolver)]
    named = {p.name for p in others if p.name}
    assert named == SITE_WIDE
    unnamed = [p for p in others if not p.name]
    assert unnamed == moved.urlpatterns
    included = {p.app_name for p in _top_level() if isinstance(p, URLResolver)}
    assert included - set(PREFIXES) == {"admin"}


def test_old_addresses_come_last_so_they_never_hide_a_page():
    top = _top_level()
    assert top[-len(moved.urlpatterns) :] == moved.urlpatterns


# --- The old addresses --------------------------------------------------------------------------
#
# Every address a page had before it moved, with made-up ids, and the page it leads to now.

OLD = [
    ("/refer/", "referrals:refer", {}),
    ("/waiting-list/", "referrals:waiting_list", {}),
    ("/caseload/", "referrals:my_caseload", {}),
    ("/caseloads/", "referrals:caseloads", {}),
    ("/caseloads/7/cap/", "referrals:caseload_cap", {"pk": 7}),
    ("/settings/pathways/", "referrals:pathways", {}),
    ("/settings/pathways/new/", "referrals:pathway_new", {}),
    ("/settings/pathways/3/", "referrals:pathway_edit", {"pk": 3}),
    ("/self-referral/", "referrals:self_referral_sites", {}),
    ("/self-referral/rhondda/", "referrals:self_referral", {"site": "rhondda"}),
    ("/self-referral/rhondda/sent/", "referrals:self_referral_sent", {"site": "rhondda"}),
    ("/people/", "casework:people", {}),
    ("/people/12/", "casework:record", {"pk": 12}),
    ("/people/12/what-matters/", "casework:what_matters", {"pk": 12}),
    ("/people/12/plan/", "casework:support_plan", {"pk": 12}),
    ("/people/12/plan/extend/", "casework:extend_support", {"pk": 12}),
    ("/people/12/goals/new/", "casework:add_goal", {"pk": 12}),
    ("/people/12/goals/4/", "casework:goal", {"pk": 12, "goal_pk": 4}),
    ("/people/12/goals/4/rate/", "casework:rate_goal", {"pk": 12, "goal_pk": 4}),
    ("/people/12/goals/4/steps/", "casework:add_goal_step", {"pk": 12, "goal_pk": 4}),
    (
        "/people/12/goals/4/steps/5/done/",
        "casework:complete_goal_step",
        {"pk": 12, "goal_pk": 4, "step_pk": 5},
    ),
    ("/people/12/goals/4/end/", "casework:end_goal", {"pk": 12, "goal_pk": 4}),
    ("/people/12/contacts/new/", "casework:log_contact", {"pk": 12}),
    ("/people/12/contacts/6/outcome/", "casework:contact_outcome", {"pk": 12, "contact_pk": 6}),
    ("/people/12/close/", "casework:close", {"pk": 12}),
    ("/people/12/reopen/", "casework:reopen", {"pk": 12}),
    ("/people/12/feedback/", "casework:feedback", {"pk": 12}),
    ("/people/12/feedback/link/", "casework:feedback_link", {"pk": 12}),
    ("/feedback/thank-you/", "casework:feedback_thanks", {}),
    ("/feedback/AbC-1:xyz_9/", "casework:public_feedback", {"signed": "AbC-1:xyz_9"}),
    ("/people/12/measures/", "outcomes:measures", {"pk": 12}),
    ("/people/12/measures/new/", "outcomes:record_measure", {"pk": 12}),
    ("/people/12/measures/8/withdraw/", "outcomes:withdraw_measure", {"pk": 12, "measure_pk": 8}),
    ("/people/12/measures/link/", "outcomes:measure_link", {"pk": 12}),
    (
        "/people/12/measures/links/9/withdraw/",
        "outcomes:revoke_measure_link",
        {"pk": 12, "link_pk": 9},
    ),
    ("/questionnaire/thank-you/", "outcomes:measure_thanks", {}),
    ("/questionnaire/AbC-1:xyz_9/", "outcomes:public_measure", {"signed": "AbC-1:xyz_9"}),
    ("/settings/instruments/", "outcomes:instruments", {}),
    ("/settings/instruments/swemwbs/", "outcomes:instrument", {"code": "swemwbs"}),
    ("/settings/measures/", "outcomes:schedules", {}),
    ("/settings/measures/2/", "outcomes:site_schedule", {"site_pk": 2}),
    ("/social-prescriptions/services/", "prescriptions:services", {}),
    ("/referrals/12/social-prescriptions/", "prescriptions:list", {"pk": 12}),
    ("/referrals/12/social-prescriptions/new/", "prescriptions:new", {"pk": 12}),
    (
        "/referrals/12/social-prescriptions/5/",
        "prescriptions:detail",
        {"pk": 12, "prescription": 5},
    ),
    (
        "/referrals/12/social-prescriptions/5/update/",
        "prescriptions:update",
        {"pk": 12, "prescription": 5},
    ),
    (
        "/referrals/12/social-prescriptions/5/new-link/",
        "prescriptions:new_link",
        {"pk": 12, "prescription": 5},
    ),
    (
        "/referrals/12/social-prescriptions/5/links/3/withdraw/",
        "prescriptions:revoke_link",
        {"pk": 12, "prescription": 5, "link": 3},
    ),
    ("/service-links/AbC-1:xyz_9/", "prescriptions:service_link", {"signed": "AbC-1:xyz_9"}),
    ("/subject-access/", "subjects:list", {}),
    ("/subject-access/referrals/12/new/", "subjects:new", {"referral_pk": 12}),
    ("/subject-access/8/", "subjects:request", {"pk": 8}),
    ("/subject-access/8/progress/", "subjects:progress", {"pk": 8}),
    ("/subject-access/8/pdf/", "subjects:download", {"pk": 8, "fmt": "pdf"}),
]


@pytest.mark.parametrize(("old", "name", "kwargs"), OLD, ids=[o for o, _, _ in OLD])
def test_an_old_address_redirects_for_good_to_the_page_it_was(client, old, name, kwargs):
    """Anyone, signed in or not: the page then checks who may see it."""
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == reverse(name, kwargs=kwargs)
    match = resolve(response["Location"])
    assert (match.view_name, match.kwargs) == (name, kwargs)


# Pages whose address did not change: one referral's pages were already under /referrals/.
UNCHANGED = {
    "referrals:list",
    "referrals:record",
    "referrals:detail",
    "referrals:triage",
    "referrals:provide_information",
    "referrals:allocate",
    "referrals:interim_contact",
    "referrals:withdraw",
}
# Pages added since the move, which never had another address.
ADDED_SINCE = {
    "casework:timeline",
    "casework:diary",
    "casework:diary_feed",
    "casework:diary_feed_start",
    "casework:diary_feed_stop",
    "casework:texts",
    "referrals:open_with_reason",
    "referrals:reasons_given",
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
}


def test_every_page_that_moved_keeps_its_old_address():
    names = {
        f"{resolver.app_name}:{pattern.name}"
        for resolver in _mounted_apps()
        if resolver.app_name in ("referrals", "casework", "outcomes", "prescriptions", "subjects")
        for _, pattern in _leaves(resolver.url_patterns)
    }
    assert names - UNCHANGED - ADDED_SINCE == {name for _, name, _ in OLD}


def test_the_query_string_comes_along(client):
    response = client.get("/waiting-list/?site=2&page=3")
    assert response["Location"] == reverse("referrals:waiting_list") + "?site=2&page=3"


def test_a_form_posted_to_an_old_address_is_sent_on_to_the_new_one(client):
    """308, not 301: the browser posts it again (a form left open when the address moved)."""
    response = client.post("/people/12/contacts/new/", {"mode": "telephone"})
    assert response.status_code == 308
    assert response["Location"] == reverse("casework:log_contact", args=[12])


def test_an_emailed_link_from_before_still_opens_the_questionnaire(client):
    response = client.get("/questionnaire/not-a-link/", follow=True)
    assert response.redirect_chain == [
        (reverse("outcomes:public_measure", args=["not-a-link"]), 301)
    ]
    assert response.status_code == 410  # refused as a bad link, by the page itself


@pytest.mark.django_db
def test_a_coordinators_bookmark_of_a_record_leads_through_sign_in_to_the_record(client):
    response = client.get("/people/12/", follow=True)
    record = reverse("casework:record", args=[12])
    assert response.redirect_chain == [
        (record, 301),
        (reverse("login") + "?next=" + record, 302),
    ]


def test_an_old_address_that_never_was_a_page_is_still_not_found(client):
    response = client.get("/people/12/nothing-here/", follow=True)
    assert response.status_code == 404


def test_an_old_address_never_leads_off_the_site(client):
    response = client.get("/feedback//evil.example/")
    assert response["Location"].startswith("/casework/feedback/")


def test_the_new_addresses_read_as_the_part_of_the_service_that_answers():
    assert reverse("casework:record", args=[12]) == "/casework/referrals/12/"
    assert reverse("outcomes:measures", args=[12]) == "/measures/referrals/12/"
    assert reverse("prescriptions:list", args=[12]) == "/prescriptions/referrals/12/"
    assert reverse("safeguarding:person", args=[12]) == "/safeguarding/referrals/12/"
    assert reverse("referrals:detail", args=[12]) == "/referrals/12/"
    assert reverse("letters:letter", args=[12, 3]) == "/letters/referrals/12/3/"

"""Who may open which trial page, and every way we could think of to get at a trial or a
participant from outside.

The trial team (a trial manager and a researcher on the trial) see the trial, its diagram, its
analysis and pseudonyms; staff at the trial's sites see it and enrol the people at their sites;
staff at other sites, researchers not on the team, referrers and administrators see nothing.
A trial or a person outside the user's scope answers 404; a page a role may never use, 403.
"""

from urllib.parse import unquote, urlsplit

import pytest
from django.urls import reverse

from linkwork.accounts.models import Role
from linkwork.trials import actions
from linkwork.trials.models import ParticipantStatus
from tests.factories import ResearcherFactory, UserFactory
from tests.trials.conftest import enrol, spec

pytestmark = pytest.mark.django_db
S = ParticipantStatus

# login: 302 to sign in.  302: the page sends them on (to the person's trial page, say).
MATRIX = """
page                 anon   tm     research other_r coord_a manager mgr_b  gp_ref admin  other_tm
list                 login  200    200      200     200     200     200    403    403    200
new                  login  200    403      403     403     403     403    403    403    200
detail               login  200    200      404     200     200     404    404    404    404
open                 login  200    404      404     404     404     404    404    404    404
change_set_up        login  200    404      404     404     404     404    404    404    404
close                login  200    404      404     404     404     404    404    404    404
new_document         login  200    404      404     404     404     404    404    404    404
team                 login  200    404      404     404     404     404    404    404    404
remove_member        login  405    405      405     405     405     405    405    405    405
consort              login  200    200      404     200     200     404    404    404    404
records              login  200    200      404     200     200     404    404    404    404
records_unknown      login  404    404      404     404     404     404    404    404    404
analysis             login  200    200      404     404     404     404    404    404    404
attendance           login  200    200      404     200     200     404    404    404    404
offer                login  404    404      404     200     200     404    404    404    404
participant          login  404    404      404     200     200     404    404    404    404
consent              login  404    404      404     200     200     404    404    404    404
decline              login  404    404      404     200     200     404    404    404    404
baseline             login  404    404      404     200     200     404    404    404    404
randomise            login  404    404      404     200     200     404    404    404    404
allocation           login  404    404      404     302     302     404    404    404    404
add_note             login  404    404      404     200     200     404    404    404    404
early_start          login  404    404      404     404     200     404    404    404    404
release              login  404    404      404     404     200     404    404    404    404
withdraw             login  404    404      404     200     200     404    404    404    404
record_attendance    login  404    404      404     200     200     404    404    404    404
exports              login  200    200      404     404     404     404    404    404    404
export               login  200    200      404     404     404     404    404    404    404
export_progress      login  200    200      404     404     404     404    404    404    404
export_download      login  200    200      404     404     404     404    404    404    404
record_measure       login  404    404      404     302     302     404    404    404    404
measures_due         login  403    403      403     200     200     200    403    403    403
"""

WHO = {
    "anon": "anonymous",
    "tm": "trial_manager",
    "research": "researcher",
    "other_r": "other_researcher",
    "coord_a": "coordinator_a",
    "manager": "manager",
    "mgr_b": "manager_b",
    "gp_ref": "gp_referrer",
    "admin": "administrator",
    "other_tm": "other_trial_manager",
}


def _parse(table):
    lines = [line.split() for line in table.strip().splitlines()]
    users, rows = lines[0][1:], lines[1:]
    for page, *expected in rows:
        assert len(expected) == len(users), page
        yield from ((page, WHO[u], outcome) for u, outcome in zip(users, expected, strict=True))


CASES = list(_parse(MATRIX))


@pytest.fixture
def other_researcher(db):
    return ResearcherFactory(username="other_researcher")


@pytest.fixture
def other_trial_manager(db):
    return UserFactory(role=Role.TRIAL_MANAGER, username="other_trial_manager")


@pytest.fixture
def url_of(trial, waiting_at_a, coordinator_a, trial_manager, researcher, site_a, pathway_a):
    def participant(until):
        return enrol(trial, waiting_at_a(), coordinator_a, until=until, baseline=True).pk

    def waitlisted():
        while True:
            p = enrol(trial, waiting_at_a(), coordinator_a, until=S.RANDOMISED)
            if p.arm.delay_days:
                return p.pk

    def draft():
        return actions.create_trial(spec([site_a], [pathway_a]), by=trial_manager).pk

    def closed_with_someone_randomised():
        pk = participant(S.RANDOMISED)
        actions.close_trial(
            trial, by=trial_manager, closed_on=trial.starts_on.today(), reason="COVID-19"
        )
        return pk

    def consented_without_baseline():
        return enrol(trial, waiting_at_a(), coordinator_a, baseline=False).pk

    def export():
        from linkwork.trials import export as made
        from linkwork.trials.exports import request_export

        pk = request_export(trial, by=trial_manager, fmt="csv").pk
        made.make(pk)  # as the worker would, once the request's transaction committed
        return [t, pk]

    t = trial.pk
    pages = {
        "list": lambda: reverse("trials:list"),
        "new": lambda: reverse("trials:new"),
        "detail": lambda: reverse("trials:detail", args=[t]),
        "open": lambda: reverse("trials:open", args=[draft()]),
        "change_set_up": lambda: reverse("trials:change_set_up", args=[draft()]),
        "close": lambda: reverse("trials:close", args=[t]),
        "new_document": lambda: reverse("trials:new_document", args=[t]),
        "team": lambda: reverse("trials:team", args=[t]),
        "remove_member": lambda: reverse("trials:remove_member", args=[t, researcher.pk]),
        "consort": lambda: reverse("trials:consort", args=[t]),
        "records": lambda: reverse("trials:records", args=[t]) + "?group=assessed",
        "records_unknown": lambda: reverse("trials:records", args=[t]) + "?group=nonsense",
        "analysis": lambda: reverse("trials:analysis", args=[t]),
        "attendance": lambda: reverse("trials:attendance", args=[t]),
        "offer": lambda: reverse("trials:offer", args=[waiting_at_a().pk, t]),
        "participant": lambda: reverse("trials:participant", args=[participant(S.ELIGIBLE)]),
        "measures_due": lambda: reverse("trials:measures_due"),
        "consent": lambda: reverse("trials:consent", args=[participant(S.ELIGIBLE)]),
        "decline": lambda: reverse("trials:decline", args=[participant(S.ELIGIBLE)]),
        "baseline": lambda: reverse("trials:baseline", args=[consented_without_baseline(), "gad7"]),
        "randomise": lambda: reverse("trials:randomise", args=[participant(S.CONSENTED)]),
        "allocation": lambda: reverse("trials:allocation", args=[participant(S.RANDOMISED)]),
        "add_note": lambda: reverse("trials:add_note", args=[participant(S.RANDOMISED)]),
        "early_start": lambda: reverse("trials:early_start", args=[waitlisted()]),
        "release": lambda: reverse("trials:release", args=[closed_with_someone_randomised()]),
        "withdraw": lambda: reverse("trials:withdraw", args=[participant(S.RANDOMISED)]),
        "record_attendance": lambda: reverse(
            "trials:record_attendance", args=[participant(S.RANDOMISED)]
        ),
        "exports": lambda: reverse("trials:exports", args=[t]),
        "export": lambda: reverse("trials:export", args=export()),
        "export_progress": lambda: reverse("trials:export_progress", args=export()),
        "export_download": lambda: reverse("trials:export_download", args=export()),
        # Not due yet on the day of randomisation: staff at the site are sent to the trial page.
        "record_measure": lambda: reverse("trials:record_measure", args=[waitlisted(), 4, "gad7"]),
    }
    return lambda page: pages[page]()


@pytest.mark.parametrize(("page", "who", "outcome"), CASES, ids=[f"{p}-{u}" for p, u, _ in CASES])
def test_trial_page_access(page, who, outcome, url_of, client, client_for, request):
    url = url_of(page)
    browser = client if who == "anonymous" else client_for(request.getfixturevalue(who))
    response = browser.get(url)
    if outcome == "login":
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == reverse("login")
        assert f"next={url}" in unquote(response["Location"])
    else:
        assert response.status_code == int(outcome), f"{url}: {response.status_code}"


def test_posts_from_outside_the_scope_change_nothing(
    trial, waiting_at_a, coordinator_a, coordinator_b, researcher, client_for
):
    """Each POST a coordinator at the site could make, made by someone who may not: nothing
    changes, and the answer does not say whether the person exists."""
    eligible = enrol(trial, waiting_at_a(), coordinator_a, until=S.ELIGIBLE)
    consented = enrol(trial, waiting_at_a(), coordinator_a)
    fresh = waiting_at_a()
    for user in (coordinator_b, researcher):
        browser = client_for(user)
        assert browser.post(reverse("trials:offer", args=[fresh.pk, trial.pk])).status_code == 404
        assert (
            browser.post(
                reverse("trials:decline", args=[eligible.pk]), {"reason": "no_research"}
            ).status_code
            == 404
        )
        assert browser.post(reverse("trials:randomise", args=[consented.pk])).status_code == 404
    eligible.refresh_from_db()
    consented.refresh_from_db()
    assert eligible.status == S.ELIGIBLE and consented.status == S.CONSENTED
    assert not trial.participants.filter(referral=fresh).exists()
    # The same posts work for the right person (so the test could have failed).
    browser = client_for(coordinator_a)
    browser.post(reverse("trials:randomise", args=[consented.pk]))
    consented.refresh_from_db()
    assert consented.status == S.RANDOMISED


def test_the_researcher_never_sees_a_name_on_the_pages_they_may_open(
    trial, waiting_at_a, coordinator_a, researcher, trial_manager, client_for
):
    people = [waiting_at_a(person={"given_name": "Zephaniah", "family_name": "Quarrington"})]
    for person in people:
        enrol(trial, person, coordinator_a, until=S.RANDOMISED)
    for user in (researcher, trial_manager):
        browser = client_for(user)
        for url in (
            reverse("home"),
            reverse("trials:list"),
            reverse("trials:detail", args=[trial.pk]),
            reverse("trials:consort", args=[trial.pk]),
            reverse("trials:records", args=[trial.pk]) + "?group=randomised",
            reverse("trials:analysis", args=[trial.pk]),
            reverse("trials:attendance", args=[trial.pk]),
        ):
            page = browser.get(url).content.decode()
            assert "Quarrington" not in page and "Zephaniah" not in page, url
            assert people[0].reference not in page, url

"""Observation 7: "My caseload" showed name, site, phone, language and reference only. Now it
shows, for each person the coordinator supports, what every part of the service knows: last and
next contact, the plan's weeks left, goals and reviews, measures due, social prescriptions
needing attention and risk flags; those needing most action first, or sorted by a column, or
only those needing action."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwork.casework import actions as casework
from linkwork.referrals.status import ReferralStatus
from linkwork.safeguarding import actions as safeguarding
from tests.factories import make_referral

pytestmark = pytest.mark.django_db

URL = reverse("referrals:my_caseload")


@pytest.fixture
def caseload(pathway_a, gp_referrer, manager, coordinator_a):
    def person(given, family):
        return make_referral(
            ReferralStatus.ALLOCATED,
            pathway=pathway_a,
            by=gp_referrer,
            staff=manager,
            coordinator=coordinator_a,
            person={"given_name": given, "family_name": family},
        )

    quiet = person("Alun", "Bevan")  # never seen, plan long past its end
    casework.set_support_plan(
        quiet,
        by=coordinator_a,
        starts_on=timezone.localdate() - datetime.timedelta(weeks=20),
        planned_sessions=6,
    )
    busy = person("Bethan", "Davies")  # seen yesterday, a visit booked, nothing to do
    casework.log_contact(
        busy,
        by=coordinator_a,
        at=timezone.now() - datetime.timedelta(days=1),
        mode="telephone",
        outcome="attended",
    )
    visit = timezone.now() + datetime.timedelta(days=2)
    casework.log_contact(busy, by=coordinator_a, at=visit, mode="home_visit", outcome="booked")
    casework.set_support_plan(
        busy, by=coordinator_a, starts_on=timezone.localdate(), planned_sessions=6
    )
    flagged = person("Carys", "Evans")  # a risk flag, seen yesterday
    casework.log_contact(
        flagged,
        by=coordinator_a,
        at=timezone.now() - datetime.timedelta(days=1),
        mode="telephone",
        outcome="attended",
    )
    casework.set_support_plan(
        flagged, by=coordinator_a, starts_on=timezone.localdate(), planned_sessions=6
    )
    safeguarding.raise_concern(flagged, by=coordinator_a, kind="falls", summary="Fell twice")
    return {"quiet": quiet, "busy": busy, "flagged": flagged, "visit": visit}


def order(content: str, *names: str) -> list[str]:
    return sorted(names, key=content.index)


def test_each_person_shows_what_needs_doing_those_needing_most_first(
    client_for, coordinator_a, caseload
):
    content = client_for(coordinator_a).get(URL).content.decode()
    for heading in ("Risk flags", "Last contact", "Next contact", "Plan", "Goals", "Measures"):
        assert f">{heading}<" in content or f"{heading}</th>" in content, heading
    table = content[content.index('id="caseload"') :]
    # Alun (never seen, past his plan's end) first; then the others by name.
    assert order(table, "Alun Bevan", "Bethan Davies", "Carys Evans") == [
        "Alun Bevan",
        "Bethan Davies",
        "Carys Evans",
    ]
    alun = table[table.index("Alun Bevan") : table.index("</tr>", table.index("Alun Bevan"))]
    assert "None yet" in alun and "Past its end" in alun
    bethan = table[table.index("Bethan Davies") : table.index("</tr>", table.index("Bethan"))]
    assert timezone.localtime(caseload["visit"]).strftime("%H:%M") in bethan
    carys = table[table.index("Carys Evans") : table.index("</tr>", table.index("Carys Evans"))]
    assert "Falls" in carys


def test_only_those_needing_action_and_sorted_by_a_column(client_for, coordinator_a, caseload):
    browser = client_for(coordinator_a)
    needing = browser.get(URL, {"show": "needs_action"}).content.decode()
    assert "Alun Bevan" in needing
    assert "Bethan Davies" not in needing
    by_next = browser.get(URL, {"sort": "next_contact"}).content.decode()
    table = by_next[by_next.index('id="caseload"') :]
    # Bethan has the only booked contact: first; those with none after.
    assert order(table, "Alun Bevan", "Bethan Davies", "Carys Evans")[0] == "Bethan Davies"
    # Anything else asked for shows everyone, needing most first.
    odd = browser.get(URL, {"show": "x", "sort": "x"})
    assert odd.status_code == 200
    assert odd.context["shown"] == "all"


def test_only_their_own_people(client_for, coordinator_a, caseload, pathway_a, gp_referrer):
    someone_else = make_referral(ReferralStatus.ALLOCATED, pathway=pathway_a, by=gp_referrer)
    content = client_for(coordinator_a).get(URL).content.decode()
    assert someone_else.person.full_name not in content

"""The demo's research trials: the one closed for COVID-19 at Rhondda has everything a CONSORT
diagram and the primary analysis need, and the one open at Powys has people to enrol.

Loading the demo takes a while, so one test loads it and checks everything."""

import pytest
from django.http import HttpRequest
from django.urls import reverse

from linkwork.demo.service import load
from linkwork.referrals.holds import holds_for
from linkwork.referrals.status import ReferralStatus
from linkwork.trials import dataset
from linkwork.trials.analysis import ancova
from linkwork.trials.flow import groups
from linkwork.trials.models import NoteKind, Participant, Trial, TrialStatus

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_closed_trial_with_full_consort_data_and_an_open_one(client):
    load()
    closed = Trial.objects.get(status=TrialStatus.CLOSED)
    assert "COVID-19" in closed.closure_reason
    assert [s.slug for s in closed.sites.all()] == ["rhondda"]
    found = groups(closed)
    n = {key: group.n for key, group in found.items()}
    assert n["assessed"] == 45 and n["randomised"] == 32
    assert n["ineligible"] >= 5 and n["declined"] >= 4 and n["other:closed"] == 2
    arms = list(closed.arms.all())
    for arm in arms:
        prefix = f"arm{arm.pk}"
        assert n[prefix] >= 12
        assert n[f"{prefix}:analysed"] >= 10
        assert n[f"{prefix}:lost"] >= 2
        assert n[f"{prefix}:discontinued"] >= 1
    assert sum(n.get(f"arm{arm.pk}:not_received", 0) for arm in arms) >= 1
    participants = Participant.objects.filter(trial=closed)
    assert participants.filter(withdrawn_on__isnull=False).count() == 1
    kinds = set(participants.values_list("notes__kind", flat=True))
    assert {NoteKind.DEVIATION, NoteKind.EARLY_START} <= kinds
    assert participants.filter(attendance_reports__isnull=False).distinct().count() >= 5
    # The primary analysis runs, adjusted for the strata (GP practice or ambulance service).
    control = closed.arms.get(is_control=True)
    result = ancova(
        dataset.rows(closed),
        outcome="swemwbs_week_12",
        baseline="swemwbs_baseline",
        arm="arm",
        reference=control.name,
        covariates=("stratum",),
    )
    assert result["covariates_dropped"] == []
    assert all(v["n"] > 0 for k, v in result.items() if isinstance(v, dict))
    # Everyone the closed trial assessed is past the trial now: no holds on anyone.
    people = [p.referral for p in participants]
    assert holds_for(people) == {}

    opened = Trial.objects.get(status=TrialStatus.OPEN)
    assert [s.slug for s in opened.sites.all()] == ["powys"]
    assert opened.participants.filter(status="randomised").count() == 3
    assert opened.participants.filter(status="eligible").count() == 1
    # Those randomised to wait are still waiting, with their 4-week measures due: the managers'
    # home page chases them, one overdue.
    client.login(request=HttpRequest(), username="manager", password="linkwork-demo")
    home = client.get(reverse("home"))
    lines = home.context["trial_measures_waiting"]
    assert [line.slot.state for line in lines] == ["overdue", "due"]
    assert all(line.slot.referral.status == ReferralStatus.WAITING for line in lines)
    assert "Trial measures due while waiting" in home.content.decode()
    # Others on its pathways wait to be offered it: a coordinator can enrol someone.
    waiting = opened.pathways.first().site.referrals.filter(
        status=ReferralStatus.WAITING, pathway__in=opened.pathways.all()
    )
    not_offered = waiting.exclude(trial_participations__trial=opened)
    assert not_offered.exists()
    assert all(h.label for h in holds_for(not_offered).values())

    client.login(request=HttpRequest(), username="coordinator", password="linkwork-demo")
    referral = not_offered.first()
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert reverse("trials:offer", args=[referral.pk, opened.pk]) in page
    client.login(request=HttpRequest(), username="researcher", password="linkwork-demo")
    consort = client.get(reverse("trials:consort", args=[closed.pk])).content.decode()
    assert "Assessed for eligibility (n=45)" in consort
    client.login(request=HttpRequest(), username="trialmanager", password="linkwork-demo")
    assert client.get(reverse("trials:analysis", args=[closed.pk])).status_code == 200

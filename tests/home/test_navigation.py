"""The navigation marks one item as the current one. Several items' addresses share a prefix
(the referrals list is /referrals/, the waiting list /referrals/waiting-list/), so the item with
the longest address the page is under is the current one."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _current(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return [str(item["label"]) for item in response.context["nav"] if item["active"]]


@pytest.mark.parametrize(
    ("url_name", "args", "current"),
    [
        ("home", [], "Home"),
        ("referrals:list", [], "Referrals"),
        ("referrals:waiting_list", [], "Waiting list"),
        ("referrals:caseloads", [], "Caseloads"),
        ("referrals:pathways", [], "Pathways"),
        ("referrals:record", [], "Referrals"),
        ("outcomes:schedules", [], "Measures"),
        ("casework:people", [], "People in support"),
    ],
)
def test_one_item_is_current(client_for, manager, url_name, args, current):
    assert _current(client_for(manager), reverse(url_name, args=args)) == [current]


def test_a_pathways_page_is_under_pathways_not_referrals(client_for, manager, pathway_a):
    url = reverse("referrals:pathway_edit", args=[pathway_a.pk])
    assert _current(client_for(manager), url) == ["Pathways"]


def test_a_record_is_under_people_in_support(client_for, coordinator_a, in_support):
    url = reverse("casework:record", args=[in_support.pk])
    assert _current(client_for(coordinator_a), url) == ["People in support"]
